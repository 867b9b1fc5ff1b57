"""Health alerts: a failing source, an empty feed, extraction falling back, a silent archive —
one alert each, a daily reminder at most, one "recovered" message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerting import archive, story

from crawler import crawlruns, crawlstate
from crawler.store import record_article
from monitor.config import Config, Target
from monitor.health import check, current_problems, open_problems

FEED = "https://www.alaraby.co.uk/rss/politics"
HEALTH = Target("json://127.0.0.1:9/health", tags=("health",))
DESK = Target("json://127.0.0.1:9/desk", tags=("gaza",))
DEFAULT = Target("json://127.0.0.1:9/default")
NOW = datetime(2026, 8, 15, 19, 0, tzinfo=UTC)


def health_alerts(db) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [
        (r["target_key"], r["title"])
        for r in db.table("alerts").rows_where("kind = 'health'", order_by="id")
    ]


def fail(db, times: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        crawlstate.record_source_failure(db, FEED, "feed", status=503, error="HTTP 503")


def test_a_source_failing_three_times_alerts_once_then_recovers(db_path: Path) -> None:
    db = archive(db_path)
    config = Config()
    targets = [HEALTH, DESK, DEFAULT]
    fail(db, 2)
    assert check(db, config, targets, now=NOW).opened == 0
    fail(db, 1)
    report = check(db, config, targets, now=NOW)
    assert report.opened == 1
    ((target, title),) = health_alerts(db)
    assert title == f"[newsmon] problem: feed {FEED}"
    from monitor.outbox import target_key

    assert target == target_key(HEALTH)  # health goes to the targets tagged for it
    fail(db, 5)
    assert check(db, config, targets, now=NOW + timedelta(hours=1)).opened == 0
    assert len(health_alerts(db)) == 1  # no repeat within the day
    assert check(db, config, targets, now=NOW + timedelta(hours=25)).reminded == 1
    crawlstate.record_source(db, FEED, "feed", status=200, items=40)
    assert check(db, config, targets, now=NOW + timedelta(hours=26)).recovered == 1
    assert [t for _k, t in health_alerts(db)][-1] == f"[newsmon] recovered: feed {FEED}"
    assert open_problems(db) == []
    # A new failure streak is a new problem, alerted again.
    fail(db, 3)
    assert check(db, config, targets, now=NOW + timedelta(hours=27)).opened == 1


def test_without_a_health_target_the_untagged_ones_hear_it(db_path: Path) -> None:
    db = archive(db_path)
    fail(db, 3)
    check(db, Config(), [DESK, DEFAULT], now=NOW)
    from monitor.outbox import target_key

    assert [k for k, _t in health_alerts(db)] == [target_key(DEFAULT)]


def test_a_feed_listing_nothing_is_a_coverage_alarm(db_path: Path) -> None:
    db = archive(db_path)
    crawlstate.record_source(db, FEED, "feed", status=200, items=0)
    (problem,) = current_problems(db, Config(), NOW)
    assert (problem.key, problem.text) == (f"empty:{FEED}", "lists no articles")


def test_extraction_falling_back_six_times_in_a_row(db_path: Path) -> None:
    db = archive(db_path)
    for i in range(5):
        record_article(db, story(str(i)).replace(flags=("layout_unknown",)))
    assert current_problems(db, Config(), NOW) == []
    record_article(db, story("5").replace(flags=("layout_mismatch",)))
    (problem,) = current_problems(db, Config(), NOW)
    assert problem.key == "extraction"
    record_article(db, story("6"))  # one page read by its layout again
    assert current_problems(db, Config(), NOW) == []


def test_a_silent_archive_while_crawls_run(db_path: Path) -> None:
    db = archive(db_path)
    record_article(db, story("1"), seen_at=(NOW - timedelta(hours=8)).isoformat())
    assert current_problems(db, Config(), NOW) == []  # no crawl ran: not newsmon's silence
    run = crawlruns.start_run(
        db,
        site="https://www.alaraby.co.uk",
        sections=(),
        now=(NOW - timedelta(minutes=5)).isoformat(),
    )
    assert run
    (problem,) = current_problems(db, Config(), NOW)
    assert problem.key == "silence" and "6h" in problem.text
