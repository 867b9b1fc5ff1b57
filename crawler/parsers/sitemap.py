"""Sitemaps: an index of sitemap pages, or a page of URLs with ``lastmod`` and, in a Google
News sitemap, ``news:publication_date`` and ``news:title``. Gzip-compressed files are read with
a size cap, and the XML without entity expansion, DTDs or network access."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lxml import etree

from crawler.dates import parse_machine_date
from crawler.parsers.html import xml_parser
from crawler.text import clean_line

GZIP_MAGIC = b"\x1f\x8b"


class SitemapError(ValueError):
    """Not a sitemap, or larger than allowed once decompressed."""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    published_at: datetime | None = None  # news:publication_date
    title: str | None = None  # news:title


@dataclass(frozen=True, slots=True)
class Sitemap:
    kind: Literal["index", "urlset"]
    entries: tuple[SitemapEntry, ...]

    @property
    def newest(self) -> datetime | None:
        dates = [e.lastmod or e.published_at for e in self.entries]
        known = [d for d in dates if d is not None]
        return max(known) if known else None


def gunzip(data: bytes, max_size: int) -> bytes:
    """``data`` decompressed, refusing to produce more than ``max_size`` bytes (a gzip bomb
    stops at the cap, having used no more memory than that)."""
    out = bytearray()
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunk = data
    while chunk:
        try:
            part = stream.decompress(chunk, max_size + 1 - len(out))
        except zlib.error as exc:
            raise SitemapError(f"broken gzip data: {exc}") from None
        out += part
        if len(out) > max_size:
            raise SitemapError(f"sitemap larger than {max_size} bytes once decompressed")
        chunk = stream.unconsumed_tail
        if stream.eof:
            break
    return bytes(out)


def parse_sitemap(
    body: bytes, *, max_size: int = 60 * 2**20, max_entries: int = 200_000
) -> Sitemap:
    """A sitemap index or URL set; ``body`` may be gzip-compressed. At most ``max_entries``
    entries are read."""
    if body[:2] == GZIP_MAGIC:
        body = gunzip(body, max_size)
    try:
        root = etree.fromstring(body.lstrip(), parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not a sitemap: {exc}") from None
    if root is None:
        raise SitemapError("not a sitemap: empty document")
    name = etree.QName(root).localname
    if name not in ("sitemapindex", "urlset"):
        raise SitemapError(f"not a sitemap: root element <{name}>")
    child = "sitemap" if name == "sitemapindex" else "url"
    entries: list[SitemapEntry] = []
    for el in root:
        if not isinstance(el.tag, str) or etree.QName(el).localname != child:
            continue
        entry = _entry(el)
        if entry is not None:
            entries.append(entry)
            if len(entries) >= max_entries:
                break
    return Sitemap("index" if name == "sitemapindex" else "urlset", tuple(entries))


def _entry(el: etree._Element) -> SitemapEntry | None:
    values: dict[str, str] = {}
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local in ("loc", "lastmod", "publication_date", "title") and local not in values:
            values[local] = (node.text or "").strip()
    loc = values.get("loc")
    if not loc or not loc.lower().startswith(("http://", "https://", "/")):
        return None
    return SitemapEntry(
        loc=loc,
        lastmod=parse_machine_date(values.get("lastmod")),
        published_at=parse_machine_date(values.get("publication_date")),
        title=clean_line(values["title"]) if values.get("title") else None,
    )
