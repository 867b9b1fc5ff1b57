"""The crawl's report: a ``crawl_runs`` row, and progress for a parent process.

With ``NEWSMON_PROGRESS`` on, the crawl writes JSON lines on standard output (Scrapy logs to
standard error), each an object with ``"newsmon"`` naming the event:

- ``{"newsmon": "start", "run": 12, "site": ..., "sections": [...]}``
- ``{"newsmon": "progress", "pages": 40, "new": 3, "changed": 1, "unchanged": 20, "errors": 0,
  "queued": 5, "elapsed": 12.5}`` — at most every ``NEWSMON_PROGRESS_INTERVAL`` seconds, when a
  count changed;
- ``{"newsmon": "done", "status": "ok" | "partial" | "failed" | "interrupted", "message": ...,
  "reason": <Scrapy's close reason>, and the counts}``.

A parent that goes away (the pipe breaks) stops the crawl.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro

from crawler import crawlruns
from crawler.archive import archive_for
from crawler.database import StoreError

log = logging.getLogger(__name__)

COUNTS = ("pages", "new", "changed", "unchanged", "errors")


def counts_from(stats: dict[str, Any]) -> dict[str, int]:
    return {
        "pages": int(stats.get("downloader/response_count", 0)),
        "new": int(stats.get("newsmon/articles/new", 0)),
        "changed": int(stats.get("newsmon/articles/changed", 0)),
        "unchanged": int(stats.get("newsmon/articles/unchanged", 0)),
        # A callback that raised is an error too: a parser crash must not pass for success.
        "errors": int(stats.get("newsmon/errors", 0))
        + int(stats.get("spider_exceptions/count", 0)),
    }


class CrawlReport:
    def __init__(self, crawler: Crawler, progress: bool, interval: float, out: IO[str]) -> None:
        self.crawler = crawler
        self.progress = progress
        self.interval = interval
        self.out = out
        self.run_id: int | None = None
        self.started = time.monotonic()
        self.last: dict[str, int] = {}
        self.loop: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getbool("NEWSMON_PROGRESS"),
            settings.getfloat("NEWSMON_PROGRESS_INTERVAL", 0.5),
            sys.stdout,
        )

    def counts(self) -> dict[str, int]:
        return counts_from(self.crawler.stats.get_stats())

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        config = getattr(spider, "config", None)
        site = config.base if config else ""
        sections = list(config.sections) if config else []
        try:
            self.run_id = crawlruns.start_run(
                archive_for(self.crawler), site=site, sections=sections
            )
        except StoreError as exc:
            log.error("%s", exc)
            if hasattr(spider, "fail"):
                spider.fail(str(exc))
        self.emit({"newsmon": "start", "run": self.run_id, "site": site, "sections": sections})
        if self.progress:
            self.loop = create_looping_call(self.tick)
            self.loop.start(self.interval, now=False)

    def tick(self) -> None:
        counts = self.counts()
        if counts != self.last:
            self.last = counts
            stats = self.crawler.stats.get_stats()
            queued = int(stats.get("scheduler/enqueued", 0)) - int(
                stats.get("scheduler/dequeued", 0)
            )
            self.emit(
                {
                    "newsmon": "progress",
                    **counts,
                    "queued": max(0, queued),
                    "elapsed": round(time.monotonic() - self.started, 1),
                }
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        counts = self.counts()
        outcome = getattr(spider, "outcome", None)
        status: crawlruns.RunStatus = "ok"
        message = ""
        if callable(outcome):
            status, message = outcome(reason, counts)
        if self.run_id is not None:
            try:
                crawlruns.finish_run(
                    archive_for(self.crawler),
                    self.run_id,
                    status=status,
                    counts=counts,
                    message=message,
                )
            except StoreError as exc:
                log.error("%s", exc)
        log.info(
            "crawl %s: pages=%d new=%d changed=%d unchanged=%d errors=%d%s",
            status,
            *(counts[k] for k in COUNTS),
            f" ({message})" if message else "",
        )
        self.emit(
            {
                "newsmon": "done",
                "run": self.run_id,
                "status": status,
                "message": message,
                "reason": reason,
                **counts,
                "elapsed": round(time.monotonic() - self.started, 1),
            }
        )

    def emit(self, event: dict[str, Any]) -> None:
        if not self.progress:
            return
        try:
            self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.out.flush()
        except (BrokenPipeError, OSError, ValueError):
            # The parent is gone: nobody will read the results of a longer crawl.
            self.progress = False
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None and event["newsmon"] != "done":
                deferred_from_coro(engine.close_spider_async(reason="parent_gone"))
