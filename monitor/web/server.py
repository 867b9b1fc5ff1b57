"""Serving the archive with datasette: read-only, on localhost unless a password is set."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PASSWORD_ENV = "NEWSMON_WEB_PASSWORD"
USER = "newsmon"


class WebError(Exception):
    """The web view cannot start as asked: one line for the user."""


def is_local(host: str) -> bool:
    """True when ``host`` only listens on this machine (loopback)."""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(
                ipaddress.ip_address(info[4][0]).is_loopback
                for info in socket.getaddrinfo(host, None)
            )
        except OSError:
            return False


def build(db_path: Path, *, password: str | None = None) -> Any:
    """A configured Datasette instance over the archive at ``db_path``."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from monitor.web import metadata, plugin

    if not db_path.exists():
        raise WebError(f"no database at {db_path}")
    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsmon")
    meta = metadata.metadata(password=bool(password))
    if password:
        from datasette_auth_passwords.utils import hash_password

        meta["plugins"] = {
            "datasette-auth-passwords": {
                f"{USER}_password_hash": hash_password(password),
                "http_basic_auth": True,
            }
        }
    ds = Datasette(
        metadata=meta,
        template_dir=str(HERE / "templates"),
        static_mounts=[(plugin.STATIC_MOUNT, str(HERE / "static"))],
        settings={
            "default_page_size": 50,
            "sql_time_limit_ms": 3000,
            "suggest_facets": False,
            "truncate_cells_html": 300,
        },
    )
    # Read-only: datasette's read connections open the file with mode=ro, and nothing here
    # ever asks for its write connection.
    ds.add_database(
        Database(ds, path=str(db_path.resolve()), is_mutable=True), name=metadata.DATABASE
    )
    return ds


def serve(
    db_path: Path,
    *,
    host: str,
    port: int,
    password: str | None,
    on_listening: Callable[[str], None] = lambda url: None,
) -> None:
    """Run the web view until interrupted. The socket is bound before the server starts, so
    port 0 works and ``on_listening`` gets the real URL."""
    if not is_local(host) and not password:
        raise WebError(
            f"refusing to serve on {host} without a password: set {PASSWORD_ENV}"
            " (or bind to 127.0.0.1)"
        )
    if password is not None and not password.isascii():
        # HTTP basic authentication carries the password as ASCII in datasette-auth-passwords.
        raise WebError(f"{PASSWORD_ENV} must be ASCII characters only")
    ds = build(db_path, password=password)
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise WebError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Listening now, not when uvicorn starts: a client that read the URL may connect at once,
    # and waits in the backlog instead of being refused.
    sock.listen(128)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    on_listening(f"http://{shown}:{bound}/")
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="off"))
    server.run(sockets=[sock])
