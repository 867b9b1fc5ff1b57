"""Titles, descriptions and canned queries of the web view (datasette metadata)."""

from __future__ import annotations

from typing import Any

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
}

# Tables that only serve the machinery; listed, but out of the way.
HIDDEN = ("signatures", "lsh_bands", "fingerprint_meta", "_sqlite_migrations", "article_text")

QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles",
        "description": (
            "Full-text search of titles and bodies. Your words are folded like the index"
            " (tashkeel, hamza forms, ة/ه, ى/ي do not matter); every word must appear."
        ),
        "sql": (
            "select a.id, a.title, a.section, a.published_at, a.url, a.version\n"
            "from article_text_fts f join articles a on a.id = f.rowid\n"
            "where article_text_fts match fts_fold(:q)\n"
            "order by f.rank limit 100"
        ),
    },
    "latest": {
        "title": "Latest articles",
        "description": "The 100 most recently published articles.",
        "sql": (
            "select id, title, section, published_at, url, version, last_seen_at\n"
            "from articles order by julianday(published_at) desc, id desc limit 100"
        ),
    },
    "history": {
        "title": "Article history",
        "description": (
            "An article's versions with what changed in each. `article` is a node id, a"
            " stored id, or any URL of the article."
        ),
        "sql": (
            "with target as (\n"
            "  select id from articles where node_id = :article or cast(id as text) = :article\n"
            "  union select article_id from article_urls where url = canonical_url(:article)\n"
            "  limit 1\n"
            ")\n"
            "select v.number as version, v.recorded_at, v.kind,\n"
            "  json_extract(v.record, '$.title') as title,\n"
            "  coalesce(diff_summary(v.changes), 'first seen') as what_changed,\n"
            "  diff_html(v.changes) as diff\n"
            "from versions v where v.article_id = (select id from target)\n"
            "order by v.number"
        ),
    },
    "edited": {
        "title": "Recent edits",
        "description": (
            "Versions recorded in the last 7 days that changed an article already seen"
            " (headline or text edits)."
        ),
        "sql": (
            "select v.article_id, a.title, v.number as version, v.recorded_at,\n"
            "  diff_summary(v.changes) as what_changed, a.url\n"
            "from versions v join articles a on a.id = v.article_id\n"
            "where v.kind = 'edit' and julianday(v.recorded_at) >= julianday('now', '-7 days')\n"
            "order by v.id desc limit 200"
        ),
    },
}


def metadata(*, password: bool = False) -> dict[str, Any]:
    tables = {**TABLES, **{name: {"hidden": True} for name in HIDDEN}}
    meta: dict[str, Any] = {
        "title": "newsmon — Al-Araby Al-Jadeed archive",
        "description_html": (
            "Articles of العربي الجديد collected by newsmon, with every revision, watchlist"
            " matches and alerts. <a href='/-/newsmon/report'>Trends</a>."
        ),
        "databases": {
            DATABASE: {
                "title": "Archive",
                "description": "The newsmon archive, opened read-only.",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }
    if password:
        # Everything needs a signed-in actor: datasette-auth-passwords signs in "newsmon".
        meta["allow"] = {"id": "newsmon"}
    return meta
