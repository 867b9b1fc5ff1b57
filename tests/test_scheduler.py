"""The daemon's jobs as APScheduler holds them: each source on its interval or cron with jitter,
max_instances=1, coalesce and an explicit misfire grace; crawls share one worker."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config, Source
from monitor.scheduler import Daemon, source_trigger


def _config(tmp_path: Path, **changes: object) -> Config:
    values: dict[str, object] = {
        "db_path": tmp_path / "archive.db",
        "sources": (
            Source("سياسة", ("politics",), timedelta(minutes=5)),
            Source("nightly", ("culture",), None, "30 2 * * *"),
            Source("default-interval", ("economy",)),
        ),
        "misfire_grace": timedelta(minutes=7),
        "jitter": timedelta(seconds=30),
        "interval": timedelta(minutes=20),
        "timezone": "Asia/Amman",
    }
    values.update(changes)
    return Config(**values)  # type: ignore[arg-type]


def test_triggers_per_source(tmp_path: Path) -> None:
    config = _config(tmp_path)
    politics, nightly, default = config.effective_sources()
    every5 = source_trigger(politics, config)
    assert isinstance(every5, IntervalTrigger)
    assert every5.interval == timedelta(minutes=5) and every5.jitter == 30
    cron = source_trigger(nightly, config)
    assert isinstance(cron, CronTrigger) and cron.jitter == 30
    assert str(cron.timezone) == "Asia/Amman"
    assert source_trigger(default, config).interval == timedelta(minutes=20)  # type: ignore[attr-defined]
    # A quick try keeps its pace: jitter stays a tenth of a short interval.
    quick = source_trigger(Source("q", (), timedelta(seconds=30)), config)
    assert quick.jitter == 3  # type: ignore[attr-defined]


def test_jobs_never_overlap_and_collapse_missed_runs(tmp_path: Path) -> None:
    config = _config(tmp_path)
    daemon = Daemon(lambda: config)
    daemon.scheduler.start(paused=True)
    try:
        daemon._schedule(first=True)
        jobs = {job.id: job for job in daemon.scheduler.get_jobs()}
        assert set(jobs) == {
            "crawl:سياسة",
            "crawl:nightly",
            "crawl:default-interval",
            "recheck",
            "outbox",
        }
        for job in jobs.values():
            assert job.max_instances == 1 and job.coalesce is True
            assert job.misfire_grace_time == 7 * 60
        # Crawls and re-checks share the one-thread default executor; delivery has its own.
        assert {j.executor for k, j in jobs.items() if k != "outbox"} == {"default"}
        assert jobs["outbox"].executor == "outbox"
        # At start-up the interval sources crawl at once, one after the other; cron waits.
        first = jobs["crawl:سياسة"].next_run_time
        second = jobs["crawl:default-interval"].next_run_time
        assert timedelta(0) < second - first <= timedelta(seconds=3)
        assert jobs["crawl:nightly"].next_run_time.hour == 2
        assert jobs["recheck"].trigger.interval == timedelta(minutes=15)
    finally:
        daemon.scheduler.shutdown(wait=False)
