"""Where each field of a feed item is, in RSS 2.0 (the outlet's feed), RSS 1.0 (RDF) and Atom.

Elements are found by namespace and local name; a feed that forgot to declare a prefix
(``<dc:creator>`` with no ``xmlns:dc``) is read all the same.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.dates import OUTLET_TZ, parse_machine_date, parse_written_date
from crawler.fingerprint import is_outlet_url
from crawler.outlets import Outlet
from crawler.parsers.feedtext import image_credit, plain
from crawler.seedformat import split_credit

NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
    "rss1": "http://purl.org/rss/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
# Namespaces of an item's own elements: none (RSS 2.0), RSS 1.0, Atom.
_PLAIN = ("", "rss1", "atom")


def _matches(el: etree._Element, prefixes: tuple[str, ...], local: str) -> bool:
    if not isinstance(el.tag, str):
        return False
    ns, _, name = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
    if not ns and ":" in name:  # an undeclared prefix: "dc:creator" as written
        prefix, _, name = name.partition(":")
        return name == local and prefix in prefixes
    return name == local and any(ns == NS.get(p, "") for p in prefixes)


def _all(el: etree._Element, prefixes: tuple[str, ...], local: str) -> list[etree._Element]:
    return [c for c in el if _matches(c, prefixes, local)]


def _one(el: etree._Element | None, prefixes: tuple[str, ...], local: str) -> etree._Element | None:
    if el is None:
        return None
    found = _all(el, prefixes, local)
    return found[0] if found else None


def _first(*elements: etree._Element | None) -> etree._Element | None:
    """The first element found (an lxml element without children is falsy: no ``or``)."""
    return next((e for e in elements if e is not None), None)


def _text(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


def _content(el: etree._Element | None) -> str:
    """An element's content as text or markup: Atom's ``type="xhtml"`` holds elements."""
    if el is None:
        return ""
    if len(el) and el.get("type") == "xhtml":
        return "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in el)
    return _text(el)


# Fields ---------------------------------------------------------------------------------------


def guid_of(el: etree._Element) -> str | None:
    return _text(_first(_one(el, ("",), "guid"), _one(el, ("atom",), "id"))).strip() or None


def title_of(el: etree._Element) -> str:
    return _text(_one(el, _PLAIN, "title"))


def summary_of(el: etree._Element) -> str:
    return _content(_first(_one(el, ("", "rss1"), "description"), _one(el, ("atom",), "summary")))


def link(el: etree._Element, guid: str | None) -> str | None:
    """The item's link: ``<link>``, Atom's alternate link, RSS 1.0's ``rdf:about``, or a guid
    that is a permalink."""
    text = _text(_one(el, ("", "rss1"), "link")).strip()
    if text:
        return text
    for atom_link in _all(el, ("atom",), "link"):
        if atom_link.get("rel", "alternate") == "alternate" and atom_link.get("href"):
            return str(atom_link.get("href"))
    about = el.get(f"{{{NS['rdf']}}}about")
    if about:
        return about
    guid_el = _one(el, ("",), "guid")
    permalink = guid_el is not None and guid_el.get("isPermaLink", "true").lower() == "true"
    if guid and permalink and guid.lower().startswith(("http://", "https://", "/")):
        return guid
    return None


def feed_base(root: etree._Element, outlet: Outlet) -> str:
    """What relative URLs in the feed are relative to: its ``xml:base`` when that is the
    outlet, else the outlet's home page."""
    return item_base(root, outlet.base_url + "/", outlet)


def item_base(el: etree._Element, base: str, outlet: Outlet) -> str:
    declared = el.base
    if declared and is_outlet_url(declared, outlet):
        # "https://www.alaraby.co.uk" (the real xml:base) is the root, "/".
        return declared if urlsplit(declared).path else declared + "/"
    return base


def body_markup(el: etree._Element) -> str:
    encoded = _one(el, ("content",), "encoded")
    if encoded is not None:
        return _text(encoded)
    return _content(_one(el, ("atom",), "content"))


def categories(el: etree._Element) -> list[etree._Element]:
    return [*_all(el, ("", "atom"), "category"), *_all(el, ("dc",), "subject")]


def label(el: etree._Element) -> str:
    return el.get("label") or el.get("term") or _text(el)


def creators(el: etree._Element) -> list[str]:
    names = [_text(c) for c in _all(el, ("dc",), "creator")]
    names += [_text(_one(a, ("atom",), "name")) for a in _all(el, ("atom",), "author")]
    if not names:
        names = [_text(a) for a in _all(el, ("",), "author")]
    return names


def dates(el: etree._Element, bad: list[str]) -> tuple[datetime | None, datetime | None]:
    """(published, modified), in the outlet's zone. A date that cannot be read is counted."""
    published_el = _first(
        _one(el, ("",), "pubDate"),
        _one(el, ("dc",), "date"),
        _one(el, ("dcterms",), "issued"),
        _one(el, ("dcterms",), "created"),
        _one(el, ("atom",), "published"),
    )
    updated_el = _first(_one(el, ("atom",), "updated"), _one(el, ("dcterms",), "modified"))
    published = _date(_text(published_el), bad)
    modified = _date(_text(updated_el), bad)
    if published is None and published_el is None:
        published, modified = modified, None
    if modified is not None and published is not None and modified <= published:
        modified = None
    return published, modified


def _date(text: str, bad: list[str]) -> datetime | None:
    text = " ".join(text.split())
    if not text:
        return None
    moment = parse_machine_date(text) or parse_written_date(text)
    if moment is None:
        bad.append(text)
        return None
    return moment.astimezone(OUTLET_TZ)


def media(
    el: etree._Element, base: str, outlet: Outlet
) -> tuple[str | None, str | None, str | None]:
    """(image URL, caption, credit) from media:content (or media:group, media:thumbnail, an
    image enclosure or Atom enclosure link). The caption's closing ``(credit)`` is the credit;
    media:credit stands in when the caption has none."""
    media = _one(el, ("media",), "content")
    group = _one(el, ("media",), "group")
    if media is None and group is not None:
        media = _one(group, ("media",), "content")
    url = media.get("url") if media is not None else None
    if not url:
        thumbnail = _first(_one(el, ("media",), "thumbnail"), _one(group, ("media",), "thumbnail"))
        url = thumbnail.get("url") if thumbnail is not None else None
    if not url:
        for enclosure in [*_all(el, ("",), "enclosure"), *_all(el, ("atom",), "link")]:
            kind = enclosure.get("type") or "image/"
            rel = enclosure.get("rel", "enclosure")
            if kind.startswith("image/") and rel == "enclosure":
                url = enclosure.get("url") or enclosure.get("href")
                if url:
                    break
    holders = [h for h in (media, group, el) if h is not None]
    description = _first(*(_one(h, ("media",), "description") for h in holders))
    line = plain(_text(description))
    caption, credit = split_credit(line) if line else (None, None)
    if credit is None:
        credit_el = _first(*(_one(h, ("media",), "credit") for h in holders))
        credit = image_credit(_text(credit_el), outlet) if credit_el is not None else None
    image = urljoin(base, url.strip()) if url and url.strip() else None
    if image is not None and not image.lower().startswith(("http://", "https://")):
        image = None
    return image, caption, credit
