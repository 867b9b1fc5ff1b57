"""Pacing beyond Scrapy's delay and AutoThrottle: ``Retry-After`` and robots ``Crawl-delay``.

A 429/503 with ``Retry-After`` pauses every request to that host until the time it names (up to
``NEWSMON_RETRY_AFTER_MAX`` seconds; a longer wait is not waited for, the retry middleware then
gives up as usual). A robots.txt ``Crawl-delay`` (capped at ``NEWSMON_CRAWL_DELAY_MAX``) spaces
the requests to that host: each starts at least that long after the last one started and after
its answer came. Requests wait in ``process_request`` (asyncio reactor).
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)

PAUSE_STATUSES = (429, 503)


def retry_after_seconds(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait for a ``Retry-After`` value: a number of seconds or an HTTP date."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (now if now is not None else time.time()))


class PacingMiddleware:
    def __init__(self, crawler: Crawler, retry_after_max: float, crawl_delay_max: float) -> None:
        self.crawler = crawler
        self.retry_after_max = retry_after_max
        self.crawl_delay_max = crawl_delay_max
        self.paused_until: dict[str, float] = {}  # host → monotonic time
        self.crawl_delay: dict[str, float] = {}  # host → seconds between request starts
        self.next_start: dict[str, float] = {}  # host → monotonic time of the next allowed start
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PacingMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getfloat("NEWSMON_RETRY_AFTER_MAX", 600.0),
            settings.getfloat("NEWSMON_CRAWL_DELAY_MAX", 60.0),
        )

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        agent = self.crawler.settings.get("USER_AGENT") or "*"
        protego = getattr(robotparser, "rp", None)
        reader = getattr(protego, "crawl_delay", None)
        delay = reader(agent) if callable(reader) else None
        if delay:
            host = urlparse_cached(request).netloc
            capped = min(float(delay), self.crawl_delay_max)
            if capped < float(delay):
                log.warning("robots.txt Crawl-delay %s s capped at %s s", delay, capped)
            self.crawl_delay[host] = capped
            log.info("honouring robots.txt Crawl-delay of %s s for %s", capped, host)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlparse_cached(request).netloc
        now = time.monotonic()
        wait = max(0.0, self.paused_until.get(host, 0.0) - now)
        delay = self.crawl_delay.get(host)
        if delay:
            start = max(now + wait, self.next_start.get(host, 0.0))
            self.next_start[host] = start + delay
            wait = start - now
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        host = self._answered(request)
        if response.status in PAUSE_STATUSES:
            seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
            if seconds is not None:
                if seconds > self.retry_after_max:
                    log.warning(
                        "%s asks to wait %.0f s (Retry-After); more than the %s s allowed",
                        host,
                        seconds,
                        self.retry_after_max,
                    )
                    seconds = self.retry_after_max
                    request.meta["dont_retry"] = True
                self.paused_until[host] = max(
                    self.paused_until.get(host, 0.0), time.monotonic() + seconds
                )
                self.crawler.stats.inc_value("newsmon/retry_after")
                log.info("pausing %s for %.1f s (Retry-After)", host, seconds)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._answered(request)

    def _answered(self, request: Request) -> str:
        """The Crawl-delay counts from an answer (or a failure) as well as from a start: the
        next request then reaches the server a full delay after this one did, however long
        this one took to leave (a first request also opens the connection; the next reuses
        it)."""
        host = urlparse_cached(request).netloc
        delay = self.crawl_delay.get(host)
        if delay:
            self.next_start[host] = max(self.next_start.get(host, 0.0), time.monotonic() + delay)
        return host
