"""Crawl state in the archive (tables ``crawl_pages`` and ``crawl_sources``): what
the last crawl saw, so the next one downloads only what changed.

- An article page keeps its ETag/Last-Modified (for a conditional request), the sitemap
  ``lastmod`` and the feed item's key it was fetched under (to skip it when they have not
  changed), and its consecutive failures.
- A source (robots.txt, a feed, a sitemap, a listing) keeps its validators, how many items it
  gave, and its consecutive failures (health alerts read them).

Plain functions over a sqlite-utils ``Database``; no Scrapy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlite_utils import Database

from crawler.store import utcnow
from crawler.transaction import writing

log = logging.getLogger(__name__)

# "sitemapindex": a sitemap that lists sitemaps; asked for without validators, since an index
# may stay byte for byte the same while the sitemaps it lists change.
SourceKind = Literal["robots", "feed", "sitemap", "sitemapindex", "listing"]


@dataclass(frozen=True, slots=True)
class PageState:
    url: str
    status: int
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    feed_key: str | None
    article_id: int | None
    fetched_at: str | None
    checked_at: str | None
    failures: int
    last_error: str | None

    @property
    def ok(self) -> bool:
        """The page was fetched and stored at least once, and its last fetch did not fail."""
        return self.article_id is not None and self.failures == 0

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True, slots=True)
class SourceState:
    url: str
    kind: str
    status: int | None
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    items: int | None
    fetched_at: str | None
    last_ok_at: str | None
    failures: int
    last_error: str | None

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


_PAGE_COLUMNS = (
    "url, status, etag, last_modified, lastmod, feed_key, article_id, fetched_at, checked_at,"
    " failures, last_error"
)
_SOURCE_COLUMNS = (
    "url, kind, status, etag, last_modified, lastmod, items, fetched_at, last_ok_at, failures,"
    " last_error"
)


def get_page(db: Database, url: str) -> PageState | None:
    row = db.execute(f"SELECT {_PAGE_COLUMNS} FROM crawl_pages WHERE url = ?", [url]).fetchone()
    return PageState(*row) if row else None


def get_pages(db: Database, urls: Iterable[str]) -> dict[str, PageState]:
    """The state of many URLs in one query per 500."""
    found: dict[str, PageState] = {}
    batch = list(dict.fromkeys(urls))
    for i in range(0, len(batch), 500):
        chunk = batch[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            f"SELECT {_PAGE_COLUMNS} FROM crawl_pages WHERE url IN ({marks})", chunk
        ):
            found[row[0]] = PageState(*row)
    return found


def record_page(
    db: Database,
    url: str,
    *,
    status: int,
    article_id: int | None,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod: str | None = None,
    feed_key: str | None = None,
    downloaded: bool = True,
    now: str | None = None,
) -> None:
    """A successful look at a page: downloaded (200), or confirmed unchanged (304, or skipped
    because its feed item or sitemap date had not changed). Validators and keys given as None
    keep their stored values."""
    now = now or utcnow()
    with writing(db):
        old = get_page(db, url)
        values = {
            "url": url,
            "status": status,
            "etag": etag if etag is not None else (old.etag if old else None),
            "last_modified": last_modified
            if last_modified is not None
            else (old.last_modified if old else None),
            "lastmod": lastmod if lastmod is not None else (old.lastmod if old else None),
            "feed_key": feed_key if feed_key is not None else (old.feed_key if old else None),
            "article_id": article_id
            if article_id is not None
            else (old.article_id if old else None),
            "fetched_at": now if downloaded else (old.fetched_at if old else None),
            "checked_at": now,
            "failures": 0,
            "last_error": None,
        }
        _upsert_page(db, values)


def _upsert_page(db: Database, values: Mapping[str, Any]) -> None:
    """One row of ``crawl_pages`` in plain SQL: sqlite-utils' ``upsert`` reads the table's
    schema on every call (5x the cost), and a crawl writes a row for every URL it looks at."""
    names = list(values)
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "url")
    db.execute(
        f"INSERT INTO crawl_pages ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        f" ON CONFLICT(url) DO UPDATE SET {updates}",
        list(values.values()),
    )


def record_page_failure(
    db: Database, url: str, *, status: int, error: str, now: str | None = None
) -> int:
    """A failed fetch of a page; returns its consecutive failures."""
    now = now or utcnow()
    with writing(db):
        old = get_page(db, url)
        failures = (old.failures if old else 0) + 1
        if old is None:
            db.table("crawl_pages").insert(
                {
                    "url": url,
                    "status": status,
                    "checked_at": now,
                    "failures": failures,
                    "last_error": error,
                }
            )
        else:
            db.execute(
                "UPDATE crawl_pages SET status = ?, checked_at = ?, failures = ?, last_error = ?"
                " WHERE url = ?",
                [status, now, failures, error, url],
            )
    return failures


def get_source(db: Database, url: str) -> SourceState | None:
    row = db.execute(f"SELECT {_SOURCE_COLUMNS} FROM crawl_sources WHERE url = ?", [url]).fetchone()
    return SourceState(*row) if row else None


def record_source(
    db: Database,
    url: str,
    kind: SourceKind,
    *,
    status: int,
    items: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod: str | None = None,
    keep_validators: bool = True,
    now: str | None = None,
) -> None:
    """A source that answered (200 or 304). ``keep_validators=False`` drops stored validators
    (a crawl that did not finish must not let the next one skip what it never processed)."""
    now = now or utcnow()
    with writing(db):
        old = get_source(db, url)
        if keep_validators:
            etag = etag if etag is not None else (old.etag if old else None)
            last_modified = (
                last_modified if last_modified is not None else (old.last_modified if old else None)
            )
        db.table("crawl_sources").upsert(
            {
                "url": url,
                "kind": kind,
                "status": status,
                "etag": etag,
                "last_modified": last_modified,
                "lastmod": lastmod if lastmod is not None else (old.lastmod if old else None),
                "items": items if items is not None else (old.items if old else None),
                "fetched_at": now,
                "last_ok_at": now,
                "failures": 0,
                "last_error": None,
            },
            pk="url",
        )


def record_source_failure(
    db: Database, url: str, kind: SourceKind, *, status: int, error: str, now: str | None = None
) -> int:
    """A source that failed; returns its consecutive failures."""
    now = now or utcnow()
    with writing(db):
        old = get_source(db, url)
        failures = (old.failures if old else 0) + 1
        db.table("crawl_sources").upsert(
            {
                "url": url,
                "kind": kind,
                "status": status,
                "fetched_at": now,
                "failures": failures,
                "last_error": error,
            },
            pk="url",
        )
    return failures


def sources(db: Database, kind: SourceKind | None = None) -> list[SourceState]:
    sql = f"SELECT {_SOURCE_COLUMNS} FROM crawl_sources"
    params: list[Any] = []
    if kind:
        sql += " WHERE kind = ?"
        params.append(kind)
    return [SourceState(*row) for row in db.execute(sql + " ORDER BY url", params)]


# Decisions --------------------------------------------------------------------------------


def feed_item_unchanged(state: PageState | None, feed_key: str) -> bool:
    """The page was stored from this very feed item before: no need to fetch it again."""
    return bool(state and state.ok and state.feed_key == feed_key)


def lastmod_unchanged(state: PageState | None, lastmod: datetime | None) -> bool:
    """The sitemap says the page has not changed since it was last stored: its ``lastmod`` is
    no later than the one seen then, or (for a page first found elsewhere) than the download."""
    if not (state and state.ok and lastmod and lastmod.tzinfo):
        return False
    reference = state.lastmod or state.fetched_at
    if not reference:
        return False
    try:
        stored = datetime.fromisoformat(reference)
    except ValueError:
        return False
    return stored.tzinfo is not None and lastmod <= stored
