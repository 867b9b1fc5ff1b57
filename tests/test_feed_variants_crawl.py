"""The real ``scrapy crawl`` against a feed, a sitemap and a robots.txt in shapes the replica does
not serve: a BOM and a wrong encoding declaration, HTML and entities in the items, other guid
and link forms, a GMT date and an unreadable one, an off-site item, a cut; a sitemap named by a
relative ``SITEMAP :`` line, with an image extension; an HTML error page at a feed URL. Each
problem is logged once, nothing off the outlet or cut short is fetched, the rest is stored."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from crawlproc import crawl
from faultserver import HTML, TEXT, FaultServer, page
from tables import DATA

from crawler.articles import iter_articles
from crawler.database import open_db
from crawler.dates import OUTLET_TZ
from crawler.items import Article

GOLDEN = DATA / "golden"
FEED_PATH = "/rss/politics"
A_PATH = "/politics/الأردن-يرفع-أسعار-المحروقات"  # feed body, relative link, plain guid
B_PATH = "/politics/غزة-شهيد-وجرحى"  # mirror link, empty body: the page gives it
CUT_PATH = "/politics/خبر-مقطوع"  # the item the cut goes through
SITEMAP_PATH = "/politics/آلية-تنسيق-عراقية"  # only in the sitemap
IMAGE_PATH = "/sites/default/files/iraq.jpg"  # the sitemap's image:loc: never a page


def q(path: str) -> str:
    return quote(path, safe="/-")


FEED = f"""\ufeff
<?xml version="1.0" encoding="windows-1256"?>
<rss version="2.0" xml:base="https://www.alaraby.co.uk" xmlns:media="http://search.yahoo.com/mrss/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>العربي الجديد</title><link>https://www.alaraby.co.uk</link>
<item>
  <guid isPermaLink="false">14402117</guid>
  <link>{q(A_PATH)}</link>
  <title><![CDATA[الأردن يرفع &quot;أسعار&quot; المحروقات]]></title>
  <media:content url="/sites/default/files/jordan.jpg"><media:description type="html">
    &lt;p&gt;محطة وقود في عمّان&amp;nbsp;(خليل مزرعاوي/ فرانس برس)&lt;/p&gt;
  </media:description></media:content>
  <content:encoded><![CDATA[<p>رفعت الحكومة <strong>أسعار</strong> المحروقات.</p>
    <p>وقال&amp;nbsp;وزير الطاقة إن القرار مؤقت.</p>]]></content:encoded>
  <dc:creator>ريم الخطيب و سامر عودة</dc:creator>
  <pubDate>Fri, 14 Aug 2026 16:20:00 GMT</pubDate>
</item>
<item>
  <guid isPermaLink="false">14405285ab-cd-14405285-ef-gh-14405285</guid>
  <link>https://aajeg.com{q(B_PATH)}/?utm_source=rss#x</link>
  <title>غزة: شهيد وجرحى</title>
  <content:encoded><![CDATA[]]></content:encoded>
  <pubDate>soon</pubDate>
</item>
<item>
  <link>https://www.example.com/politics/%D8%AE%D8%A8%D8%B1</link>
  <title>خبر من موقع آخر</title>
</item>
<item>
  <link>https://www.alaraby.co.uk{q(CUT_PATH)}</link>
  <title>خبر مقطوع</title>
  <content:encoded><![CDATA[فقرة لم""".encode()

SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <image:image><image:loc>https://www.alaraby.co.uk{IMAGE_PATH}</image:loc><image:title>صورة</image:title></image:image>
    <loc>
      https://aajsa.com{q(SITEMAP_PATH)}
    </loc>
    <lastmod>2020-05-11T10:40:00Z</lastmod>
  </url>
  <url><loc>https://www.example.com/politics/x</loc></url>
</urlset>""".encode()

ROBOTS = b"User-agent: *\nDisallow: /preview/\nSITEMAP : /sitemaps/news.xml.gz\n"
ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>خطأ مؤقت</title></head>"
    "<body><h1>Service unavailable</h1></body></html>"
).encode()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("variants") / "archive.db"
    with FaultServer(lifetime=120) as server:
        server.route("/robots.txt", page(ROBOTS, TEXT))
        server.route(FEED_PATH, page(FEED, "application/rss+xml; charset=windows-1256"))
        server.route("/rss/economy", page(ERROR_PAGE, HTML))  # an error page, status 200
        server.route("/sitemaps/news.xml.gz", page(gzip.compress(SITEMAP), "application/x-gzip"))
        server.route(
            q(A_PATH), page((GOLDEN / "v2024/jordan-two-authors-related.html").read_bytes())
        )
        server.route(q(B_PATH), page((GOLDEN / "v2024/gaza-feed-item.html").read_bytes()))
        server.route(
            q(SITEMAP_PATH), page((GOLDEN / "v2020/iraq-coalition-sample.html").read_bytes())
        )
        server.route(q(CUT_PATH), page(b"<html><body>cut</body></html>", HTML))
        server.route(IMAGE_PATH, page(b"\xff\xd8\xff", "image/jpeg"))
        result = crawl(server.url, db, "-a", "sections=politics,economy", timeout=90)
        yield result, db, server.paths()


def stored(db: Path) -> dict[str | None, Article]:
    return {s.article.node_id: s.article for s in iter_articles(open_db(db))}


def test_feed_items_are_stored_clean(run: Any) -> None:
    _result, db, _paths = run
    articles = stored(db)
    a = articles["14402117"]
    assert a.title == 'الأردن يرفع "أسعار" المحروقات'
    assert a.url == "https://www.alaraby.co.uk" + q(A_PATH)
    assert a.body[:2] == ("رفعت الحكومة أسعار المحروقات.", "وقال وزير الطاقة إن القرار مؤقت.")
    assert a.authors == ("ريم الخطيب", "سامر عودة")
    assert a.caption == "محطة وقود في عمّان" and a.credit == "خليل مزرعاوي/ فرانس برس"
    assert a.image_url == "https://www.alaraby.co.uk/sites/default/files/jordan.jpg"
    assert a.published_at == datetime(2026, 8, 14, 19, 20, tzinfo=OUTLET_TZ)
    assert str(a.published_at.utcoffset()) == "3:00:00"
    # The item with an empty body and an unreadable date: both come from its page.
    b = articles["14405285"]
    assert b.url == "https://www.alaraby.co.uk" + q(B_PATH)
    assert len(b.body) > 5 and b.source_of("body") != "feed"
    assert b.published_at == datetime(2026, 8, 15, 21, 56, 19, tzinfo=OUTLET_TZ)


def test_the_sitemap_named_by_robots_is_read(run: Any) -> None:
    _result, db, paths = run
    assert "/sitemaps/news.xml.gz" in paths
    iraq = stored(db)["1231873"]
    # Stored under the page's own canonical URL too; the mirror's URL became the outlet's.
    assert "https://www.alaraby.co.uk" + q(SITEMAP_PATH) in iraq.all_urls


def test_nothing_cut_off_site_or_not_a_page_is_fetched_or_stored(run: Any) -> None:
    result, db, paths = run
    assert q(CUT_PATH) not in paths and IMAGE_PATH not in paths
    assert sorted(stored(db)) == ["1231873", "14402117", "14405285"]
    assert result["status"] in ("ok", "partial")


def test_each_problem_is_one_plain_warning(run: Any) -> None:
    result, _db, _paths = run
    log: str = result.log
    feed = "https://www.alaraby.co.uk/rss/politics"
    for problem in (
        f"feed {feed}: the feed was cut short: the 3 complete items before the cut were read",
        f"feed {feed}: 1 item linking off the outlet (www.example.com) skipped",
        f"feed {feed}: 1 item with a date that could not be read (e.g. 'soon') kept without one",
        "sitemap https://www.alaraby.co.uk/sitemaps/news.xml.gz: 1 entry off the outlet skipped",
        "feed https://www.alaraby.co.uk/rss/economy failed (1 in a row): not a feed: "
        "the server sent an HTML page (titled 'خطأ مؤقت')",
    ):
        assert log.count(problem) == 1, problem
    assert "Traceback" not in log
    assert [line for line in log.splitlines() if "ERROR" in line] == []
