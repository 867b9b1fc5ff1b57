"""A local webhook receiver for apprise's ``json://`` target: it keeps (and can print) every
notification it gets. ``newsmon demo`` shows alerts arriving through it; tests use it as the
real receiving end of a delivery.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    title: str
    message: str
    type: str
    headers: dict[str, str]
    at: float


@dataclass
class Receiver:
    """A running receiver on 127.0.0.1. ``status`` is what it answers (set 500 to play a
    failing target); ``delay`` makes it slow; ``closed()`` stops it."""

    on_message: Callable[[Received], None] | None = None
    status: int = 200
    delay: float = 0.0
    messages: list[Received] = field(default_factory=list)
    attempts: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver._lock:
                    receiver.attempts += 1
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.status
                if status == 200:
                    try:
                        data: dict[str, Any] = json.loads(raw.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        status, data = 400, {}
                    else:
                        item = Received(
                            self.path,
                            str(data.get("title", "")),
                            str(data.get("message", "")),
                            str(data.get("type", "")),
                            dict(self.headers.items()),
                            time.time(),
                        )
                        with receiver._lock:
                            receiver.messages.append(item)
                        if receiver.on_message:
                            receiver.on_message(item)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass  # quiet: the receiver reports through on_message

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str = "/newsmon") -> str:
        """The apprise URL that delivers here."""
        return f"json://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The messages once ``count`` have arrived (or whatever came within ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
