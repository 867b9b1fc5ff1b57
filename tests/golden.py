"""The golden extraction cases (tests/data/golden/cases.tsv and page-cases.tsv), shared by the
test and the script that regenerates the expected JSON (and the expected text exports)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tables import read_tsv

from crawler.parsers.alaraby import parse_page
from crawler.parsers.feed import parse_feed
from crawler.seedformat import render

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
CASES = read_tsv("golden/cases.tsv") + read_tsv("golden/page-cases.tsv")


def extract(case: dict[str, str]) -> Any:
    """What the parser gives for a case, as JSON-ready data."""
    path = GOLDEN / case["file"]
    fetched_at = datetime.fromisoformat(case["fetched_at"]) if case["fetched_at"] else None
    body = path.read_bytes()
    if path.suffix == ".xml":
        return [item.article.to_dict() for item in parse_feed(body, fetched_at=fetched_at)]
    return parse_page(
        body,
        case["url"] or None,
        fetched_at=fetched_at,
        content_type=case.get("content_type") or None,
    ).to_dict()


def rendered(case: dict[str, str]) -> str:
    """The case's article in the sample's text layout (``crawler.seedformat.render``)."""
    from crawler.items import Article

    return render(Article.from_dict(extract(case)))


def expected_path(case: dict[str, str]) -> Path:
    return (GOLDEN / case["file"]).with_suffix(".json")


def text_path(case: dict[str, str]) -> Path:
    return (GOLDEN / case["file"]).with_suffix(".txt")


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
