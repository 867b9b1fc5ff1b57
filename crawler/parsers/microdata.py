"""Schema.org microdata (``itemscope`` / ``itemprop``): the structured data of pages that carry
no JSON-LD. Read into the same fields as JSON-LD, with the same ``structured`` source.

Only the properties of the article item itself are read: a property inside a nested item
(the author's ``name``, the image's ``url``) belongs to that item, and is read through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from crawler.dates import parse_machine_date
from crawler.parsers.cleaning import clean_body
from crawler.parsers.html import paragraphs, tag_of, text_of
from crawler.text import clean_line

Fields = dict[str, Any]

# Elements whose value is an attribute, not their text (the HTML microdata rules).
_URL_ATTRS = {"a": "href", "link": "href", "img": "src", "source": "src", "amp-img": "src"}
# Bounds for hostile markup: a page with thousands of items or properties.
MAX_ITEMS = 200
MAX_PROPS = 500
_ITEMS = etree.XPath("//*[@itemscope and @itemtype]")


def microdata_layer(root: etree._Element) -> Fields:
    """Fields of the page's first microdata article item, or nothing."""
    from crawler.parsers.structured import is_article_type, type_names

    item = None
    for el in _ITEMS(root)[:MAX_ITEMS]:
        if is_article_type(type_names((el.get("itemtype") or "").split())):
            item = el
            break
    if item is None:
        return {}
    props: dict[str, list[etree._Element]] = {}
    for el in _properties(item):
        for name in (el.get("itemprop") or "").split():
            props.setdefault(name, []).append(el)

    def one(*names: str) -> str:
        for name in names:
            for el in props.get(name, []):
                value = _value(el)
                if value:
                    return value
        return ""

    fields: Fields = {}
    _put(fields, "title", clean_line(one("headline", "name")))
    _put(fields, "summary", clean_line(one("description")))
    _put(fields, "published_at", parse_machine_date(one("datePublished", "dateCreated")))
    _put(fields, "modified_at", parse_machine_date(one("dateModified")))
    _put(fields, "section_label", clean_line(one("articleSection")))
    _put(fields, "url", one("mainEntityOfPage", "url"))
    names = [_item_name(el) for el in props.get("author", [])]
    _put(fields, "authors", tuple(dict.fromkeys(n for n in names if n and "://" not in n)))
    keywords = [clean_line(k) for el in props.get("keywords", []) for k in _value(el).split(",")]
    _put(fields, "tags", tuple(dict.fromkeys(k for k in keywords if k)))
    images = props.get("image", [])
    if images:
        _image(images[0], fields)
    bodies = props.get("articleBody", [])
    if bodies:
        _put(fields, "body", clean_body(paragraphs(bodies[0])).body)
    return fields


def _properties(item: etree._Element) -> Iterator[etree._Element]:
    """The item's own properties: descendants with ``itemprop``, not looking into nested items
    (a nested item is itself a property, but its insides are not)."""
    stack = list(reversed(item))
    count = 0
    while stack and count < MAX_PROPS:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if el.get("itemprop") is not None:
            count += 1
            yield el
        if el.get("itemscope") is None:
            stack.extend(reversed(el))


def _value(el: etree._Element) -> str:
    if el.get("itemscope") is not None:
        return _item_name(el)
    for attr in ("content", "datetime"):
        if el.get(attr) is not None:
            return str(el.get(attr)).strip()
    url_attr = _URL_ATTRS.get(tag_of(el))
    if url_attr:
        return (el.get(url_attr) or "").strip()
    return text_of(el)


def _item_name(el: etree._Element) -> str:
    """A nested item's name (an author), or the element's text when it is a plain property."""
    if el.get("itemscope") is None:
        return clean_line(_value(el))
    for prop in _properties(el):
        if "name" in (prop.get("itemprop") or "").split():
            return clean_line(_value(prop))
    return text_of(el)


def _image(el: etree._Element, fields: Fields) -> None:
    if el.get("itemscope") is None:
        _put(fields, "image_url", _value(el))
        return
    for prop in _properties(el):
        names = (prop.get("itemprop") or "").split()
        if "url" in names or "contentUrl" in names:
            _put(fields, "image_url", _value(prop))
        elif "caption" in names:
            _put(fields, "caption_line", clean_line(_value(prop)))


def _put(fields: Fields, name: str, value: Any) -> None:
    if value not in (None, "", ()) and name not in fields:
        fields[name] = value
