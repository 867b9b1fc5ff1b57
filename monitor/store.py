"""The monitor's own tables, in the archive's SQLite file, under the ``monitor`` migration set.

- ``watches``: the watchlist (read and written through ``monitor.watches``);
  ``since_version`` is the newest version row when the watch was added: a new watch looks at
  what is crawled from then on, not at the whole back catalogue (``watch test --db-scan`` is
  for that);
- ``matches``: one row per mention that fired a watch on an article version, unique per
  watch + version + field + position;
- ``cursors``: how far each step has read the ``versions`` table (the match step: ``matches``).

The crawler's tables are read through ``crawler.articles`` functions only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler.database import open_db
from crawler.schema import migrations as crawler_migrations
from crawler.store import utcnow

migrations = Migrations("monitor")

MATCH_CURSOR = "matches"


@migrations()
def m001_watches_matches_cursors(db: Database) -> None:
    db.table("watches").create(
        {
            "id": int,
            "name": str,
            "terms": str,
            "all_of": str,
            "none_of": str,
            "fields": str,
            "sections": str,
            "tags": str,
            "since_version": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("watches").create_index(["name"], unique=True)
    db.table("matches").create(
        {
            "id": int,
            "watch_id": int,
            "article_id": int,
            "version_id": int,
            "version": int,
            "field": str,
            "position": int,
            "surface": str,
            "term": str,
            "mode": str,
            "snippet": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[
            ("watch_id", "watches", "id"),
            ("article_id", "articles", "id"),
            ("version_id", "versions", "id"),
        ],
    )
    db.table("matches").create_index(["watch_id", "version_id", "field", "position"], unique=True)
    db.table("matches").create_index(["version_id"])
    db.table("matches").create_index(["article_id"])
    db.table("cursors").create({"name": str, "version_id": int, "updated_at": str}, pk="name")


@migrations()
def m002_outbox(db: Database) -> None:
    db.table("alerts").create(
        {
            "id": int,
            "key": str,
            "kind": str,  # match | health | test
            "watch_id": int,
            "article_id": int,
            "version_id": int,
            "version": int,
            "target_key": str,
            "title": str,
            "text": str,
            "markdown": str,
            "info": str,  # the AlertInfo as JSON, for digests
            "status": str,
            "tries": int,
            "last_error": str,
            "next_attempt_at": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"key", "kind", "target_key", "status", "created_at"},
        defaults={"tries": 0},
    )
    db.table("alerts").create_index(["key"], unique=True)
    db.table("alerts").create_index(["status", "next_attempt_at"])
    db.table("alerts").create_index(["target_key", "status"])
    db.table("alerts").create_index(["watch_id"])
    # Per target: when its last digest went out.
    db.table("target_state").create({"target_key": str, "last_digest_at": str}, pk="target_key")


@migrations()
def m003_health(db: Database) -> None:
    # One row per health problem while it lasts (and after, with closed_at), so each one alerts
    # once, reminds at most daily, and says when it recovered.
    db.table("health").create(
        {
            "id": int,
            "key": str,
            "source": str,
            "text": str,
            "detail": str,
            "opened_at": str,
            "last_alert_at": str,
            "reminders": int,
            "closed_at": str,
        },
        pk="id",
    )
    db.table("health").create_index(["key", "closed_at"])


@migrations()
def m004_daemon_state(db: Database) -> None:
    # What the daemon last did and will do next, and its heartbeat (newsmon status reads it).
    db.table("daemon_state").create({"key": str, "value": str, "updated_at": str}, pk="key")


def open_monitor_db(path: str | Path, *, readonly: bool = False) -> Database:
    """The archive at ``path`` (``crawler.database.open_db``) with the monitor's tables up to
    date. ``readonly`` opens an existing archive and writes nothing (not even migrations)."""
    db = open_db(path, readonly=readonly, also=(migrations,))
    if not readonly:
        migrations.apply(db)
    return db


def open_monitor_reader(path: str | Path) -> Database | None:
    """The archive at ``path`` for a command that only reads it: None when there is no file
    (nothing is created, not even its directory), read-only when the monitor's tables are
    there (so a read-only or a newer archive can still be read), else opened as usual to
    bring them up to date."""
    path = Path(path)
    if not path.exists():
        return None
    db = open_db(path, readonly=True)
    if not migrations.pending(db) and not crawler_migrations.pending(db):
        return db
    db.conn.close()
    return open_monitor_db(path)


def has_monitor_tables(db: Database) -> bool:
    return "watches" in db.table_names()


def get_cursor(db: Database, name: str = MATCH_CURSOR) -> int:
    """The last version row id a step has processed (0: none yet)."""
    row = db.execute("SELECT version_id FROM cursors WHERE name = ?", [name]).fetchone()
    return int(row[0]) if row else 0


def set_cursor(db: Database, version_id: int, name: str = MATCH_CURSOR) -> None:
    db.execute(
        "INSERT INTO cursors (name, version_id, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET version_id = excluded.version_id,"
        " updated_at = excluded.updated_at",
        [name, version_id, utcnow()],
    )


def insert_match(db: Database, row: dict[str, Any]) -> int | None:
    """Record a match; None when that watch + version + field + position is already there."""
    columns = ", ".join(row)
    cursor = db.execute(
        f"INSERT OR IGNORE INTO matches ({columns}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    return int(cursor.lastrowid or 0) if cursor.rowcount else None


def set_state(db: Database, key: str, value: dict[str, Any]) -> None:
    """Record one piece of the daemon's state (a job's runs, the heartbeat) as JSON."""
    db.execute(
        "INSERT INTO daemon_state (key, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [key, json.dumps(value, ensure_ascii=False), utcnow()],
    )


def get_state(db: Database) -> dict[str, dict[str, Any]]:
    if "daemon_state" not in db.table_names():
        return {}
    return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM daemon_state")}
