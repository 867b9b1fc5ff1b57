"""Write transactions that take SQLite's write lock when they begin.

The archive has several writers at once (a crawl subprocess, the daemon's jobs, a command run
by hand). In WAL mode a plain ``BEGIN`` reads first and asks for the write lock at its first
write; if another connection committed in between, SQLite answers "database is locked" at
once, without waiting for the busy timeout. ``BEGIN IMMEDIATE`` waits its turn instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """``with writing(db): ...`` — all or nothing, like ``db.atomic()``, but it waits for the
    write lock up front. Inside another transaction it is a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
