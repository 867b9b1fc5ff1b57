"""The four pipeline stages built with plain values, once through Scrapy's settings, and the
crawl's config and pacing rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler import crawlstate
from crawler.articles import get_article
from crawler.crawlconfig import ConfigError, build_config
from crawler.crawled import Crawled
from crawler.database import open_db
from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.middlewares.pacing import retry_after_seconds
from crawler.pipelines import (
    DedupPipeline,
    NormalisePipeline,
    StorePipeline,
    ValidatePipeline,
    normalise,
)
from crawler.spiders.alaraby import AlarabySpider

URL = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9"
MIRROR = "https://aajsa.com/politics/%d8%ba%d8%b2%d8%a9?utm_source=x"
PUBLISHED = datetime(2026, 8, 15, 21, 56, tzinfo=OUTLET_TZ)


def article(**changes: object) -> Article:
    base = Article(
        title="غزة: شهيد وجرحى",
        url=URL,
        node_id="14405285",
        published_at=PUBLISHED,
        body=("فقرة أولى.", "فقرة ثانية."),
        tags=("غزة",),
        authors=("العربي الجديد",),
    )
    return base.replace(**changes)


def test_normalise_makes_urls_canonical_and_dates_displayable() -> None:
    got = normalise(
        article(url=MIRROR, urls=(URL, "https://aajeg.com/x"), body=("نص", " "), date_line=None)
    )
    assert got.url == URL and got.urls == ("https://www.alaraby.co.uk/x",)
    assert got.date_line == "15 أغسطس 2026" and got.body == ("نص",)
    item = NormalisePipeline().process_item(Crawled(URL, "feed", article(url=MIRROR)))
    assert item.article is not None and item.article.url == URL


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": " "}, "no title"),
        ({"url": None, "node_id": None}, "neither a URL nor a node id"),
        ({"body": ()}, "no body text"),
        ({"published_at": datetime.now(UTC) + timedelta(days=30)}, "in the future"),
    ],
)
def test_validate_drops_what_must_not_be_stored(changes: dict[str, object], problem: str) -> None:
    stage = ValidatePipeline(get_crawler().stats, since=None)
    with pytest.raises(DropItem, match=problem):
        stage.process_item(Crawled(URL, "sitemap", article(**changes)))


def test_validate_keeps_a_feed_record_the_store_will_complete_and_honours_since() -> None:
    stage = ValidatePipeline(get_crawler().stats, since=PUBLISHED + timedelta(days=1))
    bare = Crawled(URL, "feed", article(body=(), published_at=None), from_store=True)
    assert stage.process_item(bare) is bare
    with pytest.raises(DropItem, match="before --since"):
        stage.process_item(Crawled(URL, "feed", article()))


def test_dedup_drops_the_same_article_under_another_url() -> None:
    stage = DedupPipeline()
    stage.process_item(Crawled(URL, "feed", article()))
    with pytest.raises(DropItem):
        stage.process_item(
            Crawled(
                "https://www.alaraby.co.uk/other",
                "sitemap",
                article(url="https://www.alaraby.co.uk/other"),
            )
        )
    assert stage.process_item(Crawled(URL, "urls", None, status=304)).article is None


def store_stage(db_path: Path) -> tuple[StorePipeline, object]:
    crawler = get_crawler(AlarabySpider, {"NEWSMON_DB": str(db_path)})
    return StorePipeline.from_crawler(crawler), crawler.stats


def test_store_records_articles_and_page_state(db_path: Path) -> None:
    stage, stats = store_stage(db_path)
    stage.process_item(
        Crawled(URL, "sitemap", article(), etag='"v1"', lastmod="2026-08-15T22:00:00+03:00")
    )
    stage.process_item(Crawled(URL, "sitemap", article(), etag='"v1"'))
    assert stats.get_value("newsmon/articles/new") == 1  # type: ignore[attr-defined]
    assert stats.get_value("newsmon/articles/unchanged") == 1  # type: ignore[attr-defined]
    db = open_db(db_path)
    state = crawlstate.get_page(db, URL)
    assert (
        state and state.ok and state.etag == '"v1"' and state.lastmod == "2026-08-15T22:00:00+03:00"
    )


def test_store_completes_a_feed_record_from_the_stored_version(db_path: Path) -> None:
    stage, stats = store_stage(db_path)
    stage.process_item(Crawled(URL, "feed", article(caption="تعليق", credit="Getty")))
    # The feed alone has no tags or caption; the stored version supplies them: no new version.
    stage.process_item(
        Crawled(URL, "feed", article(tags=(), caption=None, credit=None), from_store=True)
    )
    assert stats.get_value("newsmon/articles/unchanged") == 1  # type: ignore[attr-defined]
    stored = get_article(open_db(db_path), 1)
    assert stored and stored.version == 1 and stored.article.tags == ("غزة",)


def test_store_records_a_failed_page(db_path: Path) -> None:
    stage, stats = store_stage(db_path)
    stage.process_item(Crawled(URL, "sitemap", None, status=500, error="HTTP 500"))
    state = crawlstate.get_page(open_db(db_path), URL)
    assert state and state.failures == 1 and not state.ok
    assert stats.get_value("newsmon/errors") == 1  # type: ignore[attr-defined]


def test_the_settings_wire_the_four_stages_in_order(db_path: Path) -> None:
    from scrapy.pipelines import ItemPipelineManager

    from crawler import settings

    crawler = get_crawler(
        AlarabySpider, {k: getattr(settings, k) for k in dir(settings) if k.isupper()}
    )
    manager = ItemPipelineManager.from_crawler(crawler)
    assert [type(m).__name__ for m in manager.middlewares] == [
        "NormalisePipeline",
        "ValidatePipeline",
        "DedupPipeline",
        "StorePipeline",
    ]


def test_config_arguments_win_over_settings(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# re-check\n{MIRROR}\n\n{URL}\n", encoding="utf-8")
    config = build_config(
        {"NEWSMON_SITE": "https://aajeg.com", "NEWSMON_SECTIONS": "economy", "NEWSMON_LIMIT": "5"},
        {"sections": "politics, culture", "since": "1 أغسطس 2026", "urls": str(urls)},
    )
    assert config.site == "https://aajeg.com" and config.sections == ("politics", "culture")
    assert config.limit == 5 and config.urls == (URL,)
    assert config.since == datetime(2026, 8, 1, tzinfo=OUTLET_TZ)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"sections": "weather"}, "unknown section"),
        ({"limit": "0"}, "positive"),
        ({"since": "someday"}, "not a date"),
        ({"site": "aajeg.com"}, "http"),
        ({"urls": "/nonexistent"}, "cannot read"),
    ],
)
def test_bad_config_values(args: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config({}, args)


def test_a_urls_file_with_a_foreign_url_names_the_line(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{URL}\nhttps://example.com/x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        build_config({}, {"urls": str(urls)})


def test_retry_after_values() -> None:
    now = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120
    assert (
        retry_after_seconds(
            format_datetime(now + timedelta(seconds=30), usegmt=True), now.timestamp()
        )
        == 30
    )
    assert (
        retry_after_seconds(
            format_datetime(now - timedelta(seconds=30), usegmt=True), now.timestamp()
        )
        == 0
    )
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://0x7f000001:8080/rss", True),
        ("http://localhost/rss", True),
        ("http://[::ffff:10.0.0.1]/", True),
        ("http://93.184.216.34/rss", False),
    ],
)
def test_every_request_and_redirect_passes_the_address_guard(url: str, refused: bool) -> None:
    """Redirects are new requests through the same downloader middlewares, so this check is
    what a redirect to a private address meets."""
    import asyncio

    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest

    from crawler.middlewares.guard import PrivateAddressMiddleware

    guard = PrivateAddressMiddleware(get_crawler(), allow_private=False)
    if refused:
        with pytest.raises(IgnoreRequest, match="refused"):
            asyncio.run(guard.process_request(Request(url)))
    else:
        asyncio.run(guard.process_request(Request(url)))
    allowed = PrivateAddressMiddleware(get_crawler(), allow_private=True)
    asyncio.run(allowed.process_request(Request(url)))


def test_settings_follow_the_reliability_notes() -> None:
    from crawler import settings

    assert settings.ROBOTSTXT_OBEY and settings.AUTOTHROTTLE_ENABLED
    assert settings.CONCURRENT_REQUESTS_PER_DOMAIN == 1 and settings.DOWNLOAD_DELAY > 0
    assert settings.DOWNLOAD_TIMEOUT == 30 and settings.RETRY_TIMES == 2
    assert set(settings.RETRY_HTTP_CODES) == {500, 502, 503, 504, 522, 524, 408, 429}
    assert settings.DOWNLOAD_MAXSIZE == 10 * 2**20 and settings.DOWNLOAD_WARNSIZE == 2 * 2**20
    assert settings.NEWSMON_SITEMAP_MAXSIZE == 60 * 2**20
    assert settings.CLOSESPIDER_TIMEOUT > 0 and not settings.TELNETCONSOLE_ENABLED
    assert "newsmon/" in settings.USER_AGENT and "+http" in settings.USER_AGENT
    assert "Mozilla" not in settings.USER_AGENT
