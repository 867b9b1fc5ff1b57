"""``newsmon demo``: the whole product against the replica outlet, on this machine alone."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from monitor.commands.daemon import duration_option_callback, service_logging, status


@click.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's files (archive, configuration, replica data) here [default: a"
    " temporary directory, removed at the end].",
)
@click.option(
    "--interval",
    callback=duration_option_callback,
    default="10s",
    show_default=True,
    metavar="DURATION",
    help="How often the demo's daemon crawls the replica.",
)
def demo(workdir: Path | None, interval: timedelta) -> None:
    """See the whole product work on this machine, no internet needed (about a minute).

    Serves the replica outlet shipped with newsmon on 127.0.0.1, runs the daemon against it
    with an example watchlist and a local receiver that prints each alert as it arrives,
    publishes and then edits an article in the replica, and ends with `newsmon status`.
    """
    import tempfile

    from monitor.demo import run_demo

    service_logging()
    logging.getLogger("monitor.crawling").setLevel(logging.WARNING)

    def show(message: Any) -> None:
        click.secho(f"\n── alert received: {message.title}", fg="green", bold=True)
        click.echo(message.message.rstrip() + "\n")

    def say(text: str) -> None:
        click.secho(text, fg="cyan")

    with tempfile.TemporaryDirectory(prefix="newsmon-demo-") as tmp:
        where = workdir or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        result = run_demo(where, interval=interval, say=say, show_alert=show)
        click.echo("")
        ctx = click.get_current_context()
        ctx.invoke(
            status,
            as_json=False,
            check=False,
            db_path=where / "newsmon.db",
            config_path=where / "config.toml",
        )
    click.echo("")
    click.echo(
        f"demo: {result.alerts} alert(s) received; the published article was"
        f" {'' if result.published_alert else 'NOT '}alerted, its edited headline"
        f" {'' if result.change_alert else 'NOT '}alerted."
    )
    if workdir:
        click.echo(f"its files are in {workdir} (newsmon status --config {workdir}/config.toml)")
    if not (result.published_alert and result.change_alert):
        raise click.ClickException("the demo did not see every alert it expected")


COMMANDS = [demo]
