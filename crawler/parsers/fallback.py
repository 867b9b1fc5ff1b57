"""The last layer: a generic extractor (trafilatura) for a page whose layout nothing matches.

It knows nothing of the outlet's markup: it finds the main text by its own heuristics. Its
tree keeps paragraphs (``<p>``) and line breaks (``<lb/>``), which are mapped back to HTML so
the shared paragraph reader keeps a ``<br>`` as one newline here too.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from lxml import etree

from crawler.dates import parse_display_date
from crawler.parsers.cleaning import clean_body
from crawler.parsers.html import css, paragraphs, text_of
from crawler.text import clean_line, fold

log = logging.getLogger(__name__)

Fields = dict[str, Any]

# trafilatura's XML vocabulary → HTML tags the paragraph reader knows.
_TAGS = {"lb": "br", "head": "h3", "list": "ul", "item": "li", "quote": "blockquote"}
# A date line is short; longer text is a paragraph that happens to name a date.
DATE_LINE_MAX = 80
MAX_CANDIDATES = 2000
# Only text with a digit or a relative word can be a date; the rest skips the costly parse.
_DATE_HINT = re.compile(r"\d|منذ|قبل|امس|الان")


def fallback_layer(
    text: str, root: etree._Element, url: str | None, fetched_at: datetime | None
) -> Fields:
    """Title, body paragraphs and the publication moment found without the outlet's selectors."""
    import trafilatura  # slow to import, needed only when the layout is unknown

    fields: Fields = {}
    try:
        doc = trafilatura.bare_extraction(
            text,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
        )
    except Exception:  # trafilatura raises many kinds on broken input; a miss is the answer
        log.warning("generic extraction failed for %s", url, exc_info=True)
        doc = None
    body = getattr(doc, "body", None)
    if body is not None:
        for el in body.iter():
            if isinstance(el.tag, str) and el.tag in _TAGS:
                el.tag = _TAGS[el.tag]
        paras = paragraphs(body)
    else:
        paras = []
    h1 = css(root, "h1")
    title = text_of(h1[0]) if h1 else clean_line(getattr(doc, "title", None) or "")
    if title:
        fields["title"] = title
    # The generic extractor keeps what the outlet's rules know is not body text: the headline
    # repeated, pull-quotes, the contributors heading...
    paras = [p for p in paras if fold(p) != fold(title)] if title else paras
    cleaned = clean_body(paras)
    if cleaned.body:
        fields["body"] = cleaned.body
    # The date line as printed may carry a prefix or a relative form ("نُشر في", "منذ ساعتين"):
    # only the moment is kept, and the display date is derived from it.
    _line, moment = _display_date(root, fetched_at)
    if moment is not None:
        fields["published_at"] = moment
    return fields


def _display_date(
    root: etree._Element, fetched_at: datetime | None
) -> tuple[str | None, datetime | None]:
    """The first short text that reads as a date: <time> elements first, then any element."""
    candidates = [*css(root, "time"), *css(root, "body *")][:MAX_CANDIDATES]
    for el in candidates:
        if el.tag in ("script", "style"):
            continue
        raw = "".join(el.itertext())
        if len(raw) > 4 * DATE_LINE_MAX:
            continue
        line = text_of(el)
        if not line or len(line) > DATE_LINE_MAX or not _DATE_HINT.search(fold(line)):
            continue
        moment = parse_display_date(line, now=fetched_at)
        if moment is not None:
            return line, moment
    return None, None
