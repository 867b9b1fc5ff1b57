"""An archive with a watch and articles that match it, for the alert tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from crawler.addresses import EVERYTHING
from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.store import record_article
from monitor.config import Target
from monitor.store import open_monitor_db
from monitor.watches import add_watch
from monitor.watchlist import Term, Watch

GAZA = (
    "استشهد فلسطيني وأصيب 7 آخرون، مساء السبت، بنيران الجيش الإسرائيلي في مناطق متفرقة من قطاع"
    " غزة، بالتزامن مع غارات جوية وقصف مدفعي."
)


def story(node: str, *, title: str | None = None, body: tuple[str, ...] = (GAZA,)) -> Article:
    return Article(
        title=title or f"غزة: شهيد وجرحى بنيران الاحتلال ({node})",
        url=f"https://www.alaraby.co.uk/politics/{node}",
        node_id=node,
        section="politics",
        published_at=datetime(2026, 8, 15, 21, 56, 19, tzinfo=OUTLET_TZ),
        body=body,
    )


def archive(path: Path, *, tags: tuple[str, ...] = ()) -> Database:
    db = open_monitor_db(path)
    add_watch(db, Watch("غزة", (Term("غزة"),), tags=tags))
    return db


def publish(db: Database, *nodes: str) -> None:
    for node in nodes:
        record_article(db, story(node))


def local_target(url: str, **fields: object) -> Target:
    """A target on 127.0.0.1 (a receiver the test started): private addresses allowed for it,
    as a user allows a local receiver; without that, delivery is refused before connecting."""
    return Target(url, allowance=EVERYTHING, **fields)  # type: ignore[arg-type]
