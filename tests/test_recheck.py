"""Re-checks for edits: the decaying schedule (data-driven) and the due pages of a real archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler import crawlstate
from monitor.config import Config
from monitor.recheck import check_every, due_urls, is_due, shortest_period
from monitor.store import open_monitor_db

H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)
SCHEDULE = Config().recheck  # the default: 15m < 3h, 1h < 1d, 3h < 7d, 1d < 30d
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OUTLET = timezone(timedelta(hours=3))  # the outlet publishes in +03:00


@pytest.mark.parametrize(
    ("age", "every"),
    [
        (timedelta(0), 15 * M),
        (2 * H + 59 * M, 15 * M),
        (3 * H, H),
        (23 * H, H),
        (D, 3 * H),
        (6 * D, 3 * H),
        (7 * D, D),
        (29 * D, D),
        (30 * D, None),
        (400 * D, None),
        (-H, 15 * M),  # a clock ahead of ours: treated as brand new
    ],
)
def test_the_default_schedule_decays(age: timedelta, every: timedelta | None) -> None:
    assert check_every(max(age, timedelta(0)), SCHEDULE) == every


@pytest.mark.parametrize(
    ("age", "since_check", "due"),
    [
        (H, None, True),  # never looked at since it was stored
        (H, 14 * M, False),
        (H, 15 * M, True),
        (5 * H, 59 * M, False),
        (5 * H, 61 * M, True),
        (3 * D, 2 * H, False),
        (3 * D, 3 * H, True),
        (20 * D, 23 * H, False),
        (20 * D, 25 * H, True),
        (31 * D, 10 * D, False),  # too old: never again
    ],
)
def test_an_article_is_due_when_its_period_has_passed(
    age: timedelta, since_check: timedelta | None, due: bool
) -> None:
    checked = NOW - since_check if since_check is not None else None
    assert is_due(NOW - age, checked, NOW, SCHEDULE) is due


def test_the_job_wakes_as_often_as_the_shortest_period() -> None:
    assert shortest_period(SCHEDULE) == 15 * M
    assert shortest_period(()) is None


def _article(db: object, node: str, published: datetime, url: str, checked: datetime) -> None:
    from sqlite_utils import Database

    assert isinstance(db, Database)
    article_id = (
        db.table("articles")
        .insert(
            {
                "node_id": node,
                "url": url,
                "title": f"مقال {node}",
                "published_at": published.astimezone(OUTLET).isoformat(),
                "version": 1,
            }
        )
        .last_pk
    )
    crawlstate.record_page(
        db, url, status=200, article_id=article_id, now=checked.isoformat(timespec="seconds")
    )


def test_due_urls_reads_the_archive(tmp_path: Path) -> None:
    db = open_monitor_db(tmp_path / "archive.db")
    base = "https://www.alaraby.co.uk/politics/"
    _article(db, "1", NOW - H, base + "جديد", NOW - 20 * M)  # due (15m)
    _article(db, "2", NOW - H, base + "فحص-قريب", NOW - 5 * M)  # checked 5m ago
    _article(db, "3", NOW - 2 * D, base + "أمس", NOW - 4 * H)  # due (3h)
    _article(db, "4", NOW - 40 * D, base + "قديم", NOW - 9 * D)  # too old
    _article(db, "5", NOW - 10 * M, base + "الأحدث", NOW - 16 * M)  # due, the youngest
    assert due_urls(db, SCHEDULE, NOW) == [base + "الأحدث", base + "جديد", base + "أمس"]
    assert due_urls(db, SCHEDULE, NOW, limit=1) == [base + "الأحدث"]
    # Looked at again (even a 304): not due until its period has passed once more.
    crawlstate.record_page(
        db, base + "جديد", status=304, article_id=None, now=NOW.isoformat(timespec="seconds")
    )
    assert base + "جديد" not in due_urls(db, SCHEDULE, NOW)
    assert due_urls(db, (), NOW) == []
