"""Bookkeeping of the crawl's sources (robots.txt, feeds, sitemaps, listings).

Failures are written at once (consecutive failures feed health alerts). Successes are written
when the crawl closes, with their validators (ETag / Last-Modified) only if the crawl processed
everything they listed — finished, no ``--limit`` cut, no ``--since``, no section filter for
sources that span sections — so that a later 304 never hides items an earlier crawl skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.http import Response
from sqlite_utils import Database

from crawler import crawlstate
from crawler.archive import archive_for
from crawler.crawlstate import SourceKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answered:
    url: str
    kind: SourceKind
    status: int
    etag: str | None
    last_modified: str | None
    items: int | None


class SourceBook:
    def __init__(self) -> None:
        self.answered: dict[str, Answered] = {}
        self.ok = 0  # discovery sources (feeds, sitemaps, listings) that answered
        self.failed = 0

    def success(
        self, url: str, kind: SourceKind, response: Response, items: int | None = None
    ) -> None:
        if kind != "robots":
            self.ok += 1
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        self.answered[url] = Answered(
            url,
            kind,
            response.status,
            etag.decode("latin-1") if etag else None,
            modified.decode("latin-1") if modified else None,
            items,
        )

    def failure(self, spider: Any, url: str, kind: SourceKind, status: int, error: str) -> None:
        if kind != "robots":
            self.failed += 1
        spider.crawler.stats.inc_value("newsmon/errors")
        spider.crawler.stats.inc_value(f"newsmon/errors/{kind}")
        failures = crawlstate.record_source_failure(
            archive_for(spider.crawler), url, kind, status=status, error=error
        )
        log.warning("%s %s failed (%d in a row): %s", kind, url, failures, error)

    def save(self, db: Database, complete: bool, by_date: bool, by_section: bool) -> None:
        for answer in self.answered.values():
            # A section feed lists only its section, so a section filter does not cut it short;
            # the full feed is not fetched under one; sitemaps and listings are cut by it.
            by_kind = answer.kind in ("feed", "robots") or not by_section
            keep = complete and not by_date and by_kind
            crawlstate.record_source(
                db,
                answer.url,
                answer.kind,
                status=answer.status,
                items=answer.items,
                etag=answer.etag if keep else None,
                last_modified=answer.last_modified if keep else None,
                keep_validators=keep,
            )
