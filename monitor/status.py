"""``newsmon status``: how the monitor is doing, read from the archive alone.

The daemon writes its heartbeat and each job's last and next runs to ``daemon_state``; the
crawler keeps each source's failures in ``crawl_sources``; the outbox counts alerts by status.
``problems()`` is what ``status --check`` (a container health check) fails on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from crawler.store import stored_time
from monitor.config import Config
from monitor.health import open_problems
from monitor.lock import holder
from monitor.outbox import status_counts
from monitor.store import get_state

# A heartbeat older than this many of its own periods is stale (the daemon hangs or is gone).
STALE_BEATS = 6
MIN_STALE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    last_run: str | None
    last_status: str | None
    next_run: str | None
    failures: int
    running_since: str | None
    last_line: str | None


@dataclass(frozen=True, slots=True)
class Status:
    db_path: str
    articles: int
    versions: int
    edits: int
    alerts: dict[str, int]
    jobs: tuple[Job, ...]
    failing_sources: tuple[dict[str, Any], ...]
    health: tuple[dict[str, Any], ...]
    heartbeat: dict[str, Any] | None
    heartbeat_age: float | None  # seconds
    lock_holder: dict[str, Any] | None
    problems: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "db": self.db_path,
            "articles": self.articles,
            "versions": self.versions,
            "edits": self.edits,
            "alerts": self.alerts,
            "jobs": [_job(job) for job in self.jobs],
            "failing_sources": list(self.failing_sources),
            "health_problems": list(self.health),
            "heartbeat": self.heartbeat,
            "heartbeat_age_seconds": self.heartbeat_age,
            "lock_holder": self.lock_holder,
            "ok": not self.problems,
            "problems": list(self.problems),
        }


def _job(job: Job) -> dict[str, Any]:
    return {name: getattr(job, name) for name in Job.__slots__}


def read_status(db: Database, config: Config, *, now: datetime | None = None) -> Status:
    now = now or datetime.now(UTC)
    state = get_state(db)
    jobs = tuple(
        Job(
            key.removeprefix("job:"),
            value.get("last_run"),
            value.get("last_status"),
            value.get("next_run"),
            int(value.get("failures", 0)),
            value.get("running_since"),
            value.get("last_line"),
        )
        for key, value in sorted(state.items())
        if key.startswith("job:")
    )
    heartbeat = state.get("heartbeat")
    beat = stored_time(heartbeat.get("at")) if heartbeat else None
    age = (now - beat).total_seconds() if beat else None
    failing = tuple(
        {"url": url, "kind": kind, "failures": failures, "last_error": error}
        for url, kind, failures, error in db.execute(
            "SELECT url, kind, failures, last_error FROM crawl_sources WHERE failures >= ?"
            " ORDER BY failures DESC, url",
            [max(1, config.fetch_failures)],
        )
    )
    problems: list[str] = []
    if heartbeat is None:
        problems.append("no daemon has run on this archive (no heartbeat)")
    elif heartbeat.get("state") == "stopped":
        problems.append(f"the daemon stopped at {heartbeat.get('at')}")
    else:
        every = timedelta(seconds=float(heartbeat.get("every") or 10))
        if age is not None and age > max(MIN_STALE, every * STALE_BEATS).total_seconds():
            problems.append(f"the daemon's heartbeat is stale ({age:.0f}s old)")
    for job in jobs:
        if job.failures >= max(1, config.fetch_failures):
            problems.append(f"{job.name}: the last {job.failures} crawls failed")
        since = stored_time(job.running_since)
        cap = config.max_duration + timedelta(minutes=2)
        if since and heartbeat and heartbeat.get("state") == "running" and now - since > cap:
            problems.append(f"{job.name}: a crawl has been running since {job.running_since}")
    for source in failing:
        problems.append(f"{source['kind']} {source['url']} failed {source['failures']} times")
    return Status(
        db_path=str(config.db_path),
        articles=_count(db, "articles"),
        versions=_count(db, "versions"),
        edits=db.execute("SELECT count(*) FROM versions WHERE kind = 'edit'").fetchone()[0],
        alerts=status_counts(db),
        jobs=jobs,
        failing_sources=failing,
        health=tuple(open_problems(db)),
        heartbeat=heartbeat,
        heartbeat_age=age,
        lock_holder=holder(config.db_path),
        problems=tuple(problems),
    )


def _count(db: Database, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])
