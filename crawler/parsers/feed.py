"""The outlet's RSS feeds → one ``Article`` per item, read as fully as the feed allows.

Per item (``shared/outlet/README.md``): the guid names the Drupal node id; ``link`` the article
URL; ``title`` and ``description`` in CDATA; ``media:content`` the image with its caption and
credit; ``content:encoded`` the whole body as plain text (paragraphs split by blank lines, HTML
entities still escaped) followed by a second CDATA with an ``<img>``; ``dc:creator``;
``category``; ``pubDate`` in +0300. The XML is parsed without entity expansion, DTDs or network
access, so a hostile feed can neither expand nor reach a local file or URL.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from crawler.dates import parse_machine_date
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.items import Article, Source
from crawler.outlets import ALARABY, Outlet, node_id_from_guid, section_of_path
from crawler.parsers.cleaning import clean_body
from crawler.parsers.common import normalise_authors, strip_title_suffix
from crawler.parsers.html import paragraphs, parse_html, xml_parser
from crawler.seedformat import split_credit
from crawler.text import clean, clean_line

PARSER = "alaraby/feed"

NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
}
_BLANK_RUN = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")
# The trailing markup of content:encoded's second CDATA (``<div><img …/></div>``).
_TRAILING_MARKUP = re.compile(
    r"(?:\s*<(?:div|img|figure|p)\b[^>]*>\s*(?:</(?:div|figure|p)>)?)+\s*$"
)
_HTML_BODY = re.compile(r"</p>|<br\s*/?>|<p[\s>]", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*[،,]\s*")


class FeedError(ValueError):
    """Not a feed: one line for the log and the user."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    article: Article
    guid: str | None
    link: str | None  # the item's link as written
    key: str  # a hash of what the item says: equal keys mean an unchanged item


def parse_feed(
    body: bytes | str,
    *,
    fetched_at: datetime | None = None,
    section: str | None = None,
    outlet: Outlet = ALARABY,
) -> list[FeedItem]:
    """Every item of an RSS 2.0 feed. ``section`` is the feed's own section (``/rss/<section>``),
    used for items whose URL does not name one. Raises ``FeedError`` if ``body`` is no feed."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        root = etree.fromstring(data.lstrip(), parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not an RSS feed: {exc}") from None
    if root is None or etree.QName(root).localname not in ("rss", "RDF"):
        raise FeedError("not an RSS feed: no <rss> root element")
    return [
        item
        for item in (_item(el, fetched_at, section, outlet) for el in root.iter("item", "{*}item"))
        if item is not None
    ]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    prefix, _, local = name.rpartition(":")
    tag = f"{{{NS[prefix]}}}{local}" if prefix else local
    return el.find(tag)


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext())


def _item(
    el: etree._Element, fetched_at: datetime | None, section: str | None, outlet: Outlet
) -> FeedItem | None:
    title = strip_title_suffix(clean_line(_text(_child(el, "title"))), outlet)
    link = _text(_child(el, "link")).strip() or None
    guid = _text(_child(el, "guid")).strip() or None
    if not title and not link:
        return None
    url = canonical_url(link, outlet) if link and is_outlet_url(link, outlet) else link
    image_url, caption, credit = _media(el)
    body_paras = _body(_text(_child(el, "content:encoded")))
    cleaned = clean_body(body_paras, outlet)
    creators = [
        name
        for creator in el.findall(f"{{{NS['dc']}}}creator")
        for name in _AUTHOR_SPLIT.split(clean_line(_text(creator)))
    ]
    summary = "\n".join(cleaned.summary) or clean_line(_text(_child(el, "description"))) or None
    categories = [clean_line(_text(c)) for c in el.findall("category")]
    path_section = section_of_path(_path(url), outlet) if url else None
    fields = {
        "title": title,
        "url": url,
        "node_id": node_id_from_guid(guid or "", outlet),
        "section": path_section or section,
        "category": next((c for c in categories if c), None),
        "published_at": parse_machine_date(_text(_child(el, "pubDate"))),
        "summary": summary,
        "image_url": image_url,
        "caption": caption,
        "credit": credit,
        "body": cleaned.body,
        "authors": normalise_authors(creators, outlet),
    }
    sources: tuple[tuple[str, Source], ...] = tuple(
        (k, "feed") for k, v in fields.items() if v not in (None, "", ())
    )
    article = Article(
        **fields,  # type: ignore[arg-type]
        sources=sources,
        fetched_at=fetched_at,
        parser=PARSER,
    )
    return FeedItem(article, guid, link, _key(article))


def _media(el: etree._Element) -> tuple[str | None, str | None, str | None]:
    media = _child(el, "media:content")
    url = media.get("url") if media is not None else None
    if not url:
        enclosure = el.find("enclosure")
        url = enclosure.get("url") if enclosure is not None else None
    description = _child(media, "media:description") if media is not None else None
    line = clean_line(_text(description))
    caption, credit = split_credit(line) if line else (None, None)
    return (url.strip() if url else None), caption, credit


def _body(raw: str) -> list[str]:
    """content:encoded as paragraphs: plain text split on blank lines, a single newline kept
    inside a paragraph; HTML (other feeds put markup there) read as a page would be."""
    raw = _TRAILING_MARKUP.sub("", raw.strip("\n\r\t "))
    if _HTML_BODY.search(raw):
        root = parse_html(f"<div>{raw}</div>")
        container = root.find(".//div")
        return paragraphs(container if container is not None else root)
    # The outlet escapes entities inside CDATA (&quot;, &amp;nbsp;): undo both levels.
    text = _unescape(raw)
    return [p for p in (clean(block) for block in _BLANK_RUN.split(text)) if p]


def _unescape(text: str) -> str:
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return text


def _path(url: str) -> str:
    return urlsplit(url).path


def _key(article: Article) -> str:
    """What the item says, hashed: a changed title, caption, body or date changes the key."""
    data = article.to_dict()
    for volatile in ("fetched_at", "sources", "parser", "extra", "flags"):
        data.pop(volatile, None)
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def iter_links(items: list[FeedItem]) -> Iterator[str]:
    for item in items:
        if item.article.url:
            yield item.article.url
