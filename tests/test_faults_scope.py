"""Where the crawl may go (RELIABILITY.md rows 7 and 8): redirect loops, long chains and
redirects off the site stop with one recorded error, and robots.txt — whatever it answers —
is obeyed or handled by its documented policy. A canary port counts any connection that
should never have been made.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crawlproc import article_url, crawl, urls_file
from faultserver import (
    ROBOTS_ALLOW_ALL,
    TEXT,
    FaultServer,
    Listener,
    page,
    redirect,
    slow,
    status,
)
from linkfarm import article, path_of

from crawler import crawlstate
from crawler.articles import iter_articles
from crawler.database import open_db
from crawler.middlewares.robots import ROBOTS_MAX_BYTES

TOTAL = 100


def stored(db: Path) -> set[str]:
    return {s.article.url or "" for s in iter_articles(open_db(db))}


def failure(db: Path, n: int) -> str | None:
    state = crawlstate.get_page(open_db(db), article_url(path_of(n)))
    assert state is not None and state.failures == 1, state
    return state.last_error


# Row 7 -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redirects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("redirects")
    db = tmp / "archive.db"
    with FaultServer(lifetime=120) as server, Listener(lifetime=120) as canary:
        chain = [f"/politics/chain-{i}" for i in range(30)]
        routes = {
            path_of(0): redirect(path_of(10)),  # on the site: followed
            path_of(10): page(article(10, TOTAL)),
            path_of(1): page(article(1, TOTAL)),
            path_of(2): redirect("/politics/loop-b"),
            "/politics/loop-b": redirect(path_of(2)),
            path_of(3): redirect(chain[0]),
            **{
                hop: redirect(nxt) for hop, nxt in zip(chain, [*chain[1:], path_of(1)], strict=True)
            },
            path_of(4): redirect("http://elsewhere.example/politics/x"),
            path_of(5): redirect(f"{canary.url}/politics/x"),  # the site's host, another port
            path_of(6): redirect(f"http://2130706433:{canary.port}/x"),  # 127.0.0.1, disguised
            path_of(7): redirect("http://169.254.169.254/latest/meta-data/"),
            path_of(8): redirect("file:///etc/passwd"),
            path_of(9): page(article(9, TOTAL)),
            path_of(11): page(refresh("http://elsewhere.example/politics/x")),
            path_of(12): page(refresh(f"http://localhost:{canary.port}/politics/x")),
        }
        for path, behaviour in routes.items():
            server.route(path, behaviour)
        urls = urls_file(tmp, *(path_of(n) for n in (*range(10), 11, 12)))
        run = crawl(server.url, db, "-a", f"urls={urls}")
        yield {"run": run, "db": db, "server": server, "canary": canary, "chain": chain}


def refresh(url: str) -> bytes:
    """A page that sends the browser on with ``<meta http-equiv="refresh">``."""
    return (
        '<html><head><meta http-equiv="refresh" content="0; url=' + url + '"></head>'
        "<body>يُنقل…</body></html>"
    ).encode()


def test_a_redirect_on_the_site_is_followed(redirects: dict[str, Any]) -> None:
    assert {article_url(path_of(n)) for n in (1, 9, 10)} == stored(redirects["db"])
    (one,) = [
        s.article
        for s in iter_articles(open_db(redirects["db"]))
        if s.article.url == article_url(path_of(10))
    ]
    # The page asked for, path 0, is kept as another URL of the article it led to.
    assert article_url(path_of(0)) in one.all_urls
    assert redirects["run"]["status"] == "partial"


def test_a_redirect_loop_stops_at_once_with_one_error(redirects: dict[str, Any]) -> None:
    server = redirects["server"]
    assert len(server.hits(path_of(2))) == 1 and len(server.hits("/politics/loop-b")) == 1
    assert "redirect loop" in (failure(redirects["db"], 2) or "")


def test_a_30_hop_chain_stops_at_the_redirect_limit(redirects: dict[str, Any]) -> None:
    followed = [p for p in redirects["server"].paths() if p in redirects["chain"]]
    assert len(followed) == 10  # REDIRECT_MAX_TIMES: the first hop and ten redirects
    assert failure(redirects["db"], 3) == "IgnoreRequest: max redirections reached"


@pytest.mark.parametrize(
    ("n", "needle"),
    [
        (4, "redirected off the site to http://elsewhere.example/"),
        (5, "redirected to another port of the site's host"),
        (6, "redirected off the site to http://2130706433:"),
        (7, "redirected off the site to http://169.254.169.254/"),
        (8, "redirected to a non-web address file:///etc/passwd"),
        (11, "redirected off the site to http://elsewhere.example/"),
        (12, "redirected off the site to http://localhost:"),
    ],
    ids=[
        "other-host",
        "other-port",
        "decimal-ip",
        "metadata",
        "file-scheme",
        "meta-refresh-other-host",
        "meta-refresh-canary",
    ],
)
def test_a_redirect_off_the_site_is_dropped_and_recorded(
    redirects: dict[str, Any], n: int, needle: str
) -> None:
    assert needle in (failure(redirects["db"], n) or "")
    assert redirects["canary"].connections == 0


# Row 8 -----------------------------------------------------------------------------------------

PAGES = (0, 1, 2)  # article pages listed for each robots.txt case; robots disallows /politics/


def robots_case(tmp_path: Path, robots: Any, **settings: str) -> tuple[Any, FaultServer, Path]:
    db = tmp_path / "archive.db"
    with FaultServer(lifetime=90) as server:
        server.route("/robots.txt", robots)
        server.route("/robots-moved.txt", page(b"User-agent: *\nDisallow: /politics/\n", TEXT))
        for n in PAGES:
            server.route(path_of(n), page(article(n, TOTAL)))
        urls = urls_file(tmp_path, *(path_of(n) for n in PAGES))
        run = crawl(server.url, db, "-a", f"urls={urls}", settings=settings)
    return run, server, db


def fetched_pages(server: FaultServer) -> list[str]:
    return [p for p in server.paths() if p.startswith("/politics/")]


def test_robots_txt_that_times_out_stops_the_crawl(tmp_path: Path) -> None:
    robots = slow(5, page(ROBOTS_ALLOW_ALL, TEXT))
    run, server, _db = robots_case(tmp_path, robots, DOWNLOAD_TIMEOUT="1")
    assert run["status"] == "failed"
    assert (
        run["message"].startswith("robots.txt could not be fetched")
        and "took longer" in (run["message"])
    )
    assert server.paths() == ["/robots.txt", "/robots.txt"]  # tried, retried, nothing else


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (bytes(range(256)) * 40, "application/octet-stream"),
        (b"<html><body><h1>Welcome</h1><p>Disallow: /politics/</p></body></html>", "text/html"),
        (b"\xff\xfe\x00garbage\x00\x01User-agent \xff*\nDisallow /politics\n", None),
    ],
    ids=["binary", "html-page", "broken-lines"],
)
def test_garbage_robots_txt_has_no_rules_so_everything_is_allowed(
    tmp_path: Path, body: bytes, content_type: str | None
) -> None:
    """Lines a robots.txt parser cannot read are ignored (RFC 9309), as Google does: garbage
    holds no rule, and the crawl proceeds — it neither crashes nor stops."""
    run, server, _db = robots_case(tmp_path, page(body, content_type))
    assert run["status"] == "ok" and run["new"] == len(PAGES), run.log[-2000:]
    assert sorted(fetched_pages(server)) == sorted(path_of(n) for n in PAGES)
    assert "Traceback" not in run.log


def test_a_redirected_robots_txt_is_followed_and_obeyed(tmp_path: Path) -> None:
    run, server, _db = robots_case(tmp_path, redirect("/robots-moved.txt", 301))
    assert server.paths()[:2] == ["/robots.txt", "/robots-moved.txt"]
    assert fetched_pages(server) == []  # what the moved robots.txt disallows is never fetched
    assert run["status"] == "ok"


def test_only_the_first_500_kib_of_robots_txt_count(tmp_path: Path) -> None:
    filler = b"User-agent: *\n" + b"Disallow: /nothing/here/at/all\n" * (ROBOTS_MAX_BYTES // 30)
    late = b"User-agent: *\nDisallow: /politics/\n"  # past the cap: not read
    run, server, _db = robots_case(tmp_path, page(filler + late, TEXT))
    assert len(filler) > ROBOTS_MAX_BYTES
    assert sorted(fetched_pages(server)) == sorted(path_of(n) for n in PAGES)
    assert run["new"] == len(PAGES)


def test_robots_500_is_retried_then_stops_the_crawl(tmp_path: Path) -> None:
    run, server, _db = robots_case(tmp_path, status(500))
    assert run["status"] == "failed" and "robots.txt answered 500" in run["message"]
    assert server.paths() == ["/robots.txt", "/robots.txt"]
