"""Discovery: feeds, sitemaps and (as a last resort) section listings → article requests.

Feed items whose content is unchanged since they were stored, and sitemap URLs whose
``lastmod`` has not moved, are not downloaded again: the store is told they are unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import crawlstate
from crawler.archive import archive_for
from crawler.crawled import Crawled
from crawler.crawlstate import SourceKind
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.middlewares.robots import RobotsDisallowed
from crawler.outlets import section_of_path
from crawler.parsers.feed import FeedError, FeedItem, read_feed
from crawler.parsers.listing import parse_listing
from crawler.parsers.sitemap import SitemapEntry, SitemapError, count_entries, parse_sitemap
from crawler.spiders.base import NewsSpider, describe, header, iso, now, older, path_of, status_of

log = logging.getLogger(__name__)


class Discovery(NewsSpider):
    # Feeds --------------------------------------------------------------------------------

    def parse_feed(self, response: Response, section: str | None = None) -> Iterator[Any]:
        url = response.meta["canonical"]
        items: tuple[FeedItem, ...] = ()
        if response.status != 304:
            try:
                feed = read_feed(
                    response.body,
                    fetched_at=now(),
                    section=section,
                    content_type=header(response, b"Content-Type"),
                    outlet=self.outlet,
                )
            except FeedError as exc:
                self.book.failure(self, url, "feed", response.status, str(exc))
                yield from self.listing_fallback(section)
                return
            items = feed.items
            for problem in feed.problems:
                log.warning("feed %s: %s", url, problem)
                self.crawler.stats.inc_value("newsmon/feed_problems")
        self.book.success(
            url, "feed", response, items=None if response.status == 304 else len(items)
        )
        if response.status != 304 and not items:
            log.warning("feed %s gave no items", url)
            yield from self.listing_fallback(section)
        states = crawlstate.get_pages(
            archive_for(self.crawler), (i.article.url or "" for i in items)
        )
        for item in items:
            article = item.article
            if not article.url or not self.wanted(
                article.url, article.section, article.published_at
            ):
                continue
            state = states.get(article.url)
            if crawlstate.feed_item_unchanged(state, item.key):
                yield Crawled(article.url, "feed", article, from_store=True, feed_key=item.key)
            else:
                yield self.page_request(article.url, "feed", state, feed_item=item)

    # Sitemaps -----------------------------------------------------------------------------

    def sitemap_request(self, canonical: str) -> Request:
        self.sitemaps_pending += 1
        request = self.source_request(canonical, "sitemap", self.parse_sitemap)
        request.meta["download_maxsize"] = self.settings.getint("NEWSMON_SITEMAP_MAXSIZE")
        return request

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        self.sitemaps_pending -= 1
        url = response.meta["canonical"]
        if response.status == 304:
            self.sitemap_found = True
            self.book.success(url, "sitemap", response)
            yield from self.sitemaps_settled()
            return
        try:
            sitemap = parse_sitemap(
                response.body,
                base=url,
                max_size=self.settings.getint("NEWSMON_SITEMAP_MAXSIZE"),
                max_entries=self.settings.getint("NEWSMON_SITEMAP_MAX_URLS"),
                legacy_encoding=self.outlet.legacy_encoding,
            )
        except SitemapError as exc:
            self.book.failure(self, url, "sitemap", response.status, str(exc))
            yield from self.sitemaps_settled()
            return
        problems = list(sitemap.problems)
        off_site = sum(1 for e in sitemap.entries if not is_outlet_url(e.loc, self.outlet))
        if off_site:
            problems.append(f"{count_entries(off_site)} off the outlet skipped")
        for problem in problems:
            log.warning("sitemap %s: %s", url, problem)
            self.crawler.stats.inc_value("newsmon/sitemap_problems")
        self.sitemap_found = True
        kind: SourceKind = "sitemapindex" if sitemap.kind == "index" else "sitemap"
        self.book.success(url, kind, response, items=len(sitemap.entries))
        if not sitemap.entries:
            log.warning("sitemap %s lists nothing", url)
        assert self.config is not None
        window = self.config.window_start(now())
        if sitemap.kind == "index" and self.seeding:
            # The newest sitemap files first, whatever their date.
            files = [e for e in sitemap.entries if is_outlet_url(e.loc, self.outlet)]
            for entry in sorted(files, key=newest_first)[: self.config.seed_sitemaps]:
                yield self.sitemap_request(canonical_url(entry.loc, self.outlet))
        elif sitemap.kind == "index":
            for entry in sitemap.entries:
                own = is_outlet_url(entry.loc, self.outlet)
                if own and not older(entry.lastmod, window) and not self.limit_reached:
                    yield self.sitemap_request(canonical_url(entry.loc, self.outlet))
        elif self.seeding:
            self.seed_entries += sitemap.entries
        else:
            yield from self.sitemap_pages(sitemap.entries, window)
        yield from self.sitemaps_settled()

    def sitemap_pages(
        self, entries: tuple[SitemapEntry, ...], window: datetime | None
    ) -> Iterator[Any]:
        urls = [
            canonical_url(e.loc, self.outlet) for e in entries if is_outlet_url(e.loc, self.outlet)
        ]
        states = crawlstate.get_pages(archive_for(self.crawler), urls)
        for entry in entries:
            if not is_outlet_url(entry.loc, self.outlet):
                continue
            url = canonical_url(entry.loc, self.outlet)
            dated = entry.published_at or entry.lastmod
            if older(entry.lastmod or dated, window):
                continue
            if not self.wanted(url, section_of_path(path_of(url), self.outlet), entry.published_at):
                continue
            state = states.get(url)
            if crawlstate.lastmod_unchanged(state, entry.lastmod):
                assert state is not None
                yield Crawled(url, "sitemap", None, status=state.status, lastmod=iso(entry.lastmod))
            else:
                yield self.page_request(url, "sitemap", state, lastmod=entry.lastmod)

    def sitemaps_settled(self) -> Iterator[Any]:
        """Once every sitemap has answered: a first crawl takes the newest entries gathered;
        without any sitemap, the listings are the way in."""
        if self.sitemaps_pending == 0 and self.seeding:
            assert self.config is not None
            self.seeding = False
            newest = sorted(self.seed_entries, key=newest_first)[: self.config.seed_articles]
            log.info(
                "first crawl: seeding the archive with the newest %d sitemap articles", len(newest)
            )
            yield from self.sitemap_pages(tuple(newest), None)
        if self.sitemaps_pending == 0 and not self.sitemap_found:
            log.warning("no sitemap: discovering through the section listings")
            assert self.config is not None
            for section in self.config.sections or self.outlet.sections:
                yield from self.listing_fallback(section)

    # Listings -----------------------------------------------------------------------------

    def listing_fallback(self, section: str | None) -> Iterator[Any]:
        if section is None or section in self.listed or self.limit_reached:
            return
        self.listed.add(section)
        listing = self.outlet.base_url + self.outlet.listing_path.format(section=section)
        yield self.source_request(listing, "listing", self.parse_listing, section=section, page=0)

    def parse_listing(self, response: Response, section: str, page: int) -> Iterator[Any]:
        url = response.meta["canonical"]
        listing = parse_listing(response.text, response.url) if response.status != 304 else None
        self.book.success(url, "listing", response, items=len(listing.links) if listing else None)
        if listing is None:
            return
        found = [self.canonical(link.url) for link in listing.links]
        states = crawlstate.get_pages(archive_for(self.crawler), found)
        for link_url in found:
            if self.wanted(link_url, section, None):
                yield self.page_request(link_url, "listing", states.get(link_url))
        # Older pages are worth a look while this one still lists articles not stored yet.
        unstored = [u for u in found if not (states.get(u) and states[u].ok)]
        assert self.config is not None
        if listing.next_page and unstored and page + 1 < self.config.listing_pages:
            next_url = self.canonical(listing.next_page)
            yield self.source_request(
                next_url, "listing", self.parse_listing, section=section, page=page + 1
            )

    # Sources that failed ------------------------------------------------------------------

    def source_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind, url = request.meta["kind"], request.meta["canonical"]
        status = status_of(failure)
        if failure.check(RobotsDisallowed):
            log.info("%s %s not fetched: %s", kind, url, failure.getErrorMessage())
        elif not (kind == "sitemap" and status == 404):  # no sitemap is not a failure
            self.book.failure(self, url, kind, status, describe(failure))
        if kind == "feed":
            yield from self.listing_fallback(request.meta.get("section"))
        elif kind == "sitemap":
            self.sitemaps_pending -= 1
            yield from self.sitemaps_settled()


def newest_first(entry: SitemapEntry) -> tuple[bool, float]:
    """Sort key: the most recent publication (or modification) first, undated last."""
    moment = entry.published_at or entry.lastmod
    return (moment is None, -moment.timestamp() if moment else 0.0)
