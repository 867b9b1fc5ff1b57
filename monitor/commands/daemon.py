"""``newsmon daemon``, ``newsmon run`` (one cycle, for cron) and ``newsmon status``."""

from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from crawler.database import StoreError
from crawler.outlets import ALARABY
from monitor.commands.common import db_option
from monitor.commands.settings import config_option, read_sending_config
from monitor.commands.table import print_table
from monitor.config import Config, ConfigError
from monitor.configfile import load_config
from monitor.durations import parse_duration
from monitor.lock import ArchiveLock, LockHeld
from monitor.secrets import install as install_redaction
from monitor.store import open_monitor_db, open_monitor_reader

log = logging.getLogger(__name__)


def duration_option_callback(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> Any:
    if value is None:
        return None
    try:
        every = parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if every < timedelta(seconds=1):
        raise click.BadParameter("the interval must be at least 1s")
    return every


site_option = click.option(
    "--site", metavar="URL", help="Fetch through this base URL (a mirror or a replica)."
)
section_option = click.option(
    "--section",
    "sections",
    multiple=True,
    type=click.Choice(ALARABY.sections),
    help="Only this section (repeatable) [default: the configured sections].",
)


def _overrides(db_path: Path | None, site: str | None, sections: tuple[str, ...]) -> dict:
    return {"db_path": db_path, "site": site, "sections": sections}


def service_logging() -> None:
    """A service says what it does: INFO lines unless -v asked for more."""
    root = logging.getLogger()
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # APScheduler's per-job lines (and its note that a re-check waits behind a running crawl,
    # which is the design) and apprise's per-message lines are noise; the cycle line says it.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("apprise").setLevel(logging.WARNING)


def _lock(config: Config, role: str) -> ArchiveLock:
    try:
        return ArchiveLock(config.db_path, role).acquire()
    except LockHeld as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot lock the archive {config.db_path}: {exc}") from None


def _check_archive(config: Config) -> None:
    """Open (and migrate) the archive before anything is scheduled: a bad path is one line."""
    try:
        open_monitor_db(config.db_path).conn.close()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option(
    "--interval",
    callback=duration_option_callback,
    metavar="DURATION",
    help="Crawl every source this often (30s, 15m, 1h), overriding their schedules.",
)
@site_option
@section_option
@db_option
@config_option
def daemon(
    interval: timedelta | None,
    site: str | None,
    sections: tuple[str, ...],
    db_path: Path | None,
    config_path: Path | None,
) -> None:
    """Crawl on schedule, re-check recent articles for edits, and send alerts, until stopped.

    One daemon per archive. SIGTERM or Ctrl-C stops it cleanly (exit 0); SIGHUP, or saving
    the configuration file, reloads the configuration. Watchlist changes made with
    `newsmon watch` apply from the next cycle.
    """
    from monitor.notifier import check_config_targets
    from monitor.scheduler import Daemon

    overrides = {**_overrides(db_path, site, sections), "interval": interval}
    config = read_sending_config(config_path, **overrides)
    service_logging()
    _check_archive(config)
    lock = _lock(config, "daemon")
    try:
        install_redaction([t.url for t in config.targets])

        def load() -> Config:
            fresh = load_config(config_path, overrides=overrides)
            check_config_targets(fresh)
            install_redaction([t.url for t in fresh.targets])
            return fresh

        log.info(
            "newsmon daemon: archive %s, site %s, sources %s",
            config.db_path,
            config.site,
            ", ".join(s.name for s in config.effective_sources()),
        )
        code = Daemon(load).run()
    finally:
        lock.release()
    sys.exit(code)


@click.command()
@site_option
@section_option
@db_option
@config_option
def run(
    site: str | None, sections: tuple[str, ...], db_path: Path | None, config_path: Path | None
) -> None:
    """One full cycle and exit (for cron): crawl every source, re-check recent articles for
    edits, match the new versions, check health and deliver the alerts.

    Exits with status 1 when every crawl failed. Refuses to run while a daemon uses the archive.
    """
    from monitor.cycle import drain_outbox, run_recheck, run_source

    config = read_sending_config(config_path, **_overrides(db_path, site, sections))
    service_logging()
    for warning in config.warnings:
        log.warning("%s", warning)
    _check_archive(config)
    lock = _lock(config, "run")
    try:
        install_redaction([t.url for t in config.targets])
        reports = [run_source(config, source) for source in config.effective_sources()]
        reports.append(run_recheck(config))
        drain_outbox(config)
    finally:
        lock.release()
    for report in reports:
        click.echo(report.line())
    crawls = [r for r in reports if r.status != "idle"]
    if crawls and all(r.status == "failed" for r in crawls):
        raise click.ClickException(f"every crawl failed: {crawls[0].message}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 (saying why) when the daemon's heartbeat is stale or a source is failing.",
)
@db_option
@config_option
def status(as_json: bool, check: bool, db_path: Path | None, config_path: Path | None) -> None:
    """The last and next runs per source, what the archive holds, alerts by status, failing
    sources and the daemon's heartbeat."""
    from monitor.status import read_status

    try:
        config = load_config(config_path, overrides={"db_path": db_path})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        reader = open_monitor_reader(config.db_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if reader is None:
        raise click.ClickException(f"no archive at {config.db_path} (has newsmon run yet?)")
    db = reader
    try:
        state = read_status(db, config)
    finally:
        db.conn.close()
    if as_json:
        click.echo(json.dumps(state.as_json(), ensure_ascii=False, indent=2))
    elif not check:
        _print_status(state)
    if check and state.problems:
        raise click.ClickException("; ".join(state.problems))
    if check and not as_json:
        click.echo("ok")


def _print_status(state: Any) -> None:
    beat = state.heartbeat
    if beat:
        age = f"{state.heartbeat_age:.0f}s ago" if state.heartbeat_age is not None else "?"
        click.echo(f"daemon: {beat.get('state')} (pid {beat.get('pid')}), heartbeat {age}")
    else:
        click.echo("daemon: never run on this archive")
    click.echo(
        f"archive: {state.db_path}: {state.articles} articles, {state.versions} versions"
        f" ({state.edits} of them edits)"
    )
    counts = state.alerts
    click.echo(
        "alerts: "
        + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("pending", "sent", "failed", "expired"))
        + (f", {counts['unrouted']} unrouted" if counts.get("unrouted") else "")
    )
    if state.jobs:
        print_table(
            ["job", "last run", "result", "next run", "failures in a row"],
            [
                [
                    job.name,
                    job.last_run or "-",
                    (job.last_status or "-") + (" (running)" if job.running_since else ""),
                    job.next_run or "-",
                    str(job.failures),
                ]
                for job in state.jobs
            ],
        )
    for source in state.failing_sources:
        click.echo(
            f"failing: {source['kind']} {source['url']}: {source['failures']} times"
            f" ({source['last_error'] or 'no detail'})"
        )
    for problem in state.health:
        click.echo(f"health: {problem['source']}: {problem['text']} since {problem['opened_at']}")
    click.echo("status: ok" if not state.problems else "status: " + "; ".join(state.problems))


COMMANDS = [daemon, run, status]
