"""The first two layers of extraction: JSON-LD (``structured``) and meta tags (``meta``).

Both are written for machines, so they survive a redesign of the visible page; they are read
with no outlet-specific selector. Each layer returns a plain dict of the fields it found.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

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
# Read when the page has no article object: a video page describes its video, not an article.
MEDIA_TYPES = frozenset({"videoobject"})
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# What CMS templates wrap JSON-LD in, or leave in it, that JSON does not allow.
_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*;?\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# Text double-escaped by a template (``&amp;quot;``) still carries entities after parsing.
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]{2,8});")


def json_ld_objects(root: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks, ``@graph`` members included."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = load_json_ld(script.text or "")
        if data is not None:
            yield from _objects(data, depth=0)


def load_json_ld(raw: str) -> Any:
    """A JSON-LD block's data, repaired where templates commonly break it (an HTML comment or
    CDATA wrapper, trailing commas); None, with one warning, when it cannot be read."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", _WRAPPER.sub("", _WRAPPER.sub("", raw)))
    try:
        return json.loads(repaired, strict=False)
    except ValueError as exc:
        log.warning("unreadable JSON-LD block skipped (%s): %.60r", exc, raw)
        return None


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


def type_names(value: Any) -> set[str]:
    """Schema.org type names, lowercased, without a vocabulary prefix (``schema:``, a URL)."""
    values = value if isinstance(value, list) else [value]
    return {re.split(r"[/:#]", str(v))[-1].lower() for v in values if v}


def is_article_type(names: set[str]) -> bool:
    # Newer or site-specific subtypes (a "ReportageNews", a "LiveBlogArticle") end the same way.
    return bool(names & ARTICLE_TYPES) or any(n.endswith(("article", "posting")) for n in names)


def _types(obj: dict[str, Any]) -> set[str]:
    return type_names(obj.get("@type"))


def structured_layer(root: etree._Element) -> Fields:
    """Fields of the page's JSON-LD article object, completed by its microdata (if any)."""
    from crawler.parsers.microdata import microdata_layer

    objects = list(json_ld_objects(root))
    refs = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
    article = _main_article(root, [o for o in objects if is_article_type(_types(o))])
    if article is None:
        article = next((o for o in objects if _types(o) & MEDIA_TYPES), None)
    fields = microdata_layer(root)
    if article is not None:
        fields.update(_article_fields(article, refs))
    return fields


def _main_article(root: etree._Element, articles: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's own article when JSON-LD describes several (related ones in a list, a
    teaser's markup): the one whose URL is the page's canonical URL, else the first."""
    if len(articles) < 2:
        return articles[0] if articles else None
    canonical = _path_key(link_href(root, "canonical") or "")
    for article in articles:
        if canonical and _path_key(_article_url(article, {})) == canonical:
            return article
    return articles[0]


def _path_key(url: str) -> str:
    return unquote(urlsplit(url).path).rstrip("/") if url else ""


def _article_url(article: dict[str, Any], refs: dict[str, Any]) -> str:
    page = _resolve(article.get("mainEntityOfPage"), refs)
    url = page.get("@id") or page.get("url") if isinstance(page, dict) else page
    return _text(url or article.get("url"))


def _resolve(value: Any, refs: dict[str, Any]) -> Any:
    """A ``{"@id": ...}`` reference replaced by the object it names elsewhere on the page."""
    if isinstance(value, list):
        return [_resolve(v, refs) for v in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return refs.get(value["@id"], value)
    return value


def _article_fields(article: dict[str, Any], refs: dict[str, Any]) -> Fields:
    fields: Fields = {}
    _put(fields, "title", clean_line(_text(article.get("headline") or article.get("name"))))
    _put(fields, "summary", clean_line(_text(article.get("description"))))
    published = article.get("datePublished") or article.get("uploadDate")
    _put(fields, "published_at", parse_machine_date(_text(published)))
    _put(fields, "modified_at", parse_machine_date(_text(article.get("dateModified"))))
    _put(fields, "authors", tuple(_names(_resolve(article.get("author"), refs))))
    image = _first(_resolve(article.get("image") or article.get("thumbnailUrl"), refs))
    if isinstance(image, dict):
        _put(fields, "image_url", _text(image.get("url") or image.get("contentUrl")))
        _put(fields, "caption_line", clean_line(_text(image.get("caption"))))
    else:
        _put(fields, "image_url", _text(image))
    _put(fields, "section_label", clean_line(_text(_first(article.get("articleSection")))))
    _put(fields, "tags", tuple(_keywords(article.get("keywords"))))
    _put(fields, "url", _article_url(article, refs))
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
    _put(fields, "title", clean_line(unescape(one("og:title", "twitter:title", "dcterms.title"))))
    summary = one("og:description", "description", "twitter:description")
    _put(fields, "summary", clean_line(unescape(summary)))
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


def unescape(value: str) -> str:
    """Entities a template escaped twice (``&amp;quot;`` → ``"``), at most two rounds."""
    for _ in range(2):
        if not _ENTITY.search(value):
            break
        value = html.unescape(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict | list):
        return ""
    return unescape(str(value)).strip()


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
