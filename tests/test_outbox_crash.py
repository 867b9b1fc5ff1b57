"""Restarts at the two dangerous moments, in real processes killed with os._exit: between
"match" and "send" nothing is lost; between "send" and "mark sent" only the alert in flight can
arrive twice (the documented window) and nothing else is repeated."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from alerting import archive, publish
from conftest import ROOT

from monitor.receiver import Receiver

MATCH = """
import sys
from crawler.addresses import EVERYTHING
from monitor.config import Target
from monitor.runner import match_step
from monitor.store import open_monitor_db
db = open_monitor_db(sys.argv[1])
match_step(db, [Target(sys.argv[2], allowance=EVERYTHING)])
"""
MATCH_THEN_DIE = MATCH + "import os; os._exit(9)  # killed before the outbox is drained\n"

SEND_ONE_THEN_DIE = """
import os, sys
from crawler.addresses import EVERYTHING
from monitor.config import Config, Target
from monitor.notifier import deliver
from monitor.runner import notify_step
from monitor.store import open_monitor_db

def send_then_die(target, message):
    result = deliver(target, message)
    if result.ok:
        os._exit(9)  # apprise delivered; the row is still 'sending'
    return result

db = open_monitor_db(sys.argv[1])
notify_step(db, Config(), [Target(sys.argv[2], allowance=EVERYTHING)], send=send_then_die)
"""

DRAIN = """
import sys
from crawler.addresses import EVERYTHING
from monitor.config import Config, Target
from monitor.runner import match_step, notify_step
from monitor.store import open_monitor_db
db = open_monitor_db(sys.argv[1])
target = Target(sys.argv[2], allowance=EVERYTHING)
match_step(db, [target])
report = notify_step(db, Config(), [target])
print(report.sent, report.recovered)
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.close()


def run(code: str, db: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, str(db), url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def statuses(db_path: Path) -> Counter[str]:
    from monitor.store import open_monitor_db

    db = open_monitor_db(db_path)
    return Counter(r[0] for r in db.execute("SELECT status FROM alerts"))


def test_restart_between_match_and_send_loses_nothing(db_path: Path, receiver: Receiver) -> None:
    publish(archive(db_path), "1", "2", "3")
    died = run(MATCH_THEN_DIE, db_path, receiver.url())
    assert died.returncode == 9, died.stderr
    assert statuses(db_path) == Counter(pending=3)
    assert receiver.messages == []
    restarted = run(DRAIN, db_path, receiver.url())
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.split() == ["3", "0"]
    titles = Counter(m.title for m in receiver.wait_for(3))
    assert len(titles) == 3 and set(titles.values()) == {1}
    assert statuses(db_path) == Counter(sent=3)


def test_restart_between_send_and_mark_sent_repeats_only_the_alert_in_flight(
    db_path: Path, receiver: Receiver
) -> None:
    publish(archive(db_path), "1", "2", "3")
    assert (
        run(
            DRAIN.replace("report = notify_step", "report = None and notify_step").replace(
                "print(report.sent, report.recovered)", ""
            ),
            db_path,
            receiver.url(),
        ).returncode
        == 0
    )  # match only: three pending alerts
    died = run(SEND_ONE_THEN_DIE, db_path, receiver.url())
    assert died.returncode == 9, died.stderr
    assert statuses(db_path) == Counter(pending=2, sending=1)
    assert len(receiver.wait_for(1)) == 1
    restarted = run(DRAIN, db_path, receiver.url())
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.split() == ["3", "1"]  # three sent, one of them recovered
    titles = Counter(m.title for m in receiver.wait_for(4))
    assert sorted(titles.values()) == [1, 1, 2]  # the alert in flight twice, the others once
    # Both deliveries of the alert in flight carry its key, so a receiver can drop the repeat.
    keys = Counter(m.headers.get("Idempotency-Key") for m in receiver.messages)
    assert sorted(keys.values()) == [1, 1, 2] and all(k and k.startswith("match:") for k in keys)
    assert statuses(db_path) == Counter(sent=3)
    # A further run repeats nothing.
    assert run(DRAIN, db_path, receiver.url()).stdout.split() == ["0", "0"]
    assert len(receiver.wait_for(5, timeout=0.5)) == 4
