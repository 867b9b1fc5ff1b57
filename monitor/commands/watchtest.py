"""``newsmon watch test``: try a term on a text, a stored article or the whole archive before
it can send anything. Exit statuses follow grep: 0 something matched, 1 nothing did, 2 error."""

from __future__ import annotations

import sqlite3
import sys
from collections import deque
from pathlib import Path
from typing import Any

import click

from crawler.articles import find_article, get_article, iter_articles
from crawler.database import StoreError
from monitor.commands.common import db_option, open_archive
from monitor.matcher import DEFAULT_MODE, MODES, Hit, Matcher, Scan, TermError
from monitor.matching import article_fields
from monitor.snippet import snippet
from monitor.watchlist import Term, lint_term

# Private-use characters mark the match inside a snippet until it is styled for a terminal.
_OPEN, _CLOSE = "\ue000", "\ue001"


class Trouble(click.ClickException):
    """An error in ``watch test``: exit status 2, as grep, so 1 can mean "no match"."""

    exit_code = 2


class GrepStatusCommand(click.Command):
    """A command whose every error, usage errors included, exits with status 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            raise Trouble(exc.format_message() + hint) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, Trouble):
            raise
        except click.ClickException as exc:
            raise Trouble(exc.format_message()) from None
        except (StoreError, OSError) as exc:
            raise Trouble(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise Trouble(f"database error: {exc}") from None
        except Exception as exc:
            if (ctx.find_root().obj or {}).get("debug"):
                raise
            raise Trouble(f"unexpected {type(exc).__name__}: {exc}") from None


@click.command(name="test", cls=GrepStatusCommand)
@click.argument("term")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default=DEFAULT_MODE,
    show_default=True,
    help="How the term matches (see `newsmon watch add --help`).",
)
@click.option("--text", help="Match this text (- reads standard input); needs no database.")
@click.option("--article", "article_ref", help="Match a stored article: its id, node id or URL.")
@click.option("--db-scan", is_flag=True, help="Match every stored article (latest versions).")
@click.option(
    "--examples",
    default=5,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="With --db-scan: how many matching articles to show (the newest).",
)
@db_option
def test_command(
    term: str,
    mode: str,
    text: str | None,
    article_ref: str | None,
    db_scan: bool,
    examples: int,
    db_path: Path | None,
) -> int:
    """Show where TERM would match, with a snippet around each match, before a watch uses it.

    Give exactly one of --text, --article or --db-scan. --db-scan prints how many stored
    articles the term would have hit and a few of them. Exit status as grep: 0 when something
    matched, 1 when nothing did, 2 on an error (other newsmon commands exit 1 on errors).
    """
    if sum(x is not None and x is not False for x in (text, article_ref, db_scan)) != 1:
        raise Trouble("give exactly one of --text, --article or --db-scan")
    try:
        matcher = Matcher([(term, mode)])  # type: ignore[list-item]
    except TermError as exc:
        raise Trouble(str(exc)) from None
    note = lint_term(Term(term, mode))  # type: ignore[arg-type]
    if note:
        click.echo(f"note: {note}", err=True)
    if text is not None:
        if text == "-":
            try:
                text = sys.stdin.buffer.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Trouble(
                    f"standard input is not UTF-8 text (byte {exc.start}); give UTF-8 text"
                ) from None
        scan = matcher.scan({"text": text})
        _print_hits(scan, show_field=False)
        return _status(scan)
    db = open_archive(db_path, readonly=True)
    if article_ref is not None:
        article_id = find_article(db, article_ref)
        stored = get_article(db, article_id) if article_id is not None else None
        if stored is None:
            raise Trouble(f"no stored article {article_ref!r} (give an id, node id or URL)")
        scan = matcher.scan(article_fields(stored.article))
        _print_hits(scan, show_field=True)
        return _status(scan)
    return _db_scan(db, matcher, examples)


def _status(scan: Scan) -> int:
    if not scan.hits:
        click.echo("no match", err=True)
        return 1
    click.echo(f"{len(scan.hits)} match(es)", err=True)
    return 0


def _print_hits(scan: Scan, *, show_field: bool, indent: str = "") -> None:
    for hit in scan.hits:
        where = f"{hit.field}:{hit.start}" if show_field else str(hit.start)
        _echo_snippet(f"{indent}{where}\t{hit.text}\t", scan, hit)


def _echo_snippet(prefix: str, scan: Scan, hit: Hit) -> None:
    """The snippet with the match marked: highlighted on a terminal, in [[…]] otherwise."""
    if not sys.stdout.isatty():
        click.echo(prefix + snippet(scan.texts[hit.field], hit.start, hit.end))
        return
    from rich.console import Console
    from rich.text import Text

    raw = snippet(scan.texts[hit.field], hit.start, hit.end, marks=(_OPEN, _CLOSE))
    before, rest = raw.split(_OPEN, 1)
    match, after = rest.split(_CLOSE, 1)
    line = Text(prefix + before)
    line.append(match, style="bold reverse")
    line.append(after)
    Console(highlight=False).print(line, soft_wrap=True)


def _db_scan(db: Any, matcher: Matcher, examples: int) -> int:
    total = matched = mentions = 0
    shown: deque[tuple[int, str, Scan]] = deque(maxlen=examples)
    for stored in iter_articles(db):
        total += 1
        scan = matcher.scan(article_fields(stored.article))
        if scan.hits:
            matched += 1
            mentions += len(scan.hits)
            if examples:
                shown.append((stored.id, stored.article.title, scan))
    for article_id, title, scan in shown:
        click.echo(f"#{article_id}\t{title}")
        first = scan.hits[0]
        _echo_snippet(f"  {first.field}:{first.start}\t", scan, first)
    click.echo(f"would have matched {matched} of {total} stored article(s) ({mentions} mention(s))")
    return 0 if matched else 1
