"""Al-Araby Al-Jadeed's article page → an ``Article``: a pure function, no network, no Scrapy.

Layers (``crawler.parsers.base``): JSON-LD, meta tags, the outlet's selectors for the page
layout in force (``crawler.outlets.PageLayout``, chosen by the article's date), and a generic
extractor when no layout matches. A page that only the generic extractor could read is flagged
``layout_unknown``; one read by a layout other than the one its date calls for is flagged
``layout_mismatch`` (the site changed its markup: time for a new layout record).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.dates import OUTLET_TZ, format_display_date, parse_display_date, parse_machine_date
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.items import Article, Source
from crawler.outlets import (
    ALARABY,
    Outlet,
    PageLayout,
    layout_for,
    section_for_label,
    section_of_path,
)
from crawler.parsers.base import Fields, combine
from crawler.parsers.charset import decode_bytes
from crawler.parsers.cleaning import clean_body
from crawler.parsers.common import normalise_authors, strip_title_suffix
from crawler.parsers.fallback import fallback_layer
from crawler.parsers.html import css, first, paragraphs, parse_document, text_of, texts
from crawler.parsers.structured import meta_layer, structured_layer
from crawler.seedformat import split_credit
from crawler.text import fold

PARSER = "alaraby"
_RELATIVE_HINT = re.compile(r"منذ|قبل|امس|الان|اليوم|البارحه")


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
    day = _declared_day(layers)
    expected = layout_for(day, outlet)
    layout, page = _page_layer(root, expected, outlet, fetched_at)
    layers["page"] = page
    if layout is None:
        flags.append("layout_unknown")
    elif layout is not expected:
        flags.append("layout_mismatch")
    if layout is None or not page.get("body"):
        layers["fallback"] = fallback_layer(text, root, url, fetched_at)
    values, sources = combine(layers)
    article = _article(values, sources, url, root, outlet, fetched_at, flags)
    name = layout.name if layout else "fallback"
    return PageResult(article.replace(parser=f"{PARSER}/{name}"), layout.name if layout else None)


def _declared_day(layers: dict[Source, Fields]) -> date | None:
    order: tuple[Source, ...] = ("structured", "meta")
    for layer in order:
        moment = layers[layer].get("published_at")
        if isinstance(moment, datetime):
            return moment.astimezone(OUTLET_TZ).date()
    return None


def _page_layer(
    root: etree._Element, expected: PageLayout, outlet: Outlet, fetched_at: datetime | None
) -> tuple[PageLayout | None, Fields]:
    """The expected layout's fields, else those of the first other layout (newest first) that
    matches the page, else whatever the expected layout found."""
    tried = _read_layout(root, expected, outlet, fetched_at)
    if _matches(tried):
        return expected, tried
    for layout in reversed(outlet.layouts):
        if layout is expected:
            continue
        fields = _read_layout(root, layout, outlet, fetched_at)
        if _matches(fields):
            return layout, fields
    return None, {k: v for k, v in tried.items() if k not in ("body", "summary")}


def _matches(fields: Fields) -> bool:
    return bool(fields.get("title") and fields.get("body"))


def _read_layout(
    root: etree._Element, layout: PageLayout, outlet: Outlet, fetched_at: datetime | None
) -> Fields:
    fields: Fields = {}
    _put(fields, "title", text_of(first(root, layout.title)))
    _put(fields, "byline", text_of(first(root, layout.byline)))
    date_el = first(root, layout.date)
    if date_el is not None:
        line = text_of(date_el)
        machine = parse_machine_date(date_el.get("datetime"))
        moment = machine or parse_display_date(line, now=fetched_at)
        if line and not _RELATIVE_HINT.search(fold(line)):
            _put(fields, "date_line", line)
        _put(fields, "published_at", moment)
    figure = first(root, layout.figure)
    if figure is not None:
        _read_figure(figure, layout, fields)
    _put(fields, "summary", "\n".join(texts(root, layout.summary)))
    container = first(root, layout.body)
    if container is not None:
        noise = [el for selector in layout.body_noise for el in css(container, selector)]
        cleaned = clean_body(paragraphs(container, noise), outlet)
        _put(fields, "body", cleaned.body)
        if cleaned.summary and "summary" not in fields:
            fields["summary"] = "\n".join(cleaned.summary)
    _put(fields, "tags", tuple(dict.fromkeys(texts(root, layout.tags))))
    _put(fields, "authors", tuple(dict.fromkeys(texts(root, layout.authors))))
    _put(fields, "category", text_of(first(root, layout.category)))
    node = first(root, layout.node)
    if node is not None:
        _put(fields, "node_id", (node.get("data-history-node-id") or "").strip())
    return fields


def _read_figure(figure: etree._Element, layout: PageLayout, fields: Fields) -> None:
    img = first(figure, layout.image)
    if img is not None:
        _put(fields, "image_url", (img.get("src") or img.get("data-src") or "").strip())
    credit_el = first(figure, layout.credit)
    caption_el = first(figure, layout.caption)
    skip = [credit_el] if credit_el is not None else []
    line = text_of(caption_el, skip) if caption_el is not None else ""
    credit = _strip_parens(text_of(credit_el)) if credit_el is not None else ""
    if not credit and line:
        caption, found = split_credit(line)
        line, credit = caption or "", found or ""
    _put(fields, "caption", line)
    _put(fields, "credit", credit)


def _strip_parens(value: str) -> str:
    value = value.strip()
    if value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    return value


def _put(fields: Fields, name: str, value: Any) -> None:
    if value not in (None, "", ()):
        fields[name] = value


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
