"""Sitemaps other than the replica's: the table in tests/data/sitemap-variants.yaml, run through
the pure sitemap parser, and the ``Sitemap:`` lines of robots.txt (sitemap-robots.tsv)."""

from __future__ import annotations

import gzip
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from protego import Protego
from tables import DATA, read_tsv, unescape

from crawler.parsers.sitemap import SitemapError, parse_sitemap, robots_sitemaps

CASES: list[dict[str, Any]] = yaml.safe_load(
    (DATA / "sitemap-variants.yaml").read_text(encoding="utf-8")
)
ROBOTS = read_tsv("sitemap-robots.tsv")
_MARKUP_OR_ENTITY = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|&(?:#\d+|[a-zA-Z]+);")


def document(case: dict[str, Any]) -> bytes:
    codec = case.get("encoding", "utf-8")
    data = (case.get("prefix", "") + case["document"]).encode(codec)
    if "cut" in case:
        data = data[: data.index(case["cut"].encode(codec))]
    return gzip.compress(data) if case.get("gzip") else data


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sitemap_variant(case: dict[str, Any]) -> None:
    data = document(case)
    if "error" in case:
        with pytest.raises(SitemapError) as caught:
            parse_sitemap(data, base=case.get("base"))
        assert case["error"].lower() in str(caught.value).lower()
        assert "\n" not in str(caught.value)
        return
    sitemap = parse_sitemap(data, base=case.get("base"))
    assert sitemap.kind == case["kind"]
    assert len(sitemap.entries) == len(case["entries"]), [e.loc for e in sitemap.entries]
    for entry, want in zip(sitemap.entries, case["entries"], strict=True):
        assert entry.loc == want["loc"]
        for name in ("lastmod", "published_at"):
            if name in want:
                assert iso(getattr(entry, name)) == want[name], name
        if "title" in want:
            assert entry.title == want["title"]
        # Nothing stored from a sitemap is garbage.
        assert entry.loc.startswith(("http://", "https://")) and entry.loc == entry.loc.strip()
        assert not re.search(r"\s", entry.loc)
        for moment in (entry.lastmod, entry.published_at):
            assert moment is None or moment.utcoffset() == timedelta(hours=3)
        assert entry.title is None or not _MARKUP_OR_ENTITY.search(entry.title)
    for substring in case.get("problems", []):
        assert len([p for p in sitemap.problems if substring.lower() in p.lower()]) == 1, (
            substring,
            sitemap.problems,
        )
    wanted = case.get("problems", [])
    assert [p for p in sitemap.problems if not any(s.lower() in p.lower() for s in wanted)] == []


@pytest.mark.parametrize("row", ROBOTS, ids=[r["id"] for r in ROBOTS])
def test_sitemaps_named_by_robots(row: dict[str, str]) -> None:
    robots = Protego.parse(unescape(row["robots"]))
    expected = [u for u in row["sitemaps"].split(" ") if u]
    assert robots_sitemaps(robots.sitemaps) == expected


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for c in CASES] + [r["id"] for r in ROBOTS]
    assert len(ids) == len(set(ids))
