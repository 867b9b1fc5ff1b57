"""The outlet's feeds → one ``Article`` per item, read as fully as the feed allows.

Per item of the real RSS 2.0 feed (``shared/outlet/README.md``): the guid names the Drupal node
id; ``link`` the article URL; ``title`` and ``description`` in CDATA; ``media:content`` the image
with its caption and credit; ``content:encoded`` the whole body as plain text (paragraphs split
by blank lines, HTML entities still escaped) followed by a second CDATA with an ``<img>``;
``dc:creator``; ``category``; ``pubDate`` in +0300.

Other shapes are read too, should the site's Drupal Views change: HTML in any field, other guid
forms, relative links, dates in GMT or ISO form, RSS 1.0 (RDF) and Atom. An item linking off
the outlet is skipped. What was wrong with the feed is returned as ``Feed.problems``: one plain
line per kind of problem, however many items it touched.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.items import Article, Source
from crawler.outlets import (
    ALARABY,
    Outlet,
    node_id_from_guid,
    section_for_label,
    section_of_path,
)
from crawler.parsers import feedfields as f
from crawler.parsers.cleaning import clean_body
from crawler.parsers.common import normalise_authors, strip_title_suffix
from crawler.parsers.feedtext import body as body_paragraphs
from crawler.parsers.feedtext import plain, split_authors
from crawler.parsers.feedxml import FeedError, read_document

__all__ = ["PARSER", "Feed", "FeedError", "FeedItem", "iter_links", "parse_feed", "read_feed"]

PARSER = "alaraby/feed"


@dataclass(frozen=True, slots=True)
class FeedItem:
    article: Article
    guid: str | None
    link: str | None  # the item's link as written
    key: str  # a hash of what the item says: equal keys mean an unchanged item


@dataclass(frozen=True, slots=True)
class Feed:
    items: tuple[FeedItem, ...]
    # What was wrong, in plain words: one line per kind of problem.
    problems: tuple[str, ...] = ()
    kind: str = "rss"  # "rss", "RDF" (RSS 1.0) or "feed" (Atom)


@dataclass(slots=True)
class _Tally:
    """Problems counted over the items, reported once each."""

    off_site: Counter[str] = field(default_factory=Counter)
    no_link: int = 0
    bad_dates: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.off_site:
            hosts = ", ".join(h for h, _n in self.off_site.most_common(3))
            out.append(f"{_items(self.off_site.total())} linking off the outlet ({hosts}) skipped")
        if self.no_link:
            out.append(f"{_items(self.no_link)} with no link skipped")
        if self.bad_dates:
            out.append(
                f"{_items(len(self.bad_dates))} with a date that could not be read "
                f"(e.g. {self.bad_dates[0][:60]!r}) kept without one"
            )
        return out


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def read_feed(
    body: bytes | str,
    *,
    fetched_at: datetime | None = None,
    section: str | None = None,
    content_type: str | None = None,
    outlet: Outlet = ALARABY,
) -> Feed:
    """Every usable item of an RSS 2.0, RSS 1.0 or Atom feed. ``section`` is the feed's own
    section (``/rss/<section>``), used for items whose URL does not name one. Raises
    ``FeedError`` if ``body`` is no feed at all."""
    doc = read_document(body, content_type)
    base = f.feed_base(doc.root, outlet)
    tally = _Tally()
    items = []
    for el in doc.entries:
        item = _item(el, base, fetched_at, section, outlet, tally)
        if item is not None:
            items.append(item)
    return Feed(tuple(items), (*doc.problems, *tally.lines()), doc.kind)


def parse_feed(
    body: bytes | str,
    *,
    fetched_at: datetime | None = None,
    section: str | None = None,
    outlet: Outlet = ALARABY,
) -> list[FeedItem]:
    """The items of ``read_feed``, without its problems."""
    return list(read_feed(body, fetched_at=fetched_at, section=section, outlet=outlet).items)


# One item ---------------------------------------------------------------------------------------


def _item(
    el: etree._Element,
    base: str,
    fetched_at: datetime | None,
    section: str | None,
    outlet: Outlet,
    tally: _Tally,
) -> FeedItem | None:
    guid = f.guid_of(el)
    link = f.link(el, guid)
    if not link:
        tally.no_link += 1
        return None
    absolute = urljoin(f.item_base(el, base, outlet), link.strip())
    if not is_outlet_url(absolute, outlet):
        tally.off_site[urlsplit(absolute).hostname or absolute.split(":", 1)[0]] += 1
        return None
    url = canonical_url(absolute, outlet)
    title = strip_title_suffix(plain(f.title_of(el)), outlet)
    image_url, caption, credit = f.media(el, base, outlet)
    cleaned = clean_body(body_paragraphs(f.body_markup(el), outlet), outlet)
    summary = "\n".join(cleaned.summary) or plain(f.summary_of(el)) or None
    labels = [plain(f.label(c)) for c in f.categories(el)]
    labels = list(dict.fromkeys(label for label in labels if label))
    section_labels = [s for s in (section_for_label(label, outlet) for label in labels) if s]
    category = next((c for c in labels if not section_for_label(c, outlet)), None)
    published, modified = f.dates(el, tally.bad_dates)
    fields = {
        "title": title,
        "url": url,
        "node_id": node_id_from_guid(guid or "", outlet),
        "section": (
            section_of_path(urlsplit(url).path, outlet)
            or section
            or next(iter(section_labels), None)
        ),
        "category": category or next(iter(labels), None),
        "published_at": published,
        "modified_at": modified,
        "summary": summary,
        "image_url": image_url,
        "caption": caption,
        "credit": credit,
        "body": cleaned.body,
        "authors": normalise_authors(split_authors(f.creators(el), outlet), outlet),
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
