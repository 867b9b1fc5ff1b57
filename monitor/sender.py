"""Draining the outbox: each due alert delivered through apprise, exactly once in practice.

An alert is claimed (``sending``, committed) before it is handed to apprise and marked ``sent``
(committed) after apprise reports success. A crash between those two commits leaves it
``sending``; the next drain treats it as failed and sends it again — the one documented window
in which an alert can arrive twice (about a millisecond per alert, from the target receiving it
to the commit: tests/test_crash.py measures how often a kill lands there). Every attempt at one
alert carries the same ``Idempotency-Key`` header where the target takes headers (json://,
xml://, form://), so such a receiver can drop the repeat. Nothing is ever lost: a failed
delivery stays in the outbox with its error and a retry time (exponential backoff, capped),
until it is sent or, past ``expire_after``, expired and reported.

Per target: quiet hours hold alerts until they end; a digest target gets one message gathering
every alert due since its last digest, at most once per digest period. Health messages skip
digests (they should not wait half an hour), but respect quiet hours.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from sqlite_utils import Database

from monitor.alerttext import digest_message
from monitor.config import Target
from monitor.durations import format_duration
from monitor.notifier import Delivery, Message, deliver
from monitor.outbox import info_from_json, target_key

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
Deliver = Callable[[Target, Message], Delivery]


@dataclass
class DrainReport:
    sent: int = 0  # alerts delivered (a digest counts each alert in it)
    messages: int = 0  # messages handed to apprise successfully
    failed: int = 0  # alerts whose delivery failed this time (they will be retried)
    expired: int = 0  # alerts given up this time
    held: int = 0  # alerts waiting for quiet hours or a digest period
    recovered: int = 0  # alerts found half-sent after a crash, to be sent again
    errors: list[str] = field(default_factory=list)


def backoff(tries: int, cap: timedelta) -> timedelta:
    """30s, 1m, 2m, 4m … after the 1st, 2nd, 3rd … failure, never more than ``cap``."""
    return min(cap, FIRST_RETRY * (2 ** max(0, tries - 1)))


def quiet_until(now: datetime, hours: tuple[time, time] | None, zone: tzinfo) -> datetime | None:
    """The end of the quiet hours ``now`` falls in, or None outside them. The range may cross
    midnight (23:00-07:00)."""
    if hours is None:
        return None
    start, end = hours
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside or start == end:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _due_rows(db: Database, now: datetime) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT id, key, kind, target_key, title, text, markdown, info, tries FROM alerts"
        " WHERE status IN ('pending', 'failed')"
        " AND (next_attempt_at IS NULL OR julianday(next_attempt_at) <= julianday(?))"
        " ORDER BY id",
        [_iso(now)],
    ).fetchall()
    keys = ("id", "key", "kind", "target_key", "title", "text", "markdown", "info", "tries")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def drain(
    db: Database,
    targets: Sequence[Target],
    *,
    now: datetime | None = None,
    max_backoff: timedelta = timedelta(hours=1),
    expire_after: timedelta = timedelta(days=2),
    zone: tzinfo | None = None,
    send: Deliver = deliver,
) -> DrainReport:
    """Deliver every due alert once; see the module's notes for the rules."""
    now = now or datetime.now(UTC)
    zone = zone or datetime.now().astimezone().tzinfo or UTC
    report = DrainReport()
    report.recovered = db.execute(
        "UPDATE alerts SET status = 'failed', next_attempt_at = NULL,"
        " last_error = 'interrupted before delivery was confirmed; sending again'"
        " WHERE status = 'sending'"
    ).rowcount
    if report.recovered:
        log.warning(
            "%d alert(s) were half-sent when newsmon stopped: sending them again", report.recovered
        )
    cutoff = _iso(now - expire_after)
    report.expired = db.execute(
        "UPDATE alerts SET status = 'expired', next_attempt_at = NULL"
        " WHERE status IN ('pending', 'failed') AND julianday(created_at) < julianday(?)",
        [cutoff],
    ).rowcount
    if report.expired:
        log.warning(
            "%d alert(s) not delivered within %s expired (see: newsmon alerts --status expired)",
            report.expired,
            format_duration(expire_after),
        )
    by_key = {target_key(t): t for t in targets}
    due: dict[str, list[dict[str, Any]]] = {}
    for row in _due_rows(db, now):
        if row["target_key"] in by_key:
            due.setdefault(row["target_key"], []).append(row)
    for key, rows in due.items():
        target = by_key[key]
        until = quiet_until(now, target.quiet_hours, zone)
        if until is not None:
            _hold(db, rows, until)
            report.held += len(rows)
            continue
        immediate = [r for r in rows if r["kind"] != "match" or target.digest is None]
        gathered = [r for r in rows if r["kind"] == "match" and target.digest is not None]
        for row in immediate:
            message = Message(row["title"], row["text"], row["markdown"], key=row["key"])
            _send(db, target, [row], message, now, max_backoff, send, report)
        if gathered:
            _digest(db, target, key, gathered, now, max_backoff, send, report)
    return report


def _hold(db: Database, rows: list[dict[str, Any]], until: datetime) -> None:
    ids = [r["id"] for r in rows]
    db.execute(
        f"UPDATE alerts SET next_attempt_at = ? WHERE id IN ({','.join('?' * len(ids))})",
        [_iso(until), *ids],
    )


def _digest(
    db: Database,
    target: Target,
    key: str,
    rows: list[dict[str, Any]],
    now: datetime,
    max_backoff: timedelta,
    send: Deliver,
    report: DrainReport,
) -> None:
    assert target.digest is not None
    state = db.execute(
        "SELECT last_digest_at FROM target_state WHERE target_key = ?", [key]
    ).fetchone()
    if state and state[0]:
        next_at = datetime.fromisoformat(state[0]) + target.digest
        if next_at > now:
            _hold(db, rows, next_at)
            report.held += len(rows)
            return
    infos = [info_from_json(r["info"]) for r in rows if r["info"]]
    message = digest_message(infos, period=f"every {format_duration(target.digest)}")
    gathered = hashlib.sha256("\n".join(r["key"] for r in rows).encode("utf-8")).hexdigest()
    message = replace(message, key=f"digest:{gathered[:32]}")
    if _send(db, target, rows, message, now, max_backoff, send, report):
        db.execute(
            "INSERT INTO target_state (target_key, last_digest_at) VALUES (?, ?)"
            " ON CONFLICT(target_key) DO UPDATE SET last_digest_at = excluded.last_digest_at",
            [key, _iso(now)],
        )


def _send(
    db: Database,
    target: Target,
    rows: list[dict[str, Any]],
    message: Message,
    now: datetime,
    max_backoff: timedelta,
    send: Deliver,
    report: DrainReport,
) -> bool:
    # Claimed and committed before apprise is called: see the module's notes. A row another
    # sender claimed first (its status is no longer pending/failed) is left to that sender.
    rows = [
        r
        for r in rows
        if db.execute(
            "UPDATE alerts SET status = 'sending', tries = tries + 1"
            " WHERE id = ? AND status IN ('pending', 'failed')",
            [r["id"]],
        ).rowcount
    ]
    if not rows:
        return False
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    result = send(target, message)
    if result.ok:
        db.execute(
            f"UPDATE alerts SET status = 'sent', sent_at = ?, last_error = NULL,"
            f" next_attempt_at = NULL WHERE id IN ({marks})",
            [_iso(datetime.now(UTC)), *ids],
        )
        report.sent += len(ids)
        report.messages += 1
        return True
    tries = max(r["tries"] for r in rows) + 1
    retry_at = now + backoff(tries, max_backoff)
    db.execute(
        "UPDATE alerts SET status = 'failed', last_error = ?, next_attempt_at = ?"
        f" WHERE id IN ({marks})",
        [result.error, _iso(retry_at), *ids],
    )
    report.failed += len(ids)
    report.errors.append(result.error or "delivery failed")
    log.warning(
        "delivery failed (%d alert(s)); retry at %s: %s", len(ids), _iso(retry_at), result.error
    )
    return False
