"""Sitemaps: an index of sitemap pages, or a page of URLs with ``lastmod`` and, in a Google
News sitemap, ``news:publication_date`` and ``news:title``; a text sitemap (one URL a line) too.
Gzip-compressed files are read with a size cap, and the XML as a stream (a million URLs cost no
more than the entries kept), without entity expansion, DTDs or network access.

Real sitemaps bring a byte-order mark or blank lines before the declaration, a declaration that
names the wrong encoding, image/video/hreflang extensions (whose ``loc`` and ``title`` are not
the page's), relative or padded URLs, unreadable dates, a cut, or an HTML page in their place:
each is read for what it holds, and what was wrong comes back as ``Sitemap.problems``, one plain
line per kind of problem.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.dates import OUTLET_TZ, parse_machine_date
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.outlets import ALARABY, Outlet
from crawler.parsers.feedtext import plain
from crawler.parsers.html import XML_OPTIONS

GZIP_MAGIC = b"\x1f\x8b"
PIECE = 1 << 20  # bytes handed to the parser at a time
_BOM = b"\xef\xbb\xbf"
_DECLARED = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_HTML_START = re.compile(rb"^(?:<!--.*?-->\s*)*(?:<!DOCTYPE\s+html|<html[\s>])", re.I | re.S)
_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


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
    problems: tuple[str, ...] = ()  # what was wrong, in plain words: one line per kind

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
    body: bytes,
    *,
    base: str | None = None,
    max_size: int = 60 * 2**20,
    max_entries: int = 200_000,
    legacy_encoding: str = ALARABY.legacy_encoding,
) -> Sitemap:
    """A sitemap index or URL set; ``body`` may be gzip-compressed; relative URLs resolve
    against ``base`` (the sitemap's own URL). At most ``max_entries`` entries are read: the
    document is parsed as a stream and parsing stops there, each entry freed once read, so
    memory follows the entries kept, not the size of the file."""
    pieces = _pieces(body, max_size)
    first = b""
    for piece in pieces:  # whitespace or a BOM before the XML declaration would be an error
        first = piece.lstrip(b" \t\r\n")
        while first.startswith(_BOM):
            first = first[len(_BOM) :].lstrip(b" \t\r\n")
        if first:
            break
    if not first:
        raise SitemapError("not a sitemap: empty document")
    if _HTML_START.match(first):
        raise SitemapError("not a sitemap: the server sent an HTML page")
    if not first.startswith(b"<"):
        return _text_sitemap(first + b"".join(pieces), base, max_entries)
    parser = etree.XMLPullParser(
        events=("start", "end"), encoding=_encoding(first, legacy_encoding), **XML_OPTIONS
    )
    tally = _Tally()
    root: etree._Element | None = None
    child = ""
    entries: list[SitemapEntry] = []
    ended = False
    try:
        for piece in chain([first], pieces):
            parser.feed(piece)
            for event, el in parser.read_events():
                if not isinstance(el.tag, str):
                    continue
                if root is None:
                    root, child = el, _child_name(el)
                    continue
                if el is root and event == "end":
                    ended = True
                if event != "end" or el.getparent() is not root:
                    continue
                if _local(el) == child:
                    entry = _entry(el, base, tally)
                    if entry is not None:
                        entries.append(entry)
                        if len(entries) >= max_entries:
                            return _sitemap(child, entries, tally)
                el.clear()
                while el.getprevious() is not None:
                    del root[0]
        parser.close()
    except etree.XMLSyntaxError as exc:
        if root is None:
            raise SitemapError(f"not a sitemap: {' '.join(str(exc).split())}") from None
    if root is None:
        raise SitemapError("not a sitemap: empty document")
    if not ended:
        tally.cut = True
    return _sitemap(child, entries, tally)


def count_entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


@dataclass(slots=True)
class _Tally:
    bad_locs: int = 0
    bad_dates: int = 0
    bad_date: str = ""
    cut: bool = False

    def lines(self, kept: int) -> tuple[str, ...]:
        out = []
        if self.cut:
            out.append(
                f"the sitemap was cut short: the {kept} complete entries before the cut were read"
            )
        if self.bad_locs:
            out.append(f"{count_entries(self.bad_locs)} without a usable URL skipped")
        if self.bad_dates:
            out.append(
                f"{count_entries(self.bad_dates)} with a date that could not be read "
                f"(e.g. {self.bad_date[:40]!r}) kept without one"
            )
        return tuple(out)


def _encoding(head: bytes, legacy: str) -> str | None:
    """The encoding to read the bytes in when the declaration is wrong: UTF-8 bytes declared
    as a legacy encoding, or legacy bytes declared as UTF-8; None to trust the declaration."""
    m = _DECLARED.match(head)
    try:
        declared = codecs.lookup(m.group(1).decode("ascii")).name if m else "utf-8"
    except LookupError:
        declared = "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut by the piece's end is not an error
    except UnicodeDecodeError:
        return legacy if declared == "utf-8" else None
    return "utf-8" if declared != "utf-8" and not head.isascii() else None


def _text_sitemap(data: bytes, base: str | None, max_entries: int) -> Sitemap:
    """A text sitemap: one absolute URL a line, UTF-8 (sitemaps.org)."""
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    tally = _Tally()
    entries = []
    for line in lines[:max_entries]:
        loc = _loc(line, base)
        if loc is None:
            tally.bad_locs += 1
        else:
            entries.append(SitemapEntry(loc))
    if not entries:
        raise SitemapError(f"not a sitemap: neither XML nor a list of URLs ({lines[0][:40]!r})")
    return _sitemap("url", entries, tally)


def _local(el: etree._Element) -> str:
    return str(el.tag).rpartition("}")[2]


def _child_name(root: etree._Element) -> str:
    name = _local(root)
    if name.lower() == "html":
        raise SitemapError("not a sitemap: the server sent an HTML page")
    if name not in ("sitemapindex", "urlset"):
        raise SitemapError(f"not a sitemap: root element <{name}>")
    return "sitemap" if name == "sitemapindex" else "url"


def _sitemap(child: str, entries: list[SitemapEntry], tally: _Tally) -> Sitemap:
    kind: Literal["index", "urlset"] = "index" if child == "sitemap" else "urlset"
    return Sitemap(kind, tuple(entries), tally.lines(len(entries)))


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _entry(el: etree._Element, base: str | None, tally: _Tally) -> SitemapEntry | None:
    """One ``<url>`` or ``<sitemap>``: its own ``loc`` and ``lastmod`` (not an image's or a
    video's), and the news extension's date and title."""
    own: dict[str, etree._Element] = {}
    news: dict[str, etree._Element] = {}
    for node in el:
        if not isinstance(node.tag, str):
            continue
        name = _local(node)
        if name == "news" and etree.QName(node).namespace == _NEWS:
            for part in node.iter():
                if isinstance(part.tag, str):
                    news.setdefault(_local(part), part)
        elif etree.QName(node).namespace in (None, etree.QName(el).namespace):
            own.setdefault(name, node)
    loc = _loc(_text(own.get("loc")), base)
    if loc is None:
        tally.bad_locs += 1
        return None
    title = plain(_text(news.get("title")))
    return SitemapEntry(
        loc=loc,
        lastmod=_date(_text(own.get("lastmod")), tally),
        published_at=_date(_text(news.get("publication_date")), tally),
        title=title or None,
    )


def _loc(value: str, base: str | None) -> str | None:
    """An absolute http(s) URL, or None: relative URLs resolve against ``base``."""
    value = value.strip()
    if not value or any(c.isspace() for c in value):
        return None
    if base and not value.lower().startswith(("http://", "https://")):
        value = urljoin(base, value)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def _date(text: str, tally: _Tally) -> datetime | None:
    if not text:
        return None
    moment = parse_machine_date(text)
    if moment is None:
        tally.bad_dates += 1
        tally.bad_date = tally.bad_date or text
        return None
    return moment.astimezone(OUTLET_TZ)


def robots_sitemaps(values: Iterable[str], outlet: Outlet = ALARABY) -> list[str]:
    """The sitemaps to read: those robots.txt names on the outlet (relative ones resolved, a
    trailing comment dropped, mirrors canonicalised), then the outlet's default sitemap."""
    found = []
    for value in values:
        token, _, rest = value.strip().partition(" ")
        if rest.strip() and not rest.strip().startswith("#"):
            continue  # "not a url"
        url = _loc(token, outlet.base_url + "/")
        if url and is_outlet_url(url, outlet):
            found.append(canonical_url(url, outlet))
    found.append(outlet.base_url + outlet.sitemap_path)
    return list(dict.fromkeys(found))
