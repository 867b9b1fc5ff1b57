"""One daemon per archive: an exclusive lock on ``<db>.lock`` that names its holder.

The lock is an ``flock`` on an open file, so it is released by the operating system when its
holder dies, however it dies; the file's content only says who holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any


class LockHeld(Exception):
    """Another process holds the archive's lock."""

    def __init__(self, path: Path, holder: dict[str, Any]) -> None:
        who = f"pid {holder.get('pid', '?')}"
        if holder.get("host") and holder.get("host") != socket.gethostname():
            who += f" on {holder['host']}"
        role = holder.get("role", "process")
        since = f", started {holder['started_at']}" if holder.get("started_at") else ""
        super().__init__(f"a newsmon {role} ({who}{since}) is already using this archive ({path})")
        self.holder = holder


class ArchiveLock:
    def __init__(self, db_path: Path, role: str) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.role = role
        self._file: IO[str] | None = None

    def acquire(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            try:
                holder = json.loads(handle.read() or "{}")
            except ValueError:
                holder = {}
            handle.close()
            raise LockHeld(self.path, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "role": self.role,
                    "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder(db_path: Path) -> dict[str, Any] | None:
    """Who holds the archive's lock now (None when nobody does)."""
    path = db_path.with_name(db_path.name + ".lock")
    if not path.exists():
        return None
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            try:
                return dict(json.loads(handle.read() or "{}"))
            except ValueError:
                return {}
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return None
