"""The writer the crash test kills: it stores articles, matches them and delivers their alerts,
one operation after another, reporting each article it stored.

It runs in a process forked from a server that has already imported newsmon
(multiprocessing's ``forkserver`` with these modules preloaded), so a hundred restarts cost
milliseconds each instead of a second of imports, and the kills land in the work, not in
``import``. The operations are a fixed sequence: operation ``i`` always writes the same
article, so a restarted writer redoes the operation it was killed in and gets ``unchanged``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alerting import GAZA, story

from crawler.addresses import EVERYTHING
from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.store import record_article
from monitor.config import Config, Target
from monitor.runner import match_step, notify_step
from monitor.store import open_monitor_db
from monitor.watches import add_watch
from monitor.watchlist import Term, Watch

# What the fork server imports (and warms up) once, before any writer is forked.
PRELOAD = ["crashwarm"]
EDIT_EVERY = 4  # every 4th operation edits the article the one before it published


@dataclass(frozen=True, slots=True)
class Operation:
    index: int
    article: Article

    @property
    def node(self) -> str:
        assert self.article.node_id
        return self.article.node_id


def operation(index: int) -> Operation:
    """Operation ``index``: publish article ``index``, or (every 4th) edit the headline of the
    article published by the operation before, adding a new mention of the watched term."""
    if index % EDIT_EVERY == EDIT_EVERY - 1:
        node = f"n{index - 1}"
        title = f"تحديث رقم {index}: قصف جديد على غزة بعد الخبر {index - 1}"
    else:
        node = f"n{index}"
        title = f"غزة: خبر رقم {index} عن القصف"
    body = (f"{GAZA} (المصدر {index // EDIT_EVERY}-{node})",)
    published = datetime(2026, 8, 15, 21, 0, tzinfo=OUTLET_TZ)
    return Operation(index, story(node, title=title, body=body).replace(published_at=published))


def warm() -> None:
    """Pay once, in the fork server, what the first operation of every writer would pay again
    (lazy imports, plugin discovery, folding tables): one article stored and matched on a
    scratch archive, and the target's apprise plugin loaded. Nothing is sent: apprise sends
    from a thread pool, and a process forked from one that ran threads can deadlock."""
    import apprise

    with tempfile.TemporaryDirectory(prefix="newsmon-warm-") as tmp:
        path = Path(tmp) / "warm.db"
        prepare(path)
        db = open_monitor_db(path)
        record_article(db, operation(0).article)
        match_step(db, [Target("json://127.0.0.1:9/warm-up")])
        db.conn.close()
    apprise.Apprise.instantiate("json://127.0.0.1:9/warm-up", suppress_exceptions=True)


def prepare(db_path: Path) -> None:
    """A fresh archive with the one watch every operation fires."""
    db = open_monitor_db(db_path)
    add_watch(db, Watch("غزة", (Term("غزة"),)))
    db.conn.close()


def write(db_path: str, target_url: str, ack_path: str, start: int, stop: int) -> None:
    """Run operations ``start``..``stop-1``; after each article is stored (committed), append
    ``index node version verdict`` to ``ack_path`` in one write() — the acknowledgement."""
    db = open_monitor_db(db_path)
    target = Target(target_url, allowance=EVERYTHING)
    config = Config()
    ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for index in range(start, stop):
        op = operation(index)
        recorded = record_article(db, op.article)
        os.write(ack, f"{index}\t{op.node}\t{recorded.version}\t{recorded.verdict}\n".encode())
        match_step(db, [target])
        notify_step(db, config, [target])
    os.close(ack)
    db.conn.close()
