"""A misbehaving web server for the reliability tests: real sockets on 127.0.0.1 (port 0).

``FaultServer`` answers each path with a *behaviour*: a function that writes whatever bytes it
likes to the connection — a normal page, an error with ``Retry-After``, a body cut short, broken
chunked encoding, an endless or oversize body, a compression bomb, a redirect, a reset. It counts
the connections it accepts, logs every request, and records how many body bytes each behaviour
managed to send before the client hung up. ``Listener`` is a canary: a second port that must
never be connected to. Both stop by themselves after ``lifetime`` seconds.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

Behaviour = Callable[["Handler"], None]

ROBOTS_ALLOW_ALL = b"User-agent: *\nDisallow:\n"
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    at: float
    method: str
    target: str  # path and query as sent
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, owner: Any, handler: type[socketserver.BaseRequestHandler]) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.owner._connected()
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up, or a socket a behaviour reset on purpose


class _Lifetime:
    """start/stop, a context manager, and a timer that stops the server by itself."""

    server: _TCPServer

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self.connections = 0

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Any:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        timer = threading.Timer(self.lifetime, self.stop)
        timer.daemon = True
        timer.start()
        return self

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Listener(_Lifetime):
    """A canary port: it counts connections and the requests they carry, and answers each with
    a canary word (so a crawler that did fetch it would store the word somewhere)."""

    WORD = "CANARY-7c1f-URL"

    def __init__(self, lifetime: float = 120) -> None:
        super().__init__(lifetime)
        self.received: list[bytes] = []
        listener = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(2)
                try:
                    data = self.request.recv(65536)
                except OSError:
                    data = b""
                listener.received.append(data)
                body = listener.WORD.encode()
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
                with contextlib.suppress(OSError):
                    self.request.sendall(head.encode() + b"\r\n" + body)

        self.server = _TCPServer(self, _Handler)


@dataclass
class Sent:
    """Body bytes a behaviour wrote, and whether the client hung up before the end."""

    bytes: int = 0
    cut: bool = False


class FaultServer(_Lifetime):
    """Paths mapped to behaviours; unknown paths are 404, ``/robots.txt`` allows everything
    unless routed. ``route(prefix + "*", ...)`` matches every path starting with ``prefix``."""

    def __init__(self, lifetime: float = 120) -> None:
        super().__init__(lifetime)
        self.routes: dict[str, Behaviour] = {"/robots.txt": page(ROBOTS_ALLOW_ALL, TEXT)}
        self.requests: list[Request] = []
        self.sent: dict[str, Sent] = {}
        owner = self

        class _Bound(Handler):
            server_owner = owner

        self.server = _TCPServer(self, _Bound)

    def route(self, path: str, behaviour: Behaviour) -> FaultServer:
        self.routes[path] = behaviour
        return self

    def behaviour_for(self, target: str) -> Behaviour:
        path = target.split("?", 1)[0]
        for key in (target, path):
            if key in self.routes:
                return self.routes[key]
        prefixes = [k for k in self.routes if k.endswith("*") and path.startswith(k[:-1])]
        if prefixes:
            return self.routes[max(prefixes, key=len)]
        return status(404)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


class Handler(BaseHTTPRequestHandler):
    server_owner: FaultServer
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"
    timeout = 30  # an idle keep-alive connection is closed after this
    # Headers and body go out as separate writes: without this, the client's delayed ACK
    # holds every answer back ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server_owner
        owner.requests.append(
            Request(time.time(), self.command, self.path, dict(self.headers.items()))
        )
        try:
            owner.behaviour_for(self.path)(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    do_HEAD = do_GET

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.do_GET()

    # Helpers for behaviours ---------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self.server_owner.stopped.is_set()

    def head(self, code: int, headers: Iterable[tuple[str, str]]) -> None:
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def account(self, written: int, cut: bool = False) -> None:
        sent = self.server_owner.sent.setdefault(self.path, Sent())
        sent.bytes += written
        sent.cut = sent.cut or cut

    def write_all(self, parts: Iterable[bytes]) -> bool:
        """Write parts until done or the client hangs up; True if everything was written."""
        for part in parts:
            if self.stopping:
                return False
            try:
                self.wfile.write(part)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.account(0, cut=True)
                self.close_connection = True
                return False
            self.account(len(part))
        return True

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


# Behaviours ---------------------------------------------------------------------------------

TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"


def page(
    body: bytes,
    content_type: str | None = HTML,
    code: int = 200,
    headers: Iterable[tuple[str, str]] = (),
) -> Behaviour:
    extra = tuple(headers)

    def serve(h: Handler) -> None:
        fields = [("Content-Length", str(len(body))), *extra]
        if content_type:
            fields.append(("Content-Type", content_type))
        h.head(code, fields)
        if h.command != "HEAD":
            h.write_all([body])

    return serve


def status(code: int, retry_after: str | None = None) -> Behaviour:
    body = f"<html><body>{code}</body></html>".encode()
    headers = [("Retry-After", retry_after)] if retry_after is not None else []
    return page(body, HTML, code, headers)


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The first request gets the first behaviour, and so on; the last one repeats."""
    lock = threading.Lock()
    count = [0]

    def serve(h: Handler) -> None:
        with lock:
            index = min(count[0], len(behaviours) - 1)
            count[0] += 1
        behaviours[index](h)

    return serve


def slow(seconds: float, then: Behaviour) -> Behaviour:
    """Say nothing for ``seconds`` (in small steps, so the server can still stop), then answer."""

    def serve(h: Handler) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not h.stopping:
            time.sleep(0.05)
        then(h)

    return serve


def drip(total: int = 10**9, chunk: int = 16, interval: float = 0.2) -> Behaviour:
    """Headers at once, then a few bytes every ``interval`` seconds: never done in time."""

    def serve(h: Handler) -> None:
        h.head(200, [("Content-Type", HTML), ("Content-Length", str(total))])
        sent = 0
        while sent < total and not h.stopping:
            if not h.write_all([b" " * chunk]):
                return
            sent += chunk
            time.sleep(interval)

    return serve


def truncated(body: bytes, keep: int) -> Behaviour:
    """Declares the whole length, sends ``keep`` bytes, then closes."""

    def serve(h: Handler) -> None:
        h.head(200, [("Content-Type", HTML), ("Content-Length", str(len(body)))])
        h.write_all([body[:keep]])
        h.close_connection = True

    return serve


def chunked(body: bytes, *, broken: bool = False, unterminated: bool = False) -> Behaviour:
    """Chunked transfer encoding; ``broken`` puts a chunk size that is not hex mid-stream,
    ``unterminated`` closes the connection without the last (zero) chunk."""

    def serve(h: Handler) -> None:
        h.head(200, [("Content-Type", HTML), ("Transfer-Encoding", "chunked")])
        half = len(body) // 2
        parts = [b"%x\r\n%s\r\n" % (half, body[:half])]
        if broken:
            parts.append(b"zz-not-hex\r\n" + body[half:] + b"\r\n0\r\n\r\n")
        elif unterminated:
            parts.append(b"%x\r\n%s\r\n" % (len(body) - half, body[half:]))
        else:
            parts.append(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body) - half, body[half:]))
        h.write_all(parts)
        if broken or unterminated:
            h.close_connection = True

    return serve


def endless(size: int, *, declared: bool, content_type: str = HTML) -> Behaviour:
    """``size`` bytes of a page, with Content-Length (``declared``) or chunked without one."""
    filler = b"<p>" + "حشو ".encode() * (CHUNK // 8) + b"</p>\n"

    def parts() -> Iterable[bytes]:
        sent = 0
        while sent < size:
            piece = filler[: size - sent]
            sent += len(piece)
            yield piece

    def serve(h: Handler) -> None:
        if declared:
            h.head(200, [("Content-Type", content_type), ("Content-Length", str(size))])
            h.write_all(parts())
        else:
            h.head(200, [("Content-Type", content_type), ("Transfer-Encoding", "chunked")])
            framed = (b"%x\r\n%s\r\n" % (len(p), p) for p in parts())
            if h.write_all(framed):
                h.write_all([b"0\r\n\r\n"])
        h.close_connection = True

    return serve


def encoded(payload: bytes, encoding: str, content_type: str = HTML, code: int = 200) -> Behaviour:
    """A body already compressed, sent with ``Content-Encoding: encoding``."""
    return page(payload, content_type, code, [("Content-Encoding", encoding)])


def redirect(location: str, code: int = 302) -> Behaviour:
    return page(b"", HTML, code, [("Location", location)])


def reset_after_headers(length: int = 100_000) -> Behaviour:
    def serve(h: Handler) -> None:
        h.head(200, [("Content-Type", HTML), ("Content-Length", str(length))])
        h.write_all([b"<html><body>"])
        h.reset()

    return serve


def reset_at_once() -> Behaviour:
    def serve(h: Handler) -> None:
        h.reset()

    return serve


# Compression bombs ---------------------------------------------------------------------------


_MADE: dict[tuple[str, int], bytes] = {}


@dataclass(frozen=True)
class Bombs:
    """Small bodies that decompress to ``size`` bytes (gzip, deflate, br, zstd), each made once
    per test process (a 256 MiB gzip bomb takes a second or two to make)."""

    size: int

    def get(self, encoding: str) -> bytes:
        key = (encoding, self.size)
        if key not in _MADE:
            _MADE[key] = _bomb(encoding, self.size)
        return _MADE[key]


def _zeros(size: int) -> Iterable[bytes]:
    block = b"\0" * (4 * 2**20)
    left = size
    while left > 0:
        yield block[:left]
        left -= len(block)


def _bomb(encoding: str, size: int) -> bytes:
    if encoding == "gzip":
        out = bytearray()
        stream = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        for block in _zeros(size):
            out += stream.compress(block)
        return bytes(out + stream.flush())
    if encoding == "deflate":
        stream = zlib.compressobj(9)
        return b"".join(stream.compress(b) for b in _zeros(size)) + stream.flush()
    if encoding == "br":
        import brotli

        compressor = brotli.Compressor(quality=5)
        return b"".join(compressor.process(b) for b in _zeros(size)) + compressor.finish()
    if encoding == "zstd":
        from backports import zstd

        compressor = zstd.ZstdCompressor()
        return b"".join(compressor.compress(b) for b in _zeros(size)) + compressor.flush()
    raise ValueError(encoding)


def gzip_file(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)
