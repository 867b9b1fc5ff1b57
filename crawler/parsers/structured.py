"""The first two layers of extraction: JSON-LD (``structured``) and meta tags (``meta``).

Both are written for machines, so they survive a redesign of the visible page; they are read
with no outlet-specific selector. Each layer returns a plain dict of the fields it found.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from crawler.dates import parse_machine_date
from crawler.parsers.html import link_href, meta_values
from crawler.text import clean, clean_line

log = logging.getLogger(__name__)

Fields = dict[str, Any]

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "opinionnewsarticle",
        "analysisnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
    }
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def json_ld_objects(root: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks, ``@graph`` members included."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            log.debug("unreadable JSON-LD block skipped")
            continue
        yield from _objects(data, depth=0)


def _objects(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"], depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values if v}


def structured_layer(root: etree._Element) -> Fields:
    """Fields of the page's JSON-LD article object (the first one found)."""
    article = next((o for o in json_ld_objects(root) if _types(o) & ARTICLE_TYPES), None)
    if article is None:
        return {}
    fields: Fields = {}
    _put(fields, "title", clean_line(_text(article.get("headline") or article.get("name"))))
    _put(fields, "summary", clean_line(_text(article.get("description"))))
    _put(fields, "published_at", parse_machine_date(_text(article.get("datePublished"))))
    _put(fields, "modified_at", parse_machine_date(_text(article.get("dateModified"))))
    _put(fields, "authors", tuple(_names(article.get("author"))))
    image = _first(article.get("image"))
    if isinstance(image, dict):
        _put(fields, "image_url", _text(image.get("url") or image.get("contentUrl")))
        _put(fields, "caption_line", clean_line(_text(image.get("caption"))))
    else:
        _put(fields, "image_url", _text(image))
    _put(fields, "section_label", clean_line(_text(_first(article.get("articleSection")))))
    _put(fields, "tags", tuple(_keywords(article.get("keywords"))))
    page = article.get("mainEntityOfPage")
    url = page.get("@id") if isinstance(page, dict) else page
    _put(fields, "url", _text(url or article.get("url")))
    body = _text(article.get("articleBody"))
    if body and _PARAGRAPH_BREAK.search(body):
        # Only a body that keeps its paragraphs is worth taking.
        _put(
            fields, "body", tuple(p for p in (clean(x) for x in _PARAGRAPH_BREAK.split(body)) if p)
        )
    return fields


def meta_layer(root: etree._Element) -> Fields:
    """Fields of OpenGraph, ``article:*``, Dublin Core and plain meta tags, and the canonical
    and short links."""
    values: dict[str, list[str]] = {}
    for key, content in meta_values(root):
        values.setdefault(key, []).append(content)

    def one(*keys: str) -> str:
        for key in keys:
            for value in values.get(key, []):
                if value.strip():
                    return value.strip()
        return ""

    fields: Fields = {}
    _put(fields, "title", clean_line(one("og:title", "twitter:title", "dcterms.title")))
    _put(fields, "summary", clean_line(one("og:description", "description", "twitter:description")))
    _put(
        fields,
        "published_at",
        parse_machine_date(one("article:published_time", "dcterms.date", "pubdate", "date")),
    )
    _put(fields, "modified_at", parse_machine_date(one("article:modified_time", "og:updated_time")))
    _put(fields, "image_url", one("og:image", "og:image:url", "twitter:image"))
    _put(fields, "section_label", clean_line(one("article:section")))
    tags = [clean_line(t) for t in values.get("article:tag", [])]
    _put(fields, "tags", tuple(dict.fromkeys(t for t in tags if t)))
    authors = [clean_line(a) for a in values.get("author", []) + values.get("dcterms.creator", [])]
    _put(fields, "authors", tuple(dict.fromkeys(a for a in authors if a and "://" not in a)))
    _put(fields, "url", link_href(root, "canonical") or one("og:url"))
    _put(fields, "shortlink", link_href(root, "shortlink") or "")
    return fields


def _put(fields: Fields, name: str, value: Any) -> None:
    if value not in (None, "", ()):
        fields[name] = value


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _names(value: Any) -> Iterator[str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        name = clean_line(name)
        if name and "://" not in name:
            yield name


def _keywords(value: Any) -> Iterator[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    seen: set[str] = set()
    for item in items:
        word = clean_line(_text(item))
        if word and word not in seen:
            seen.add(word)
            yield word
