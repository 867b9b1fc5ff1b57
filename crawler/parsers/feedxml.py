"""A feed's bytes → its XML tree and its entries, whatever state the bytes arrive in.

Real feeds arrive with a byte-order mark or blank lines before the XML declaration, with a
declaration that names the wrong encoding (UTF-8 sent as ``windows-1256``, or the reverse), with
HTML entities (``&nbsp;``) that XML does not define, with control characters XML forbids, cut
short by a dropped connection, or as an HTML error page served with status 200. The text is
decoded by ``crawler.parsers.charset`` (the bytes decide, not the declaration), cleaned of what
XML cannot hold, and parsed as a stream, so that the entries complete before a cut are told
apart from the one the cut went through. Nothing is expanded, loaded or fetched (XML_OPTIONS).
"""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass

from lxml import etree

from crawler.parsers.charset import decode_bytes
from crawler.parsers.html import XML_OPTIONS

# Characters XML 1.0 does not allow, even inside CDATA.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<!DOCTYPE\s+html|^\s*<html[\s>]", re.I | re.S)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
ENTRY_NAMES = frozenset({"item", "entry"})


class FeedError(ValueError):
    """Not a feed: one line for the log and the user."""


@dataclass(frozen=True, slots=True)
class FeedDocument:
    root: etree._Element
    kind: str  # "rss", "RDF" (RSS 1.0) or "feed" (Atom)
    entries: tuple[etree._Element, ...]  # complete items / entries, in document order
    problems: tuple[str, ...]


def read_document(body: bytes | str, content_type: str | None = None) -> FeedDocument:
    """The feed's tree and complete entries; ``FeedError`` if ``body`` is no feed."""
    problems: list[str] = []
    text = body if isinstance(body, str) else decode_bytes(body, content_type).text
    text = _DECLARATION.sub("", text.lstrip("\ufeff \t\r\n"), count=1).lstrip()
    if not text:
        raise FeedError("not a feed: the answer was empty")
    if _HTML_START.match(text):
        raise FeedError(f"not a feed: the server sent an HTML page{_html_title(text)}")
    text, forbidden = _FORBIDDEN.subn(" ", text)
    if forbidden:
        problems.append(f"removed {forbidden} control characters that XML does not allow")
    # HTML's named entities are undefined in XML (the parser would drop them): write them as
    # character references. Inside CDATA this changes nothing the text parser does not undo.
    text = _NAMED_ENTITY.sub(_entity_reference, text)

    parser = etree.XMLPullParser(events=("end",), **XML_OPTIONS)
    complete: list[etree._Element] = []
    ended = False
    try:
        parser.feed(text)
        for _event, el in parser.read_events():
            if not isinstance(el.tag, str):
                continue
            if local_name(el) in ENTRY_NAMES and _depth(el) <= 2:
                complete.append(el)
            elif el.getparent() is None:
                ended = True
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not a feed: {_one_line(str(exc))}") from None
    if root is None or not isinstance(root.tag, str):
        raise FeedError(f"not a feed: no XML in the answer (it starts {text[:40]!r})")
    kind = local_name(root)
    if kind.lower() == "html":
        raise FeedError(f"not a feed: the server sent an HTML page{_html_title(text)}")
    if kind not in FEED_ROOTS:
        raise FeedError(f"not a feed: its root element is <{kind}>, not <rss> or <feed>")
    if not ended:
        problems.append(
            f"the feed was cut short: the {len(complete)} complete items before the cut were read"
        )
    return FeedDocument(root, kind, tuple(complete), tuple(problems))


def _entity_reference(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    chars = html.entities.html5.get(name + ";")
    if chars is None:
        return m.group(0)
    return "".join(f"&#{ord(c)};" for c in chars)


def local_name(el: etree._Element) -> str:
    """The element's name without namespace; an undeclared prefix leaves the name as written
    (``dc:creator``), of which the part after the colon."""
    return str(el.tag).rpartition("}")[2].rpartition(":")[2]


def _depth(el: etree._Element) -> int:
    depth = 0
    parent = el.getparent()
    while parent is not None:
        depth += 1
        parent = parent.getparent()
    return depth


def _html_title(text: str) -> str:
    m = _HTML_TITLE.search(text[:20000])
    title = " ".join(html.unescape(m.group(1)).split()) if m else ""
    return f" (titled {title[:80]!r})" if title else ""


def _one_line(message: str) -> str:
    return " ".join(message.split())
