"""The article archive: one SQLite file, written by the crawler, read by everything else.

This module records fetches into it (``record_article``): a new article, a new version when
its words changed, or only a later last-seen time. ``crawler.database`` opens the file, the
tables are defined in ``crawler.schema``, the readers live in ``crawler.articles``. Timestamps
we make are UTC ISO 8601; the outlet's own dates keep the offset they were given in.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlite_utils import Database

from crawler import identity, revisions
from crawler.articles import VersionKind
from crawler.fingerprint import canonical_url
from crawler.items import Article, merge
from crawler.text import words_key
from crawler.transaction import writing

log = logging.getLogger(__name__)

Verdict = Literal["new", "changed", "unchanged"]


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
    index_text(db, article_id, article)
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
    index_text(db, article_id, article)
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


def index_text(db: Database, article_id: int, article: Article) -> None:
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
