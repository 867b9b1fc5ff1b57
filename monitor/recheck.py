"""Re-checks for edits: recently published articles are fetched again on a decaying schedule.

A schedule is a list of ``(age, every)`` pairs: while an article is younger than ``age`` it
is looked at again ``every`` so often (by default every 15 minutes under 3 hours, hourly under
a day, every 3 hours under a week, daily to 30 days, then never). The re-fetch is a
conditional request, so an unchanged page costs a 304.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from crawler.store import stored_time

Schedule = Sequence[tuple[timedelta, timedelta]]


def check_every(age: timedelta, schedule: Schedule) -> timedelta | None:
    """How often an article of this age is re-checked; None once it is past the last step."""
    for limit, every in schedule:
        if age < limit:
            return every
    return None


def is_due(
    published: datetime, last_checked: datetime | None, now: datetime, schedule: Schedule
) -> bool:
    """An article is due when its step's period has passed since it was last looked at."""
    every = check_every(max(now - published, timedelta(0)), schedule)
    if every is None:
        return False
    return last_checked is None or now - last_checked >= every


def shortest_period(schedule: Schedule) -> timedelta | None:
    """How often the re-check job must wake up to keep the schedule."""
    return min((every for _, every in schedule), default=None)


def due_urls(db: Database, schedule: Schedule, now: datetime, *, limit: int = 500) -> list[str]:
    """The article pages to fetch again now, the youngest articles first.

    Each article is looked at under the page URL it was last fetched from; its last check is
    the latest of its pages' (a crawl that confirmed it unchanged counts)."""
    oldest = max((age for age, _ in schedule), default=timedelta(0))
    if not oldest or "crawl_pages" not in db.table_names():
        return []
    cutoff = (now - oldest).astimezone(UTC)
    rows = db.execute(
        """
        SELECT a.id, a.published_at, p.url, p.checked_at
        FROM articles a JOIN crawl_pages p ON p.article_id = a.id
        WHERE a.published_at IS NOT NULL AND p.failures < 3
        ORDER BY a.id, p.checked_at DESC
        """
    ).fetchall()
    latest: dict[int, tuple[datetime, str, datetime | None]] = {}
    for article_id, published_text, url, checked_text in rows:
        if article_id in latest:
            continue
        published = stored_time(published_text)
        if published is None or published < cutoff:
            continue
        latest[article_id] = (published, url, stored_time(checked_text))
    due = [
        (published, url)
        for published, url, checked in latest.values()
        if is_due(published, checked, now, schedule)
    ]
    due.sort(reverse=True)
    return [url for _, url in due[:limit]]
