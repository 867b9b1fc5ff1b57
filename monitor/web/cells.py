"""How the web view draws cells: readable diffs, article links, marked snippets, links to a
watch's matches and feed. Every value is escaped here; only markup built here is trusted."""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from crawler.revisions import Changes
from monitor.alerttext import SNIPPET_MARK

FEED_ALL = "/-/newsmon/feed.atom"


def feed_path(watch: str | None = None) -> str:
    """The path of the alerts feed (a watch's: its name percent-encoded, slashes too)."""
    if watch is None:
        return FEED_ALL
    return f"/-/newsmon/feed/{urllib.parse.quote(watch, safe='')}.atom"


def diff_html(changes: Changes) -> str:
    """A version's changes as HTML: deleted words struck through, inserted ones in bold."""
    parts = []
    for change in changes.fields:
        old = html.escape(change.old or "")
        new = html.escape(change.new or "")
        # Old and new on lines of their own: an arrow between them would point the wrong way
        # in one of the two directions.
        parts.append(
            f"<b>{html.escape(change.label)}</b>"
            f"<div dir='auto'>− <del class='newsmon'>{old}</del></div>"
            f"<div dir='auto'>+ <ins class='newsmon'>{new}</ins></div>"
        )
    for para in changes.paragraphs:
        where = (para.new_index if para.new_index is not None else para.old_index) or 0
        if para.kind == "changed":
            words = []
            for op, text in para.words:
                text = html.escape(text)
                if op == "delete":
                    words.append(f"<del class='newsmon'>{text}</del>")
                elif op == "insert":
                    words.append(f"<ins class='newsmon'>{text}</ins>")
                else:
                    words.append(text)
            body = " ".join(words)
        elif para.kind == "added":
            body = f"<ins class='newsmon'>{html.escape(para.new or '')}</ins>"
        else:
            body = f"<del class='newsmon'>{html.escape(para.old or '')}</del>"
        parts.append(f"<b>paragraph {where + 1} ({para.kind})</b><div dir='auto'>{body}</div>")
    for lc in changes.lists:
        signs = [f"+{v}" for v in lc.added] + [f"−{v}" for v in lc.removed]
        parts.append(
            f"<b>{html.escape(lc.field)}</b><div dir='auto'>{html.escape(' '.join(signs))}</div>"
        )
    # Each part is a block with its own direction: English labels left to right, Arabic text
    # right to left, in the same cell.
    return "".join(f"<div>{part}</div>" for part in parts)


def marked_snippet(snippet: str) -> str:
    """A match snippet as HTML: the ``[[match]]`` in bold, everything escaped."""
    out, last = [], 0
    for m in SNIPPET_MARK.finditer(snippet):
        out.append(html.escape(snippet[last : m.start()]))
        out.append(f"<strong class='newsmon-match'>{html.escape(m.group(1))}</strong>")
        last = m.end()
    out.append(html.escape(snippet[last:]))
    return "".join(out)


def _is_link(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _row_value(row: Any, column: str) -> Any:
    try:
        return row[column]
    except (KeyError, IndexError, TypeError):
        return None


def render(
    row: Any, value: Any, column: str, database: str | None, path: Callable[[str], str]
) -> Markup | None:
    """The cell's HTML, or None for datasette's own rendering. ``path`` turns a site path into
    a URL (datasette's base_url)."""
    if not isinstance(value, str) or value == "":
        return None
    # diff_html() returns markup we built and escaped ourselves; show it as HTML, not text.
    if column == "diff" and value.startswith("<div><b>"):
        return Markup(value)
    # Article links: the Arabic slug shown readable, the link itself kept percent-encoded.
    if column == "url" and _is_link(value):
        shown = urllib.parse.unquote(value)
        return Markup(f"<a href='{html.escape(value)}' dir='auto'>{html.escape(shown)}</a>")
    # A title with the article's canonical URL in the same row: the title is the link.
    if column == "title" and _is_link(url := _row_value(row, "url")):
        return Markup(f"<a href='{html.escape(url)}' dir='auto'>{html.escape(value)}</a>")
    if column == "snippet" and "[[" in value:
        return Markup(f"<span dir='auto'>{marked_snippet(value)}</span>")
    if column == "watch" and database:
        href = path(f"/{urllib.parse.quote(database)}/watch_matches") + (
            f"?watch={urllib.parse.quote(value, safe='')}"
        )
        return Markup(f"<a href='{html.escape(href)}' dir='auto'>{html.escape(value)}</a>")
    if column == "feed":
        href = path(feed_path(value))
        return Markup(f"<a href='{html.escape(href)}' type='application/atom+xml'>Atom</a>")
    return None
