"""The daemon over 200 cycles (RELIABILITY.md row 18, second half): no file-descriptor leak and
its memory flat.

200 crawl cycles would take the better part of ten minutes (each crawl is a scrapy subprocess),
so the cycles are the daemon's three kinds of job at their quickest: the outbox worker every
second (notify.retry_every), the re-check job every second (nothing is due: a cycle that opens
the archive, finds no work and records itself), and a real crawl of the replica every 5 s, whose
article the test edits each time so that every crawl stores a version, matches it and delivers
an alert. Cycles are counted from what the daemon records of each job's runs. The daemon's own
process is measured (the crawls run in their own processes): its open descriptors, counted in
/proc/PID/fd, and its resident memory, VmRSS. bench/daemon_memory.py measures longer runs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CliRunner, ReplicaSite
from test_daemon import Daemon as DaemonProcess
from test_daemon import write_config

from monitor.receiver import Receiver

CYCLES = int(os.environ.get("NEWSMON_RESOURCE_CYCLES", "200"))
WARM_UP = 0.2  # the first fifth of the cycles: imports, caches, the first crawls


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver().start()
    yield box
    box.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def cycles_run(db_path: Path) -> dict[str, int]:
    """Runs of each job, as the daemon recorded them."""
    try:
        conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return {}
    try:
        rows = conn.execute("SELECT key, value FROM daemon_state").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return {k: int(json.loads(v).get("runs", 0)) for k, v in rows if k != "heartbeat"}


@pytest.mark.slow
def test_the_daemon_holds_its_descriptors_and_memory_over_200_cycles(
    tmp_path: Path, replica: ReplicaSite, receiver: Receiver, run_cli: CliRunner
) -> None:
    config = write_config(
        tmp_path / "config.toml",
        replica,
        receiver,
        crawl={"sections": ["politics"]},
        recheck={"every": [["1d", "1s"]]},  # the replica's articles are older: nothing due
        notify={"retry_every": "1s"},
    )
    db_path = tmp_path / "newsmon.db"
    assert run_cli("watch", "add", "غزة", "غزة", "--db", db_path).code == 0
    daemon = DaemonProcess(tmp_path, "--config", str(config), "--interval", "5s")
    pid = daemon.proc.pid
    samples: list[tuple[int, int, int]] = []  # (cycles, fds, rss kB)
    crawls_seen = 0
    started = time.monotonic()
    try:
        deadline = started + 10 * 60
        while time.monotonic() < deadline:
            assert daemon.proc.poll() is None, daemon.log
            runs = cycles_run(db_path)
            total = sum(runs.values())
            samples.append((total, open_fds(pid), rss_kb(pid)))
            if runs.get("job:outlet", 0) > crawls_seen:
                # Each crawl finds an edit to store, match and deliver.
                crawls_seen = runs["job:outlet"]
                replica.edit_article("002", title=f"قصف جديد على غزة في الدورة {crawls_seen}")
            if total >= CYCLES:
                break
            time.sleep(0.25)
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    elapsed = time.monotonic() - started
    runs = cycles_run(db_path)
    assert sum(runs.values()) >= CYCLES, runs

    warm = [s for s in samples if s[0] >= CYCLES * WARM_UP]
    tenth = max(3, len(warm) // 10)
    early, late = warm[:tenth], warm[-tenth:]
    # Descriptors come and go within a cycle (an archive connection, a crawl's pipe, a socket):
    # the level the daemon comes back to between them is the one that must not grow.
    fds_early, fds_late = min(s[1] for s in early), min(s[1] for s in late)
    rss_early = statistics.median(s[2] for s in early) / 1024
    rss_late = statistics.median(s[2] for s in late) / 1024
    alerts = len([m for m in receiver.messages if "غزة" in m.title])
    print(
        f"daemon over {sum(runs.values())} cycles in {elapsed:.0f}s ({runs}): alerts delivered"
        f" {alerts}; open fds after warm-up {fds_early} -> at the end {fds_late}"
        f" (max {max(s[1] for s in warm)}); RSS {rss_early:.1f} MB -> {rss_late:.1f} MB"
        f" (max {max(s[2] for s in samples) / 1024:.1f} MB)"
    )
    assert runs.get("job:outlet", 0) >= CYCLES // 20, "too few real crawls to mean anything"
    assert alerts >= runs["job:outlet"] // 2
    assert fds_late <= fds_early, "the daemon leaks file descriptors"
    assert rss_late <= rss_early * 1.10, "the daemon's memory grows"
