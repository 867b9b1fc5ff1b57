"""newsmon's datasette plugin: SQL functions, styles and routes for the archive's web view.

SQL functions registered on every connection:

- ``fold(text)``: the matcher's folded form (محمد for مُحَمَّد, اسعار for أسعار);
- ``fts_fold(query)``: a user's words as an FTS5 query over the folded index;
- ``escape_fts(query)``: replaced by ``fts_fold`` so the table pages' own search box folds the
  query the way the index was folded (datasette's version only quotes it);
- ``canonical_url(url)``: the outlet's canonical form of any URL of an article;
- ``diff_summary(changes)`` / ``diff_html(changes)``: a version's stored diff, readable.
"""

from __future__ import annotations

import base64
import html
import json
import sqlite3
import urllib.parse
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from crawler.fingerprint import canonical_url
from crawler.revisions import Changes
from crawler.store import fts_query
from crawler.text import fold


def _fold(value: object) -> str | None:
    return fold(value) if isinstance(value, str) else None


def _fts_fold(value: object) -> str:
    # An empty query must still be valid FTS5 syntax: match nothing rather than fail.
    return (fts_query(value) if isinstance(value, str) else None) or '""'


def _canonical(value: object) -> str | None:
    if not isinstance(value, str) or "://" not in value:
        return value if isinstance(value, str) else None
    return canonical_url(value)


def _changes(value: object) -> Changes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return Changes.from_json(json.loads(value))
    except (ValueError, KeyError, TypeError):
        return None


def _diff_summary(value: object) -> str | None:
    changes = _changes(value)
    return changes.summary() if changes else None


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


def _diff_html(value: object) -> str | None:
    changes = _changes(value)
    return diff_html(changes) if changes else None


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    # trylast: datasette's own escape_fts is registered by a default plugin; ours must come
    # after it to replace it.
    conn.create_function("fold", 1, _fold, deterministic=True)
    conn.create_function("fts_fold", 1, _fts_fold, deterministic=True)
    conn.create_function("escape_fts", 1, _fts_fold, deterministic=True)
    conn.create_function("canonical_url", 1, _canonical, deterministic=True)
    conn.create_function("diff_summary", 1, _diff_summary, deterministic=True)
    conn.create_function("diff_html", 1, _diff_html, deterministic=True)


@hookimpl
def render_cell(value: Any, column: str) -> Any:
    from markupsafe import Markup

    # diff_html() returns markup we built and escaped ourselves; show it as HTML, not text.
    if column == "diff" and isinstance(value, str) and value.startswith("<div><b>"):
        return Markup(value)
    # Article links: the Arabic slug shown readable, the link itself kept percent-encoded.
    if column == "url" and isinstance(value, str) and value.startswith(("https://", "http://")):
        shown = urllib.parse.unquote(value)
        return Markup(f"<a href='{html.escape(value)}' dir='auto'>{html.escape(shown)}</a>")
    return None


STATIC_MOUNT = "newsmon-static"


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path(f"/{STATIC_MOUNT}/newsmon.css")]


async def _report_page(request: Any, datasette: Any) -> Response:
    days = _days(request)
    body = await datasette.render_template("newsmon_report.html", {"days": days}, request=request)
    return Response.html(body)


async def _report_svg(request: Any, datasette: Any) -> Response:
    from monitor import report

    days = _days(request)
    watches = request.args.getlist("watch")
    db = datasette.get_database("newsmon")

    def build(conn: sqlite3.Connection) -> bytes:
        from sqlite_utils import Database

        return report.draw(report.collect(Database(conn), days=days, watches=watches), "svg")

    svg = await db.execute_fn(build)
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


def _days(request: Any) -> int:
    try:
        return max(1, min(3650, int(request.args.get("days") or 30)))
    except ValueError:
        return 30


def _bad_basic_credentials(scope: dict[str, Any]) -> bool:
    headers = dict(scope.get("headers") or [])
    value = headers.get(b"authorization", b"")
    if not value.startswith(b"Basic "):
        return False
    try:
        base64.b64decode(value[6:], validate=True).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return True
    return False


@hookimpl
def asgi_wrapper() -> Any:
    """Answer credentials that cannot be decoded with 401, not with the 500 that
    datasette-auth-passwords would raise on them."""

    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and _bad_basic_credentials(scope):
                response = Response.text(
                    "401 Authorization Required",
                    status=401,
                    headers={"WWW-Authenticate": 'Basic realm="newsmon"'},
                )
                await response.asgi_send(send)
                return
            await app(scope, receive, send)

        return guarded

    return wrap


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/newsmon/report$", _report_page),
        (r"^/-/newsmon/report\.svg$", _report_svg),
    ]
