"""The ``page`` layer: a page read with the selectors of one ``PageLayout``
(``crawler.outlets``), and the choice of the layout that reads it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lxml import etree

from crawler.dates import date_span, parse_display_date, parse_machine_date, split_updated
from crawler.outlets import Outlet, PageLayout
from crawler.parsers.base import Fields
from crawler.parsers.body import body_containers, link_boxes, summary_block
from crawler.parsers.cleaning import clean_body
from crawler.parsers.html import css, first, paragraphs, text_of, texts
from crawler.seedformat import split_credit
from crawler.text import fold

# A relative display date ("منذ ساعتين") is no display date to keep: it changes by the hour.
_RELATIVE_HINT = re.compile(r"منذ|قبل|امس|الان|اليوم|البارحه")


def page_layer(
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
    assert outlet.markers is not None
    fields: Fields = {}
    _put(fields, "title", text_of(first(root, layout.title)))
    _put(fields, "byline", text_of(first(root, layout.byline)))
    date_el = first(root, layout.date)
    if date_el is not None:
        _read_date(date_el, outlet, fetched_at, fields)
    figure = first(root, layout.figure)
    if figure is not None:
        _read_figure(figure, layout, fields)
    _put(fields, "summary", "\n".join(texts(root, layout.summary)))
    paras: list[str] = []
    bullets: list[str] = []
    for container in body_containers(root, layout.body):
        # One query for every noise selector: a selector list is one XPath union.
        noise = css(container, ", ".join(layout.body_noise))
        found, summary_noise = summary_block(container, outlet.markers)
        bullets = bullets or found
        noise += summary_noise + link_boxes(container, outlet.markers)
        paras += paragraphs(container, noise)
    if paras:
        cleaned = clean_body(paras, outlet)
        _put(fields, "body", cleaned.body)
        bullets = bullets or list(cleaned.summary)
        if bullets and "summary" not in fields:
            fields["summary"] = "\n".join(bullets)
    _put(fields, "tags", tuple(dict.fromkeys(texts(root, layout.tags))))
    _put(fields, "authors", tuple(dict.fromkeys(texts(root, layout.authors))))
    _put(fields, "category", text_of(first(root, layout.category)))
    node = first(root, layout.node)
    if node is not None:
        _put(fields, "node_id", (node.get("data-history-node-id") or "").strip())
    return fields


def _read_date(
    date_el: etree._Element, outlet: Outlet, fetched_at: datetime | None, fields: Fields
) -> None:
    """The display date (as printed, without weekday, time or prefix), the publication moment
    (the element's machine date, else the printed one) and an update time printed beside it."""
    assert outlet.markers is not None
    line = text_of(date_el)
    printed, updated = split_updated(line, outlet.markers.updated_labels)
    machine = parse_machine_date(date_el.get("datetime"))
    _put(fields, "published_at", machine or parse_display_date(printed, now=fetched_at))
    if updated:
        _put(fields, "modified_at", parse_display_date(updated, now=fetched_at))
    if printed and not _RELATIVE_HINT.search(fold(printed)):
        _put(fields, "date_line", date_span(printed) or printed)


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
