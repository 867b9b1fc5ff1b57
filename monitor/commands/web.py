"""The web view, feeds and reports: ``serve``, ``feed`` and ``report``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from monitor.commands.common import db_option, open_archive
from monitor.config import resolve_db_path

DEFAULT_FEED_LIMIT = 100


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port; the URL is printed).",
)
@db_option
def serve(host: str, port: int, db_path: Path | None) -> None:
    """Browse and search the archive in a web browser (datasette), read-only.

    Listens on 127.0.0.1 by default. Any other address requires a password, taken from
    NEWSMON_WEB_PASSWORD (user name: newsmon; HTTP basic authentication), so the archive is
    never open to the network by accident. Trends are at /-/newsmon/report; Atom feeds of the
    alerts at /-/newsmon/feed.atom and /-/newsmon/feed/WATCH.atom.
    """
    from monitor.store import open_monitor_db
    from monitor.web.server import PASSWORD_ENV, WebError
    from monitor.web.server import serve as run

    path = resolve_db_path(db_path)
    # Create or migrate the tables (the monitor's too: the alert and match queries read them)
    # before the server opens the file read-only.
    open_monitor_db(path).close()
    password = os.environ.get(PASSWORD_ENV) or None

    def listening(url: str) -> None:
        click.echo(f"newsmon web view on {url} (read-only; Ctrl-C stops it)")
        click.echo(f"Atom feed of the alerts: {url}-/newsmon/feed.atom")
        if password:
            click.echo(f"sign in as 'newsmon' with the password in {PASSWORD_ENV}")
        sys.stdout.flush()

    try:
        run(path, host=host, port=port, password=password, on_listening=listening)
    except WebError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The chart file: .png or .svg.",
)
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="How many days back.",
)
@click.option(
    "--watch", "watches", multiple=True, help="Only this watch (repeatable) [default: every watch]."
)
@db_option
def report(out: Path, days: int, watches: tuple[str, ...], db_path: Path | None) -> None:
    """Draw mentions per day per watch and articles per day per section (PNG or SVG)."""
    from monitor import report as charts

    if out.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter("the chart can be written as .png or .svg", param_hint="--out")
    db = open_archive(db_path, readonly=True)
    data = charts.collect(db, days=days, watches=watches)
    charts.write(data, out)
    total = sum(sum(s.counts) for s in data.sections)
    click.echo(
        f"wrote {out} ({days} days, {total} articles, {len(data.mentions)} watches)", err=True
    )


@click.command()
@click.option("--watch", help="Only this watch's alerts [default: every watch].")
@click.option(
    "--out",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The feed file ('-': standard output); replaced whole, never half-written.",
)
@click.option(
    "--limit",
    default=DEFAULT_FEED_LIMIT,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="At most this many entries, the newest.",
)
@db_option
def feed(watch: str | None, out: Path, limit: int, db_path: Path | None) -> None:
    """Write an Atom feed of the alerts (every watch's, or one watch's), newest first: title,
    link, publication time and the matched words of each article, for a feed reader.
    `newsmon serve` serves the same feeds."""
    from monitor import alertfeed as feeds
    from monitor.store import open_monitor_db

    db = open_monitor_db(resolve_db_path(db_path), readonly=True)
    items = feeds.entries(db, watch=watch, limit=limit)
    body = feeds.render(items, watch=watch)
    if str(out) == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it: a web server serving the file, or a
        # reader fetching it, sees the old feed or the new one, never half of one.
        partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            partial.write_bytes(body)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {out} ({len(items)} entries)", err=True)


COMMANDS = [serve, feed, report]
