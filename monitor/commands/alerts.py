"""``newsmon alerts`` (list, retry) and ``newsmon notify --test``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlite_utils import Database

from monitor.alerttext import test_message
from monitor.commands.common import db_option
from monitor.commands.settings import config_option, read_config
from monitor.commands.table import print_table
from monitor.config import Config
from monitor.notifier import TargetError, deliver, route
from monitor.outbox import STATUSES, list_alerts, retry, target_key
from monitor.runner import all_targets
from monitor.secrets import install as install_redaction
from monitor.secrets import mask_url
from monitor.store import open_monitor_db, open_monitor_reader


def _open(db_path: Path | None, config_path: Path | None) -> tuple[Config, Database]:
    config = read_config(config_path, **({"db_path": db_path} if db_path else {}))
    return config, open_monitor_db(config.db_path)


@click.group(invoke_without_command=True)
@click.option(
    "--status",
    type=click.Choice([s for s in STATUSES if s != "sending"]),
    help="Only alerts in this state.",
)
@click.option(
    "--since", help="Only alerts created on or after this date/time (2026-08-15 or ISO 8601)."
)
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="At most this many.",
)
@db_option
@config_option
@click.pass_context
def alerts(
    ctx: click.Context,
    status: str | None,
    since: str | None,
    limit: int,
    db_path: Path | None,
    config_path: Path | None,
) -> None:
    """List alerts, newest first: pending (waiting), sent, failed (to be retried), expired
    (given up), unrouted (no target takes the watch's tags). Targets show as a short hash,
    never as their URL."""
    if ctx.invoked_subcommand is not None:
        return
    if since:
        try:
            datetime.fromisoformat(since)
        except ValueError:
            raise click.BadParameter(f"not a date: {since!r}", param_hint="--since") from None
    config = read_config(config_path, **({"db_path": db_path} if db_path else {}))
    reader = open_monitor_reader(config.db_path)
    labels = {target_key(t): mask_url(t.url) for t in config.targets}
    rows = list_alerts(reader, status=status, since=since, limit=limit) if reader else []
    if not rows:
        click.echo("no alerts", err=True)
        return
    print_table(
        ["id", "status", "created (UTC)", "watch", "title", "target", "tries", "last error"],
        [
            [
                str(r.id),
                r.status,
                r.created_at[:16].replace("T", " "),
                r.watch or r.kind,
                r.title,
                labels.get(r.target_key, r.target_key),
                str(r.tries),
                (r.last_error or "")[:80],
            ]
            for r in rows
        ],
    )


@alerts.command(name="retry")
@click.argument("alert_id", required=False, type=click.IntRange(min=1))
@click.option("--all", "every", is_flag=True, help="Every failed and expired alert.")
@db_option
@config_option
def retry_command(
    alert_id: int | None, every: bool, db_path: Path | None, config_path: Path | None
) -> None:
    """Make a failed or expired alert (ID) or all of them (--all) due at once; the daemon (or
    `newsmon run`) sends them on its next cycle."""
    if (alert_id is None) == (not every):
        raise click.UsageError("give an alert ID or --all")
    _config, db = _open(db_path, config_path)
    n = retry(db, None if every else alert_id)
    if alert_id is not None and n == 0:
        raise click.ClickException(f"no failed or expired alert with id {alert_id}")
    click.echo(f"{n} alert(s) will be sent on the next cycle")


@click.command()
@click.option("--test", "test", is_flag=True, required=True, help="Send a test message (required).")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Only targets with this tag (repeatable) [default: every target].",
)
@config_option
def notify(test: bool, tags: tuple[str, ...], config_path: Path | None) -> None:
    """Send a test message to the configured targets now and report each one's result (URLs
    in apprise's privacy form). Exits 1 if any target failed."""
    config = read_config(config_path)
    try:
        targets = all_targets(config)
    except TargetError as exc:
        raise click.ClickException(str(exc)) from None
    install_redaction([t.url for t in targets])
    chosen = route(targets, tags) if tags else targets
    if not chosen:
        where = f"tagged {', '.join(tags)}" if tags else "configured"
        raise click.ClickException(f"no notification targets {where} (see: newsmon config show)")
    message = test_message(datetime.now(UTC))
    failures = 0
    for target in chosen:
        result = deliver(target, message)
        shown = mask_url(target.url)
        if result.ok:
            click.echo(f"ok      {shown} ({result.seconds:.1f}s)")
        else:
            failures += 1
            click.echo(f"failed  {shown}: {result.error}")
    if failures:
        click.echo(f"{failures} of {len(chosen)} target(s) failed", err=True)
        sys.exit(1)


COMMANDS = [alerts, notify]
