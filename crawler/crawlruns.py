"""Crawl runs in the archive (table ``crawl_runs``): one row per crawl, with when it started and
finished, its status and counts, and the process that runs it, so a run left 'running' by a
crawl that was killed is told from one still at work."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from sqlite_utils import Database

from crawler.store import utcnow
from crawler.transaction import writing

log = logging.getLogger(__name__)

RunStatus = Literal["running", "ok", "partial", "failed", "interrupted"]


def start_run(db: Database, *, site: str, sections: Iterable[str], now: str | None = None) -> int:
    """A new 'running' row owned by this process; runs left 'running' by crawls that died on
    this host (killed, or the machine stopped) are closed as 'interrupted' first."""
    now = now or utcnow()
    host = socket.gethostname()
    table = db.table("crawl_runs")
    with writing(db):
        closed = close_dead_runs(db, host, now)
        table.insert(
            {
                "started_at": now,
                "site": site,
                "sections": ",".join(sections),
                "status": "running",
                "pages": 0,
                "new": 0,
                "changed": 0,
                "unchanged": 0,
                "errors": 0,
                "pid": os.getpid(),
                "host": host,
            }
        )
        run_id = int(table.last_pk or 0)
    if closed:
        log.warning("%d earlier crawl(s) had stopped without finishing: marked interrupted", closed)
    return run_id


def close_dead_runs(db: Database, host: str, now: str) -> int:
    """Mark 'interrupted' the runs of this host still 'running' whose process is gone."""
    rows = db.execute(
        "SELECT id, pid FROM crawl_runs WHERE status = 'running' AND host = ? AND pid IS NOT NULL",
        [host],
    ).fetchall()
    dead = [run_id for run_id, pid in rows if not _alive(int(pid))]
    for run_id in dead:
        db.table("crawl_runs").update(
            run_id,
            {
                "status": "interrupted",
                "finished_at": now,
                "message": "the crawl process ended without finishing (killed or stopped)",
            },
        )
    return len(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def finish_run(
    db: Database,
    run_id: int,
    *,
    status: RunStatus,
    counts: Mapping[str, int],
    message: str = "",
    now: str | None = None,
) -> None:
    values: dict[str, Any] = {"finished_at": now or utcnow(), "status": status, "message": message}
    for key in ("pages", "new", "changed", "unchanged", "errors"):
        values[key] = int(counts.get(key, 0))
    db.table("crawl_runs").update(run_id, values)


def get_run(db: Database, run_id: int) -> dict[str, Any] | None:
    rows = list(db.table("crawl_runs").rows_where("id = ?", [run_id]))
    return dict(rows[0]) if rows else None
