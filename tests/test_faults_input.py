"""Hostile and broken input, met by the real crawl and the real match step (RELIABILITY.md rows
6, 10, 11 and 12): billion laughs and XXE in feeds and sitemaps (with a canary file and a canary
port that must never be read), a sitemap of a million URLs and a gzip bomb of one; pages in
windows-1256 or with a wrong charset; pathological HTML; a changed page layout.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from crawlproc import CrawlRun, article_url, crawl, urls_file
from faultserver import XML, Bombs, FaultServer, Listener, gzip_file, page, status
from linkfarm import article, path_of

from crawler import crawlstate
from crawler.articles import iter_articles
from crawler.database import open_db
from crawler.text import clean
from monitor.config import Config
from monitor.health import current_problems
from monitor.matching import MAX_MENTIONS
from monitor.runner import match_step
from monitor.store import open_monitor_db
from monitor.watches import add_watch
from monitor.watchlist import Term, Watch

TOTAL = 100
CANONICAL = "https://www.alaraby.co.uk"
SITEMAP_MAX_URLS = 50_000  # the production NEWSMON_SITEMAP_MAX_URLS
SITEMAP_MAXSIZE = 60 * 2**20


def dump(db: Path) -> str:
    """Every value in the archive, as text."""
    with sqlite3.connect(db) as conn:
        return "\n".join(conn.iterdump())


def by_url(db: Path) -> dict[str, Any]:
    return {s.article.url: s for s in iter_articles(open_db(db))}


# Row 6 -----------------------------------------------------------------------------------------

LAUGHS = '<!ENTITY a "ههههههههه">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
)
RSS = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
    "<title>t</title>{items}</channel></rss>"
)


def rss_item(title: str, path: str) -> str:
    return (
        f"<item><title>{title}</title><link>{CANONICAL}{path}</link><description>d</description>"
        f"<content:encoded><![CDATA[فقرة {title}]]></content:encoded>"
        "<pubDate>Sat, 15 Aug 2026 10:00:00 +0300</pubDate></item>"
    )


ROBOTS = "User-agent: *\nDisallow: /politics/million-\nSitemap: {canonical}/sitemap.xml\n"


def urlset(locs: list[str], head: str = "", extra: str = "") -> bytes:
    rows = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:xi="http://www.w3.org/2001/XInclude">{rows}{extra}</urlset>'
    ).encode()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with hostile_crawl(tmp_path_factory.mktemp("hostile")) as found:
        yield found


@contextmanager
def hostile_crawl(tmp: Path) -> Iterator[dict[str, Any]]:
    """The crawl of hostile feeds and sitemaps, with its servers still up."""
    db = tmp / "archive.db"
    secret = tmp / "secret.txt"
    secret.write_text("CANARY-FILE-51d7e2", encoding="utf-8")
    with FaultServer(lifetime=240) as server, Listener(lifetime=240) as canary:
        entities = (
            f'{LAUGHS}<!ENTITY f SYSTEM "{secret.as_uri()}">'
            f'<!ENTITY u SYSTEM "{canary.url}/entity">'
            f'<!ENTITY % p SYSTEM "{canary.url}/parameter">%p;'
        )
        laughing_feed = f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]>' + RSS.format(
            items=rss_item("&j; &f; &u;", path_of(40))
        )
        # Only external entities, no DTD tricks: the items survive, the entities stay empty.
        xxe_feed = (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY f SYSTEM "{secret.as_uri()}">'
            f'<!ENTITY u SYSTEM "{canary.url}/entity2">]>'
            + RSS.format(items=rss_item("خبر &f; و&u; مهم", path_of(41)))
        )
        index = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            'sitemap/0.9">'
            + "".join(
                f"<sitemap><loc>{CANONICAL}{p}</loc></sitemap>"
                for p in (
                    "/sitemap.xml?page=1",
                    "/sitemaps/laughs.xml",
                    "/sitemaps/million.xml.gz",
                    "/sitemaps/bomb.xml.gz",
                )
            )
            + f"<sitemap><loc>{canary.url}/sitemap.xml</loc></sitemap></sitemapindex>"
        )
        xxe_sitemap = urlset(
            [
                CANONICAL + path_of(42),
                "&f;",
                f"{canary.url}/politics/x",
                f"http://2130706433:{canary.port}/politics/x",
                f"http://[::ffff:127.0.0.1]:{canary.port}/politics/x",
                "http://169.254.169.254/latest/meta-data/",
            ],
            head=(
                f'<!DOCTYPE urlset SYSTEM "{canary.url}/dtd" [<!ENTITY f SYSTEM '
                f'"{secret.as_uri()}">]>'
            ),
            extra=f'<xi:include href="{canary.url}/xinclude"/>'
            f'<xi:include href="{secret.as_uri()}" parse="text"/>',
        )
        laughs_sitemap = urlset(["&j;"], head=f"<!DOCTYPE urlset [{LAUGHS}]>")
        million = gzip_file(urlset([f"{CANONICAL}/politics/million-{i}" for i in range(1_000_000)]))
        routes = {
            "/robots.txt": page(ROBOTS.format(canonical=CANONICAL).encode(), "text/plain"),
            "/rss/politics": page(laughing_feed.encode(), "application/rss+xml"),
            "/rss/economy": page(xxe_feed.encode(), "application/rss+xml"),
            "/sitemap.xml": lambda h: page(
                xxe_sitemap if "page=1" in h.path else index.encode(), XML
            )(h),
            "/sitemaps/laughs.xml": page(laughs_sitemap, XML),
            "/sitemaps/million.xml.gz": page(million, "application/x-gzip"),
            "/sitemaps/bomb.xml.gz": page(Bombs(256 * 2**20).get("gzip"), "application/x-gzip"),
            **{path_of(n): page(article(n, TOTAL)) for n in (40, 41, 42)},
            "/politics": status(404),
            "/economy": status(404),
        }
        for path, behaviour in routes.items():
            server.route(path, behaviour)
        run = crawl(
            server.url,
            db,
            "-a",
            "sections=politics,economy",
            settings={"NEWSMON_SEED_ARTICLES": "0"},
            sample_every=0.1,
            timeout=180,
        )
        yield {"run": run, "db": db, "server": server, "canary": canary, "secret": secret}


def test_no_entity_expands_and_no_canary_is_read_or_fetched(hostile: dict[str, Any]) -> None:
    run: CrawlRun = hostile["run"]
    assert run["status"] == "partial", run.log[-3000:]
    assert hostile["canary"].connections == 0 and hostile["canary"].received == []
    text = dump(hostile["db"])
    assert "CANARY" not in text
    assert "ه" * 100 not in text  # no laughter expanded
    assert all(len(s.article.title) < 200 for s in iter_articles(open_db(hostile["db"])))


def test_xxe_items_and_entries_survive_without_their_entities(hostile: dict[str, Any]) -> None:
    stored = by_url(hostile["db"])
    # The economy feed's item (entities left empty) and the sitemap's own URL were crawled.
    assert article_url(path_of(41)) in stored and article_url(path_of(42)) in stored
    assert {p for p in hostile["server"].paths() if p.startswith("/politics/farm-")} >= {
        path_of(41),
        path_of(42),
    }


def test_a_feed_that_yields_nothing_raises_the_coverage_alarm(hostile: dict[str, Any]) -> None:
    db = open_db(hostile["db"])
    feed = crawlstate.get_source(db, f"{CANONICAL}/rss/politics")
    assert feed is not None and feed.items == 0 and feed.status == 200
    keys = {p.key for p in current_problems(db, Config(), datetime.now(UTC))}
    assert f"empty:{CANONICAL}/rss/politics" in keys
    assert f"empty:{CANONICAL}/rss/economy" not in keys


def test_a_million_url_sitemap_is_read_up_to_the_cap(hostile: dict[str, Any]) -> None:
    source = crawlstate.get_source(open_db(hostile["db"]), f"{CANONICAL}/sitemaps/million.xml.gz")
    assert source is not None and source.items == SITEMAP_MAX_URLS
    assert not [p for p in hostile["server"].paths() if p.startswith("/politics/million-")]
    run: CrawlRun = hostile["run"]
    assert run.peak_rss < 400 * 2**20, run.peak_rss  # the whole file parsed at once: ~+500 MB


def test_a_gzip_bomb_sitemap_stops_at_the_cap(hostile: dict[str, Any]) -> None:
    source = crawlstate.get_source(open_db(hostile["db"]), f"{CANONICAL}/sitemaps/bomb.xml.gz")
    assert source is not None and source.failures == 1
    assert source.last_error == f"sitemap larger than {SITEMAP_MAXSIZE} bytes once decompressed"


# Rows 10 and 11: pages, then the match step -----------------------------------------------------

LEAD = "أعلنت وزارة الصحة الفلسطينية حصيلة جديدة للضحايا"
SCRIPT_TERM = "داعش"


def lead(n: int) -> str:
    """Page n's first paragraph (its own: a paragraph many pages share is boilerplate, which
    the match step skips)."""
    return f"{LEAD} في تقرير رقم {n}"


def with_lead(n: int, **kwargs: str) -> str:
    return article(n, TOTAL, lead=lead(n), **kwargs).decode("utf-8")


def cp1256(text: str, meta: str | None) -> bytes:
    """The page in windows-1256, its <meta charset> replaced (or removed)."""
    tag = f'<meta charset="{meta}">' if meta else ""
    return text.replace('<meta charset="utf-8">', tag).encode("cp1256")


def charset_pages() -> dict[int, tuple[bytes, str]]:
    """n → (body, Content-Type): windows-1256 declared or not, and declarations that lie."""
    t = {n: with_lead(n) for n in range(20, 28)}
    stray = t[26].encode().replace(LEAD.encode(), LEAD.encode() + b"\xff", 1)
    return {
        20: (cp1256(t[20], "windows-1256"), "text/html; charset=windows-1256"),
        21: (cp1256(t[21], "windows-1256"), "text/html"),
        22: (cp1256(t[22], None), "text/html"),
        23: (t[23].encode(), "text/html; charset=windows-1256"),  # UTF-8 sent as 1256
        24: (cp1256(t[24], "utf-8"), "text/html; charset=utf-8"),  # 1256 sent as UTF-8
        25: (b"\xef\xbb\xbf" + t[25].encode(), "text/html; charset=windows-1256"),  # BOM wins
        26: (stray, "text/html; charset=utf-8"),  # UTF-8 with one broken byte
        27: (cp1256(t[27], "iso-8859-1"), "text/html; charset=iso-8859-1"),  # 1256 as Latin-1
    }


def pathological_pages() -> dict[int, bytes]:
    deep = "<div>" * 10_000 + "عمق" + "</div>" * 10_000
    huge = "<p>" + "كلمة " * (1024 * 1024) + "</p>"  # a 5 MB text node, one word repeated
    nul = with_lead(32).replace("</p>", "\x00</p>").replace(" ", " \x00", 40)
    broken = with_lead(33).replace("</p>", "<p><b><i></div></span><<>> </td>", 3)
    script = with_lead(34).replace(
        "</h1>",
        f"</h1><script>var watched = '{SCRIPT_TERM}';</script><style>/* {SCRIPT_TERM} */</style>"
        f"<noscript>{SCRIPT_TERM}</noscript>",
    )
    return {
        30: with_lead(30, before_body=deep).encode(),
        31: with_lead(31).replace(f"<p>{lead(31)}</p>", f"<p>{lead(31)}</p>{huge}").encode(),
        32: nul.encode(),
        33: broken.encode(),
        34: script.encode(),
    }


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("pages")
    db = tmp / "archive.db"
    monitor_db = open_monitor_db(db)  # watches first: they match versions stored after them
    add_watch(monitor_db, Watch("health ministry", (Term("وزارة الصحة"),)))
    add_watch(monitor_db, Watch("script word", (Term(SCRIPT_TERM),)))
    add_watch(monitor_db, Watch("repeated word", (Term("كلمة"),)))
    monitor_db.conn.close()
    with FaultServer(lifetime=240) as server:
        for n, (body, content_type) in charset_pages().items():
            server.route(path_of(n), page(body, content_type))
        for n, body in pathological_pages().items():
            server.route(path_of(n), page(body))
        paths = [path_of(n) for n in (*charset_pages(), *pathological_pages())]
        urls = urls_file(tmp, *paths)
        run = crawl(server.url, db, "-a", f"urls={urls}", sample_every=0.1, timeout=240)
    step = match_step(open_monitor_db(db), [])
    yield {"run": run, "db": db, "step": step}


def matches_of(db: Path, n: int) -> list[tuple[str, str]]:
    rows = open_monitor_db(db).execute(
        "SELECT w.name, m.field FROM matches m JOIN watches w ON w.id = m.watch_id"
        " JOIN articles a ON a.id = m.article_id WHERE a.url = ?",
        [article_url(path_of(n))],
    )
    return [(watch, field) for watch, field in rows.fetchall()]


def expected(n: int) -> tuple[str, tuple[str, ...]]:
    """Title and body of page n as its UTF-8 original reads."""
    from crawler.parsers.alaraby import parse_page

    original = parse_page(with_lead(n).encode(), article_url(path_of(n)))
    return original.title, original.body


def test_every_page_was_stored(pages: dict[str, Any]) -> None:
    run: CrawlRun = pages["run"]
    assert run["status"] == "ok" and run["errors"] == 0, run.log[-3000:]
    assert run["new"] == len(charset_pages()) + len(pathological_pages())


@pytest.mark.parametrize("n", sorted(charset_pages()))
def test_arabic_is_read_right_whatever_the_charset_says(pages: dict[str, Any], n: int) -> None:
    got = by_url(pages["db"])[article_url(path_of(n))].article
    title, body = expected(n)
    if n == 26:  # one broken byte: one replacement character, and the page says so
        assert got.title == title and "encoding_errors" in got.flags
        assert got.body[0] == clean(lead(26).replace(LEAD, LEAD + "\ufffd"))
        assert got.body[1:] == body[1:]
    else:
        assert (got.title, got.body) == (title, body)
        assert "encoding_errors" not in got.flags
    # The matcher saw Arabic, not mojibake: the lead's words matched.
    assert ("health ministry", "body") in matches_of(pages["db"], n)


def test_deep_nesting_does_not_lose_the_article(pages: dict[str, Any]) -> None:
    got = by_url(pages["db"])[article_url(path_of(30))].article
    assert got.body == expected(30)[1] and got.parser == "alaraby/v2024"


def test_a_5_mb_text_node_is_stored_and_matched_within_bounds(pages: dict[str, Any]) -> None:
    got = by_url(pages["db"])[article_url(path_of(31))].article
    assert len(got.body[1]) > 5_000_000 and got.body[0] == lead(31)
    repeated = [m for m in matches_of(pages["db"], 31) if m[0] == "repeated word"]
    assert len(repeated) == MAX_MENTIONS  # a million mentions, the first fifty recorded


def test_nul_bytes_and_broken_tags_are_read(pages: dict[str, Any]) -> None:
    stored = by_url(pages["db"])
    nul = stored[article_url(path_of(32))].article
    assert nul.title == expected(32)[0] and "\x00" not in "".join(nul.body)
    assert [re.sub(r"\s+", " ", p) for p in nul.body] == list(expected(32)[1])
    broken = stored[article_url(path_of(33))].article
    assert broken.title == expected(33)[0] and broken.body[0] == lead(33)


def test_a_watched_word_in_a_script_never_matches(pages: dict[str, Any]) -> None:
    got = by_url(pages["db"])[article_url(path_of(34))].article
    assert SCRIPT_TERM not in got.title + "".join(got.body) + (got.summary or "")
    assert [m for m in matches_of(pages["db"], 34) if m[0] == "script word"] == []
    assert ("health ministry", "body") in matches_of(pages["db"], 34)


def test_memory_stays_bounded_on_pathological_pages(pages: dict[str, Any]) -> None:
    run: CrawlRun = pages["run"]
    assert run.peak_rss < 600 * 2**20, run.peak_rss


# Row 12 ----------------------------------------------------------------------------------------


def test_a_changed_layout_is_read_by_the_fallback_and_raises_the_extraction_alarm(
    replica: Any, db_path: Path
) -> None:
    replica.edit_site(layout="broken")
    run = crawl(replica.url, db_path)
    assert run["new"] >= 6, run.log[-2000:]
    articles = [s.article for s in iter_articles(open_db(db_path))]
    assert all("layout_unknown" in a.flags for a in articles)
    assert all("fallback" in (a.parser or "") for a in articles)
    assert all(a.body for a in articles)  # read, not lost
    problems = current_problems(open_db(db_path), Config(), datetime.now(UTC))
    assert "extraction" in {p.key for p in problems}
