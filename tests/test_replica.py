"""The replica outlet: the real feed's exact format, sitemaps, robots, conditional requests,
faults, layouts on demand, live edits, and a server that stops by itself."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import DATA, REPLICA_DATA, ROOT, ReplicaSite

from crawler.parsers.alaraby import parse_page
from crawler.parsers.feed import parse_feed
from crawler.parsers.sitemap import parse_sitemap
from monitor.replica import DataDir, Fault, Replica
from monitor.replica import feeds as replica_feeds
from monitor.replica import pages as replica_pages

SAMPLE = (DATA / "rss-politics-sample.xml").read_text(encoding="utf-8")
REAL_NODE = "14405285"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def path_url(site: ReplicaSite, path: str) -> str:
    return site.url + quote(path, safe="/?=&")


def test_a_feed_of_the_real_item_is_the_real_feed_byte_for_byte(tmp_path: Path) -> None:
    data = tmp_path / "only-real"
    (data / "articles").mkdir(parents=True)
    shutil.copy(REPLICA_DATA / "site.toml", data)
    shutil.copy(next((REPLICA_DATA / "articles").glob("002-*.toml")), data / "articles")
    with Replica(data, lifetime=60) as server:
        status, headers, body = get(server.url + "/rss/politics")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    assert body.decode("utf-8") == SAMPLE


def test_every_feed_item_has_the_real_items_shape(replica: ReplicaSite) -> None:
    _, _, body = get(replica.url + "/rss")
    text = body.decode("utf-8")
    assert text.startswith(SAMPLE[: SAMPLE.index("<atom:link")])
    for needle in (
        '<guid isPermaLink="false">',
        "<title><![CDATA[",
        "<content:encoded>\n",
        "<dc:creator>",
    ):
        assert text.count(needle) == 8  # full_feed_items
    items = parse_feed(body)
    assert [i.article.node_id for i in items] == [
        i.guid.split("ab-cd-")[0] for i in items if i.guid
    ]
    assert all(i.article.published_at and i.article.published_at.utcoffset() for i in items)
    # Items with an image carry media:content, media:credit " Free / " and the second CDATA.
    assert text.count("<![CDATA[ Free / ]]>") == text.count("<media:content") > 0
    assert text.count("<![CDATA[<div><img src=") == text.count("<media:content")


def test_section_feeds_hold_only_their_section(replica: ReplicaSite) -> None:
    _, _, body = get(replica.url + "/rss/economy")
    items = parse_feed(body, section="economy")  # a root-level URL names no section
    assert items and {i.article.section for i in items} == {"economy"}
    assert get(replica.url + "/rss/nosuchsection")[0] == 404


def test_page_and_feed_give_the_same_body_for_every_article() -> None:
    """The replica writes feed text the way the CMS does; the crawler's cleaning must turn the
    page and the feed item into the same paragraphs, or every crawl would see an edit."""
    snap = DataDir(REPLICA_DATA).snapshot()
    head = SAMPLE[: SAMPLE.index("      \n              <item>")]
    for article in snap.articles:
        xml = head + replica_feeds.rss_item(article, snap.site.canonical) + "</channel></rss>"
        [item] = parse_feed(xml)
        page = parse_page(replica_pages.article_page(article, snap, "http://127.0.0.1:9"))
        assert page.body == item.article.body, article.file
        assert page.title == item.article.title, article.file
        assert page.node_id == item.article.node_id == article.node, article.file
        assert (page.caption, page.credit) == (item.article.caption, item.article.credit)
        assert page.authors == item.article.authors, article.file


def test_robots_and_sitemaps(replica: ReplicaSite) -> None:
    status, _, robots = get(replica.url + "/robots.txt")
    assert status == 200
    assert b"Disallow: /preview/" in robots
    assert b"Sitemap: https://www.alaraby.co.uk/sitemap.xml" in robots
    index = parse_sitemap(get(replica.url + "/sitemap.xml")[2])
    assert index.kind == "index"
    locs = [e.loc for e in index.entries]
    assert locs[0] == "https://www.alaraby.co.uk/sitemap.xml?page=1"
    assert locs[-1] == "https://www.alaraby.co.uk/sitemaps/news.xml.gz"
    page = parse_sitemap(get(replica.url + "/sitemap.xml?page=1")[2])
    assert page.kind == "urlset" and all(e.lastmod for e in page.entries)
    _, _headers, news = get(replica.url + "/sitemaps/news.xml.gz")
    assert news[:2] == b"\x1f\x8b" and b"news:publication_date" in gzip.decompress(news)
    assert all(e.published_at and e.title for e in parse_sitemap(news).entries)
    assert get(replica.url + "/sitemap.xml?page=99")[0] == 404


def test_listing_pages_and_their_pager(replica: ReplicaSite) -> None:
    status, _, first = get(replica.url + "/politics")
    assert status == 200 and b"bs-2col" in first and b'rel="next"' in first
    status, _, second = get(replica.url + "/politics?page=1")
    assert status == 200 and b'rel="next"' not in second
    assert get(replica.url + "/politics?page=9")[0] == 404


def test_conditional_requests_get_304(replica: ReplicaSite) -> None:
    status, headers, _body = get(replica.url + "/rss/politics")
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert get(replica.url + "/rss/politics", {"If-None-Match": headers["ETag"]})[0] == 304
    assert (
        get(replica.url + "/rss/politics", {"If-Modified-Since": headers["Last-Modified"]})[0]
        == 304
    )
    assert get(replica.url + "/rss/politics", {"If-None-Match": '"other"'})[0] == 200
    old = "Sat, 01 Jan 2000 00:00:00 GMT"
    assert get(replica.url + "/rss/politics", {"If-Modified-Since": old})[0] == 200


def test_live_edits_publish_a_draft_and_change_a_headline(replica: ReplicaSite) -> None:
    draft = "/politics/البرلمان-التونسي-يناقش-مشروع-قانون-المالية-الجديد"
    _, headers, _ = get(path_url(replica, "/rss/politics"))
    assert get(path_url(replica, draft))[0] == 404
    replica.edit_article("013", draft=False)
    assert get(path_url(replica, draft))[0] == 200
    status, _, body = get(path_url(replica, "/rss/politics"), {"If-None-Match": headers["ETag"]})
    assert status == 200 and "البرلمان التونسي".encode() in body
    replica.edit_article("007", title="عنوان معدل")
    _, _, page = get(path_url(replica, "/rss"))
    assert "عنوان معدل".encode() in page


def test_layouts_on_demand(replica: ReplicaSite) -> None:
    path = "/politics/آلية-تنسيق-عراقية-مع-قوات-التحالف-الدولي-لمواجهة-داعش"
    assert parse_page(get(path_url(replica, path))[2]).parser == "alaraby/v2020"
    replica.edit_site(layout="v2024")
    assert parse_page(get(path_url(replica, path))[2]).parser == "alaraby/v2024"
    replica.edit_site(layout="broken")
    broken = parse_page(get(path_url(replica, path))[2])
    assert broken.parser == "alaraby/fallback" and "layout_unknown" in broken.flags


def test_faults_errors_retry_after_and_slow_answers(replica: ReplicaSite) -> None:
    replica.server.add_fault(Fault("/rss/economy", status=503, retry_after="7", times=1))
    status, headers, _ = get(replica.url + "/rss/economy")
    assert status == 503 and headers["Retry-After"] == "7"
    assert get(replica.url + "/rss/economy")[0] == 200  # times=1: once only
    replica.edit_site(faults=[{"path": "/rss/*", "status": 500}])
    assert get(replica.url + "/rss/sport")[0] == 500
    replica.edit_site(faults=[{"path": "/robots.txt", "delay": 0.3}])
    started = time.monotonic()
    assert get(replica.url + "/robots.txt")[0] == 200
    assert time.monotonic() - started >= 0.3


def test_every_request_is_logged(replica: ReplicaSite) -> None:
    get(path_url(replica, "/politics/شيء"), {"User-Agent": "probe/1"})
    hit = replica.hits()[-1]
    assert (hit.path, hit.status, hit.user_agent) == ("/politics/شيء", 404, "probe/1")


def test_a_broken_data_file_keeps_the_last_good_version(replica: ReplicaSite) -> None:
    assert get(replica.url + "/rss")[0] == 200
    replica.article_file("009").write_text("title = [unclosed", encoding="utf-8")
    assert get(replica.url + "/rss")[0] == 200


def test_the_server_stops_by_itself(tmp_path: Path) -> None:
    server = Replica(REPLICA_DATA, lifetime=0.5).start()
    assert get(server.url + "/robots.txt")[0] == 200
    assert server.wait(10)
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/robots.txt", timeout=2)


def test_the_module_entry_prints_its_url_and_stops_after_its_lifetime() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor.replica", "--port", "0", "--lifetime", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert get(url + "/rss/politics")[0] == 200
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_module_entry_stops_when_its_parent_exits(tmp_path: Path) -> None:
    """The parent starts the replica and exits at once; the replica notices and stops."""
    script = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'monitor.replica', '--lifetime', '120'],"
        " stdout=subprocess.PIPE, text=True)\n"
        "print(p.pid, p.stdout.readline().strip(), flush=True)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    ).stdout.split()
    pid, url = int(out[0]), out[1]
    for _ in range(100):  # at most 10 s
        try:
            urllib.request.urlopen(url + "/robots.txt", timeout=1)
        except OSError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the replica (pid {pid}) outlived its parent")
