"""Scheduler faults (RELIABILITY.md row 16): a crawl longer than its interval, and the wall
clock jumping. (SIGTERM during a crawl: tests/test_daemon.py.)

The clock jump cannot be made for real here: setting the system clock needs root and would
upset every other process on the machine. So the real ``Daemon`` — its APScheduler scheduler,
jobs, executors and main loop — runs in this process with the wall clock it and APScheduler
read replaced by one the test can move; only the crawl itself is replaced, by a recorder (what
is tested is when crawls start, not what they do).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from conftest import ReplicaSite
from test_daemon import Daemon as DaemonProcess
from test_daemon import write_config

from monitor.config import Config, Source
from monitor.receiver import Receiver
from monitor.replica import Fault


class Clock:
    """The wall clock as the daemon and APScheduler see it: the real one plus an offset."""

    offset = timedelta(0)


class MovableDateTime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Any:
        return datetime.now(tz) + Clock.offset


@dataclass
class Recorder:
    """Stands in for a crawl: records when each one ran (on the real monotonic clock)."""

    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)  # of the first crawls; then 0.05 s
    running: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, *_args: object, **_kwargs: object) -> None:
        with self.lock:
            self.starts.append(time.monotonic())
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            took = self.durations.pop(0) if self.durations else 0.05
        time.sleep(took)
        with self.lock:
            self.running -= 1
            self.ends.append(time.monotonic())

    def since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for s in self.starts if s >= moment)


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Clock]]:
    Clock.offset = timedelta(0)
    for module in (
        "monitor.scheduler",
        "apscheduler.schedulers.base",
        "apscheduler.triggers.interval",
        "apscheduler.executors.base",
    ):
        monkeypatch.setattr(f"{module}.datetime", MovableDateTime)
    yield Clock
    Clock.offset = timedelta(0)


@contextmanager
def daemon_in_thread(
    tmp_path: Path, crawls: Recorder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The real Daemon, its one source crawling every second through ``crawls``."""
    from monitor import scheduler

    monkeypatch.setattr(scheduler, "run_source", crawls)
    monkeypatch.setattr(scheduler, "drain_outbox", lambda _config: (0, 0))
    config = Config(
        db_path=tmp_path / "newsmon.db",
        sources=(Source("outlet", interval=timedelta(seconds=1)),),
        jitter=timedelta(0),
        recheck=(),
    )
    daemon = scheduler.Daemon(lambda: config, heartbeat_every=1.0)
    thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        daemon.stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_crawl_longer_than_its_interval_is_coalesced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawls = Recorder(durations=[3.5])  # the first crawl outlasts three intervals
    with daemon_in_thread(tmp_path, crawls, monkeypatch):
        time.sleep(6.0)
    starts, ends = crawls.starts, crawls.ends
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    print(f"after a 3.5 s crawl every 1 s: starts {[round(s - starts[0], 2) for s in starts]}")
    assert crawls.most_at_once == 1
    # The three runs missed while it ran become one, started within an interval of its end,
    # and the pace is then one a second again: no burst of catch-up runs.
    assert ends[0] < starts[1] <= ends[0] + 1.2
    assert all(gap >= 0.8 for gap in gaps[1:]), gaps
    assert len(starts) >= 3


def test_a_clock_jump_neither_stops_nor_storms_the_crawls(
    tmp_path: Path, movable_clock: type[Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    crawls = Recorder()
    with daemon_in_thread(tmp_path, crawls, monkeypatch):
        time.sleep(3.0)
        assert crawls.since(0) >= 2, "the daemon does not crawl every second"

        # The clock jumps forward an hour: 3,600 missed runs become one, then the pace resumes.
        jumped = time.monotonic()
        movable_clock.offset += timedelta(hours=1)
        time.sleep(3.0)
        after_forward = crawls.since(jumped)
        # (A run due just before the jump may start just after it: count from 1 s on too.)
        settled_forward = crawls.since(jumped + 1.0)

        # The clock goes back two hours: the next runs must not wait two hours.
        jumped = time.monotonic()
        movable_clock.offset -= timedelta(hours=2)
        time.sleep(3.0)
        after_back = crawls.since(jumped)
        settled_back = crawls.since(jumped + 1.0)
    print(f"crawls in the 3 s after a jump: forward 1h {after_forward}, back 2h {after_back}")
    assert after_forward <= 5 and settled_forward >= 1
    assert after_back <= 5 and settled_back >= 1
    assert crawls.most_at_once == 1


# A crawl longer than its interval, with the real daemon ------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver().start()
    yield box
    box.close()


def crawl_processes(db_path: Path) -> int:
    """Running ``scrapy crawl`` processes writing to ``db_path``."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"scrapy" in cmdline and any(str(db_path).encode() in arg for arg in cmdline):
            count += 1
    return count


def _moment(text: str) -> float:
    return datetime.fromisoformat(text).astimezone(UTC).timestamp()


@pytest.mark.slow
def test_a_crawl_longer_than_its_interval_is_never_overlapped(
    tmp_path: Path, replica: ReplicaSite, receiver: Receiver
) -> None:
    interval = 3.0
    config = write_config(
        tmp_path / "config.toml",
        replica,
        receiver,
        crawl={"sections": ["politics"]},
        recheck={"every": [["1d", "1s"]]},  # a re-check job every second, on the same worker
    )
    db_path = tmp_path / "newsmon.db"
    # Every answer slow: one crawl takes several intervals.
    replica.server.add_fault(Fault(path="*", delay=0.7))
    daemon = DaemonProcess(tmp_path, "--config", str(config), "--interval", f"{interval:g}s")
    most = 0
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and daemon.log.count("cycle outlet:") < 1:
            most = max(most, crawl_processes(db_path))
            time.sleep(0.1)
        replica.server.clear_faults()  # the next crawls are quick
        deadline = time.monotonic() + 4 * interval
        while time.monotonic() < deadline:
            most = max(most, crawl_processes(db_path))
            time.sleep(0.1)
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    conn = sqlite3.connect(db_path)
    try:
        runs = conn.execute("SELECT started_at, finished_at FROM crawl_runs ORDER BY id").fetchall()
    finally:
        conn.close()
    spans = [(_moment(a), _moment(b)) for a, b in runs if b]
    first = spans[0][1] - spans[0][0]
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    print(
        f"real daemon: long crawl {first:.0f}s (interval {interval:g}s), then {len(spans) - 1}"
        f" runs; gaps between runs {[round(g) for g in gaps]}s; crawl processes at once at most"
        f" {most}"
    )
    assert first > 2 * interval, "the slow crawl was not longer than its interval"
    assert most == 1
    # started_at/finished_at are whole seconds, hence the 1 s slack.
    assert all(gap >= -1 for gap in gaps), gaps
    assert len(spans) >= 2  # the schedule went on after the long crawl
