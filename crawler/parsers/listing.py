"""Section listing pages → article links, the discovery of last resort.

Cards are read with the outlet's listing selectors; if none match (the listing changed its
markup), every link whose path looks like ``/<section>/<slug>`` is taken instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from crawler.outlets import ALARABY, Outlet
from crawler.parsers.html import css, decode_html, first, parse_html, text_of


@dataclass(frozen=True, slots=True)
class ListingLink:
    url: str  # absolute, as linked (the caller maps it to a canonical URL)
    title: str | None
    teaser: str | None


@dataclass(frozen=True, slots=True)
class Listing:
    links: tuple[ListingLink, ...]
    next_page: str | None
    from_cards: bool  # False when the listing selectors found nothing


def parse_listing(
    body: bytes | str,
    page_url: str,
    *,
    content_type: str | None = None,
    outlet: Outlet = ALARABY,
) -> Listing:
    assert outlet.listing is not None
    layout = outlet.listing
    root = parse_html(decode_html(body, content_type))
    links: dict[str, ListingLink] = {}
    for card in css(root, layout.card):
        anchor = first(card, layout.link)
        href = anchor.get("href") if anchor is not None else None
        if not href:
            continue
        url = urljoin(page_url, href.strip())
        links.setdefault(
            url, ListingLink(url, text_of(anchor), text_of(first(card, layout.teaser)) or None)
        )
    from_cards = bool(links)
    if not links:
        for anchor in root.iter("a"):
            href = anchor.get("href")
            if href and looks_like_article(urljoin(page_url, href.strip()), outlet):
                url = urljoin(page_url, href.strip())
                links.setdefault(url, ListingLink(url, text_of(anchor) or None, None))
    next_el = first(root, layout.next_page)
    next_href = next_el.get("href") if next_el is not None else None
    next_page = urljoin(page_url, next_href.strip()) if next_href else None
    return Listing(tuple(links.values()), next_page, from_cards)


def looks_like_article(url: str, outlet: Outlet = ALARABY) -> bool:
    """``/<section>/<slug>`` (or the pre-2020 ``/<section>/<y>/<m>/<d>/<slug>``), not a tag,
    topic, feed, file or listing page."""
    path = unquote(urlsplit(url).path)
    if any(path.startswith(prefix) for prefix in outlet.non_article_prefixes):
        return False
    parts = [p for p in path.split("/") if p]
    return len(parts) >= 2 and parts[0] in outlet.sections and not parts[-1].isdigit()
