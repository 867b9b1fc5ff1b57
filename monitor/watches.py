"""The watchlist in the archive (table ``watches``): add, change, remove and list watches, and
count the matches each has fired. Terms are stored as JSON lists of ``{text, mode, force}``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from crawler.articles import last_version_id
from crawler.database import StoreError
from crawler.store import utcnow
from crawler.transaction import writing
from monitor.store import has_monitor_tables
from monitor.watchlist import Term, Watch


class WatchStoreError(StoreError):
    """A watchlist change that cannot be made (a name taken, a watch not there)."""


@dataclass(frozen=True, slots=True)
class StoredWatch:
    id: int
    watch: Watch
    since_version: int
    created_at: str
    updated_at: str


def _terms_json(terms: tuple[Term, ...]) -> str:
    return json.dumps(
        [{"text": t.text, "mode": t.mode, "force": t.force} for t in terms], ensure_ascii=False
    )


def _terms(value: str) -> tuple[Term, ...]:
    return tuple(Term(t["text"], t["mode"], bool(t.get("force"))) for t in json.loads(value))


def _columns(watch: Watch) -> dict[str, Any]:
    return {
        "name": watch.name,
        "terms": _terms_json(watch.terms),
        "all_of": _terms_json(watch.all_of),
        "none_of": _terms_json(watch.none_of),
        "fields": watch.fields,
        "sections": json.dumps(list(watch.sections), ensure_ascii=False),
        "tags": json.dumps(list(watch.tags), ensure_ascii=False),
    }


def _stored(row: dict[str, Any]) -> StoredWatch:
    watch = Watch(
        name=row["name"],
        terms=_terms(row["terms"]),
        all_of=_terms(row["all_of"]),
        none_of=_terms(row["none_of"]),
        fields=row["fields"],
        sections=tuple(json.loads(row["sections"])),
        tags=tuple(json.loads(row["tags"])),
    )
    return StoredWatch(row["id"], watch, row["since_version"], row["created_at"], row["updated_at"])


def list_watches(db: Database) -> list[StoredWatch]:
    if not has_monitor_tables(db):
        return []
    return [_stored(row) for row in db.table("watches").rows_where(order_by="name")]


def get_watch(db: Database, name: str) -> StoredWatch | None:
    if not has_monitor_tables(db):
        return None
    rows = list(db.table("watches").rows_where("name = ?", [name]))
    return _stored(rows[0]) if rows else None


def add_watch(db: Database, watch: Watch) -> StoredWatch:
    """Store a new watch (a validated one); its name must be free."""
    with writing(db):
        if get_watch(db, watch.name):
            raise WatchStoreError(
                f"a watch named {watch.name!r} exists (remove it first, or edit a watchlist"
                " file and import it)"
            )
        now = utcnow()
        table = db.table("watches")
        table.insert(
            {
                **_columns(watch),
                "since_version": last_version_id(db),
                "created_at": now,
                "updated_at": now,
            }
        )
        stored = get_watch(db, watch.name)
        assert stored is not None
        return stored


SaveResult = Literal["added", "updated", "unchanged"]


def save_watch(db: Database, watch: Watch) -> SaveResult:
    """Add ``watch``, or replace the stored one of the same name (its matches and the
    version it watches from stay)."""
    with writing(db):
        old = get_watch(db, watch.name)
        if old is None:
            add_watch(db, watch)
            return "added"
        if old.watch == watch:
            return "unchanged"
        db.table("watches").update(old.id, {**_columns(watch), "updated_at": utcnow()})
        return "updated"


def remove_watch(db: Database, name: str) -> None:
    """Delete a watch and the matches it recorded."""
    with writing(db):
        old = get_watch(db, name)
        if old is None:
            raise WatchStoreError(f"no watch named {name!r}")
        db.execute("DELETE FROM matches WHERE watch_id = ?", [old.id])
        db.table("watches").delete(old.id)


def match_counts(db: Database) -> dict[int, int]:
    """Matches recorded per watch id."""
    if not has_monitor_tables(db):
        return {}
    rows = db.execute("SELECT watch_id, count(*) FROM matches GROUP BY watch_id").fetchall()
    return {int(r[0]): int(r[1]) for r in rows}
