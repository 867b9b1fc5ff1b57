"""newsmon's datasette plugin: SQL functions, styles and routes for the archive's web view.

SQL functions registered on every connection:

- ``fold(text)``: the matcher's folded form (محمد for مُحَمَّد, اسعار for أسعار);
- ``fts_fold(query)``: a user's words as an FTS5 query over the folded index;
- ``escape_fts(query)``: replaced by ``fts_fold`` so the table pages' own search box folds the
  query the way the index was folded (datasette's version only quotes it);
- ``canonical_url(url)``: the outlet's canonical form of any URL of an article;
- ``diff_summary(changes)`` / ``diff_html(changes)``: a version's stored diff, readable.

Routes: ``/-/newsmon/report`` (the trends chart, and its SVG), ``/-/newsmon/feed.atom`` (every
alert) and ``/-/newsmon/feed/<watch>.atom`` (one watch's, its name percent-encoded).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import urllib.parse
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from crawler.articles import fts_query
from crawler.fingerprint import canonical_url
from crawler.revisions import Changes
from crawler.text import fold
from monitor.web import cells
from monitor.web.cells import diff_html


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
def render_cell(row: Any, value: Any, column: str, database: str | None, datasette: Any) -> Any:
    return cells.render(row, value, column, database, datasette.urls.path)


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
    db = _database(datasette)

    def build(conn: sqlite3.Connection) -> bytes:
        from sqlite_utils import Database

        return report.draw(report.collect(Database(conn), days=days, watches=watches), "svg")

    svg = await db.execute_fn(build)
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


def _database(datasette: Any) -> Any:
    from monitor.web.metadata import DATABASE

    # The archive is "newsmon" under `newsmon serve`; a plain `datasette FILE.db` names it
    # after the file.
    try:
        return datasette.get_database(DATABASE)
    except KeyError:
        return datasette.get_database()


async def _feed(request: Any, datasette: Any) -> Response:
    from monitor import alertfeed as feed
    from monitor.watches import WatchStoreError

    raw = request.url_vars.get("watch")
    watch = urllib.parse.unquote(raw) if raw is not None else None
    limit = _int_arg(request, "limit", feed.DEFAULT_LIMIT, 1, 10_000)
    db = _database(datasette)
    self_url = datasette.absolute_url(request, datasette.urls.path(cells.feed_path(watch)))
    if watch is None:
        page = datasette.urls.database(db.name) + "/alerts"
    else:
        page = (
            datasette.urls.database(db.name)
            + "/watch_matches?watch="
            + (urllib.parse.quote(watch, safe=""))
        )
    alternate = datasette.absolute_url(request, page)

    def build(conn: sqlite3.Connection) -> bytes:
        from sqlite_utils import Database

        return feed.build(
            Database(conn), watch=watch, limit=limit, self_url=self_url, alternate_url=alternate
        )

    try:
        body = await db.execute_fn(build)
    except WatchStoreError as exc:
        return Response.text(f"{exc}\n", status=404)
    # Feed readers poll: an unchanged feed is answered with 304 and no body.
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in (request.headers.get("if-none-match") or ""):
        return Response("", status=304, headers={"ETag": etag})
    return Response(body, content_type=feed.CONTENT_TYPE, headers={"ETag": etag})


def _int_arg(request: Any, name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.args.get(name) or default)))
    except ValueError:
        return default


def _days(request: Any) -> int:
    return _int_arg(request, "days", 30, 1, 3650)


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
        (r"^/-/newsmon/feed\.atom$", _feed),
        # Matched against the raw path: the name arrives percent-encoded.
        (r"^/-/newsmon/feed/(?P<watch>[^/]+)\.atom$", _feed),
    ]
