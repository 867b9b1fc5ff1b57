"""Reading the archive: an article's current version, its history, its URLs and related
articles, full-text search, and the cursor reads of the monitor's match step."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlite_utils import Database

from crawler import revisions
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.items import Article
from crawler.outlets import ALARABY
from crawler.pasted import pasted_url
from crawler.text import fold, tokens

VersionKind = Literal["first", "edit", "completion"]


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    version: int
    first_seen_at: str
    last_seen_at: str
    article: Article


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    article_id: int
    number: int
    recorded_at: str
    kind: VersionKind
    article: Article
    changes: revisions.Changes | None  # the diff against the previous version (None for v1)


def _stored(row: sqlite3.Row | tuple[Any, ...]) -> StoredArticle:
    article_id, version, first_seen, last_seen, record = row
    return StoredArticle(
        int(article_id),
        int(version),
        first_seen,
        last_seen,
        Article.from_dict(json.loads(record)),
    )


_STORED_SELECT = (
    "SELECT a.id, a.version, a.first_seen_at, a.last_seen_at, v.record FROM articles a"
    " JOIN versions v ON v.article_id = a.id AND v.number = a.version"
)


def get_article(db: Database, article_id: int) -> StoredArticle | None:
    row = db.execute(f"{_STORED_SELECT} WHERE a.id = ?", [article_id]).fetchone()
    return _stored(row) if row else None


def find_article(db: Database, ref: str) -> int | None:
    """An article named by its node id, its stored id, or one of its URLs in any form (mirror
    host, tracking parameters, AMP path, a copy from a chat or a Facebook/Google redirect
    link...); ``/node/<nid>`` names the article of that node id."""
    ref = ref.strip()
    row = db.execute("SELECT id FROM articles WHERE node_id = ?", [ref]).fetchone()
    # isdecimal, not isdigit: "²" is a digit int() refuses; beyond SQLite's integers, no id.
    if row is None and ref.isdecimal() and int(ref) < 2**63:
        row = db.execute("SELECT id FROM articles WHERE id = ?", [int(ref)]).fetchone()
    if row is None and not ref.isdigit():
        url = canonical_url(pasted_url(ref))
        row = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()
        node = ALARABY.node_path_pattern.search(urlsplit(url).path)
        if row is None and node and is_outlet_url(url):
            row = db.execute("SELECT id FROM articles WHERE node_id = ?", [node["nid"]]).fetchone()
    return int(row[0]) if row else None


def iter_articles(
    db: Database, *, section: str | None = None, since: datetime | None = None
) -> Iterator[StoredArticle]:
    """Current versions, oldest publication first (unknown dates last)."""
    where, params = [], []
    if section:
        where.append("a.section = ?")
        params.append(section)
    if since:
        where.append("julianday(a.published_at) >= julianday(?)")
        params.append(since.isoformat())
    sql = _STORED_SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " ORDER BY a.published_at IS NULL, julianday(a.published_at), a.id"
    for row in db.execute(sql, params):
        yield _stored(row)


def versions(db: Database, article_id: int) -> list[Version]:
    """Every version of an article, oldest first, each with its diff against the one before."""
    rows = db.execute(
        f"{_VERSION_SELECT} WHERE article_id = ? ORDER BY number", [article_id]
    ).fetchall()
    return [_version(r) for r in rows]


_VERSION_SELECT = "SELECT id, article_id, number, recorded_at, kind, record, changes FROM versions"


def _version(r: sqlite3.Row | tuple[Any, ...]) -> Version:
    return Version(
        int(r[0]),
        int(r[1]),
        int(r[2]),
        r[3],
        r[4] or ("first" if r[2] == 1 else "edit"),
        Article.from_dict(json.loads(r[5])),
        revisions.Changes.from_json(json.loads(r[6])) if r[6] else None,
    )


@dataclass(frozen=True, slots=True)
class Link:
    article_id: int
    kind: str  # "related" (a rewrite, a follow-up) or "duplicate" (the same text, another node)
    jaccard: float
    overlap: float
    title: str
    url: str | None


def related(db: Database, article_id: int) -> list[Link]:
    """Articles linked to this one by their text, most similar first."""
    rows = db.execute(
        "SELECT l.related_id, l.kind, l.jaccard, l.overlap, a.title, a.url FROM article_links l"
        " JOIN articles a ON a.id = l.related_id WHERE l.article_id = ?"
        " ORDER BY l.jaccard DESC, l.overlap DESC",
        [article_id],
    ).fetchall()
    return [Link(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]


def article_urls(db: Database, article_id: int) -> list[str]:
    """Every URL the article was seen under, oldest first."""
    rows = db.execute(
        "SELECT url FROM article_urls WHERE article_id = ? ORDER BY first_seen_at, url",
        [article_id],
    ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    title: str
    published_at: str | None
    url: str | None
    section: str | None


def fts_query(query: str) -> str | None:
    """The FTS5 query for a user's words: each folded token quoted, all required."""
    words = tokens(fold(query))
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def search(db: Database, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Articles whose folded title or body holds every word of ``query``, best first."""
    match = fts_query(query)
    if match is None:
        return []
    rows = db.execute(
        "SELECT a.id, a.title, a.published_at, a.url, a.section FROM article_text_fts f"
        " JOIN articles a ON a.id = f.rowid"
        " WHERE article_text_fts MATCH ? ORDER BY f.rank LIMIT ?",
        [match, limit],
    ).fetchall()
    return [SearchHit(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def counts(db: Database) -> dict[str, int]:
    """How much the archive holds."""
    return {
        "articles": db.table("articles").count,
        "versions": db.table("versions").count,
        "urls": db.table("article_urls").count,
    }


# Readers for the monitor's match step (it keeps a cursor over version row ids) ---------------


def versions_after(db: Database, version_id: int, *, limit: int = 500) -> list[Version]:
    """Versions recorded after row ``version_id``, oldest first, at most ``limit``."""
    rows = db.execute(
        f"{_VERSION_SELECT} WHERE id > ? ORDER BY id LIMIT ?", [version_id, limit]
    ).fetchall()
    return [_version(r) for r in rows]


def get_version(db: Database, article_id: int, number: int) -> Version | None:
    """Version ``number`` of an article."""
    row = db.execute(
        f"{_VERSION_SELECT} WHERE article_id = ? AND number = ?", [article_id, number]
    ).fetchone()
    return _version(row) if row else None


def last_version_id(db: Database) -> int:
    """The row id of the newest version (0 for an empty archive)."""
    return int(db.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()[0])
