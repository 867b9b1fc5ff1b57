"""Crawl state in the archive: pages, sources, runs, and the decisions made from them."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from crawler import crawlruns, crawlstate
from crawler.database import open_db
from crawler.dates import OUTLET_TZ
from crawler.schema import migrations

URL = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9"
FEED = "https://www.alaraby.co.uk/rss/politics"


def test_the_crawl_tables_come_with_the_archive(db_path: Path) -> None:
    db = open_db(db_path)
    assert {"crawl_pages", "crawl_sources", "crawl_runs"} <= set(db.table_names())
    applied = [m.name for m in migrations.applied(db)]
    crawl = [name for name in applied if name.startswith("m10")]
    assert crawl == ["m101_crawl_state", "m102_crawl_sources", "m103_crawl_run_owner"]


def test_a_page_keeps_its_validators_until_a_fetch_replaces_them(db_path: Path) -> None:
    db = open_db(db_path)
    assert crawlstate.get_page(db, URL) is None
    crawlstate.record_page(db, URL, status=200, article_id=7, etag='"a"', feed_key="k1")
    state = crawlstate.get_page(db, URL)
    assert state and state.ok and state.conditional_headers() == {"If-None-Match": '"a"'}
    # A 304 keeps the validators it did not replace, and does not count as a download.
    fetched = state.fetched_at
    crawlstate.record_page(db, URL, status=304, article_id=None, downloaded=False)
    state = crawlstate.get_page(db, URL)
    assert state and (state.etag, state.article_id, state.feed_key, state.fetched_at) == (
        '"a"',
        7,
        "k1",
        fetched,
    )


def test_failures_count_up_and_a_success_resets_them(db_path: Path) -> None:
    db = open_db(db_path)
    assert crawlstate.record_page_failure(db, URL, status=500, error="HTTP 500") == 1
    assert crawlstate.record_page_failure(db, URL, status=0, error="timeout") == 2
    state = crawlstate.get_page(db, URL)
    assert state and not state.ok and state.last_error == "timeout"
    crawlstate.record_page(db, URL, status=200, article_id=1)
    state = crawlstate.get_page(db, URL)
    assert state and state.ok and state.failures == 0


def test_sources_remember_failures_and_validators(db_path: Path) -> None:
    db = open_db(db_path)
    assert crawlstate.record_source_failure(db, FEED, "feed", status=503, error="HTTP 503") == 1
    assert crawlstate.record_source_failure(db, FEED, "feed", status=503, error="HTTP 503") == 2
    crawlstate.record_source(db, FEED, "feed", status=200, items=40, etag='"f"')
    state = crawlstate.get_source(db, FEED)
    assert state and state.failures == 0 and state.items == 40 and state.etag == '"f"'
    # A crawl that did not process everything drops the validators.
    crawlstate.record_source(db, FEED, "feed", status=200, keep_validators=False)
    state = crawlstate.get_source(db, FEED)
    assert state and state.conditional_headers() == {}
    assert [s.url for s in crawlstate.sources(db, "feed")] == [FEED]


def test_decisions() -> None:
    stored = crawlstate.PageState(
        URL,
        200,
        '"e"',
        None,
        "2026-08-15T20:00:00+03:00",
        "key",
        3,
        "2026-08-16T00:00:00+00:00",
        None,
        0,
        None,
    )
    assert crawlstate.feed_item_unchanged(stored, "key")
    assert not crawlstate.feed_item_unchanged(stored, "other")
    assert not crawlstate.feed_item_unchanged(None, "key")
    same = datetime(2026, 8, 15, 20, tzinfo=OUTLET_TZ)
    later = datetime(2026, 8, 15, 21, tzinfo=OUTLET_TZ)
    assert crawlstate.lastmod_unchanged(stored, same)
    assert not crawlstate.lastmod_unchanged(stored, later)
    assert not crawlstate.lastmod_unchanged(stored, None)
    # Found through a feed first: the download time stands in for the lastmod.
    from_feed = crawlstate.PageState(
        URL, 200, None, None, None, "key", 3, "2026-08-16T00:00:00+00:00", None, 0, None
    )
    assert crawlstate.lastmod_unchanged(from_feed, later)
    failing = crawlstate.PageState(URL, 500, None, None, None, None, 3, None, None, 2, "HTTP 500")
    assert not crawlstate.lastmod_unchanged(failing, same)


def test_runs(db_path: Path) -> None:
    db = open_db(db_path)
    run = crawlruns.start_run(db, site="https://aajeg.com", sections=["politics", "economy"])
    assert crawlruns.get_run(db, run)["status"] == "running"  # type: ignore[index]
    crawlruns.finish_run(
        db, run, status="partial", counts={"pages": 9, "new": 2, "errors": 1}, message="1 error(s)"
    )
    row = crawlruns.get_run(db, run)
    assert row and (row["status"], row["new"], row["errors"], row["sections"]) == (
        "partial",
        2,
        1,
        "politics,economy",
    )
    assert row["finished_at"]


def test_a_run_whose_crawl_died_is_closed_by_the_next(db_path: Path) -> None:
    db = open_db(db_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process that is gone: its run was left 'running'
    killed = crawlruns.start_run(db, site="https://aajeg.com", sections=[])
    db.table("crawl_runs").update(killed, {"pid": dead.pid})
    alive = crawlruns.start_run(db, site="https://aajeg.com", sections=[])  # this process
    other_host = crawlruns.start_run(db, site="https://aajeg.com", sections=[])
    db.table("crawl_runs").update(other_host, {"pid": dead.pid, "host": "elsewhere"})
    crawlruns.start_run(db, site="https://aajeg.com", sections=[])
    statuses = {r: crawlruns.get_run(db, r)["status"] for r in (killed, alive, other_host)}  # type: ignore[index]
    assert statuses == {killed: "interrupted", alive: "running", other_host: "running"}
    assert "without finishing" in crawlruns.get_run(db, killed)["message"]  # type: ignore[index]
