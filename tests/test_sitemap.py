"""Sitemaps: index and URL sets, Google News fields, gzip, and hostile input."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from crawler.dates import OUTLET_TZ
from crawler.parsers.sitemap import SitemapError, gunzip, parse_sitemap

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.alaraby.co.uk/sitemap.xml?page=1</loc><lastmod>2026-08-15T20:00:00+03:00</lastmod></sitemap>
  <sitemap><loc>https://www.alaraby.co.uk/sitemap.xml?page=2</loc></sitemap>
</sitemapindex>"""

NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9</loc>
    <news:news><news:publication><news:name>العربي الجديد</news:name>
      <news:language>ar</news:language></news:publication>
      <news:publication_date>2026-08-15T21:56:19+03:00</news:publication_date>
      <news:title>غزة: شهيد وجرحى</news:title></news:news></url>
  <url><loc>https://www.alaraby.co.uk/economy/x</loc><lastmod>2026-08-14</lastmod></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>""".encode()


def test_an_index_lists_its_pages() -> None:
    sitemap = parse_sitemap(INDEX)
    assert sitemap.kind == "index"
    assert [e.loc for e in sitemap.entries] == [
        "https://www.alaraby.co.uk/sitemap.xml?page=1",
        "https://www.alaraby.co.uk/sitemap.xml?page=2",
    ]
    assert sitemap.entries[0].lastmod == datetime(2026, 8, 15, 20, tzinfo=OUTLET_TZ)
    assert sitemap.entries[1].lastmod is None


def test_google_news_fields_are_read() -> None:
    sitemap = parse_sitemap(NEWS)
    assert sitemap.kind == "urlset" and len(sitemap.entries) == 2  # the javascript: URL is dropped
    news, plain = sitemap.entries
    assert news.published_at == datetime(2026, 8, 15, 21, 56, 19, tzinfo=OUTLET_TZ)
    assert news.title == "غزة: شهيد وجرحى"
    assert plain.lastmod == datetime(2026, 8, 14, tzinfo=OUTLET_TZ)
    assert sitemap.newest == news.published_at


def test_gzip_sitemaps_are_read() -> None:
    assert parse_sitemap(gzip.compress(NEWS)).entries == parse_sitemap(NEWS).entries


def test_a_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"<" + b" " * (50 * 2**20))
    with pytest.raises(SitemapError, match="larger than"):
        gunzip(bomb, 2**20)


def test_entries_are_capped() -> None:
    rows = "".join(f"<url><loc>https://www.alaraby.co.uk/a/{i}</loc></url>" for i in range(100))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()
    assert len(parse_sitemap(body, max_entries=10).entries) == 10


@pytest.mark.parametrize("body", [b"", b"<html></html>", b"\x1f\x8bnot gzip"])
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(SitemapError):
        parse_sitemap(body)


def test_xxe_is_not_resolved(tmp_path) -> None:
    secret = tmp_path / "s.txt"
    secret.write_text("https://evil.example/CANARY", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>'
    ).encode()
    assert all("CANARY" not in e.loc for e in parse_sitemap(body).entries)
