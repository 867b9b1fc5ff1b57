"""``newsmon daemon`` end to end: the real CLI in a subprocess, the replica outlet on 127.0.0.1,
apprise delivering to a local webhook, a real SQLite archive."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import pytest
import tomli_w

from monitor.receiver import Receiver
from monitor.replica import Fault
from tests.conftest import ROOT, CliRunner, ReplicaSite, cli_env

pytestmark = pytest.mark.slow

OUTLET = timezone(timedelta(hours=3))
DRAFT = "013"
EDITED = "البرلمان التونسي يقر مشروع قانون المالية بعد جدل حول الضرائب"
INTERVAL = 5.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver().start()
    yield box
    box.close()


def write_config(path: Path, replica: ReplicaSite, receiver: Receiver, **extra: Any) -> Path:
    config: dict[str, Any] = {
        "db": str(path.parent / "newsmon.db"),
        "site": {"base_url": replica.url, "allow_private": True},
        "crawl": {"delay": "0s", "timeout": "10s", "max_duration": "1m"},
        "schedule": {"interval": "1h", "jitter": "0s", "misfire_grace": "1m"},
        "recheck": {"every": [["30d", "3s"]]},
        "notify": {"target": [{"url": receiver.url("/e2e")}]},
    }
    for key, value in extra.items():
        config[key] = {**config.get(key, {}), **value}
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


class Daemon:
    """The real ``newsmon daemon`` in a subprocess, its log collected as it goes."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.log_path = tmp_path / f"daemon-{time.monotonic_ns()}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "daemon", *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=cli_env(tmp_path),
            cwd=ROOT,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, text: str, timeout: float, *, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.count(text) >= count:
                return
            assert self.proc.poll() is None, f"the daemon exited:\n{self.log}"
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not logged {count}x within {timeout}s:\n{self.log}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def _names(cmdline: Path, path: Path) -> bool:
    try:
        return str(path).encode() in cmdline.read_bytes()
    except OSError:
        return False


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_publish_edit_stop_restart(
    tmp_path: Path, replica: ReplicaSite, receiver: Receiver, run_cli: CliRunner
) -> None:
    config = write_config(tmp_path / "config.toml", replica, receiver)
    watchlist = tmp_path / "watch.toml"
    watchlist.write_text(
        '[[watch]]\nname = "تونس"\nterms = ["البرلمان التونسي"]\n', encoding="utf-8"
    )
    db = tmp_path / "newsmon.db"

    daemon = Daemon(tmp_path, "--config", str(config), "--interval", f"{INTERVAL:g}s")
    try:
        daemon.wait_log("cycle outlet: ok", timeout=60)
        # The watchlist changes while the daemon runs: it applies from the next cycle.
        assert run_cli("watch", "import", watchlist, "--db", db).code == 0
        # One daemon per archive: a second one names the first.
        second = run_cli("daemon", "--config", config, timeout=30)
        assert second.code == 1
        assert f"pid {daemon.proc.pid}" in second.err and "already using" in second.err
        assert "Traceback" not in second.err

        # A draft is published: its alert arrives within one interval and a few seconds.
        published = datetime.now(OUTLET).replace(microsecond=0)
        replica.edit_article(DRAFT, draft=False, published=published, modified=published)
        started = time.monotonic()
        first = wait_for(
            lambda: [m for m in receiver.messages if "تونس" in m.title],
            INTERVAL + 20,
            "the new article's alert",
        )
        new_latency = time.monotonic() - started
        assert "البرلمان التونسي" in first[0].message

        # Its headline is edited: a change alert arrives.
        replica.edit_article(
            DRAFT, title=EDITED, modified=datetime.now(OUTLET).replace(microsecond=0)
        )
        changed = wait_for(
            lambda: [m for m in receiver.messages if EDITED in m.title],
            INTERVAL + 20,
            "the change alert",
        )
        assert "يناقش" in changed[0].message  # the old headline, in what changed
        sent_before = len(receiver.messages)

        # SIGTERM: a clean exit, the state saved.
        assert daemon.stop() == 0, daemon.log
    finally:
        daemon.kill()
    assert "Traceback" not in daemon.log
    assert "stopped" in daemon.log
    status = run_cli("status", "--json", "--config", config)
    state = json.loads(status.out)
    assert state["heartbeat"]["state"] == "stopped"
    assert state["alerts"]["sent"] == sent_before and state["alerts"]["pending"] == 0
    assert [j["name"] for j in state["jobs"]] == ["outlet", "recheck"]
    print(f"new-article alert latency: {new_latency:.1f}s")

    # A restart sends nothing twice.
    again = Daemon(tmp_path, "--config", str(config), "--interval", f"{INTERVAL:g}s")
    try:
        again.wait_log("cycle outlet: ok", timeout=60, count=2)
        assert again.stop() == 0
    finally:
        again.kill()
    assert len(receiver.messages) == sent_before
    assert "sent=0" in again.log and "Traceback" not in again.log


def test_sigterm_stops_a_running_crawl_and_sighup_reloads(
    tmp_path: Path, replica: ReplicaSite, receiver: Receiver, run_cli: CliRunner
) -> None:
    config = write_config(tmp_path / "config.toml", replica, receiver)
    daemon = Daemon(tmp_path, "--config", str(config), "--interval", "4s")
    try:
        daemon.wait_log("cycle outlet: ok", timeout=60)
        # A bad file on reload is one error line, and the running configuration stays.
        good = config.read_text(encoding="utf-8")
        config.write_text(good + "\n[schedule]\nbogus = 1\n", encoding="utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_log("configuration not reloaded", timeout=10)
        config.write_text(good.replace('"1h"', '"2h"'), encoding="utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_log("configuration reloaded", timeout=10)
        daemon.wait_log("cycle outlet: ok", timeout=30, count=2)
        # Now every page answers slowly: the next crawl is running when SIGTERM comes.
        replica.server.add_fault(Fault(path="*", delay=30.0))
        time.sleep(6)
        started = time.monotonic()
        code = daemon.stop(timeout=60)
        took = time.monotonic() - started
    finally:
        daemon.kill()
    assert code == 0, daemon.log
    assert "Traceback" not in daemon.log
    # The crawl was told to stop, not waited for (pages take 30 s each).
    assert took < 45, f"took {took:.0f}s to stop"
    # It stopped with the daemon (no crawl left behind) and its run says it was interrupted.
    db = tmp_path / "newsmon.db"
    assert not [p for p in Path("/proc").glob("[0-9]*/cmdline") if _names(p, db)]
    conn = sqlite3.connect(db)
    try:
        last_run = conn.execute("SELECT status FROM crawl_runs ORDER BY id DESC").fetchone()
    finally:
        conn.close()
    assert last_run == ("interrupted",)
    state = json.loads(run_cli("status", "--json", "--config", config).out)
    assert state["heartbeat"]["state"] == "stopped"
    check = run_cli("status", "--check", "--config", config)
    assert check.code == 1 and "stopped" in check.err


def test_run_does_one_cycle_for_cron(
    tmp_path: Path, replica: ReplicaSite, receiver: Receiver, run_cli: CliRunner
) -> None:
    config = write_config(tmp_path / "config.toml", replica, receiver)
    db = tmp_path / "newsmon.db"
    assert run_cli("watch", "add", "غزة", "غزة", "--db", db).code == 0
    # A watch added to an empty archive fires for what the first crawl brings.
    result = run_cli("run", "--config", config, "--section", "politics", timeout=120)
    assert result.code == 0, result.err
    assert "cycle outlet: ok" in result.out and "cycle recheck:" in result.out
    assert any("غزة" in m.title for m in receiver.wait_for(1, timeout=5))
    state = json.loads(run_cli("status", "--json", "--config", config).out)
    assert state["articles"] >= 3 and state["alerts"]["sent"] >= 1
    assert state["lock_holder"] is None

    # The site is gone: one error line and exit status 1; nothing stored is lost.
    replica.server.add_fault(Fault(path="*", status=503))
    down = run_cli("run", "--config", config, "--section", "politics", timeout=120)
    assert down.code == 1 and "Traceback" not in down.err
    assert down.err.strip().splitlines()[-1].startswith("Error: every crawl failed")
    after = json.loads(run_cli("status", "--json", "--config", config).out)
    assert after["articles"] == state["articles"]
    assert after["alerts"]["sent"] == state["alerts"]["sent"]


def test_the_demo_runs_the_whole_product(tmp_path: Path, run_cli: CliRunner) -> None:
    result = run_cli("demo", "--dir", tmp_path / "demo", "--interval", "5s", timeout=240)
    assert result.code == 0, result.out + result.err
    assert "── alert received: [newsmon] تونس" in result.out
    assert EDITED in result.out  # the change alert, with the edited headline
    assert "the published article was alerted, its edited headline alerted" in result.out
    assert "archive:" in result.out and "Traceback" not in result.err
