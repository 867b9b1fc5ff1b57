"""Reading HTML without Scrapy: decoding, a bounded parse, and text that keeps line breaks.

Pages arrive as bytes in any encoding the outlet or a mirror chose (UTF-8, windows-1256, a BOM,
a wrong ``charset``); ``decode_html`` settles on the right one (``crawler.parsers.charset``).
``parse_document`` survives NUL bytes and nesting deeper than libxml2 goes. ``paragraphs``
turns a container into paragraphs: block elements separate paragraphs, a ``<br>`` inside one is
a single newline, two ``<br>`` in a row start a new paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from lxml import etree, html
from lxml.cssselect import CSSSelector

from crawler.parsers.charset import decode_bytes
from crawler.parsers.nesting import flatten
from crawler.text import clean, clean_line

# Text of these elements is never read (scripts can hold any word; forms and buttons are UI).
SKIPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "button",
        "form",
        "input",
        "select",
        "textarea",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "head",
        # AMP's components: their inner text is a placeholder or fallback ("إعلان", "loading").
        "amp-ad",
        "amp-embed",
        "amp-iframe",
        "amp-video",
        "amp-youtube",
        "amp-social-share",
        "amp-analytics",
        "amp-sidebar",
        "amp-consent",
        "amp-script",
    }
)
BLOCKS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "ul",
        "ol",
        "li",
        "section",
        "article",
        "figure",
        "figcaption",
        "table",
        "pre",
        "header",
        "footer",
        "aside",
        "dl",
        "dt",
        "dd",
        "hr",
        "main",
        "nav",
        "address",
    }
)
# A table is one paragraph: a row a line, its cells separated by CELL_SEPARATOR.
ROWS = frozenset({"tr"})
CELLS = frozenset({"td", "th"})
CELL_SEPARATOR = " | "
_WS = re.compile(r"[ \t\r\n\f\v]+")
# Arabic presentation forms (text pasted from PDFs or old systems): shown alike, but searched and
# matched unlike the letters they stand for. The word ligatures ﷺ ﷻ ﷽ are kept as written.
_PRESENTATION = re.compile("[\ufb50-\ufdf9\ufdfc\ufe70-\ufefc]+")
# lxml refuses a str that still declares its encoding (XHTML pages do).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    """The page as text, whatever its declaration says (``crawler.parsers.charset``)."""
    if isinstance(body, str):
        return body
    return decode_bytes(body, content_type).text


def parse_html(text: str) -> html.HtmlElement:
    """A parsed document; NUL bytes, deep nesting and a huge page never stop the parser."""
    return parse_document(text)[0]


def parse_document(text: str) -> tuple[html.HtmlElement, str]:
    """The parsed document and the markup it was parsed from: without NUL bytes, and flattened
    where it nests deeper than the parser goes (which would otherwise lose the rest)."""
    text = _XML_DECLARATION.sub("", text.replace("\x00", ""), count=1)
    if _PRESENTATION.search(text):
        text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    root, too_deep = _parse(text)
    if too_deep:
        text = flatten(text)
        root, _ = _parse(text)
    return root, text


def _parse(text: str) -> tuple[html.HtmlElement, bool]:
    parser = html.HTMLParser(recover=True, remove_comments=True, no_network=True)
    try:
        root = html.document_fromstring(text or "<html></html>", parser=parser)
    except (etree.ParserError, ValueError):
        root = html.document_fromstring("<html></html>", parser=parser)
    too_deep = any("Excessive depth" in entry.message for entry in parser.error_log)
    return root, too_deep


_CSS_CACHE: dict[str, CSSSelector] = {}


def css(root: etree._Element, selector: str) -> list[etree._Element]:
    """Elements matching a CSS selector (compiled once per selector)."""
    if not selector:
        return []
    compiled = _CSS_CACHE.get(selector)
    if compiled is None:
        compiled = _CSS_CACHE[selector] = CSSSelector(selector, translator="html")
    return [el for el in compiled(root) if isinstance(el.tag, str)]


def first(root: etree._Element, selector: str) -> etree._Element | None:
    found = css(root, selector)
    return found[0] if found else None


def tag_of(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


class _Builder:
    """Collects text into paragraphs of lines."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.lines: list[str] = []
        self.line: list[str] = []

    def text(self, value: str | None) -> None:
        if value:
            self.line.append(_WS.sub(" ", value))

    def newline(self) -> None:
        line = "".join(self.line).strip()
        self.line = []
        if line:
            self.lines.append(line)
        elif self.lines:
            # A <br> on an empty line: two <br> in a row end the paragraph.
            self.flush()

    def end_line(self) -> None:
        """End the current line, if any (a table row), never the paragraph."""
        line = "".join(self.line).strip()
        self.line = []
        if line:
            self.lines.append(line)

    def flush(self) -> None:
        line = "".join(self.line).strip()
        self.line = []
        if line:
            self.lines.append(line)
        if self.lines:
            paragraph = clean("\n".join(self.lines))
            if paragraph:
                self.paragraphs.append(paragraph)
        self.lines = []


def paragraphs(container: etree._Element, skip: Iterable[etree._Element] = ()) -> list[str]:
    """The container's text as paragraphs (display form), leaving out ``skip`` elements and
    everything in ``SKIPPED``. A ``<br>`` is a newline inside a paragraph."""
    builder = _Builder()
    skipped = frozenset(skip)
    # An explicit stack, not recursion: a page may nest elements thousands deep.
    stack: list[tuple[etree._Element, bool]] = [(container, False)]
    while stack:
        el, closing = stack.pop()
        tag = tag_of(el)
        is_top = el is container
        if closing:
            if tag in BLOCKS:
                builder.flush()
            elif tag in ROWS:
                builder.end_line()
            if not is_top:
                builder.text(el.tail)
            continue
        if not tag:  # a comment or processing instruction: only its tail is text
            builder.text(el.tail)
            continue
        if tag in SKIPPED or el in skipped:
            if not is_top:
                builder.text(el.tail)
            continue
        if tag == "br":
            builder.newline()
            builder.text(el.tail)
            continue
        if tag in BLOCKS:
            builder.flush()
        elif tag in ROWS:
            builder.end_line()
        elif tag in CELLS and el.getprevious() is not None:
            builder.text(CELL_SEPARATOR)
        builder.text(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    builder.flush()
    return builder.paragraphs


def text_of(el: etree._Element | None, skip: Iterable[etree._Element] = ()) -> str:
    """An element's text on one line (titles, captions, names)."""
    if el is None:
        return ""
    return clean_line(" ".join(paragraphs(el, skip)))


def texts(root: etree._Element, selector: str) -> list[str]:
    """The one-line text of every element matching ``selector``, empty ones left out."""
    return [t for t in (text_of(el) for el in css(root, selector)) if t]


def meta_values(root: etree._Element) -> Iterator[tuple[str, str]]:
    """``(name or property, content)`` of every ``<meta>`` (names lowercased)."""
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content is not None:
            yield key, content


def link_href(root: etree._Element, rel: str) -> str | None:
    for el in root.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        if rel in rels and el.get("href"):
            return str(el.get("href")).strip()
    return None


# XML from the network (feeds, sitemaps): no entity expanded, no DTD loaded, nothing fetched —
# no billion laughs, no XXE to a file or a URL — and libxml2's size limits kept (no huge_tree).
XML_OPTIONS = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "recover": True,
    "remove_comments": True,
    "remove_pis": True,
}


def xml_parser() -> etree.XMLParser:
    """An XML parser with ``XML_OPTIONS``."""
    return etree.XMLParser(**XML_OPTIONS)
