"""Sitemaps: an index of sitemap pages, or a page of URLs with ``lastmod`` and, in a Google
News sitemap, ``news:publication_date`` and ``news:title``. Gzip-compressed files are read with
a size cap, and the XML as a stream (a million URLs cost no more than the entries kept), without
entity expansion, DTDs or network access."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lxml import etree

from crawler.dates import parse_machine_date
from crawler.parsers.html import XML_OPTIONS
from crawler.text import clean_line

GZIP_MAGIC = b"\x1f\x8b"
PIECE = 1 << 20  # bytes handed to the parser at a time


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


def _pieces(body: bytes, max_size: int) -> Iterator[bytes]:
    """The document in pieces of at most ``PIECE`` bytes, decompressed on the fly when it is
    gzip; a gzip body that would produce more than ``max_size`` bytes raises ``SitemapError``
    (a gzip bomb stops at the cap, having held no more than one piece in memory)."""
    if body[:2] != GZIP_MAGIC:
        for start in range(0, len(body), PIECE):
            yield body[start : start + PIECE]
        return
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    produced = 0
    data = body
    while True:
        try:
            part = stream.decompress(data, PIECE) if data else stream.flush()
        except zlib.error as exc:
            raise SitemapError(f"broken gzip data: {exc}") from None
        produced += len(part)
        if produced > max_size:
            raise SitemapError(f"sitemap larger than {max_size} bytes once decompressed")
        if part:
            yield part
        data = stream.unconsumed_tail
        if stream.eof or not (data or part):
            return


def gunzip(data: bytes, max_size: int) -> bytes:
    """``data`` decompressed, refusing to produce more than ``max_size`` bytes."""
    return b"".join(_pieces(data, max_size))


def parse_sitemap(
    body: bytes, *, max_size: int = 60 * 2**20, max_entries: int = 200_000
) -> Sitemap:
    """A sitemap index or URL set; ``body`` may be gzip-compressed. At most ``max_entries``
    entries are read: the document is parsed as a stream and parsing stops there, each entry
    freed once read, so memory follows the entries kept, not the size of the file."""
    parser = etree.XMLPullParser(events=("start", "end"), **XML_OPTIONS)
    root: etree._Element | None = None
    child = ""
    entries: list[SitemapEntry] = []
    leading = True
    try:
        for piece in _pieces(body, max_size):
            if leading:  # whitespace before the XML declaration would make it an error
                piece = piece.lstrip()
                leading = not piece
            parser.feed(piece)
            for event, el in parser.read_events():
                if not isinstance(el.tag, str):
                    continue
                if root is None:
                    root, child = el, _child_name(el)
                    continue
                if event != "end" or el.getparent() is not root:
                    continue
                if etree.QName(el).localname == child:
                    entry = _entry(el)
                    if entry is not None:
                        entries.append(entry)
                        if len(entries) >= max_entries:
                            return _sitemap(child, entries)
                el.clear()
                while el.getprevious() is not None:
                    del root[0]
        parser.close()
    except etree.XMLSyntaxError as exc:
        if root is None:
            raise SitemapError(f"not a sitemap: {exc}") from None
    if root is None:
        raise SitemapError("not a sitemap: empty document")
    return _sitemap(child, entries)


def _child_name(root: etree._Element) -> str:
    name = etree.QName(root).localname
    if name not in ("sitemapindex", "urlset"):
        raise SitemapError(f"not a sitemap: root element <{name}>")
    return "sitemap" if name == "sitemapindex" else "url"


def _sitemap(child: str, entries: list[SitemapEntry]) -> Sitemap:
    return Sitemap("index" if child == "sitemap" else "urlset", tuple(entries))


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
