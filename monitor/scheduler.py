"""The daemon: APScheduler 3.x runs each source's crawl on its own schedule, the re-checks for
edits, and the outbox; the main thread keeps the heartbeat and handles signals.

- Crawls (and re-checks) share one worker thread: a slow crawl never overlaps the next, and
  with ``coalesce`` and ``max_instances=1`` the runs it made late collapse into one.
- The outbox has its own worker (every ``notify.retry_every``), so retries and digests go out
  while a crawl runs.
- SIGTERM/SIGINT: the running crawl is told to stop and given time, queued runs are skipped,
  exit 0. SIGHUP, or a change of the configuration file, reloads the configuration.
- A wall-clock jump (set by hand, a VM restored): APScheduler keeps next runs as wall-clock
  times, so a clock set back an hour would stop every job for an hour. The main thread sees
  the jump against the monotonic clock and schedules every job again as at start-up.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config, ConfigError, Source
from monitor.crontab import crontab_trigger
from monitor.cycle import RECHECK, drain_outbox, record_next_run, run_recheck, run_source
from monitor.durations import format_duration
from monitor.recheck import shortest_period
from monitor.store import open_monitor_db, set_state

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10.0  # seconds between heartbeats written to the archive
TICK = 0.5
CLOCK_JUMP = 30.0  # seconds; NTP slews and small steps stay well under it


def source_trigger(source: Source, config: Config) -> BaseTrigger:
    """A source's schedule: its cron expression, else its interval (or the default one), with
    jitter so that many installations do not all knock at the same second."""
    zone = config.timezone or datetime.now().astimezone().tzinfo or UTC
    if source.cron:
        return crontab_trigger(source.cron, zone, int(config.jitter.total_seconds()) or None)
    every = source.interval or config.interval
    # Jitter stays a small part of a short interval (a 30s quick try keeps its pace).
    jitter = min(config.jitter, every / 10).total_seconds()
    return IntervalTrigger(seconds=max(1.0, every.total_seconds()), jitter=jitter or None)


class Daemon:
    """``newsmon daemon``: ``run()`` blocks in the main thread until a signal stops it."""

    def __init__(
        self,
        load: Callable[[], Config],
        *,
        heartbeat_every: float = HEARTBEAT_EVERY,
    ) -> None:
        self._load = load
        self.config = load()
        self.heartbeat_every = heartbeat_every
        self.stop = threading.Event()
        self._reload = threading.Event()
        self._started_at = datetime.now(UTC)
        self._config_stamp = self._stamp(self.config)
        self.scheduler = BackgroundScheduler(
            executors={
                "default": ThreadPoolExecutor(1),
                "outbox": ThreadPoolExecutor(1),
            },
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        self._next_runs: dict[str, datetime | None] = {}
        self._clock = _clock_offset()

    # Jobs ---------------------------------------------------------------------------------

    def _schedule(self, *, first: bool) -> None:
        config = self.config
        grace = max(1, int(config.misfire_grace.total_seconds()))
        now = datetime.now(UTC)
        for i, source in enumerate(config.effective_sources()):
            trigger = source_trigger(source, config)
            # At start-up, every interval source crawls at once (one after another).
            start = now + timedelta(seconds=i) if first and not source.cron else None
            self.scheduler.add_job(
                self._crawl,
                trigger,
                args=[source.name],
                id=f"crawl:{source.name}",
                name=f"crawl {source.name}",
                misfire_grace_time=grace,
                replace_existing=True,
                **({"next_run_time": start} if start else {}),
            )
        period = shortest_period(config.recheck)
        if period:
            self.scheduler.add_job(
                self._recheck,
                IntervalTrigger(seconds=max(1.0, period.total_seconds())),
                id=RECHECK,
                name="re-check recent articles",
                misfire_grace_time=grace,
                replace_existing=True,
            )
        self.scheduler.add_job(
            self._drain,
            IntervalTrigger(seconds=max(1.0, config.retry_every.total_seconds())),
            id="outbox",
            name="deliver due alerts",
            executor="outbox",
            misfire_grace_time=grace,
            replace_existing=True,
        )

    def _source(self, name: str) -> Source | None:
        for source in self.config.effective_sources():
            if source.name == name:
                return source
        return None

    def _crawl(self, name: str) -> None:
        source = self._source(name)
        if source is None or self.stop.is_set():
            return
        self._guard(f"crawl {name}", lambda: run_source(self.config, source, stop=self.stop))

    def _recheck(self) -> None:
        if not self.stop.is_set():
            self._guard("re-check", lambda: run_recheck(self.config, stop=self.stop))

    def _drain(self) -> None:
        if not self.stop.is_set():
            self._guard("outbox", lambda: drain_outbox(self.config))

    def _guard(self, what: str, work: Callable[[], Any]) -> None:
        """A job's failure is one log line, and the daemon goes on."""
        try:
            work()
        except Exception as exc:
            log.error("%s failed: %s", what, exc)
            log.debug("%s failed", what, exc_info=True)

    def _record_schedule(self) -> None:
        """Each job's next run, for ``newsmon status`` (from the main thread only: a listener
        calling the scheduler while it shuts down would deadlock)."""
        for job in self.scheduler.get_jobs():
            if job.id == "outbox":
                continue
            name = job.id.removeprefix("crawl:")
            if self._next_runs.get(name) == job.next_run_time:
                continue
            try:
                record_next_run(self.config, name, job.next_run_time)
            except Exception as exc:
                log.error("cannot record the next run of %s: %s", name, exc)
                continue
            self._next_runs[name] = job.next_run_time

    # Life ---------------------------------------------------------------------------------

    def run(self, *, handle_signals: bool = True) -> int:
        """Start the jobs and keep the heartbeat until SIGTERM/SIGINT (or ``stop`` is set);
        the exit status. ``handle_signals=False`` runs outside the main thread."""
        if handle_signals:
            self._install_signals()
        for warning in self.config.warnings:
            log.warning("%s", warning)
        self._schedule(first=True)
        self.scheduler.start()
        self._announce()
        self._heartbeat("running")
        last_beat = time.monotonic()
        try:
            while not self.stop.wait(TICK):
                if self._reload.is_set() or self._stamp(self.config) != self._config_stamp:
                    self._reload.clear()
                    self.reload()
                self._watch_clock()
                self._record_schedule()
                if time.monotonic() - last_beat >= self.heartbeat_every:
                    self._heartbeat("running")
                    last_beat = time.monotonic()
        finally:
            log.info("stopping: waiting for the running job to finish")
            self.stop.set()
            self.scheduler.shutdown(wait=True)
            self._heartbeat("stopped")
            log.info("stopped")
        return 0

    def reload(self) -> None:
        """Read the configuration again; a bad file keeps the running configuration."""
        try:
            config = self._load()
        except ConfigError as exc:
            self._config_stamp = self._stamp(self.config)
            log.error("configuration not reloaded, keeping the running one: %s", exc)
            return
        if config.db_path != self.config.db_path:
            log.error("configuration reloaded but the archive path change needs a restart")
            config = _with_db(config, self.config.db_path)
        self.config = config
        self._config_stamp = self._stamp(config)
        self.scheduler.remove_all_jobs()
        self._schedule(first=False)
        log.info("configuration reloaded")
        self._announce()

    def _watch_clock(self) -> None:
        offset = _clock_offset()
        moved = offset - self._clock
        if abs(moved) <= CLOCK_JUMP:
            return
        self._clock = offset
        log.warning(
            "the wall clock moved %s by %s: scheduling every job again from now",
            "forward" if moved > 0 else "back",
            format_duration(timedelta(seconds=abs(moved))),
        )
        self.scheduler.remove_all_jobs()
        self._schedule(first=True)
        self._announce()

    def _announce(self) -> None:
        for job in self.scheduler.get_jobs():
            if job.id != "outbox":
                log.info("%s: next run %s", job.name, _iso(job.next_run_time))
        self._next_runs.clear()
        self._record_schedule()

    def _install_signals(self) -> None:
        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("%s received", signal.Signals(signum).name)
            self.stop.set()

        def reload(_signum: int, _frame: FrameType | None) -> None:
            self._reload.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, reload)

    @staticmethod
    def _stamp(config: Config) -> tuple[float, int] | None:
        if config.path is None:
            return None
        try:
            st = Path(config.path).stat()
        except OSError:
            return None
        return (st.st_mtime, st.st_size)

    def _heartbeat(self, state: str) -> None:
        try:
            db = open_monitor_db(self.config.db_path)
            try:
                set_state(
                    db,
                    "heartbeat",
                    {
                        "at": _iso(datetime.now(UTC)),
                        "state": state,
                        "pid": os.getpid(),
                        "started_at": _iso(self._started_at),
                        "every": self.heartbeat_every,
                        "config": str(self.config.path) if self.config.path else None,
                        "sources": [s.name for s in self.config.effective_sources()],
                        "interval": format_duration(self.config.interval),
                    },
                )
            finally:
                db.conn.close()
        except Exception as exc:
            log.error("cannot write the heartbeat: %s", exc)


def _clock_offset() -> float:
    """The wall clock against the monotonic one: constant while nobody sets the clock."""
    return datetime.now(UTC).timestamp() - time.monotonic()


def _with_db(config: Config, db_path: Path) -> Config:
    from dataclasses import replace

    return replace(config, db_path=db_path)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None
