"""The outbox: one row per alert and target, written in the same transaction as the matches
that caused it, and drained by ``monitor.sender``.

An alert's key — (watch, article, version, target) for a match — is unique, so an alert is
created once however often the step that makes it is repeated. Target URLs are secrets: rows
hold only a hash of the URL (``target_key``), never the URL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from sqlite_utils import Database

from crawler.revisions import Changes
from crawler.store import utcnow
from monitor.alerttext import AlertInfo, Mention, alert_message
from monitor.config import Target
from monitor.matching import MatchRecord, VersionMatches
from monitor.notifier import Message, route

Status = Literal["pending", "sending", "sent", "failed", "expired", "unrouted"]
STATUSES: tuple[Status, ...] = ("pending", "sending", "sent", "failed", "expired", "unrouted")
NO_TARGET = "-"


def target_key(target: Target | str) -> str:
    """A stable name for a target that reveals nothing of its URL."""
    url = target.url if isinstance(target, Target) else target
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def info_json(info: AlertInfo) -> str:
    data = asdict(info)
    data["published_at"] = info.published_at.isoformat() if info.published_at else None
    return json.dumps(data, ensure_ascii=False)


def info_from_json(text: str) -> AlertInfo:
    data = json.loads(text)
    data["published_at"] = (
        datetime.fromisoformat(data["published_at"]) if data.get("published_at") else None
    )
    data["mentions"] = tuple(Mention(**m) for m in data.get("mentions", ()))
    data["changes"] = tuple(data.get("changes", ()))
    data["tags"] = tuple(data.get("tags", ()))
    return AlertInfo(**data)


def change_lines(changes: Changes | None) -> tuple[str, ...]:
    """What an edit changed, one line each: ``headline changed: old → new``."""
    if not changes:
        return ()
    lines = [c.describe() for c in changes.fields]
    para = changes.paragraphs
    for kind in ("changed", "added", "removed"):
        n = sum(1 for p in para if p.kind == kind)
        if n:
            lines.append(f"{n} paragraph{'s' if n > 1 else ''} {kind}")
    for lc in changes.lists:
        signs = [f"+{v}" for v in lc.added] + [f"−{v}" for v in lc.removed]
        lines.append(f"{lc.field} {' '.join(signs)}")
    return tuple(lines)


def alert_infos(found: VersionMatches) -> list[tuple[MatchRecord, AlertInfo]]:
    """One AlertInfo per watch that matched this version (with one of its match rows)."""
    version = found.version
    article = version.article
    by_watch: dict[int, list[MatchRecord]] = {}
    for match in found.matches:
        by_watch.setdefault(match.watch_id, []).append(match)
    edited = version.number > 1 and version.kind == "edit"
    out = []
    for matches in by_watch.values():
        first = matches[0]
        info = AlertInfo(
            watch=first.watch,
            kind="changed" if edited else "new",
            title=article.title,
            url=article.url,
            section=article.section,
            published_at=article.published_at,
            version=version.number,
            mentions=tuple(Mention(m.term, m.field, m.snippet) for m in matches),
            changes=change_lines(version.changes) if edited else (),
            tags=first.tags,
        )
        out.append((first, info))
    return out


def add_match_alerts(db: Database, found: VersionMatches, targets: Sequence[Target]) -> int:
    """Outbox rows for a version's matches: one per watch and routed target (or one
    ``unrouted`` row when no target takes the watch's tags). Runs inside the match step's
    transaction; repeating it adds nothing."""
    now = utcnow()
    added = 0
    for match, info in alert_infos(found):
        message = alert_message(info)
        routed: list[Target | None] = list(route(targets, info.tags)) or [None]
        for target in routed:
            key = target_key(target) if target else NO_TARGET
            alert_key = f"match:w{match.watch_id}:a{match.article_id}:v{match.version}:t{key}"
            added += _insert(
                db,
                {
                    "key": alert_key,
                    "kind": "match",
                    "watch_id": match.watch_id,
                    "article_id": match.article_id,
                    "version_id": match.version_id,
                    "version": match.version,
                    "target_key": key,
                    "status": "pending" if target else "unrouted",
                    "info": info_json(info),
                    "created_at": now,
                },
                message,
            )
    return added


def add_message(
    db: Database, kind: str, key: str, message: Message, targets: Iterable[Target]
) -> int:
    """Outbox rows for a message that is not about an article (health, test)."""
    now = utcnow()
    added = 0
    for target in targets:
        tkey = target_key(target)
        row = {
            "key": f"{kind}:{key}:t{tkey}",
            "kind": kind,
            "target_key": tkey,
            "status": "pending",
            "created_at": now,
        }
        added += _insert(db, row, message)
    return added


def _insert(db: Database, row: dict[str, Any], message: Message) -> int:
    cursor = db.execute(
        "INSERT OR IGNORE INTO alerts (key, kind, watch_id, article_id, version_id, version,"
        " target_key, title, text, markdown, info, status, tries, created_at)"
        " VALUES (:key, :kind, :watch_id, :article_id, :version_id, :version, :target_key,"
        " :title, :text, :markdown, :info, :status, 0, :created_at)",
        {
            "watch_id": None,
            "article_id": None,
            "version_id": None,
            "version": None,
            "info": None,
            **row,
            "title": message.title,
            "text": message.text,
            "markdown": message.markdown,
        },
    )
    return cursor.rowcount


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    key: str
    kind: str
    watch: str | None
    article_id: int | None
    version: int | None
    target_key: str
    title: str
    status: str
    tries: int
    last_error: str | None
    next_attempt_at: str | None
    created_at: str
    sent_at: str | None


def list_alerts(
    db: Database, *, status: str | None = None, since: str | None = None, limit: int = 100
) -> list[AlertRow]:
    where, params = [], []
    if status:
        where.append("a.status = ?")
        params.append(status)
    if since:
        where.append("julianday(a.created_at) >= julianday(?)")
        params.append(since)
    sql = (
        "SELECT a.id, a.key, a.kind, w.name, a.article_id, a.version, a.target_key, a.title,"
        " a.status, a.tries, a.last_error, a.next_attempt_at, a.created_at, a.sent_at"
        " FROM alerts a LEFT JOIN watches w ON w.id = a.watch_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY a.id DESC LIMIT ?"
    )
    return [AlertRow(*r) for r in db.execute(sql, [*params, limit]).fetchall()]


def status_counts(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall()
    return dict.fromkeys(STATUSES, 0) | {r[0]: int(r[1]) for r in rows}


def retry(db: Database, alert_id: int | None = None) -> int:
    """Make failed or expired alerts (one, or all) due now; returns how many."""
    where = "status IN ('failed', 'expired')" + (" AND id = ?" if alert_id is not None else "")
    cursor = db.execute(
        "UPDATE alerts SET status = 'pending', next_attempt_at = NULL, last_error = NULL"
        f" WHERE {where}",
        [alert_id] if alert_id is not None else [],
    )
    return cursor.rowcount
