"""The base of newsmon's spiders: the crawl's config and outcome, and the requests it makes.

Shared by the discovery steps (``crawler.spiders.discovery``) and the ``alaraby`` spider.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import crawlstate
from crawler.archive import archive_for
from crawler.crawlconfig import ConfigError, CrawlConfig, build_config
from crawler.crawled import Origin
from crawler.crawlruns import RunStatus
from crawler.fingerprint import fetch_url, is_outlet_url, site_to_canonical
from crawler.outlets import ALARABY, Outlet
from crawler.parsers.feed import FeedItem
from crawler.spiders.sources import SourceBook

log = logging.getLogger(__name__)

# Fetch order, highest first. The full feed leads: alone it lists the newest articles of every
# section. The pages of the articles feeds announce come next, ahead of the other feeds and the
# sitemaps: they are the new ones a watcher is waiting for, and at the polite delay between
# requests, a dozen feeds and sitemaps first would hold every alert back by half a minute.
PRIORITY = {
    "robots": 1000,
    "full_feed": 60,
    "feed_page": 55,
    "feed": 50,
    "sitemap": 40,
    "listing": 30,
    "page": 10,
}


class NewsSpider(Spider):
    outlet: Outlet = ALARABY
    allowed_domains: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config: CrawlConfig | None = None
        self.fatal: str | None = None
        self.robots: Protego | None = None
        self.claimed: set[str] = set()
        self.limit_reached = False
        self.book = SourceBook()
        self.listed: set[str] = set()
        self.sitemaps_pending = 0
        self.sitemap_found = False
        # A first crawl of an empty archive gathers sitemap entries and takes the newest.
        self.seeding = False
        self.seed_entries: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.config = build_config(crawler.settings, kwargs)
        except ConfigError as exc:
            spider.fail(str(exc))
        if spider.config:
            # Off-site redirects are dropped: the one host we crawl is the base URL's.
            spider.allowed_domains = [urlsplit(spider.config.base).hostname or ""]
        return spider

    # Outcome ------------------------------------------------------------------------------

    def fail(self, message: str) -> None:
        """The crawl cannot go on (robots.txt unreachable, a refused base URL, a bad option)."""
        if self.fatal is None:
            self.fatal = message
            log.error("crawl failed: %s", message)

    def outcome(self, reason: str, counts: dict[str, int]) -> tuple[RunStatus, str]:
        """How the crawl went: ``failed`` when nothing useful could be done at all."""
        articles = counts["new"] + counts["changed"] + counts["unchanged"]
        timed_out = reason == "closespider_timeout"
        if self.fatal:
            return "failed", self.fatal
        if reason in ("shutdown", "parent_gone"):
            return "interrupted", f"stopped ({reason})"
        late = " before the time limit" if timed_out else ""
        if self.config and self.config.urls:
            if articles == 0 and (counts["errors"] or timed_out):
                return "failed", f"no article page could be fetched{late}"
        elif self.book.ok == 0 and articles == 0:
            return "failed", f"no feed, sitemap or listing answered{late}"
        notes = []
        if timed_out:
            notes.append("stopped at the time limit")
        if counts["errors"]:
            notes.append(f"{counts['errors']} error(s)")
        if self.book.failed:
            notes.append(f"{self.book.failed} source(s) failed")
        return ("partial" if notes else "ok"), "; ".join(notes)

    def closed(self, reason: str) -> None:
        config = self.config
        complete_run = (
            reason == "finished"
            and not self.fatal
            and not self.limit_reached
            and config is not None
        )
        by_date = config is None or config.since is not None
        by_section = config is None or bool(config.sections)
        try:
            self.book.save(archive_for(self.crawler), complete_run, by_date, by_section)
        except Exception:  # the crawl's result is already recorded; state is an optimisation
            log.exception("could not save the sources' crawl state")

    # Callbacks the subclasses provide ---------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        raise NotImplementedError

    def source_failed(self, failure: Failure) -> Iterator[Any]:
        raise NotImplementedError

    # Requests -----------------------------------------------------------------------------

    def fetch(self, canonical: str) -> str:
        assert self.config is not None
        return fetch_url(canonical, self.config.site, self.outlet)

    def canonical(self, url: str) -> str:
        assert self.config is not None
        return site_to_canonical(url, self.config.site, self.outlet)

    def source_request(self, canonical: str, kind: str, callback: Any, **kwargs: Any) -> Request:
        """A request for a feed, sitemap or listing; ``kwargs`` go to the callback."""
        state = crawlstate.get_source(archive_for(self.crawler), canonical)
        # An explicit --since may reach back past what earlier crawls processed: ask in full.
        conditional = (
            state
            and state.failures == 0
            and state.kind != "sitemapindex"
            and self.config is not None
            and self.config.since is None
        )
        headers = state.conditional_headers() if state and conditional else {}
        return Request(
            self.fetch(canonical),
            callback=callback,
            errback=self.source_failed,
            headers=headers,
            priority=PRIORITY[
                "full_feed" if kind == "feed" and not kwargs.get("section") else kind
            ],
            meta={"canonical": canonical, "kind": kind, "handle_httpstatus_list": [304], **kwargs},
            cb_kwargs=kwargs,
        )

    def page_request(
        self,
        url: str,
        origin: Origin,
        state: crawlstate.PageState | None,
        *,
        feed_item: FeedItem | None = None,
        lastmod: datetime | None = None,
    ) -> Request:
        headers = state.conditional_headers() if state and state.ok else {}
        return Request(
            self.fetch(url),
            callback=self.parse_page,
            errback=self.page_failed,
            headers=headers,
            priority=PRIORITY["feed_page" if origin == "feed" else "page"],
            meta={
                "canonical": url,
                "origin": origin,
                "feed_item": feed_item,
                "lastmod": lastmod.isoformat() if lastmod else None,
                "handle_httpstatus_list": [304],
            },
        )

    def wanted(self, url: str, section: str | None, published: datetime | None) -> bool:
        """Worth a request: on the outlet, allowed by robots.txt, in the sections and dates
        asked for, not seen yet in this crawl, within the limit."""
        config = self.config
        assert config is not None
        if not is_outlet_url(url, self.outlet) or url in self.claimed:
            return False
        if self.robots is not None and not self.robots.can_fetch(
            self.fetch(url), self.settings.get("USER_AGENT") or "*"
        ):
            self.crawler.stats.inc_value("newsmon/skipped/robots")
            return False
        if config.sections and section not in config.sections:
            return False
        if config.since and published and published < config.since:
            return False
        if config.limit is not None and len(self.claimed) >= config.limit:
            self.limit_reached = True
            return False
        self.claimed.add(url)
        return True


def now() -> datetime:
    return datetime.now(UTC)


def older(moment: datetime | None, window: datetime | None) -> bool:
    return bool(moment and window and moment < window)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def path_of(url: str) -> str:
    return urlsplit(url).path


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def status_of(failure: Failure) -> int:
    value = failure.value
    return value.response.status if isinstance(value, HttpError) else 0


# What a network failure means, for errors whose own message is empty or a list of Twisted
# failures (keyed by exception class name, so no Scrapy version pins a class here).
PLAIN = {
    "ResponseDataLossError": "the connection closed before the whole body arrived",
    "DownloadFailedError": "the connection was lost before the answer was complete",
    "ResponseFailed": "the connection was lost before the answer was complete",
    "ConnectionLost": "the connection was lost",
    "ConnectionDone": "the server closed the connection without answering",
    "DownloadConnectionRefusedError": "connection refused (nothing listens there)",
    "ConnectionRefusedError": "connection refused (nothing listens there)",
    "CannotResolveHostError": "the host name does not resolve",
    "DNSLookupError": "the host name does not resolve",
    "DownloadCancelledError": "the download was cancelled",
}


def describe(failure: Failure) -> str:
    """One line saying why a request failed."""
    if failure.check(HttpError):
        return f"HTTP {status_of(failure)}"
    name = failure.type.__name__ if failure.type else "error"
    message = failure.getErrorMessage().strip()
    if not message or message.startswith("[<twisted"):
        message = PLAIN.get(name, "no details")
    elif name in PLAIN and PLAIN[name] not in message:
        message = f"{PLAIN[name]}: {message}"
    return f"{name}: {message}"
