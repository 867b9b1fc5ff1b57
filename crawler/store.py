"""The article archive: one SQLite file, written by the crawler, read by everything else.

Tables of the ``crawler`` migration set:

- ``articles``: one row per article (identity: the outlet's node id, else the canonical URL),
  with its current title and dates;
- ``article_text``: the current title and body folded to their words, indexed by the full-text
  table ``article_text_fts`` (its rowid is the article id);
- ``article_urls``: every URL an article was seen under;
- ``versions``: append-only; a version is written only when the article's words changed, never
  for whitespace, tashkeel, tatweel or punctuation churn;
- ``crawl_runs``: one row per crawl, with its counts.

Timestamps we make are UTC ISO 8601; the outlet's own dates keep the offset they were given in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler import identity, neardup, revisions
from crawler.fingerprint import canonical_url
from crawler.items import Article, merge
from crawler.text import fold, tokens, words_key
from crawler.transaction import writing

log = logging.getLogger(__name__)

Verdict = Literal["new", "changed", "unchanged"]
VersionKind = Literal["first", "edit", "completion"]

# Fields whose words decide whether a fetch is a new version. modified_at is left out: the CMS
# bumps it on saves that change nothing a reader sees. image_url is left out: resized-image
# URLs carry tokens that change without the picture changing.
VERSIONED_FIELDS = (
    "title",
    "byline",
    "summary",
    "caption",
    "credit",
    "body",
    "authors",
    "tags",
    "category",
    "published_at",
)

BUSY_TIMEOUT_MS = 10_000

migrations = Migrations("crawler")


@migrations()
def m001_archive(db: Database) -> None:
    db.table("articles").create(
        {
            "id": int,
            "node_id": str,
            "url": str,
            "section": str,
            "title": str,
            "published_at": str,
            "modified_at": str,
            "version": int,
            "content_key": str,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk="id",
    )
    db.table("articles").create_index(["node_id"], unique=True)
    db.table("articles").create_index(["published_at"])
    db.table("article_urls").create(
        {"url": str, "article_id": int, "first_seen_at": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_urls").create_index(["article_id"])
    db.table("versions").create(
        {
            "id": int,
            "article_id": int,
            "number": int,
            "recorded_at": str,
            "content_key": str,
            "record": str,
            "changes": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("versions").create_index(["article_id", "number"], unique=True)
    db.table("crawl_runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "site": str,
            "sections": str,
            "status": str,
            "pages": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "errors": int,
            "message": str,
        },
        pk="id",
    )
    # The index holds folded words, and queries are folded the same way, so مُحَمَّد and محمد,
    # أسعار and اسعار meet. A table of its own keeps the long folded text out of `articles`.
    db.table("article_text").create(
        {"article_id": int, "title_folded": str, "body_folded": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_text").enable_fts(["title_folded", "body_folded"], create_triggers=True)


@migrations()
def m201_fingerprints(db: Database) -> None:
    # Exact duplicates: the hash of the folded body without boilerplate paragraphs.
    db.table("articles").add_column("body_hash", str)
    db.table("articles").create_index(["body_hash"])
    # first | edit | completion (a feed-only record completed by its page: not an edit).
    db.table("versions").add_column("kind", str)
    db.execute("UPDATE versions SET kind = CASE number WHEN 1 THEN 'first' ELSE 'edit' END")
    db.table("signatures").create(
        {"article_id": int, "kind": str, "size": int, "hashvalues": bytes},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    # LSH bands live in SQLite: one indexed lookup finds candidates, with nothing to hold in
    # memory or rebuild at start-up (an in-memory LSH of 100k articles takes hundreds of MB).
    db.execute(
        "CREATE TABLE lsh_bands (band_key INTEGER NOT NULL, article_id INTEGER NOT NULL,"
        " PRIMARY KEY (band_key, article_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX lsh_bands_article ON lsh_bands (article_id)")
    db.table("fingerprint_meta").create({"key": str, "value": str}, pk="key")
    db.table("article_links").create(
        {
            "article_id": int,
            "related_id": int,
            "kind": str,
            "jaccard": float,
            "overlap": float,
            "linked_at": str,
        },
        pk=("article_id", "related_id"),
    )
    # How many articles hold each short paragraph: the ones in many are boilerplate.
    db.table("common_lines").create({"key": str, "articles": int}, pk="key")
    db.table("common_lines").create_index(["articles"])


# Crawl state (issue 3; readers and writers in crawler/crawlstate.py) ---------------------------


@migrations()
def m101_crawl_state(db: Database) -> None:
    """Per article URL: the validators of its last fetch, what the feed or sitemap said about it
    then, and consecutive failures, so the next crawl can skip or ask conditionally."""
    db.table("crawl_pages").create(
        {
            "url": str,  # canonical
            "status": int,  # last HTTP status (200, 304, 404...; 0 for a network error)
            "etag": str,
            "last_modified": str,
            "lastmod": str,  # the sitemap's lastmod when last fetched
            "feed_key": str,  # the feed item's key when last fetched
            "article_id": int,
            "fetched_at": str,  # last time the page itself was downloaded
            "checked_at": str,  # last time it was looked at (a 304, a skip)
            "failures": int,  # consecutive
            "last_error": str,
        },
        pk="url",
        defaults={"failures": 0},
        not_null={"failures"},
    )


@migrations()
def m102_crawl_sources(db: Database) -> None:
    """Per discovery source (robots.txt, feed, sitemap, listing): validators, how many items it
    gave, and consecutive failures (for health alerts)."""
    db.table("crawl_sources").create(
        {
            "url": str,  # canonical
            "kind": str,  # robots | feed | sitemap | listing
            "status": int,
            "etag": str,
            "last_modified": str,
            "lastmod": str,
            "items": int,
            "fetched_at": str,
            "last_ok_at": str,
            "failures": int,  # consecutive
            "last_error": str,
        },
        pk="url",
        defaults={"failures": 0},
        not_null={"failures"},
    )


@migrations()
def m103_crawl_run_owner(db: Database) -> None:
    """Which process runs a crawl, so a run left 'running' by a crawl that was killed can be
    told from one still at work (and closed by the next crawl)."""
    db.table("crawl_runs").add_column("pid", int)
    db.table("crawl_runs").add_column("host", str)


class StoreError(Exception):
    """The database cannot be used (not a database, locked, unwritable): one line for the user."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def stored_time(text: object) -> datetime | None:
    """A timestamp as the archive stores it (ISO 8601; UTC when it carries no offset), or None
    for an empty or unreadable value."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_db(path: str | Path, *, readonly: bool = False) -> Database:
    """Open (creating if needed) the archive at ``path`` with WAL, ``synchronous=NORMAL`` and a
    busy timeout, and bring the crawler's tables up to date. ``readonly`` opens an existing file
    without writing anything."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise StoreError(f"no database at {path}")
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db = Database(conn)
            if "articles" not in db.table_names():
                raise StoreError(f"{path} holds no newsmon archive")
            return db
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
        ensure_fingerprints(db)
        return db
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use database {path}: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open database {path}: {exc.strerror or exc}") from exc


def content_key(article: Article) -> str:
    """A hash of the article's versioned fields, folded to their words."""
    h = hashlib.sha256()
    for name in VERSIONED_FIELDS:
        value = getattr(article, name)
        if isinstance(value, datetime):
            parts = [value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")]
        elif isinstance(value, tuple):
            parts = [words_key(v) for v in value]
        else:
            parts = [words_key(value or "")]
        h.update(name.encode())
        for part in parts:
            h.update(b"\x1f" + part.encode())
        h.update(b"\x1e")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Recorded:
    verdict: Verdict
    article_id: int
    version: int  # the article's current version number
    version_id: int  # the row id in ``versions`` of that version


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


def record_article(db: Database, article: Article, *, seen_at: str | None = None) -> Recorded:
    """Store one fetch of an article: ``new`` (first time), ``changed`` (a new version, with the
    field-level diff against the previous one) or ``unchanged`` (only the last-seen time moves).

    Which stored article it is: same node id, else one of its URLs, else the same body, else a
    near-duplicate of the same story (see crawler.identity). A new article is linked to the
    stored articles it is related to. A record marked ``page_unavailable`` (the feed's text
    only) is first completed from the stored version, so a failed page fetch never looks like an
    edit that removed fields."""
    now = seen_at or utcnow()
    article = _canonical_urls(article)
    with writing(db):
        found = identity.identify(db, article, None)
        if found is None:
            keys = identity.short_paragraph_keys(article)
            fp = identity.fingerprint(article, identity.boilerplate_among(db, keys))
            found = identity.identify(db, article, fp)
            if found is None:
                return _insert_new(db, article, fp, keys, now)
        return _record_existing(db, found.article_id, article, now)


def _canonical_urls(article: Article) -> Article:
    url = canonical_url(article.url) if article.url else None
    urls = tuple(u for u in dict.fromkeys(canonical_url(u) for u in article.urls) if u != url)
    if url == article.url and urls == article.urls:
        return article
    return article.replace(url=url, urls=urls)


def _insert_new(
    db: Database, article: Article, fp: identity.Fingerprint, keys: set[str], now: str
) -> Recorded:
    key = content_key(article)
    table = db.table("articles")
    table.insert(
        {
            **_article_columns(article, key),
            "node_id": article.node_id,
            "version": 1,
            "first_seen_at": now,
            "last_seen_at": now,
        }
    )
    article_id = int(table.last_pk or 0)
    _index_text(db, article_id, article)
    _add_urls(db, article_id, article.all_urls, now)
    version_id = _insert_version(db, article_id, 1, article, key, now, "first", None)
    identity.save_fingerprint(db, article_id, fp)
    identity.count_paragraphs(db, keys)
    if fp.signature is not None and fp.words >= identity.MIN_IDENTITY_WORDS:
        related = identity.candidates(db, fp.signature, exclude=article_id)
        identity.link_related(db, article_id, [(a, sim) for a, _n, sim in related[:10]], now)
    return Recorded("new", article_id, 1, version_id)


def _record_existing(db: Database, article_id: int, article: Article, now: str) -> Recorded:
    row = db.execute(
        "SELECT a.version, a.content_key, a.node_id, v.id, v.record FROM articles a"
        " JOIN versions v ON v.article_id = a.id AND v.number = a.version WHERE a.id = ?",
        [article_id],
    ).fetchone()
    number, old_key, node_id, version_id, record_json = row
    previous = Article.from_dict(json.loads(record_json))
    if "page_unavailable" in article.flags:
        article = merge(article, previous)
    _add_urls(db, article_id, article.all_urls, now)
    key = content_key(article)
    if key == old_key:
        db.execute(
            "UPDATE articles SET last_seen_at = ?, node_id = coalesce(node_id, ?) WHERE id = ?",
            [now, article.node_id, article_id],
        )
        return Recorded("unchanged", article_id, number, version_id)
    completion = "page_unavailable" in previous.flags and "page_unavailable" not in article.flags
    changes = revisions.diff(previous, article)
    number += 1
    version_id = _insert_version(
        db, article_id, number, article, key, now, "completion" if completion else "edit", changes
    )
    db.table("articles").update(
        article_id,
        {
            **_article_columns(article, key),
            "version": number,
            "last_seen_at": now,
            "node_id": node_id or article.node_id,
        },
    )
    _index_text(db, article_id, article)
    keys = identity.short_paragraph_keys(article)
    identity.count_paragraphs(db, keys - identity.short_paragraph_keys(previous))
    identity.save_fingerprint(
        db, article_id, identity.fingerprint(article, identity.boilerplate_among(db, keys))
    )
    return Recorded("changed", article_id, number, version_id)


def _article_columns(article: Article, key: str) -> dict[str, Any]:
    return {
        "url": article.url,
        "section": article.section,
        "title": article.title,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "modified_at": article.modified_at.isoformat() if article.modified_at else None,
        "content_key": key,
    }


def _index_text(db: Database, article_id: int, article: Article) -> None:
    db.table("article_text").upsert(
        {
            "article_id": article_id,
            "title_folded": words_key(article.title),
            "body_folded": words_key("\n".join((article.summary or "", *article.body))),
        },
        pk="article_id",
    )


def _insert_version(
    db: Database,
    article_id: int,
    number: int,
    article: Article,
    key: str,
    now: str,
    kind: VersionKind,
    changes: revisions.Changes | None,
) -> int:
    table = db.table("versions")
    table.insert(
        {
            "article_id": article_id,
            "number": number,
            "recorded_at": now,
            "content_key": key,
            "kind": kind,
            "record": json.dumps(article.to_dict(), ensure_ascii=False),
            "changes": json.dumps(changes.to_json(), ensure_ascii=False) if changes else None,
        }
    )
    return int(table.last_pk or 0)


def _add_urls(db: Database, article_id: int, urls: Sequence[str], now: str) -> None:
    for url in urls:
        db.execute(
            "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen_at) VALUES (?, ?, ?)",
            [url, article_id, now],
        )


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


# Readers ---------------------------------------------------------------------------------------


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
    host, tracking parameters, AMP path...)."""
    ref = ref.strip()
    row = db.execute("SELECT id FROM articles WHERE node_id = ?", [ref]).fetchone()
    if row is None and ref.isdigit():
        row = db.execute("SELECT id FROM articles WHERE id = ?", [int(ref)]).fetchone()
    if row is None and ("://" in ref or ref.startswith("www.")):
        url = canonical_url(ref if "://" in ref else f"https://{ref}")
        row = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()
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
