"""The text of a feed's fields, in whatever form the CMS wrote it.

A field may hold plain text, text with its entities escaped once or twice (the outlet writes
``&quot;`` and ``&amp;nbsp;`` inside CDATA), HTML markup, or escaped HTML (``&lt;p&gt;``). These
functions give the display form every time: no markup, no entity, no invisible character.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from lxml import etree

from crawler.outlets import ALARABY, Outlet
from crawler.parsers.html import css, paragraphs, parse_html
from crawler.text import clean, clean_line, fold

# Something shaped like an HTML tag (an opening, closing or self-closing tag, or a comment).
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?|!--)>", re.S)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Markup that starts a new paragraph: without any, paragraphs are separated by blank lines.
_BLOCK_TAG = re.compile(
    r"<(?:p|br|div|h[1-6]|li|ul|ol|blockquote|table|tr|figure|section|article)[\s/>]", re.I
)
_BLANK_RUN = re.compile(r"\n[ \t\u00a0\r]*(?:\n[ \t\u00a0\r]*)+")
# The trailing markup of content:encoded's second CDATA (``<div><img …/></div>``) [real].
_TRAILING_IMAGE = re.compile(
    r"(?:\s*<(?:div|figure|p)\b[^>]*>)*\s*<img\b[^>]*>\s*(?:</(?:div|figure|p)>\s*)*$", re.I
)
# Embeds and furniture that are never body text in a feed's HTML, beyond html.SKIPPED.
_FEED_NOISE = ("blockquote.twitter-tweet", "blockquote.instagram-media", "figure", "img")
# Several names in one author field: "A، B", "A, B", "A; B", "A و B", "A - B", "A & B".
_AUTHOR_SPLIT = re.compile(r"\s*[،,;؛&]\s*|\s+(?:و|and|[-–—/])\s+")
_ROUNDS = 3  # escaping levels undone at most (the outlet escapes twice)


def decode_entities(text: str) -> str:
    """``text`` with its entities resolved, however many times they were escaped."""
    for _ in range(_ROUNDS):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def has_markup(text: str) -> bool:
    return bool(_TAG.search(text))


def plain(text: str | None) -> str:
    """A one-line field (title, summary, caption, name) as display text."""
    if not text:
        return ""
    return clean_line(" ".join(_blocks(text, ())))


def body(raw: str | None, outlet: Outlet = ALARABY) -> list[str]:
    """content:encoded (or Atom content) as paragraphs of display text."""
    if not raw:
        return []
    text = raw.strip()
    for _ in range(_ROUNDS):
        stripped = _TRAILING_IMAGE.sub("", text).rstrip()
        if stripped == text:
            break
        text = stripped
    return _blocks(text, _noise(outlet))


def _blocks(text: str, noise: tuple[str, ...]) -> list[str]:
    """Paragraphs of ``text``: escaped markup unescaped first; HTML read as HTML; plain text
    split on blank lines; entities left over (the second escaping level) resolved."""
    if not has_markup(text) and has_markup(html.unescape(text)):
        text = html.unescape(text)  # escaped HTML: "&lt;p&gt;…"
    if not has_markup(text):
        return _split_plain(decode_entities(text))
    if _BLOCK_TAG.search(text):
        return [p for p in (clean(decode_entities(p)) for p in _html_paragraphs(text, noise)) if p]
    # Inline markup only (<strong>, <a>): the blank lines still separate the paragraphs.
    out = []
    for block in _BLANK_RUN.split(text.replace("\r\n", "\n")):
        line = clean_line(decode_entities(" ".join(_html_paragraphs(block, noise))))
        if line:
            out.append(line)
    return out


def _split_plain(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p for p in (clean(block) for block in _BLANK_RUN.split(text)) if p]


def _html_paragraphs(markup: str, noise: tuple[str, ...]) -> list[str]:
    root = parse_html(f"<html><body><div>{markup}</div></body></html>")
    container = root.find(".//body/div")
    if container is None:
        container = root
    skip: list[etree._Element] = []
    for selector in noise:
        skip += css(container, selector)
    return paragraphs(container, skip)


def _noise(outlet: Outlet) -> tuple[str, ...]:
    """The outlet's in-body noise (pull-quotes, pasted tweets, related boxes, ads) as its pages
    mark it up, and the embeds a feed's HTML carries."""
    selectors = [s for layout in outlet.layouts for s in layout.body_noise]
    return tuple(dict.fromkeys((*selectors, *_FEED_NOISE)))


def split_authors(values: Iterable[str], outlet: Outlet = ALARABY) -> list[str]:
    """Author names from author fields that may each name several people; the newsroom's own
    names (``AlAraby AlJadeed - العربي الجديد``) are never split."""
    assert outlet.markers is not None
    desk = {fold(d) for d in outlet.markers.desk_authors}
    names: list[str] = []
    for value in values:
        value = _name_only(plain(value))
        if not value:
            continue
        if fold(value) in desk:
            names.append(value)
            continue
        names += [p for p in (clean_line(part) for part in _AUTHOR_SPLIT.split(value)) if p]
    return names


def _name_only(value: str) -> str:
    """RSS 2.0 ``<author>`` is an e-mail address, often with the name in parentheses."""
    m = re.fullmatch(r"\S+@\S+\s*\((?P<name>[^()]+)\)", value)
    if m:
        return m.group("name").strip()
    return "" if re.fullmatch(r"\S+@\S+", value) else value


def image_credit(value: str | None, outlet: Outlet = ALARABY) -> str | None:
    """media:credit as a credit: ``Free / الأناضول`` → ``الأناضول``; `` Free / `` → None."""
    assert outlet.markers is not None
    text = plain(value)
    rights, slash, rest = text.partition("/")
    if slash and rights.strip().casefold() in {r.casefold() for r in outlet.markers.image_rights}:
        text = rest
    text = clean_line(text)
    if text.casefold() in {r.casefold() for r in outlet.markers.image_rights}:
        return None
    return text or None
