"""`newsmon alerts`, `alerts retry` and `notify --test` through the real CLI."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alerting import archive, local_target, publish
from conftest import CliRunner

from monitor.config import Config
from monitor.receiver import Receiver
from monitor.runner import match_step, notify_step

CANARY = "CANARY-3f0a6c"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.close()


# The receivers are on 127.0.0.1: a user sending to a local receiver allows it explicitly.
LOCAL = {"NEWSMON_ALLOW_PRIVATE": "1"}


def closed_url(path: str = "/hook") -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"json://127.0.0.1:{s.getsockname()[1]}{path}"


def test_notify_test_reports_each_target(run_cli: CliRunner, receiver: Receiver) -> None:
    down = closed_url(f"/hook?-X-Token={CANARY}")
    result = run_cli(
        "notify", "--test", env={"NEWSMON_NOTIFY_URLS": f"{receiver.url()} {down}", **LOCAL}
    )
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith(f"ok      json://127.0.0.1:{receiver.port}/newsmon")
    assert lines[1].startswith("failed  json://127.0.0.1:") and "onnection" in lines[1]
    assert CANARY not in result.out + result.err
    (got,) = receiver.wait_for(1)
    assert "العربية تصل سليمة" in got.message
    ok = run_cli("notify", "--test", env={"NEWSMON_NOTIFY_URLS": receiver.url(), **LOCAL})
    assert ok.code == 0 and len(receiver.wait_for(2)) == 2


def test_notify_test_by_tag_and_without_targets(
    run_cli: CliRunner, receiver: Receiver, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[notify.target]]\nurl = "{receiver.url("/desk")}"\ntags = ["desk"]\n'
        "allow_private = true\n"
        f'[[notify.target]]\nurl = "{receiver.url("/other")}"\n',
        encoding="utf-8",
    )
    result = run_cli("notify", "--test", "--tag", "desk", "--config", config)
    assert result.code == 0, result.err
    assert [m.path for m in receiver.wait_for(1)] == ["/desk"]
    none = run_cli("notify", "--test", "--tag", "nobody", "--config", config)
    assert none.code == 1
    assert (
        none.err.strip()
        == "Error: no notification targets tagged nobody (see: newsmon config show)"
    )
    empty = run_cli("notify", "--test")
    assert empty.code == 1 and "no notification targets configured" in empty.err


def test_alerts_list_and_retry(run_cli: CliRunner, db_path: Path) -> None:
    down = local_target(closed_url())
    db = archive(db_path)
    publish(db, "1", "2")
    match_step(db, [down])
    notify_step(db, Config(), [down], now=datetime.now(UTC))
    listing = run_cli("alerts", "--db", db_path)
    assert listing.code == 0, listing.err
    rows = [line.split("\t") for line in listing.out.splitlines()]
    assert [r[1] for r in rows] == ["failed", "failed"]
    assert rows[0][3] == "غزة" and "onnection" in rows[0][7]
    assert run_cli("alerts", "--status", "sent", "--db", db_path).err.strip() == "no alerts"
    retried = run_cli("alerts", "retry", rows[0][0], "--db", db_path)
    assert retried.code == 0 and retried.out.startswith("1 alert(s)")
    assert [r.split("\t")[1] for r in run_cli("alerts", "--db", db_path).out.splitlines()] == [
        "pending",
        "failed",
    ]
    assert run_cli("alerts", "retry", "--all", "--db", db_path).out.startswith("1 alert(s)")
    missing = run_cli("alerts", "retry", "999", "--db", db_path)
    assert missing.code == 1 and "no failed or expired alert with id 999" in missing.err
    both = run_cli("alerts", "retry", "--db", db_path)
    assert both.code == 1 and "give an alert ID or --all" in both.err
