"""A notification target that fails for a while, with the real daemon (RELIABILITY.md row 15):
it answers 500, then is down (port closed), then is slower than its timeout, then recovers.
The alert stays in the outbox (failed, retried with backoff, never expired) and is delivered
once the target answers; every attempt carries the same Idempotency-Key.

tests/test_outbox.py covers the same faults step by step with a controlled clock (backoff
times, expiry, a slow target within its timeout); this runs them through the daemon.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner, ReplicaSite
from test_daemon import Daemon as DaemonProcess
from test_daemon import wait_for, write_config

from monitor.receiver import Receiver

pytestmark = pytest.mark.slow

OUTLET = timezone(timedelta(hours=3))


def alert_row(db_path: Path) -> dict[str, Any] | None:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM alerts WHERE kind = 'match'").fetchone()
    except sqlite3.OperationalError:
        return None  # not created yet
    finally:
        conn.close()
    return dict(row) if row else None


def tries_reach(db_path: Path, tries: int) -> Callable[[], dict[str, Any] | None]:
    def check() -> dict[str, Any] | None:
        row = alert_row(db_path)
        return row if row and row["tries"] >= tries and row["status"] == "failed" else None

    return check


def test_a_failing_target_gets_the_alert_once_it_recovers(
    tmp_path: Path, replica: ReplicaSite, run_cli: CliRunner
) -> None:
    failing = Receiver(status=500).start()
    port = failing.port
    # rto: the target's own read timeout, in apprise's URL (1 s: a slow phase stays short).
    url = failing.url("/hook") + "?rto=1"
    config = write_config(
        tmp_path / "config.toml",
        replica,
        failing,
        crawl={"sections": ["politics"]},
        notify={"target": [{"url": url}], "max_backoff": "2s"},
    )
    db_path = tmp_path / "newsmon.db"
    assert run_cli("watch", "add", "تونس", "البرلمان التونسي", "--db", db_path).code == 0
    now = datetime.now(OUTLET).replace(microsecond=0)
    replica.edit_article("013", draft=False, published=now, modified=now)
    phases: dict[str, int] = {}
    daemon = DaemonProcess(tmp_path, "--config", str(config), "--interval", "2s")
    slow: Receiver | None = None
    try:
        # 500: failed, retried, and still failed.
        row = wait_for(tries_reach(db_path, 2), 60, "two failed attempts at a 500")
        assert "500" in (row["last_error"] or ""), row["last_error"]
        assert row["next_attempt_at"]
        phases["500"] = row["tries"]
        # Down: the port is closed.
        failing.close()
        row = wait_for(tries_reach(db_path, row["tries"] + 1), 30, "an attempt at a closed port")
        assert "onnect" in (row["last_error"] or ""), row["last_error"]
        phases["down"] = row["tries"] - phases["500"]
        state = json.loads(run_cli("status", "--json", "--config", config).out)
        assert state["alerts"]["failed"] == 1 and state["alerts"]["sent"] == 0
        # Slow: the target answers after 2.5 s, past its 1 s read timeout.
        slow = Receiver(delay=2.5).start(port=port)
        wait_for(lambda: slow is not None and slow.attempts >= 1, 30, "an attempt at the slow one")
        before = row["tries"]
        # (apprise words a timeout as it words a refused connection: the attempt counts tell.)
        wait_for(tries_reach(db_path, before + 1), 30, "an attempt that timed out")
        # Recovered.
        slow.delay = 0.0
        row = wait_for(
            lambda: (r := alert_row(db_path)) and r["status"] == "sent" and r, 30, "the delivery"
        )
        cycles = daemon.log.count("cycle outlet:")
        daemon.wait_log("cycle outlet:", timeout=30, count=cycles + 2)  # two more cycles
        assert daemon.stop() == 0
    finally:
        daemon.kill()
        failing.close()
        if slow is not None:
            slow.close()
    assert slow is not None
    final = alert_row(db_path)
    assert final is not None and final["status"] == "sent"
    phases["slow"] = final["tries"] - 1 - phases["500"] - phases["down"]
    # Each attempt the outbox counted reached the target once (those at the closed port
    # could not): at the 500, and at the slow target until it answered in time.
    assert failing.attempts == phases["500"]
    assert slow.attempts == phases["slow"] + 1
    assert phases["slow"] >= 1
    received = [m for m in slow.messages if "تونس" in m.title]
    keys = {m.headers.get("Idempotency-Key") for m in received}
    print(
        f"attempts: at a 500 {phases['500']}, at a closed port {phases['down']}, timed out"
        f" {phases['slow']}, delivered 1; the slow target also took {len(received) - 1}"
        f" of the attempts it answered too late; all with one Idempotency-Key: {len(keys) == 1}"
    )
    assert failing.messages == []
    # Once it answered in time the alert was sent once; the repeats are the attempts the slow
    # target took after apprise had given up on them, and carry the same key.
    assert 1 <= len(received) <= 1 + phases["slow"]
    assert keys == {final["key"]}
