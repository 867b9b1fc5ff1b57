"""Al-Araby Al-Jadeed's article page → an ``Article``: a pure function, no network, no Scrapy.

Layers (``crawler.parsers.base``): JSON-LD, meta tags, the outlet's selectors for the page
layout in force (``crawler.outlets.PageLayout``, chosen by the article's date), and a generic
extractor when no layout matches. A page that only the generic extractor could read is flagged
``layout_unknown``; one read by a layout other than the one its date calls for is flagged
``layout_mismatch`` (the site changed its markup: time for a new layout record). Without a
machine-readable date the page's display date decides which layout was due. Dates that cannot
be right get one warning and a flag: ``date_in_future`` (kept, but not used to pick a layout)
and ``dates_inconsistent`` (a modification before publication: the modification time dropped).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.dates import (
    OUTLET_TZ,
    format_display_date,
)
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.items import Article, Source
from crawler.outlets import (
    ALARABY,
    Outlet,
    layout_for,
    section_for_label,
    section_of_path,
)
from crawler.parsers.base import Fields, combine
from crawler.parsers.charset import decode_bytes
from crawler.parsers.common import normalise_authors, strip_title_suffix
from crawler.parsers.fallback import fallback_layer
from crawler.parsers.html import parse_document
from crawler.parsers.layout import page_layer
from crawler.parsers.structured import meta_layer, structured_layer
from crawler.seedformat import split_credit

log = logging.getLogger(__name__)

PARSER = "alaraby"
# A publication time later than the fetch by more than this is doubtful (clock skew, a typo
# in the CMS); one warning and a flag, the date kept.
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PageResult:
    article: Article
    layout: str | None  # the layout that read the page, None when only the fallback could


def parse_page(
    body: bytes | str,
    url: str | None = None,
    *,
    fetched_at: datetime | None = None,
    content_type: str | None = None,
    outlet: Outlet = ALARABY,
) -> Article:
    """The article on a saved or fetched page. ``url`` is the page's canonical URL if known;
    ``fetched_at`` anchors relative display dates (``منذ ساعتين``)."""
    return read_page(
        body, url, fetched_at=fetched_at, content_type=content_type, outlet=outlet
    ).article


def read_page(
    body: bytes | str,
    url: str | None = None,
    *,
    fetched_at: datetime | None = None,
    content_type: str | None = None,
    outlet: Outlet = ALARABY,
) -> PageResult:
    flags: list[str] = []
    if isinstance(body, bytes):
        decoded = decode_bytes(body, content_type, outlet.legacy_encoding)
        if decoded.lossy:
            flags.append("encoding_errors")
        body = decoded.text
    root, text = parse_document(body)
    layers: dict[Source, Fields] = {
        "structured": structured_layer(root),
        "meta": meta_layer(root),
    }
    reference = fetched_at or datetime.now(UTC)
    day = _declared_day(layers, reference)
    expected = layout_for(day, outlet)
    layout, page = page_layer(root, expected, outlet, fetched_at)
    layers["page"] = page
    if day is None and layout is not None:
        # No machine-readable date: the page's own display date says which layout was due.
        day = _day(page.get("published_at"), reference)
        expected = layout_for(day, outlet) if day else layout
    if layout is None:
        flags.append("layout_unknown")
    elif layout is not expected:
        flags.append("layout_mismatch")
    if layout is None or not page.get("body"):
        layers["fallback"] = fallback_layer(text, root, url, fetched_at)
    values, sources = combine(layers)
    flags.extend(_check_dates(values, sources, reference, url))
    article = _article(values, sources, url, root, outlet, fetched_at, flags)
    name = layout.name if layout else "fallback"
    return PageResult(article.replace(parser=f"{PARSER}/{name}"), layout.name if layout else None)


def _declared_day(layers: dict[Source, Fields], reference: datetime) -> date | None:
    order: tuple[Source, ...] = ("structured", "meta")
    for layer in order:
        day = _day(layers[layer].get("published_at"), reference)
        if day is not None:
            return day
    return None


def _day(moment: Any, reference: datetime) -> date | None:
    """The outlet's calendar day of a plausible publication time (not one in the future)."""
    if not isinstance(moment, datetime) or moment > reference + FUTURE_TOLERANCE:
        return None
    return moment.astimezone(OUTLET_TZ).date()


def _check_dates(
    values: Fields, sources: dict[str, Source], reference: datetime, url: str | None
) -> list[str]:
    """Flags (and one warning each) for dates that cannot both be right."""
    flags = []
    published, modified = values.get("published_at"), values.get("modified_at")
    if published and published > reference + FUTURE_TOLERANCE:
        log.warning("publication date %s is in the future of %s: %s", published, reference, url)
        flags.append("date_in_future")
    if published and modified and modified < published - timedelta(minutes=1):
        # A page cannot change before it appeared: the modification time is the wrong one.
        log.warning(
            "modified %s before published %s; modified dropped: %s", modified, published, url
        )
        flags.append("dates_inconsistent")
        del values["modified_at"]
        sources.pop("modified_at", None)
    return flags


def _article(
    values: Fields,
    sources: dict[str, Source],
    url: str | None,
    root: etree._Element,
    outlet: Outlet,
    fetched_at: datetime | None,
    flags: list[str],
) -> Article:
    assert outlet.markers is not None
    title = strip_title_suffix(values.get("title", ""), outlet)
    stored_url, other_urls = _urls(values.get("url"), url, outlet)
    caption_line = values.pop("caption_line", None)
    if caption_line and "caption" not in values:
        caption, credit = split_credit(caption_line)
        values["caption"], values["credit"] = caption, credit
        sources["caption"] = sources["credit"] = sources["caption_line"]
    published = values.get("published_at")
    date_line = values.get("date_line")
    if not date_line and published:
        date_line = format_display_date(published)
        sources["date_line"] = sources["published_at"]
    section = section_of_path(_path(stored_url), outlet) or section_for_label(
        values.get("section_label"), outlet
    )
    node_id = values.get("node_id") or _node_from_link(values.get("shortlink"), outlet)
    if node_id and "node_id" not in sources:
        sources["node_id"] = "meta"
    if not node_id and stored_url is None and other_urls:
        # A print or /node/<nid> view: the URL it was fetched as names the node.
        node_id = _node_from_link(_path(other_urls[0]), outlet)
        if node_id:
            sources["node_id"] = "page"
    authors = normalise_authors(values.get("authors", ()), outlet)
    keep = {f.name for f in dataclasses.fields(Article)}
    return Article(
        title=title,
        url=stored_url,
        node_id=node_id,
        urls=other_urls,
        section=section,
        category=values.get("category"),
        date_line=date_line,
        published_at=published,
        modified_at=values.get("modified_at"),
        byline=values.get("byline"),
        summary=values.get("summary"),
        image_url=_absolute(values.get("image_url"), outlet),
        caption=values.get("caption"),
        credit=values.get("credit"),
        body=tuple(values.get("body", ())),
        authors=authors,
        tags=tuple(values.get("tags", ())),
        sources=tuple((k, v) for k, v in sorted(sources.items()) if k in keep),
        flags=tuple(flags),
        fetched_at=fetched_at,
    )


def _urls(
    declared: str | None, fetched: str | None, outlet: Outlet
) -> tuple[str | None, tuple[str, ...]]:
    """The stored URL (the page's own canonical link when it is on the outlet's hosts, else the
    URL it was fetched as) and the other URL, if different."""
    fetched_c = canonical_url(fetched, outlet) if fetched else None
    if declared and is_outlet_url(declared, outlet):
        declared_c = canonical_url(declared, outlet)
        if _path(declared_c) not in ("", "/"):
            others = (fetched_c,) if fetched_c and fetched_c != declared_c else ()
            return declared_c, others
    if fetched_c and outlet.node_path_pattern.search(_path(fetched_c)):
        # /node/<nid> and /print/node/<nid> are views of an article, never its address.
        return None, (fetched_c,)
    return fetched_c, ()


def _path(url: str | None) -> str:
    return urlsplit(url).path if url else ""


def _node_from_link(link: str | None, outlet: Outlet) -> str | None:
    if not link:
        return None
    m = outlet.node_path_pattern.search(link)
    return m.group("nid") if m else None


def _absolute(image: str | None, outlet: Outlet) -> str | None:
    if not image:
        return None
    if image.startswith("//"):
        return "https:" + image
    if image.startswith("/"):
        return outlet.base_url + image
    return image
