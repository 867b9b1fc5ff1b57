"""Titles, descriptions and canned queries of the web view (datasette metadata).

Every table of the archive has a title and a description here (tests/test_web.py checks the
schema against this list). Notification target URLs are secrets and are not in the archive:
alerts name their target by ``target_key``, a hash, and nothing here shows more.
"""

from __future__ import annotations

from typing import Any

from monitor.web.cells import FEED_ALL
from monitor.web.queries import QUERIES

DATABASE = "newsmon"

TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "title": "Articles",
        "description": (
            "One row per article (identity: the outlet's node id, else its canonical URL), with"
            " its latest title and dates. The search box folds your words the way the index is"
            " folded: محمد finds مُحَمَّد, اسعار finds أسعار."
        ),
        "sort_desc": "published_at",
        "label_column": "title",
        "fts_table": "article_text_fts",
        "fts_pk": "id",
        "hidden": False,
    },
    "versions": {
        "title": "Versions",
        "description": (
            "Every revision of every article, append-only; `changes` is the field-level diff"
            " against the version before (see the 'Article history' query for a readable one)."
        ),
        "sort_desc": "id",
    },
    "article_urls": {
        "title": "Article URLs",
        "description": "Every URL an article was seen under.",
    },
    "article_links": {
        "title": "Related articles",
        "description": (
            "Articles linked by their text: rewrites and follow-ups (related), or the same"
            " text under another node (duplicate)."
        ),
    },
    "crawl_runs": {
        "title": "Crawl runs",
        "description": "One row per crawl, with its counts.",
        "sort_desc": "id",
    },
    "common_lines": {
        "title": "Common lines",
        "description": (
            "Short paragraphs and how many articles hold them: those in many are boilerplate,"
            " left out of fingerprints and matching."
        ),
        "sort_desc": "articles",
    },
    "crawl_pages": {
        "title": "Crawled pages",
        "description": (
            "Every article page fetched: its HTTP validators (ETag, Last-Modified), when it was"
            " last fetched and checked, and its failures in a row."
        ),
    },
    "crawl_sources": {
        "title": "Crawl sources",
        "description": (
            "The feeds, sitemaps and listings the crawler reads, with their state: items seen,"
            " last success, failures in a row and the last error."
        ),
    },
    "watches": {
        "title": "Watches",
        "description": (
            "The watchlist: each watch's terms (any one fires), terms that must also appear"
            " (all_of) or must not (none_of), fields, sections and notification tags."
        ),
        "label_column": "name",
    },
    "matches": {
        "title": "Matches",
        "description": (
            "One row per mention that fired a watch on an article version: field, offset,"
            " the words as written and a snippet (see 'Matches per watch' for a readable list)."
        ),
        "sort_desc": "id",
    },
    "alerts": {
        "title": "Alerts",
        "description": (
            "The outbox: one row per alert and notification target, with its status, tries"
            " and last error. A target is named by target_key, a hash of its URL; the URL is"
            " never stored. See 'Alerts by status' for a readable list."
        ),
        "sort_desc": "id",
    },
    "health": {
        "title": "Health problems",
        "description": (
            "Problems the daemon noticed (a source failing, a feed empty, a silent archive),"
            " while they last and after: when each was opened, alerted, reminded and closed."
        ),
        "sort_desc": "id",
    },
    "daemon_state": {
        "title": "Daemon state",
        "description": "The daemon's heartbeat and each job's last and next run (as JSON).",
    },
}

# Tables that only serve the machinery; listed, but out of the way.
HIDDEN: dict[str, dict[str, str]] = {
    "signatures": {
        "title": "MinHash signatures",
        "description": "Each article's MinHash signature, for near-duplicate detection.",
    },
    "lsh_bands": {
        "title": "LSH bands",
        "description": "Locality-sensitive hashing bands of the signatures (candidate lookup).",
    },
    "fingerprint_meta": {
        "title": "Fingerprint settings",
        "description": "The MinHash parameters the signatures were computed with.",
    },
    "_sqlite_migrations": {
        "title": "Migrations",
        "description": "The schema migrations applied to this file (sqlite-utils).",
    },
    "article_text": {
        "title": "Folded article text",
        "description": "Titles and bodies folded for search; indexed by article_text_fts.",
    },
    "article_text_fts": {
        "title": "Full-text index",
        "description": "The FTS5 index of the folded text (the search box uses it).",
    },
    "cursors": {
        "title": "Step cursors",
        "description": "How far each step (matching) has read the versions table.",
    },
    "target_state": {
        "title": "Target state",
        "description": "Per notification target (by hash): when its last digest went out.",
    },
}

LINKS = (
    "<a href='/-/newsmon/report'>Trends</a> ·"
    f" <a href='/{DATABASE}/alerts'>Alerts</a> ·"
    f" <a href='/{DATABASE}/matches_per_watch'>Matches per watch</a> ·"
    f" <a href='{FEED_ALL}' type='application/atom+xml'>Atom feed of the alerts</a>"
)


def metadata(*, password: bool = False) -> dict[str, Any]:
    tables = {**TABLES, **{name: {**meta, "hidden": True} for name, meta in HIDDEN.items()}}
    meta: dict[str, Any] = {
        "title": "newsmon — Al-Araby Al-Jadeed archive",
        "description_html": (
            "Articles of العربي الجديد collected by newsmon, with every revision, watchlist"
            f" matches and alerts. {LINKS}"
        ),
        "databases": {
            DATABASE: {
                "title": "Archive",
                "description_html": f"The newsmon archive, opened read-only. {LINKS}",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }
    if password:
        # Everything needs a signed-in actor: datasette-auth-passwords signs in "newsmon".
        meta["allow"] = {"id": "newsmon"}
    return meta
