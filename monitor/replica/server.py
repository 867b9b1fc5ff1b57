"""The replica outlet as a real HTTP server (stdlib only): routing, conditional requests,
injected faults and a request log (``control.Replica`` starts and stops it).

Routes, as on the real site: ``/robots.txt``, ``/sitemap.xml`` (index; ``?page=N`` a page),
``/sitemaps/news.xml.gz``, ``/rss`` and ``/rss/<section>``, ``/<section>`` listings
(``?page=N``), and every published article at its own path. Every answer carries an ETag (and
Last-Modified where the content has a date); a matching ``If-None-Match`` or a recent enough
``If-Modified-Since`` gets 304.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any
from urllib.parse import parse_qs, unquote, urlsplit

from monitor.replica import feeds, pages
from monitor.replica.data import DataDir, ReplicaDataError, Snapshot
from monitor.replica.faults import Fault, FaultState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hit:
    """One request the replica answered."""

    at: float  # time.time()
    method: str
    path: str  # decoded path, without the query
    query: str
    status: int
    user_agent: str
    if_none_match: str
    if_modified_since: str
    arrived: float = 0.0  # time.time() when the request was read (``at`` is when answered)

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()


TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


def route(snap: Snapshot, path: str, query: dict[str, list[str]], base: str) -> Answer:
    """The answer for a decoded path; pure, so tests can call it without a socket."""
    page = _int(query.get("page", ["0"])[0])
    if path == "/robots.txt":
        return Answer(200, feeds.robots(snap).encode(), TEXT)
    if path == "/sitemap.xml" and snap.site.sitemap:
        if "page" in query:
            text = feeds.sitemap_page(snap, page)
            if text is None:
                return _not_found()
            return Answer(200, text.encode(), XML, _newest(snap))
        return Answer(200, feeds.sitemap_index(snap).encode(), XML, _newest(snap))
    if path == "/sitemaps/news.xml.gz" and snap.site.sitemap and snap.site.news_sitemap:
        return Answer(200, feeds.news_sitemap(snap), "application/x-gzip", _newest(snap))
    if path in ("/rss", "/rss.xml") or path.startswith("/rss/"):
        section = path[len("/rss/") :].strip("/") if path.startswith("/rss/") else None
        if section and section not in dict(snap.site.sections):
            return _not_found()
        items = snap.newest(section)
        modified = max((a.modified for a in items), default=None)
        return Answer(200, feeds.rss(snap, section).encode(), RSS, modified)
    article = snap.by_path(path)
    if article is not None:
        body = pages.article_page(article, snap, base).encode()
        return Answer(200, body, HTML, article.modified)
    section = path.strip("/")
    if section in dict(snap.site.sections):
        text = pages.listing_page(section, page, snap, base)
        if text is not None:
            return Answer(200, text.encode(), HTML)
    return _not_found()


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _newest(snap: Snapshot) -> datetime | None:
    return max((a.modified for a in snap.published), default=None)


def _not_found() -> Answer:
    body = "<!DOCTYPE html><html><body><h1>الصفحة غير موجودة</h1></body></html>"
    return Answer(404, body.encode(), HTML)


def etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def not_modified(answer: Answer, tag: str, if_none_match: str, if_modified_since: str) -> bool:
    if answer.status != 200:
        return False
    if if_none_match:
        return tag in [t.strip() for t in if_none_match.split(",")] or if_none_match == "*"
    if if_modified_since and answer.last_modified:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return answer.last_modified.replace(microsecond=0) <= since
    return False


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, data: DataDir, log_file: IO[str] | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.data = data
        self.hits: list[Hit] = []
        self.runtime_faults: list[Fault] = []
        self.fault_state = FaultState()
        self.log_file = log_file
        self._hits_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def record(self, hit: Hit) -> None:
        with self._hits_lock:
            self.hits.append(hit)
            if self.log_file is not None:
                self.log_file.write(json.dumps(asdict(hit), ensure_ascii=False) + "\n")
                self.log_file.flush()

    def fault_for(self, snap: Snapshot, path: str) -> Fault | None:
        return self.fault_state.take((*self.runtime_faults, *snap.site.faults), path)


class _Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"
    server_version = "replica-outlet/1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self._recorded = False
        self._arrived = time.time()
        try:
            snap = self.server.data.snapshot()
            fault = self.server.fault_for(snap, path)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.status:
                extra = (("Retry-After", fault.retry_after),) if fault.retry_after else ()
                answer = Answer(fault.status, b"<html><body>error</body></html>", HTML, None, extra)
            else:
                answer = route(snap, path, parse_qs(parts.query), self.server.url)
            self._send(answer, head, path, parts.query)
        except ReplicaDataError as exc:
            log.error("replica data: %s", exc)
            self._send(Answer(500, str(exc).encode(), TEXT), head, path, parts.query)
        except (BrokenPipeError, ConnectionResetError):
            self._record(path, parts.query, 499)  # the client went away

    def _record(self, path: str, query: str, status: int) -> None:
        if self._recorded:
            return
        self._recorded = True
        self.server.record(
            Hit(
                at=time.time(),
                method=self.command,
                path=path,
                query=query,
                status=status,
                user_agent=self.headers.get("User-Agent", ""),
                if_none_match=self.headers.get("If-None-Match", ""),
                if_modified_since=self.headers.get("If-Modified-Since", ""),
                arrived=self._arrived,
            )
        )

    def _send(self, answer: Answer, head: bool, path: str, query: str) -> None:
        tag = etag(answer.body)
        inm = self.headers.get("If-None-Match", "")
        ims = self.headers.get("If-Modified-Since", "")
        status = 304 if not_modified(answer, tag, inm, ims) else answer.status
        # Logged before the answer leaves, so a client that has it always finds it in the log.
        self._record(path, query, status)
        self.send_response(status)
        if answer.status == 200:
            self.send_header("ETag", tag)
            if answer.last_modified:
                moment = answer.last_modified.astimezone(UTC)
                self.send_header("Last-Modified", format_datetime(moment, usegmt=True))
        for name, value in answer.headers:
            self.send_header(name, value)
        if status == 304:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)
