"""One daemon per archive (the lock), and what ``newsmon status`` reports."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import Config
from monitor.lock import ArchiveLock, LockHeld, holder
from monitor.status import read_status
from monitor.store import open_monitor_db, set_state
from tests.conftest import CliRunner

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_second_holder_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    db = tmp_path / "أرشيف.db"
    with ArchiveLock(db, "daemon"):
        with pytest.raises(LockHeld) as caught:
            ArchiveLock(db, "run").acquire()
        assert "daemon (pid " in str(caught.value) and "already using" in str(caught.value)
        assert holder(db) is not None and holder(db)["role"] == "daemon"  # type: ignore[index]
    assert holder(db) is None
    ArchiveLock(db, "run").acquire().release()


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from monitor.lock import ArchiveLock
        lock = ArchiveLock(Path({str(db)!r}), "daemon").acquire()
        print("held", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        held = holder(db)
        assert held is not None and held["pid"] == proc.pid and held["role"] == "daemon"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    # No stale lock after a crash: the operating system released it.
    assert holder(db) is None
    ArchiveLock(db, "daemon").acquire().release()


def _config(tmp_path: Path) -> Config:
    return Config(db_path=tmp_path / "archive.db")


def test_status_problems(tmp_path: Path) -> None:
    config = _config(tmp_path)
    db = open_monitor_db(config.db_path)
    assert read_status(db, config, now=NOW).problems == (
        "no daemon has run on this archive (no heartbeat)",
    )
    beat = {"at": (NOW - timedelta(seconds=20)).isoformat(), "state": "running", "every": 10}
    set_state(db, "heartbeat", beat)
    set_state(db, "job:outlet", {"last_status": "ok", "failures": 0, "next_run": "x"})
    state = read_status(db, config, now=NOW)
    assert state.problems == () and state.heartbeat_age == 20
    # Stale: a hung or vanished daemon.
    assert "stale" in read_status(db, config, now=NOW + timedelta(minutes=5)).problems[0]
    # A source failing again and again.
    set_state(db, "job:outlet", {"last_status": "failed", "failures": 3})
    assert read_status(db, config, now=NOW).problems == ("outlet: the last 3 crawls failed",)
    db.table("crawl_sources").insert(
        {"url": "https://www.alaraby.co.uk/rss", "kind": "feed", "failures": 4}
    )
    assert (
        "feed https://www.alaraby.co.uk/rss failed 4 times"
        in read_status(db, config, now=NOW).problems
    )


def test_status_command(tmp_path: Path, run_cli: CliRunner) -> None:
    db_path = tmp_path / "archive.db"
    missing = run_cli("status", "--db", db_path)
    assert missing.code == 1 and "no archive at" in missing.err
    db = open_monitor_db(db_path)
    now = datetime.now(UTC)
    set_state(db, "heartbeat", {"at": now.isoformat(), "state": "running", "pid": 42, "every": 10})
    set_state(db, "job:politics", {"last_run": now.isoformat(), "last_status": "ok", "failures": 0})
    db.conn.close()
    shown = run_cli("status", "--db", db_path)
    assert shown.code == 0, shown.err
    assert "daemon: running (pid 42)" in shown.out and "politics" in shown.out
    data = json.loads(run_cli("status", "--json", "--db", db_path).out)
    assert data["ok"] is True and data["jobs"][0]["name"] == "politics"
    assert data["alerts"]["pending"] == 0 and data["articles"] == 0
    check = run_cli("status", "--check", "--db", db_path)
    assert (check.code, check.out.strip()) == (0, "ok")
