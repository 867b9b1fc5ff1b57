"""The web view's canned queries: what a person asks of the archive, as datasette SQL.

Each has a title and a description; parameters (``:q``, ``:article``, ``:status``, ``:watch``)
become the query's form. Columns named ``title`` and ``url`` in one row make the title a link
(monitor.web.cells), ``watch`` links to the watch's matches and ``feed`` to its Atom feed.
"""

from __future__ import annotations

from typing import Any

from monitor.web.cells import FEED_ALL

STATUS_LINKS = " · ".join(
    f"<a href='?status={s}'>{s}</a>" for s in ("pending", "sent", "failed", "expired", "unrouted")
)

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
    "alerts": {
        "title": "Alerts by status",
        "hide_sql": True,
        "description_html": (
            "Alerts, newest first, with the article each is about (the title links to it),"
            " its watch, status, tries and last error. Leave <code>status</code> empty for"
            f" all, or pick one: {STATUS_LINKS}. pending: waiting to be sent; failed: retried"
            " with backoff; expired: given up; unrouted: no target takes the watch's tags."
            " A target shows as a hash, never its URL."
            f" <a href='{FEED_ALL}'>Atom feed of every alert</a>."
        ),
        "sql": (
            "select al.id, coalesce(w.name, json_extract(al.info, '$.watch')) as watch,\n"
            "  coalesce(json_extract(al.info, '$.title'), a.title, al.title) as title,\n"
            "  al.version, al.status, al.tries, al.last_error,\n"
            "  datetime(al.created_at) as created_utc, datetime(al.sent_at) as sent_utc,\n"
            "  al.kind, al.target_key as target, a.url\n"
            "from alerts al\n"
            "left join watches w on w.id = al.watch_id\n"
            "left join articles a on a.id = al.article_id\n"
            "where coalesce(:status, '') = '' or al.status = :status\n"
            "order by al.id desc limit 500"
        ),
    },
    "matches_per_watch": {
        "title": "Matches per watch",
        "hide_sql": True,
        "description": (
            "Each watch with its terms, how many matches and articles it recorded, and its"
            " last match. A watch's name opens its matches; 'Atom' is its feed of alerts."
        ),
        "sql": (
            "select w.name as watch,\n"
            "  (select group_concat(json_extract(t.value, '$.text'), ' · ')\n"
            "   from json_each(w.terms) t) as terms,\n"
            "  count(m.id) as matches, count(distinct m.article_id) as articles,\n"
            "  datetime(max(m.created_at)) as last_match_utc, w.name as feed\n"
            "from watches w left join matches m on m.watch_id = w.id\n"
            "group by w.id order by matches desc, w.name"
        ),
    },
    "watch_matches": {
        "title": "A watch's matches",
        "hide_sql": True,
        "description": (
            "The matches of one watch (its name), newest first: the article (the title links"
            " to it), the version, the field, the term, the words as written and a snippet"
            " with the match in bold."
        ),
        "sql": (
            "select m.id, datetime(m.created_at) as matched_utc,\n"
            "  json_extract(v.record, '$.title') as title, m.version, m.field, m.term,\n"
            "  m.surface as matched, m.snippet, a.url\n"
            "from matches m\n"
            "join watches w on w.id = m.watch_id\n"
            "join articles a on a.id = m.article_id\n"
            "join versions v on v.id = m.version_id\n"
            "where w.name = :watch\n"
            "order by m.id desc limit 500"
        ),
    },
}
