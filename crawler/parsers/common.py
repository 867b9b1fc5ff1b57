"""Field rules shared by the page and feed parsers: titles, author names, and how a feed
item and its page combine."""

from __future__ import annotations

from typing import Any

from crawler.items import Article, merge
from crawler.outlets import ALARABY, Outlet
from crawler.text import clean_line, fold


def strip_title_suffix(title: str, outlet: Outlet = ALARABY) -> str:
    assert outlet.markers is not None
    title = clean_line(title)
    for suffix in outlet.markers.title_suffixes:
        if title.endswith(suffix.strip()) and len(title) > len(suffix):
            return title[: -len(suffix.strip())].rstrip(" |-–")
    return title


def normalise_authors(names: Any, outlet: Outlet = ALARABY) -> tuple[str, ...]:
    """Names as stored: the newsroom's several spellings become one (``العربي الجديد``)."""
    assert outlet.markers is not None
    desk = {fold(d) for d in outlet.markers.desk_authors}
    out: list[str] = []
    for name in names:
        name = clean_line(name)
        if not name:
            continue
        if fold(name) in desk:
            name = outlet.markers.desk_author
        if name not in out:
            out.append(name)
    return tuple(out)


def complete(feed: Article, page: Article) -> Article:
    """A feed item's record completed by its page: the feed's fields stand, the page adds what
    the feed lacks (display date, tags, contributors, byline, modified time, caption). The
    page's summary bullets replace the feed's one-line description."""
    combined = merge(feed, page)
    sources = dict(combined.sources)
    changes: dict[str, Any] = {}
    if page.summary and page.source_of("summary") == "page":
        changes["summary"] = page.summary
        sources["summary"] = "page"
    changes["sources"] = tuple(sources.items())
    changes["flags"] = tuple(dict.fromkeys((*feed.flags, *page.flags)))
    changes["parser"] = f"{feed.parser}+{page.parser}" if feed.parser and page.parser else None
    changes["fetched_at"] = page.fetched_at or feed.fetched_at
    return combined.replace(**changes)
