"""Several writers share the archive (a crawl subprocess, the daemon's jobs, a command): a write
transaction must wait its turn, not fail with "database is locked"."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from crawler.database import open_db
from crawler.transaction import writing


def _pair(tmp_path: Path) -> tuple:
    path = tmp_path / "أرشيف.db"
    first, second = open_db(path), open_db(path)
    first.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    return first, second


def test_a_deferred_transaction_fails_when_another_writer_committed_first(tmp_path: Path) -> None:
    # Why writing() exists: BEGIN reads a snapshot, another connection commits, and the first
    # write then fails at once (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout.
    first, second = _pair(tmp_path)
    with pytest.raises(sqlite3.OperationalError, match="locked"), first.atomic():
        first.execute("SELECT count(*) FROM notes").fetchone()
        second.execute("INSERT INTO notes (text) VALUES ('خبر')")
        first.execute("INSERT INTO notes (text) VALUES ('تعديل')")


def test_writing_waits_for_the_other_writer(tmp_path: Path) -> None:
    first, _ = _pair(tmp_path)
    holding, done = threading.Event(), threading.Event()

    def other() -> None:
        second = open_db(tmp_path / "أرشيف.db")  # a connection of this thread's own
        with writing(second):
            second.execute("INSERT INTO notes (text) VALUES ('خبر')")
            holding.set()
            done.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    assert holding.wait(5)
    threading.Timer(0.3, done.set).start()
    # Blocks until the other transaction commits (busy timeout), then succeeds.
    with writing(first):
        count = first.execute("SELECT count(*) FROM notes").fetchone()[0]
        first.execute("INSERT INTO notes (text) VALUES (?)", [f"تعديل بعد {count}"])
    thread.join(5)
    rows = [r[0] for r in first.execute("SELECT text FROM notes ORDER BY id")]
    assert rows == ["خبر", "تعديل بعد 1"]


def test_writing_rolls_back_on_error_and_nests(tmp_path: Path) -> None:
    first, _ = _pair(tmp_path)
    with pytest.raises(ValueError), writing(first):
        first.execute("INSERT INTO notes (text) VALUES ('يضيع')")
        raise ValueError("stop")
    with writing(first):
        first.execute("INSERT INTO notes (text) VALUES ('يبقى')")
        with pytest.raises(ValueError), writing(first):
            first.execute("INSERT INTO notes (text) VALUES ('يضيع أيضا')")
            raise ValueError("inner")
    assert [r[0] for r in first.execute("SELECT text FROM notes")] == ["يبقى"]
    assert not first.conn.in_transaction
