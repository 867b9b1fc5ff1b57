"""One monitoring cycle: crawl (a subprocess), match the new versions, check health, deliver.

The daemon runs a cycle per source on its schedule and a re-check cycle for recent articles;
``newsmon run`` runs them all once. Each cycle opens its own connection to the archive (the
daemon's jobs run in their own threads), records how it went for ``newsmon status``, and logs
one summary line.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.database import StoreError
from crawler.outlets import ALARABY
from monitor.config import Config, Source, Target
from monitor.crawling import CrawlError, CrawlOptions, CrawlProgress, CrawlSummary, run_crawl
from monitor.notifier import TargetError
from monitor.recheck import due_urls
from monitor.runner import all_targets, health_step, match_step, notify_step
from monitor.store import get_state, open_monitor_db, set_state

log = logging.getLogger(__name__)

RECHECK = "recheck"  # the re-check job's name in the daemon's state
DRAIN = "outbox"
# Serialises deliveries between the daemon's threads (the archive lock keeps other processes
# out), so an alert claimed by one drain is never taken for half-sent by another.
DELIVERY = threading.Lock()
# A job's state is read, changed and written back; one writer at a time in this process.
STATE = threading.Lock()


@dataclass(frozen=True, slots=True)
class CycleReport:
    job: str
    status: str  # ok | partial | failed | interrupted | idle (nothing to fetch)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    matches: int = 0
    sent: int = 0
    failed: int = 0
    elapsed: float = 0.0
    message: str = ""

    def line(self) -> str:
        text = (
            f"cycle {self.job}: {self.status} new={self.new} changed={self.changed}"
            f" unchanged={self.unchanged} errors={self.errors} matches={self.matches}"
            f" sent={self.sent} failed={self.failed} in {self.elapsed:.1f}s"
        )
        return f"{text} ({self.message})" if self.message else text


def crawl_log(config: Config, job: str) -> Path:
    """Where a job's last crawl log is kept (beside the archive), to explain a failure."""
    return config.db_path.parent / "logs" / f"crawl-{job}.log"


def crawl_options(
    config: Config, job: str, sections: tuple[str, ...], *, urls_file: Path | None = None
) -> CrawlOptions:
    """The crawl a cycle runs, with the configuration's politeness and wall-clock cap."""
    log_path = crawl_log(config, job)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return CrawlOptions(
        log_path=log_path,
        db_path=config.db_path,
        site=None if config.site == ALARABY.base_url else config.site,
        sections=sections,
        urls_file=urls_file,
        allow_private=config.allow_private,
        timeout=max(1.0, config.max_duration.total_seconds()),
        settings=(
            ("DOWNLOAD_DELAY", f"{config.delay.total_seconds():g}"),
            # AutoThrottle starts from the configured delay (it never goes below it anyway),
            # not from its own 1 s: `delay = "0s"` against a local replica is not slowed down,
            # and a slow server still makes it back off.
            ("AUTOTHROTTLE_START_DELAY", f"{config.delay.total_seconds():g}"),
            ("DOWNLOAD_TIMEOUT", f"{max(1.0, config.timeout.total_seconds()):g}"),
        ),
    )


def run_source(
    config: Config, source: Source, *, stop: threading.Event | None = None
) -> CycleReport:
    """Crawl one source's sections, then match, check health and deliver."""
    return _cycle(config, source.name, crawl_options(config, source.name, source.sections), stop)


def run_recheck(
    config: Config, *, stop: threading.Event | None = None, now: datetime | None = None
) -> CycleReport:
    """Fetch again the recent articles whose re-check is due (conditional requests)."""
    started = time.monotonic()
    db = open_monitor_db(config.db_path)
    try:
        urls = due_urls(db, config.recheck, now or datetime.now(UTC))
    finally:
        db.conn.close()
    if not urls:
        report = CycleReport(RECHECK, "idle", elapsed=time.monotonic() - started)
        _record(config, report)
        return report
    with tempfile.TemporaryDirectory(prefix="newsmon-recheck-") as tmp:
        listing = Path(tmp) / "urls.txt"
        listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
        log.info("re-checking %d recent article(s) for edits", len(urls))
        return _cycle(config, RECHECK, crawl_options(config, RECHECK, (), urls_file=listing), stop)


def drain_outbox(config: Config) -> tuple[int, int]:
    """Deliver what is due (digests and retries included); (sent, failed). The daemon's state
    keeps the outbox worker's runs under ``outbox`` (not a job of ``newsmon status``)."""
    db = open_monitor_db(config.db_path)
    try:
        with DELIVERY:
            report = notify_step(db, config, all_targets(config))
        with STATE:
            runs = int(get_state(db).get(DRAIN, {}).get("runs", 0)) + 1
            set_state(db, DRAIN, {"last_run": _now(), "runs": runs})
    finally:
        db.conn.close()
    if report.sent or report.failed:
        log.info("outbox: sent=%d failed=%d", report.sent, report.failed)
    return report.sent, report.failed


def _cycle(
    config: Config, job: str, options: CrawlOptions, stop: threading.Event | None
) -> CycleReport:
    started = time.monotonic()
    _record_start(config, job)
    summary: CrawlSummary | None = None
    message = ""
    early = EarlyAlerts(config, stop)
    try:
        summary = run_crawl(options, early, stop=stop)
        status, message = summary.status, summary.message
        if summary.failed and summary.log_tail and not message:
            message = summary.log_tail[-1]
    except CrawlError as exc:
        status, message = "failed", str(exc)
    finally:
        early.close()
    # Whatever the crawl managed to store is matched and delivered, even after a failure.
    db = open_monitor_db(config.db_path)
    try:
        targets = all_targets(config)
        early.match(db, targets)
        health_step(db, config, targets)
        if not _stopping(stop):
            early.deliver(db, targets)
    finally:
        db.conn.close()
    matches, sent, failed = early.matches, early.sent, early.failed
    progress = summary.progress if summary else None
    report = CycleReport(
        job,
        status,
        new=progress.new if progress else 0,
        changed=progress.changed if progress else 0,
        unchanged=progress.unchanged if progress else 0,
        errors=progress.errors if progress else 0,
        matches=matches,
        sent=sent,
        failed=failed,
        elapsed=time.monotonic() - started,
        message=message,
    )
    (log.warning if status in ("failed", "interrupted") else log.info)("%s", report.line())
    _record(config, report)
    return report


class EarlyAlerts:
    """Matches and delivers while the crawl is still running, each time it reports articles
    stored, so an alert does not wait for the rest of the crawl (the other feeds, the
    sitemaps, at the configured politeness delay between requests). The cycle's match and
    delivery after the crawl go through it too, pick up whatever is left, and its counts are
    the cycle's."""

    def __init__(self, config: Config, stop: threading.Event | None) -> None:
        self.config, self.stop = config, stop
        self.targets: list[Target] | None = None
        self.stored = 0
        self.matches = self.sent = self.failed = 0
        self.db: Database | None = None

    def __call__(self, progress: CrawlProgress) -> None:
        stored = progress.new + progress.changed
        if stored <= self.stored or _stopping(self.stop):
            return
        self.stored = stored
        try:
            if self.targets is None:
                self.targets = all_targets(self.config)
            if self.db is None:
                self.db = open_monitor_db(self.config.db_path)
            if self.match(self.db, self.targets):
                self.deliver(self.db, self.targets)
        except (StoreError, TargetError, sqlite3.Error, OSError) as exc:
            # The crawl goes on; the match after it tries again.
            log.warning("matching during the crawl failed (retried after it): %s", exc)

    def match(self, db: Database, targets: list[Target]) -> int:
        """Match the versions stored since the last match; how many matches they made."""
        found = match_step(db, targets).matches
        self.matches += found
        return found

    def deliver(self, db: Database, targets: list[Target]) -> None:
        with DELIVERY:
            drained = notify_step(db, self.config, targets)
        self.sent += drained.sent
        self.failed += drained.failed

    def close(self) -> None:
        if self.db is not None:
            self.db.conn.close()
            self.db = None


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record_start(config: Config, job: str) -> None:
    with STATE:
        db = open_monitor_db(config.db_path)
        try:
            state = get_state(db).get(f"job:{job}", {})
            set_state(db, f"job:{job}", {**state, "running_since": _now()})
        finally:
            db.conn.close()


def _record(config: Config, report: CycleReport) -> None:
    """What ``newsmon status`` shows of a job: its last run, and its failures in a row."""
    with STATE:
        _update(config, report)


def _update(config: Config, report: CycleReport) -> None:
    db = open_monitor_db(config.db_path)
    try:
        state: dict[str, Any] = dict(get_state(db).get(f"job:{report.job}", {}))
        state.pop("running_since", None)
        failed = report.status in ("failed",)
        state.update(
            last_run=_now(),
            last_status=report.status,
            last_message=report.message,
            last_line=report.line(),
            failures=(int(state.get("failures", 0)) + 1) if failed else 0,
            runs=int(state.get("runs", 0)) + 1,
        )
        if report.status != "idle":
            state["last_crawl"] = state["last_run"]
        set_state(db, f"job:{report.job}", state)
    finally:
        db.conn.close()


def record_next_run(config: Config, job: str, when: datetime | None) -> None:
    with STATE:
        db = open_monitor_db(config.db_path)
        try:
            state = dict(get_state(db).get(f"job:{job}", {}))
            state["next_run"] = when.astimezone(UTC).isoformat(timespec="seconds") if when else None
            set_state(db, f"job:{job}", state)
        finally:
            db.conn.close()
