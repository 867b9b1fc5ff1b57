"""Opening the archive file: WAL, ``synchronous=NORMAL`` and a busy timeout, the migrations,
refusing to write to an archive a newer newsmon changed, and the start-up checks that keep
derived data (content keys, search text, fingerprints) in step with the code."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler import identity, neardup
from crawler.articles import iter_articles
from crawler.schema import migrations
from crawler.store import content_key, index_text
from crawler.text import FOLD_VERSION
from crawler.transaction import writing

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be used (not a database, locked, unwritable): one line for the user."""


def open_db(
    path: str | Path, *, readonly: bool = False, also: Sequence[Migrations] = ()
) -> Database:
    """Open (creating if needed) the archive at ``path`` with WAL, ``synchronous=NORMAL`` and a
    busy timeout, and bring the crawler's tables up to date. ``readonly`` opens an existing file
    without writing anything. An archive a newer newsmon has migrated (``also``: the caller's
    own migration sets, checked as well) is refused before anything is written to it."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise StoreError(
                    f"no database at {path} (check --db or NEWSMON_DB; `newsmon crawl` or"
                    " `newsmon load` creates one)"
                )
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db = Database(conn)
            if "articles" not in db.table_names():
                raise StoreError(f"{path} holds no newsmon archive")
            return db
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        refuse_newer(db, path, (migrations, *also))
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
        ensure_folding(db)
        ensure_fingerprints(db)
        return db
    except sqlite3.DatabaseError as exc:
        raise StoreError(_explain(path, exc)) from exc
    except OSError as exc:
        raise StoreError(f"cannot open database {path}: {exc.strerror or exc}") from exc


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    """What a SQLite error at opening means for the user, and what to do."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return (
            f"cannot write to the archive {path}: the file or its directory is read-only"
            " (commands that only read it still work; fix the permissions to write)"
        )
    if "locked" in text or "busy" in text:
        return (
            f"the archive {path} is locked by another newsmon process (a crawl or the daemon)"
            f" for more than {BUSY_TIMEOUT_MS // 1000} s; try again when it has finished"
        )
    if "not a database" in text or "malformed" in text:
        return (
            f"cannot use database {path}: not a usable newsmon archive ({text});"
            " check --db / NEWSMON_DB"
        )
    if "unable to open" in text:
        return f"cannot open the archive {path} ({text}); check that its directory exists"
    return f"cannot use database {path}: {text}"


def refuse_newer(db: Database, path: Path, sets: Sequence[Migrations]) -> None:
    """StoreError when the archive records migrations of these sets this newsmon does not
    know: a newer newsmon changed its tables, and writing with older code could corrupt them."""
    unknown = []
    for mset in sets:
        # sqlite-utils keeps the registered migrations in a private list; no public accessor.
        known = {m.name for m in mset._migrations}
        unknown += [f"{mset.name}.{m.name}" for m in mset.applied(db) if m.name not in known]
    if unknown:
        raise StoreError(
            f"the archive {path} was written by a newer newsmon (unknown migrations:"
            f" {', '.join(sorted(unknown))}); upgrade newsmon to write to it (reading commands"
            " still work)"
        )


def ensure_folding(db: Database) -> None:
    """Recompute every article's content key and search text when they were made by another
    version of ``fold()`` (a start-up check; normally nothing to do). Without it, the next
    fetch of an article holding a character whose folding changed would record a new version
    with no visible change, and send its alerts again."""
    if _meta(db, "folding") == FOLD_VERSION:
        return
    with writing(db):
        if _meta(db, "folding") == FOLD_VERSION:  # another process did it meanwhile
            return
        rekeyed = 0
        for stored in iter_articles(db):
            key = content_key(stored.article)
            db.execute("UPDATE articles SET content_key = ? WHERE id = ?", [key, stored.id])
            index_text(db, stored.id, stored.article)
            rekeyed += 1
        # Fingerprints count folded words too: ensure_fingerprints() makes them anew.
        db.execute("DELETE FROM fingerprint_meta WHERE key = 'params'")
        db.execute(
            "INSERT OR REPLACE INTO fingerprint_meta (key, value) VALUES ('folding', ?)",
            [FOLD_VERSION],
        )
    if rekeyed:
        log.info("re-keyed %d article(s) for folding version %s", rekeyed, FOLD_VERSION)


def _meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM fingerprint_meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else None


def ensure_fingerprints(db: Database) -> None:
    """Recompute every article's fingerprint when the MinHash/LSH parameters stored with them
    are not the current ones (a start-up check; normally nothing to do)."""
    row = db.execute("SELECT value FROM fingerprint_meta WHERE key = 'params'").fetchone()
    if row and row[0] == neardup.PARAMS:
        return
    with writing(db):
        db.execute("DELETE FROM lsh_bands")
        db.execute("DELETE FROM signatures")
        for stored in iter_articles(db):
            keys = identity.short_paragraph_keys(stored.article)
            fp = identity.fingerprint(stored.article, identity.boilerplate_among(db, keys))
            identity.save_fingerprint(db, stored.id, fp)
        db.execute(
            "INSERT OR REPLACE INTO fingerprint_meta (key, value) VALUES ('params', ?)",
            [neardup.PARAMS],
        )
