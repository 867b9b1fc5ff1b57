"""``newsmon crawl``: run one crawl of the outlet (a ``scrapy crawl`` subprocess) and report."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.live import Live
from rich.text import Text

from crawler.outlets import ALARABY
from monitor.commands.common import db_option
from monitor.config import resolve_db_path
from monitor.crawling import CrawlError, CrawlOptions, CrawlProgress, CrawlSummary, run_crawl

SECTIONS = ALARABY.sections
PLAIN_EVERY = 2.0  # seconds between progress lines when not on a terminal


def _line(p: CrawlProgress) -> str:
    return (
        f"pages={p.pages} new={p.new} changed={p.changed} unchanged={p.unchanged} errors={p.errors}"
    )


def _setting(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple:
    pairs = []
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}")
        pairs.append((key.strip(), setting))
    return tuple(pairs)


@click.command()
@click.option("--site", metavar="URL", help="Fetch through this base URL (a mirror or a replica).")
@click.option(
    "--section",
    "sections",
    multiple=True,
    type=click.Choice(SECTIONS),
    help="Only this section (repeatable) [default: every section and the full feed].",
)
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE.")
@click.option("--limit", type=click.IntRange(1), help="At most N article pages.")
@click.option(
    "--urls",
    "urls_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fetch the article URLs listed in this file (one a line) instead of discovering.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=3600,
    show_default=True,
    help="Stop the crawl after this many seconds.",
)
@click.option(
    "-s",
    "--setting",
    "settings",
    multiple=True,
    callback=_setting,
    metavar="KEY=VALUE",
    help="A Scrapy setting for this crawl (repeatable), e.g. -s DOWNLOAD_DELAY=2.",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the crawl's full log in this file.",
)
@db_option
def crawl(
    site: str | None,
    sections: tuple[str, ...],
    since: str | None,
    limit: int | None,
    urls_file: Path | None,
    timeout: float,
    settings: tuple[tuple[str, str], ...],
    log_path: Path | None,
    db_path: Path | None,
) -> None:
    """Crawl the outlet: robots.txt, feeds, sitemaps and (as a last resort) section listings,
    then every new or changed article page; store what changed.

    Shows live progress on a terminal, plain lines otherwise, then a summary. Exits with status 1
    when the crawl failed entirely (the site is down, robots.txt is failing, nothing answered).
    Loopback and private addresses are refused unless NEWSMON_ALLOW_PRIVATE=1 (all of them) or
    lists them (e.g. 192.168.1.20:8080,10.8.0.0/16).
    """
    options = CrawlOptions(
        db_path=resolve_db_path(db_path),
        site=site,
        sections=sections,
        since=since,
        limit=limit,
        urls_file=urls_file,
        timeout=timeout,
        settings=settings,
        log_path=log_path,
    )
    console = Console(stderr=True)
    try:
        summary = _live(options, console) if console.is_terminal else _plain(options)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None
    _report(summary)


def _live(options: CrawlOptions, console: Console) -> CrawlSummary:
    with Live(Text("crawling…"), console=console, transient=True, refresh_per_second=8) as live:

        def show(p: CrawlProgress) -> None:
            live.update(Text(f"crawling… {_line(p)} queued={p.queued} ({p.elapsed:.0f} s)"))

        return run_crawl(options, on_progress=show)


def _plain(options: CrawlOptions) -> CrawlSummary:
    last: list[float] = []

    def show(p: CrawlProgress) -> None:
        # The first report at once, then one line every few seconds.
        if not last or p.elapsed - last[0] >= PLAIN_EVERY:
            last[:] = [p.elapsed]
            click.echo(f"progress: {_line(p)} queued={p.queued} ({p.elapsed:.0f} s)", err=True)

    return run_crawl(options, on_progress=show)


def _report(summary: CrawlSummary) -> None:
    text = f"crawl {summary.status}: {_line(summary.progress)} in {summary.elapsed:.1f} s"
    if summary.message:
        text += f" ({summary.message})"
    if summary.run_id is not None:
        text += f" [run {summary.run_id}]"
    if summary.failed:
        raise click.ClickException(
            f"crawl {summary.status}: {summary.message or 'see the log (--log FILE)'}"
        )
    click.echo(text)
    sys.stdout.flush()


COMMANDS = [crawl]
