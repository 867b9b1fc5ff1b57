"""The item pipeline: NORMALISE → VALIDATE → DEDUP → STORE, one small job each.

Items are ``crawler.crawled.Crawled`` outcomes. Only STORE writes, through
``crawler.store.record_article`` and ``crawler.crawlstate``; counts go to the crawl's stats
(``newsmon/articles/<verdict>``, ``newsmon/errors``) where the progress reporter reads them.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from sqlite_utils import Database

from crawler import crawlstate, neardup
from crawler.archive import archive_for
from crawler.articles import get_article
from crawler.crawlconfig import ConfigError, build_config
from crawler.crawled import Crawled
from crawler.database import StoreError
from crawler.dates import format_display_date
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.identity import identify
from crawler.items import Article
from crawler.parsers.common import complete
from crawler.store import record_article

log = logging.getLogger(__name__)

# A publication date further ahead than this is a parsing error, not an article.
FUTURE_SLACK = timedelta(days=2)


def normalise(article: Article) -> Article:
    """The stored form: canonical URLs, a display date, no empty paragraphs or names."""
    changes: dict[str, object] = {}
    if article.url and is_outlet_url(article.url):
        changes["url"] = canonical_url(article.url)
    urls = tuple(dict.fromkeys(canonical_url(u) if is_outlet_url(u) else u for u in article.urls))
    changes["urls"] = tuple(u for u in urls if u != changes.get("url", article.url))
    if not article.date_line and article.published_at:
        changes["date_line"] = format_display_date(article.published_at)
    changes["body"] = tuple(p for p in article.body if p.strip())
    changes["authors"] = tuple(a for a in article.authors if a.strip())
    changes["tags"] = tuple(t for t in article.tags if t.strip())
    return article.replace(**changes)


class NormalisePipeline:
    def process_item(self, item: Crawled) -> Crawled:
        if item.article is None:
            return item
        return item.with_article(normalise(item.article))


class ValidatePipeline:
    """Drops what must not be stored: no title, no text (unless the stored version will complete
    it), a date in the future, an article older than ``--since``."""

    def __init__(self, stats: StatsCollector, since: datetime | None) -> None:
        self.stats = stats
        self.since = since

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        try:
            since = build_config(crawler.settings, {}).since
        except ConfigError:
            since = None  # the spider reports a bad option and stops
        return cls(crawler.stats, since)

    def process_item(self, item: Crawled) -> Crawled:
        article = item.article
        if article is None:
            return item
        problem = self.problem(article, item)
        if problem:
            self.stats.inc_value("newsmon/articles/invalid")
            log.warning("not stored: %s: %s", item.url, problem)
            raise DropItem(problem)
        if self.since and article.published_at and article.published_at < self.since:
            self.stats.inc_value("newsmon/articles/too_old")
            raise DropItem(f"published before --since: {article.published_at.isoformat()}")
        return item

    @staticmethod
    def problem(article: Article, item: Crawled) -> str | None:
        if not article.title.strip():
            return "no title"
        if not (article.url or article.node_id):
            return "neither a URL nor a node id"
        if not article.body and not item.from_store and "page_unavailable" not in article.flags:
            return "no body text"
        now = datetime.now(UTC)
        if article.published_at and article.published_at > now + FUTURE_SLACK:
            return f"publication date in the future: {article.published_at.isoformat()}"
        return None


class DedupPipeline:
    """One record per article per crawl: the same node id or URL again is dropped."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: Crawled) -> Crawled:
        if item.article is None:
            return item
        keys = {item.url, *(item.article.all_urls)}
        if item.article.node_id:
            keys.add(f"node:{item.article.node_id}")
        if keys & self.seen:
            raise DropItem(f"already recorded in this crawl: {item.url}")
        self.seen |= keys
        return item


class StorePipeline:
    """Records the article (new / changed / unchanged) and the page's crawl state."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        return pipeline

    def spider_opened(self) -> None:
        # A new article needs it at once, and most polls of the real site find one.
        neardup.prepare_in_background()

    def process_item(self, item: Crawled) -> Crawled:
        db = archive_for(self.crawler)
        try:
            self._store(db, item)
        except (StoreError, sqlite3.Error) as exc:
            self.stats.inc_value("newsmon/errors")
            self.stats.inc_value("newsmon/errors/store")
            log.error("could not store %s: %s", item.url, exc)
            raise DropItem(f"store error: {exc}") from None
        return item

    def _store(self, db: Database, item: Crawled) -> None:
        if item.error is not None and item.article is None:
            failures = crawlstate.record_page_failure(
                db, item.url, status=item.status, error=item.error
            )
            self.stats.inc_value("newsmon/errors")
            self.stats.inc_value("newsmon/errors/page")
            log.warning("page failed (%d in a row): %s: %s", failures, item.url, item.error)
            return
        if item.article is None:  # not modified: the stored version stands
            crawlstate.record_page(
                db,
                item.url,
                status=item.status,
                article_id=None,
                downloaded=False,
                lastmod=item.lastmod,
                feed_key=item.feed_key,
            )
            self.stats.inc_value("newsmon/articles/unchanged")
            return
        article = item.article
        if item.from_store:
            article = self._complete(db, article)
        result = record_article(db, article)
        self.stats.inc_value(f"newsmon/articles/{result.verdict}")
        if item.error is not None:
            crawlstate.record_page_failure(db, item.url, status=item.status, error=item.error)
            self.stats.inc_value("newsmon/errors")
            self.stats.inc_value("newsmon/errors/page")
            return
        crawlstate.record_page(
            db,
            item.url,
            status=item.status,
            article_id=result.article_id,
            etag=item.etag,
            last_modified=item.last_modified,
            lastmod=item.lastmod,
            feed_key=item.feed_key,
            downloaded=item.downloaded,
        )

    @staticmethod
    def _complete(db: Database, article: Article) -> Article:
        """The feed's record completed by the stored version, which plays the part of the page
        that was not downloaded again (the same rule as a feed item and its page)."""
        found = identify(db, article, None)  # by node id or URL: the feed item names both
        stored = get_article(db, found.article_id) if found is not None else None
        if stored is None:
            return article
        combined = complete(article, stored.article)
        flags = tuple(f for f in stored.article.flags if f != "page_unavailable")
        return replace(combined, flags=flags, parser=stored.article.parser)
