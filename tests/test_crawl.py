"""The real ``scrapy crawl alaraby`` subprocess against the replica: discovery, robots obedience,
incremental crawls, layouts, faults. Politeness delays are turned down for tests only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import ROOT, ReplicaSite
from crawlproc import FAST

from crawler import crawlruns, crawlstate
from crawler.articles import iter_articles
from crawler.database import open_db
from crawler.text import clean
from monitor.replica import DataDir, Fault, Hit

DISALLOWED = "/preview/"


def scrapy_crawl(
    site: ReplicaSite | str,
    db: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    timeout: float = 120,
) -> dict[str, Any]:
    """Run ``scrapy crawl alaraby`` from the repository root; the crawl's final report."""
    url = site if isinstance(site, str) else site.url
    cmd = [sys.executable, "-m", "scrapy", "crawl", "alaraby", "-a", f"site={url}", *args]
    merged = {**FAST, "NEWSMON_DB": str(db), "NEWSMON_ALLOW_PRIVATE": "1", "NEWSMON_PROGRESS": "1"}
    merged.update(settings or {})
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=timeout, check=False)
    events = [
        json.loads(line) for line in proc.stdout.decode().splitlines() if line.startswith("{")
    ]
    done = [e for e in events if e["newsmon"] == "done"]
    assert done, proc.stderr.decode()[-3000:]
    return {**done[-1], "log": proc.stderr.decode()}


def expected_body(path: Path) -> tuple[str, ...]:
    snap = DataDir(path.parent.parent).snapshot()
    [article] = [a for a in snap.articles if a.file == path.name]
    return tuple(clean(b.text) for b in article.body if b.kind in ("p", "h"))


def article_paths(hits: list[Hit]) -> list[tuple[str, int]]:
    """(path, status) of the requests for article pages."""
    skip = ("/robots.txt", "/rss", "/sitemap", "/sitemaps/")
    sections = {
        "/politics",
        "/economy",
        "/society",
        "/opinion",
        "/culture",
        "/sport",
        "/medianews",
        "/blogs",
    }
    return [
        (h.path, h.status) for h in hits if not h.path.startswith(skip) and h.path not in sections
    ]


def stored(db: Path) -> dict[str, Any]:
    with_node = {}
    for s in iter_articles(open_db(db)):
        with_node[s.article.node_id] = s.article
    return with_node


def test_a_crawl_collects_every_article_as_the_site_shows_it(
    replica: ReplicaSite, db_path: Path
) -> None:
    report = scrapy_crawl(replica, db_path)
    assert report["status"] == "ok", report["log"][-2000:]
    hits = replica.hits()
    # robots.txt first, alone; every request names newsmon; nothing disallowed ever asked for.
    assert hits[0].path == "/robots.txt"
    assert all("newsmon/" in h.user_agent for h in hits)
    assert not [h for h in hits if h.path.startswith(DISALLOWED)]
    # Feeds, sitemaps (index, pages, gzip news sitemap) were all read.
    paths = {h.target for h in hits}
    assert {
        "/rss",
        "/rss/politics",
        "/sitemap.xml",
        "/sitemap.xml?page=1",
        "/sitemaps/news.xml.gz",
    } <= paths

    articles = stored(db_path)
    snap = DataDir(replica.data).snapshot()
    wanted = [a for a in snap.published if not a.path.startswith(DISALLOWED)]
    assert set(articles) == {a.node for a in wanted}
    assert report["new"] == len(wanted) and report["errors"] == 0
    for source in wanted:
        got = articles[source.node]
        assert got.url == "https://www.alaraby.co.uk" + quote(source.path, safe="/-")
        assert got.title == source.title
        assert got.published_at == source.published
        assert got.modified_at == source.modified
        assert got.authors == source.authors
        assert got.section == source.section
        assert (got.caption, got.credit) == (
            (source.image.caption, source.image.credit) if source.image else (None, None)
        )
        assert got.body == expected_body(replica.data / "articles" / source.file), source.file
        assert got.byline == (source.byline or None)
        assert got.tags == source.tags
    assert articles["12876004"].date_line == "13 إبريل/ نيسان 2023"
    assert articles["1231873"].date_line == "11 مايو 2020"
    summary = articles["13650841"].summary or ""
    assert summary.split("\n") == list(
        snap.by_path("/society/أمطار-غزيرة-تغرق-شوارع-في-الإسكندرية-وتعلق-الدراسة-يومين").summary
    )  # type: ignore[union-attr]
    # The crawl is recorded as a run.
    db = open_db(db_path)
    run = crawlruns.get_run(db, report["run"])
    assert run and run["status"] == "ok" and run["new"] == len(wanted) and run["finished_at"]


@pytest.mark.slow
def test_a_second_crawl_downloads_no_article_page_and_a_third_sees_new_and_edited(
    replica: ReplicaSite, db_path: Path
) -> None:
    first = scrapy_crawl(replica, db_path)
    assert first["status"] == "ok"
    replica.server.clear_hits()

    second = scrapy_crawl(replica, db_path)
    assert (second["status"], second["new"], second["changed"]) == ("ok", 0, 0)
    downloaded = [p for p, status in article_paths(replica.hits()) if status == 200]
    assert downloaded == []
    # Feeds and sitemap pages were asked for conditionally and had not changed; the sitemap
    # index is always fetched in full.
    by_target = {h.target: h.status for h in replica.hits()}
    assert by_target["/rss/politics"] == by_target["/sitemap.xml?page=1"] == 304
    assert by_target["/sitemap.xml"] == 200
    assert all(h.if_none_match for h in replica.hits() if h.status == 304)

    # Every feed changes (its channel text), no item does: nothing is fetched, nothing changes.
    replica.edit_site(description="وصف جديد للقناة")
    replica.server.clear_hits()
    again = scrapy_crawl(replica, db_path)
    assert (again["new"], again["changed"]) == (0, 0) and again["unchanged"] >= 8
    assert [p for p, status in article_paths(replica.hits()) if status == 200] == []

    replica.server.clear_hits()
    replica.edit_article("013", draft=False)  # published between two crawls
    replica.edit_article("007", title="لبنان: الحكومة تقر خطة طارئة للكهرباء")
    third = scrapy_crawl(replica, db_path)
    assert (third["new"], third["changed"]) == (1, 1)
    downloaded = sorted(p for p, status in article_paths(replica.hits()) if status == 200)
    assert downloaded == sorted(
        [
            "/politics/البرلمان-التونسي-يناقش-مشروع-قانون-المالية-الجديد",
            "/politics/لبنان-الحكومة-تقر-خطة-طارئة-لزيادة-ساعات-التغذية-الكهربائية",
        ]
    )
    articles = stored(db_path)
    assert articles["14405390"].title == "البرلمان التونسي يناقش مشروع قانون المالية الجديد"
    assert articles["14403960"].title == "لبنان: الحكومة تقر خطة طارئة للكهرباء"


def test_robots_holds_for_many_concurrent_first_requests(
    replica: ReplicaSite, db_path: Path, tmp_path: Path
) -> None:
    urls = tmp_path / "urls.txt"
    pages = [
        "/politics/آلية-تنسيق-عراقية-مع-قوات-التحالف-الدولي-لمواجهة-داعش",
        "/sport/المنتخب-المغربي-يستعد-لمباراتين-وديتين-في-سبتمبر",
        "/preview/politics/مسودة-داخلية-للاختبار",
        "/preview/one",
        "/preview/two",
        "/blogs/مقهى-على-ناصية-الكتاب",
    ]
    urls.write_text(
        "\n".join("https://www.alaraby.co.uk" + quote(p) for p in pages), encoding="utf-8"
    )
    report = scrapy_crawl(
        replica,
        db_path,
        "-a",
        f"urls={urls}",
        settings={"CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"},
    )
    requested = [h.path for h in replica.hits()]
    assert requested[0] == "/robots.txt"
    assert not [p for p in requested if p.startswith(DISALLOWED)]
    assert report["new"] == 3 and report["status"] == "ok"


def test_stock_scrapy_lets_the_third_concurrent_request_past_robots(replica: ReplicaSite) -> None:
    """Why the spider fetches robots.txt alone first: with Scrapy 2.19's middleware alone,
    concurrent first requests slip past robots.txt. If this starts failing, Scrapy fixed it."""
    paths = "/rss,/rss/politics,/preview/a,/preview/b,/preview/c"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "runspider",
            str(ROOT / "tests/tools/naive_robots_spider.py"),
            "-a",
            f"base={replica.url}",
            "-a",
            f"paths={paths}",
        ],
        cwd=ROOT / "tests",
        capture_output=True,
        timeout=60,
        check=True,
        # The project's settings apply (scrapy.cfg is found upwards): the replica is local.
        env={**os.environ, "NEWSMON_ALLOW_PRIVATE": "1", "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""},
    )
    assert [p for p in replica.paths() if p.startswith(DISALLOWED)]


def test_a_site_without_sitemap_is_crawled_through_feeds_and_listings(
    replica: ReplicaSite, db_path: Path
) -> None:
    replica.edit_site(sitemap=False, robots="User-agent: *\nDisallow: /preview/\n")
    report = scrapy_crawl(replica, db_path)
    assert report["status"] == "ok"
    paths = replica.paths()
    assert "/sitemap.xml" in paths and "/politics" in paths  # tried, then the listings
    snap = DataDir(replica.data).snapshot()
    assert set(stored(db_path)) == {
        a.node for a in snap.published if not a.path.startswith(DISALLOWED)
    }


def test_a_failing_feed_falls_back_to_its_listing(replica: ReplicaSite, db_path: Path) -> None:
    replica.edit_site(sitemap=False, faults=[{"path": "/rss/culture", "status": 500}])
    report = scrapy_crawl(replica, db_path, "-a", "sections=culture")
    assert report["status"] == "partial" and report["errors"] == 1
    assert "/culture" in replica.paths()
    assert "12876004" in stored(db_path)
    state = crawlstate.get_source(open_db(db_path), "https://www.alaraby.co.uk/rss/culture")
    assert state is not None and state.failures == 1 and state.status == 500


def test_retry_after_is_honoured(replica: ReplicaSite, db_path: Path) -> None:
    replica.server.add_fault(Fault("/rss/sport", status=503, retry_after="1", times=1))
    report = scrapy_crawl(replica, db_path, "-a", "sections=sport")
    assert report["status"] == "ok"
    feed = [h for h in replica.hits() if h.path == "/rss/sport"]
    assert [h.status for h in feed] == [503, 200]
    assert feed[1].at - feed[0].at >= 1.0


@pytest.mark.parametrize(
    ("fault", "settings"),
    [
        (Fault("/sport/*", status=500), {}),
        (Fault("/sport/*", delay=2.5), {"DOWNLOAD_TIMEOUT": "1"}),  # slower than the timeout
    ],
    ids=["error", "timeout"],
)
def test_a_page_that_cannot_be_fetched_keeps_the_feeds_record(
    replica: ReplicaSite, db_path: Path, fault: Fault, settings: dict[str, str]
) -> None:
    replica.server.add_fault(fault)
    report = scrapy_crawl(replica, db_path, "-a", "sections=sport", settings=settings)
    assert report["status"] == "partial" and report["errors"] == 1
    [article] = stored(db_path).values()
    assert "page_unavailable" in article.flags
    assert article.title == "المنتخب المغربي يستعد لمباراتين وديتين في سبتمبر"
    assert article.body and article.source_of("body") == "feed"
    state = crawlstate.get_page(open_db(db_path), article.url or "")
    assert state and state.failures == 1 and not state.ok  # fetched again next time


@pytest.mark.parametrize("robots", [404, 410])
def test_a_missing_robots_txt_allows_everything(
    replica: ReplicaSite, db_path: Path, robots: int
) -> None:
    replica.server.add_fault(Fault("/robots.txt", status=robots))
    report = scrapy_crawl(replica, db_path, "-a", "sections=culture")
    assert report["status"] == "ok" and report["new"] == 1


def test_unknown_layout_is_read_by_the_fallback_and_marked(
    replica: ReplicaSite, db_path: Path, tmp_path: Path
) -> None:
    replica.edit_site(layout="broken")
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "https://www.alaraby.co.uk"
        + quote("/culture/معرض-في-عمان-يستعيد-تجارب-رواد-الحروفية-العربية"),
        encoding="utf-8",
    )
    report = scrapy_crawl(replica, db_path, "-a", f"urls={urls}")
    assert report["new"] == 1
    [article] = stored(db_path).values()
    assert "layout_unknown" in article.flags and article.parser == "alaraby/fallback"
    assert article.source_of("body") == "fallback"
    assert article.body == expected_body(replica.article_file("006"))


@pytest.mark.slow
def test_limit_and_since(replica: ReplicaSite, db_path: Path, tmp_path: Path) -> None:
    report = scrapy_crawl(replica, db_path, "-a", "limit=2")
    assert len(article_paths(replica.hits())) == 2 and report["new"] == 2
    # A crawl cut short leaves no validators behind: the next one still sees every item.
    replica.server.clear_hits()
    rest = scrapy_crawl(replica, db_path)
    assert rest["new"] == 10 and 304 not in {
        h.status for h in replica.hits() if h.path.startswith("/rss")
    }
    other = tmp_path / "other.db"
    scrapy_crawl(replica, other, "-a", "since=2026-08-15")
    published = [a.published_at for a in stored(other).values()]
    assert len(published) == 4  # the fifth of that day is under /preview/
    assert all(p and p >= datetime.fromisoformat("2026-08-15T00:00:00+03:00") for p in published)


def test_robots_failing_stops_the_crawl(replica: ReplicaSite, db_path: Path) -> None:
    replica.server.add_fault(Fault("/robots.txt", status=503))
    report = scrapy_crawl(replica, db_path)
    assert report["status"] == "failed" and "robots.txt answered 503" in report["message"]
    assert set(replica.paths()) == {"/robots.txt"}


@pytest.mark.parametrize("site", ["http://127.0.0.1:{port}", "http://2130706433:{port}"])
def test_loopback_is_refused_without_permission(
    replica: ReplicaSite, db_path: Path, site: str
) -> None:
    port = replica.url.rsplit(":", 1)[1]
    report = scrapy_crawl(site.format(port=port), db_path, settings={"NEWSMON_ALLOW_PRIVATE": "0"})
    assert report["status"] == "failed" and "loopback" in report["message"]
    assert replica.hits() == []


def test_robots_crawl_delay_spaces_the_requests(
    replica: ReplicaSite, db_path: Path, tmp_path: Path
) -> None:
    replica.edit_site(robots="User-agent: *\nCrawl-delay: 1\nDisallow: /preview/\n")
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "\n".join(
            "https://www.alaraby.co.uk" + quote(p)
            for p in (
                "/blogs/مقهى-على-ناصية-الكتاب",
                "/sport/المنتخب-المغربي-يستعد-لمباراتين-وديتين-في-سبتمبر",
            )
        ),
        encoding="utf-8",
    )
    report = scrapy_crawl(replica, db_path, "-a", f"urls={urls}")
    assert report["new"] == 2
    pages = sorted(h.arrived for h in replica.hits() if h.path != "/robots.txt")
    # The crawler spaces request starts by 1 s. Compared: when the requests reached the replica
    # (not when it answered them: a first page rendered from cold caches is answered later),
    # which scheduling on a loaded machine can still shift by a few milliseconds either way.
    assert len(pages) == 2 and pages[1] - pages[0] >= 0.95


@pytest.mark.slow
def test_the_wall_clock_cap_stops_a_slow_crawl(replica: ReplicaSite, db_path: Path) -> None:
    replica.edit_site(faults=[{"path": "/rss*", "delay": 3}])
    report = scrapy_crawl(
        replica, db_path, "-a", "sections=culture", settings={"CLOSESPIDER_TIMEOUT": "1"}
    )
    assert report["reason"] == "closespider_timeout"
    assert report["status"] in ("partial", "failed") and "time limit" in report["message"]
    assert report["new"] == 0
