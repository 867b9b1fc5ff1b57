"""The archive's tables: the ``crawler`` migration set, applied by ``crawler.database.open_db``.

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

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler.fingerprint import canonical_url

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


@migrations()
def m202_url_forms_sweep(db: Database) -> None:
    """Stored URLs in the canonical form of the URL sweep (twice-encoded paths, ``//``,
    ``/index.php/``, print views, ``page=0``...). A form whose canonical URL is already stored
    is dropped (the row of the canonical URL keeps the article); ``articles.url`` follows.
    ``crawl_pages`` keys are left: an old key costs one unconditional re-fetch at most."""

    rows = db.execute("SELECT url, article_id FROM article_urls").fetchall()
    for url, article_id in rows:
        try:
            new = canonical_url(url)
        except ValueError:
            continue  # a stored URL the new rules cannot read: left as it was
        if new == url:
            continue
        taken = db.execute("SELECT 1 FROM article_urls WHERE url = ?", [new]).fetchone()
        if taken:
            db.execute("DELETE FROM article_urls WHERE url = ?", [url])
        else:
            db.execute("UPDATE article_urls SET url = ? WHERE url = ?", [new, url])
        db.execute("UPDATE articles SET url = ? WHERE id = ? AND url = ?", [new, article_id, url])
