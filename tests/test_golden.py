"""Golden extraction: stored pages (one directory per parser version) and the JSON expected from
each; regenerate with tests/tools/regen_golden.py and review the diff."""

from __future__ import annotations

import json
from typing import Any

import pytest
from golden import CASES, GOLDEN, dump, expected_path, extract, rendered, text_path
from tables import read_tsv, unescape

CHECKS = read_tsv("golden/checks.tsv") + read_tsv("golden/page-checks.tsv")
BY_ID = {c["id"]: c for c in CASES}
RENDERED = [c for c in CASES if c.get("render") == "yes"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_extraction_matches_the_golden_json(case: dict[str, str]) -> None:
    expected = expected_path(case).read_text(encoding="utf-8")
    assert dump(extract(case)) == expected


@pytest.mark.parametrize("case", RENDERED, ids=[c["id"] for c in RENDERED])
def test_text_export_matches_the_expected_text(case: dict[str, str]) -> None:
    """The seed-format export of the page, byte for byte (no final newline, as the sample)."""
    assert rendered(case) == text_path(case).read_text(encoding="utf-8")


def test_every_expected_text_has_a_case() -> None:
    texts = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.txt")}
    assert texts == {text_path(c).relative_to(GOLDEN).as_posix() for c in RENDERED}


def test_every_stored_page_has_a_case() -> None:
    stored = {
        p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.suffix in (".html", ".xml")
    }
    assert stored == {c["file"] for c in CASES}


def test_every_parser_version_has_golden_pages() -> None:
    from crawler.outlets import ALARABY

    versions = {c["file"].split("/")[0] for c in CASES}
    assert {layout.name for layout in ALARABY.layouts} | {"fallback", "feed"} <= versions


def _field(data: Any, field: str) -> str:
    value = data[0][field] if isinstance(data, list) else data[field]
    if field == "body":
        return "\n\n".join(value)
    if isinstance(value, list):
        return " | ".join(value)
    return "" if value is None else str(value)


@pytest.mark.parametrize(
    "check", CHECKS, ids=[f"{c['case']}-{c['field']}-{c['op']}-{i}" for i, c in enumerate(CHECKS)]
)
def test_boilerplate_checks(check: dict[str, str]) -> None:
    value = _field(
        json.loads(expected_path(BY_ID[check["case"]]).read_text("utf-8")), check["field"]
    )
    text = unescape(check["text"])
    if check["op"] == "contains":
        assert text in value
    elif check["op"] == "lacks":
        assert text not in value
    else:
        assert value == text
