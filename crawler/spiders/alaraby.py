"""The ``alaraby`` spider: discovery and fetching only; extraction is crawler.parsers'.

robots.txt first, alone (Scrapy 2.19 lets the third and later concurrent first requests skip
the robots check, so nothing else starts before it has loaded); then, from its callback, the
section feeds and the full feed, the sitemaps robots.txt names and ``/sitemap.xml``, and the
section listings as a last resort (for a section whose feed failed, or when the site has no
sitemap). With ``-a urls=FILE`` it fetches exactly those article pages instead.

Every known page is asked for conditionally (If-None-Match / If-Modified-Since), and so are the
feeds and sitemaps.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from protego import Protego
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import crawlstate
from crawler.addresses import AddressRefused, check_url
from crawler.archive import archive_for
from crawler.crawled import Crawled
from crawler.middlewares.robots import (
    NETLOC_META,
    ROBOTS_META,
    ROBOTS_STATUSES,
    RobotsDisallowed,
    robots_body,
    robots_policy,
)
from crawler.parsers.alaraby import parse_page
from crawler.parsers.common import complete
from crawler.parsers.sitemap import robots_sitemaps
from crawler.spiders.base import PRIORITY, describe, header, now, status_of
from crawler.spiders.discovery import Discovery

log = logging.getLogger(__name__)


class AlarabySpider(Discovery):
    name = "alaraby"

    # robots.txt and fan-out ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.fatal or self.config is None:
            return
        config = self.config
        try:
            check_url(config.base, allow_private=config.allow_private)
        except AddressRefused as exc:
            self.fail(f"refusing {config.base}: {exc} (set NEWSMON_ALLOW_PRIVATE=1 to allow it)")
            return
        robots = self.outlet.base_url + self.outlet.robots_path
        host = self.fetch(robots).split("://", 1)[1].split("/", 1)[0]
        yield Request(
            self.fetch(robots),
            callback=self.parse_robots,
            errback=self.robots_failed,
            priority=PRIORITY["robots"],
            dont_filter=True,
            meta={ROBOTS_META: True, NETLOC_META: host, "handle_httpstatus_list": ROBOTS_STATUSES},
        )

    def parse_robots(self, response: Response) -> Iterator[Any]:
        url = self.outlet.base_url + self.outlet.robots_path
        policy = robots_policy(response.status)
        if policy == "fail":
            self.book.failure(self, url, "robots", response.status, f"HTTP {response.status}")
            self.fail(f"robots.txt answered {response.status}; not crawling until it recovers")
            return
        # robots.txt is UTF-8 (RFC 9309); bytes that are not must not stop the crawl.
        body = robots_body(response.body) if policy == "obey" else b""
        self.robots = Protego.parse(body.decode("utf-8", "replace"))
        self.book.success(url, "robots", response)
        assert self.config is not None
        if self.config.urls:
            states = crawlstate.get_pages(archive_for(self.crawler), self.config.urls)
            for page in self.config.urls:
                # Checked by the robots middleware, not here: the list is the user's.
                self.claimed.add(page)
                yield self.page_request(page, "urls", states.get(page))
            return
        if not self.config.sections:
            # First: the scheduler hands out the first request before it has seen the rest.
            feed = self.outlet.base_url + self.outlet.full_feed_path
            yield self.source_request(feed, "feed", self.parse_feed, section=None)
        sections = self.config.sections or self.outlet.sections
        for section in sections:
            feed = self.outlet.base_url + self.outlet.section_feed_path.format(section=section)
            yield self.source_request(feed, "feed", self.parse_feed, section=section)
        # Until one crawl has finished (and with no --since), the archive is seeded from the
        # sitemaps: see NEWSMON_SEED_*. A first crawl that was killed after storing a few
        # feed items must not leave the back catalogue unseeded for ever.
        self.seeding = (
            self.config.since is None
            and self.config.seed_articles > 0
            and archive_for(self.crawler)
            .execute("SELECT 1 FROM crawl_runs WHERE status IN ('ok', 'partial') LIMIT 1")
            .fetchone()
            is None
        )
        for sitemap in robots_sitemaps(self.robots.sitemaps, self.outlet):
            yield self.sitemap_request(sitemap)

    def robots_failed(self, failure: Failure) -> None:
        url = self.outlet.base_url + self.outlet.robots_path
        self.book.failure(self, url, "robots", 0, failure.getErrorMessage())
        self.fail(f"robots.txt could not be fetched: {failure.getErrorMessage()}")

    # Article pages ------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        url, origin, item = meta["canonical"], meta["origin"], meta.get("feed_item")
        feed_key = item.key if item else None
        if response.status == 304:
            if item is not None:
                yield Crawled(
                    url, origin, item.article, from_store=True, status=304, feed_key=feed_key
                )
            else:
                yield Crawled(url, origin, None, status=304, lastmod=meta.get("lastmod"))
            return
        page = parse_page(
            response.body,
            self.canonical(response.url),
            fetched_at=now(),
            content_type=header(response, b"Content-Type"),
        )
        if self.canonical(response.url) != url:  # redirected: keep the URL we asked for too
            page = page.replace(urls=(*page.urls, url))
        article = complete(item.article, page) if item is not None else page
        yield Crawled(
            url,
            origin,
            article,
            status=response.status,
            etag=header(response, b"ETag"),
            last_modified=header(response, b"Last-Modified"),
            lastmod=meta.get("lastmod"),
            feed_key=feed_key,
        )

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        url, origin, item = meta["canonical"], meta["origin"], meta.get("feed_item")
        if failure.check(RobotsDisallowed):
            self.crawler.stats.inc_value("newsmon/skipped/robots")
            log.info("not fetched: %s: %s", url, failure.getErrorMessage())
            return
        status = status_of(failure)
        error = describe(failure)
        if item is not None:
            flagged = item.article.replace(flags=(*item.article.flags, "page_unavailable"))
            yield Crawled(url, origin, flagged, status=status, feed_key=item.key, error=error)
        else:
            yield Crawled(url, origin, None, status=status, error=error)
