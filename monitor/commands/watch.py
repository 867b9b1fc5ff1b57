"""``newsmon watch …``: the watchlist — add, list, remove, import, export, and test a term."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.transaction import writing
from monitor.commands.common import db_option
from monitor.commands.table import print_table
from monitor.commands.watchtest import test_command
from monitor.config import resolve_db_path
from monitor.matcher import DEFAULT_MODE, MODES
from monitor.store import open_monitor_db, open_monitor_reader
from monitor.watches import (
    add_watch,
    get_watch,
    list_watches,
    match_counts,
    remove_watch,
    save_watch,
)
from monitor.watchfile import WatchFileError, dump_watchlist, load_watchlist
from monitor.watchlist import (
    FIELDS,
    Term,
    Watch,
    WatchError,
    forced,
    lint,
    unknown_sections,
    validate,
)


@click.group()
def watch() -> None:
    """The watchlist: terms that raise an alert when a new or changed article mentions them,
    matched the way an Arabic reader expects (بالعراق and للعراق mention العراق)."""


def _one_line(messages: list[str]) -> str:
    return (
        messages[0] if len(messages) == 1 else f"{len(messages)} problems: " + " | ".join(messages)
    )


@watch.command()
@click.argument("name")
@click.argument("terms", nargs=-1, required=True)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default=DEFAULT_MODE,
    show_default=True,
    help="exact: as written, no clitics; standard: letter variants and proclitics (وبالعراق);"
    " stem: standard plus suffixes (العراقيين). Applies to every term given here.",
)
@click.option(
    "--all", "all_of", multiple=True, metavar="TERM", help="Must be mentioned too (repeatable)."
)
@click.option(
    "--none", "none_of", multiple=True, metavar="TERM", help="Vetoes the alert (repeatable)."
)
@click.option(
    "--field",
    type=click.Choice(FIELDS),
    default="all",
    show_default=True,
    help="title: headlines only; all: title, summary and body.",
)
@click.option(
    "--section", "sections", multiple=True, help="Only articles of this section (repeatable)."
)
@click.option("--tag", "tags", multiple=True, help="A notification tag alerts go to (repeatable).")
@click.option("--force", is_flag=True, help="Add terms the lint warns about anyway.")
@db_option
def add(
    name: str,
    terms: tuple[str, ...],
    mode: str,
    all_of: tuple[str, ...],
    none_of: tuple[str, ...],
    field: str,
    sections: tuple[str, ...],
    tags: tuple[str, ...],
    force: bool,
    db_path: Path | None,
) -> None:
    """Add a watch named NAME that fires on any of TERMS (quote a phrase: "التحالف الدولي").

    A single-word term that is shorter than 3 letters or a function word (في, من, على…) would
    fire on almost every article: it is refused with a suggestion unless --force is given.
    """

    def group(texts: tuple[str, ...]) -> tuple[Term, ...]:
        return tuple(Term(t, mode) for t in texts)  # type: ignore[arg-type]

    try:
        new = validate(
            Watch(
                name=name,
                terms=group(terms),
                all_of=group(all_of),
                none_of=group(none_of),
                fields=field,  # type: ignore[arg-type]
                sections=sections,
                tags=tags,
            )
        )
    except WatchError as exc:
        raise click.ClickException(f"{exc.key}: {exc}") from None
    db = open_monitor_db(resolve_db_path(db_path))
    if get_watch(db, new.name):
        raise click.ClickException(
            f"a watch named {new.name!r} exists (remove it first, or edit an exported"
            " watchlist and import it)"
        )
    warnings = [f"{w.key}: {w.message}" for w in lint(new)]
    if warnings and not force:
        raise click.ClickException(_one_line(warnings))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for note in unknown_sections(new):
        click.echo(f"note: {note}", err=True)
    add_watch(db, forced(new) if force else new)
    click.echo(f"added watch {new.name!r}: {_describe(new)}")


def _terms_text(terms: tuple[Term, ...]) -> str:
    return ", ".join(t.text if t.mode == DEFAULT_MODE else f"{t.text} ({t.mode})" for t in terms)


def _describe(w: Watch) -> str:
    parts = [_terms_text(w.terms)]
    if w.all_of:
        parts.append(f"all of: {_terms_text(w.all_of)}")
    if w.none_of:
        parts.append(f"none of: {_terms_text(w.none_of)}")
    parts.append("title only" if w.fields == "title" else "title, summary, body")
    if w.sections:
        parts.append("sections: " + ", ".join(w.sections))
    if w.tags:
        parts.append("tags: " + ", ".join(w.tags))
    return "; ".join(parts)


@watch.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per watch.")
@db_option
def list_command(as_json: bool, db_path: Path | None) -> None:
    """List the watches with their terms, settings and how many matches each recorded."""
    db = open_monitor_reader(resolve_db_path(db_path))
    stored = list_watches(db) if db else []
    counts = match_counts(db) if db else {}
    if as_json:
        for s in stored:
            w = s.watch
            record = {
                "name": w.name,
                "terms": [{"text": t.text, "mode": t.mode} for t in w.terms],
                "all": [{"text": t.text, "mode": t.mode} for t in w.all_of],
                "none": [{"text": t.text, "mode": t.mode} for t in w.none_of],
                "fields": w.fields,
                "sections": list(w.sections),
                "tags": list(w.tags),
                "matches": counts.get(s.id, 0),
                "created_at": s.created_at,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    if not stored:
        click.echo("no watches (add one with: newsmon watch add NAME TERM…)", err=True)
        return
    print_table(
        ["name", "terms", "all of", "none of", "fields", "sections", "tags", "matches"],
        [
            [
                s.watch.name,
                _terms_text(s.watch.terms),
                _terms_text(s.watch.all_of),
                _terms_text(s.watch.none_of),
                s.watch.fields,
                ",".join(s.watch.sections),
                ",".join(s.watch.tags),
                str(counts.get(s.id, 0)),
            ]
            for s in stored
        ],
        title=f"{len(stored)} watch(es)",
    )


@watch.command()
@click.argument("name")
@db_option
def remove(name: str, db_path: Path | None) -> None:
    """Remove the watch NAME and the matches it recorded."""
    db = open_monitor_db(resolve_db_path(db_path))
    remove_watch(db, name)
    click.echo(f"removed watch {name!r}")


@watch.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Import terms the lint warns about anyway.")
@click.option("--prune", is_flag=True, help="Also remove stored watches the file does not name.")
@db_option
def import_command(file: Path, force: bool, prune: bool, db_path: Path | None) -> None:
    """Load watches from a TOML watchlist FILE: new names are added, known names replaced.

    The whole file is checked first; an unknown key or a bad value stores nothing and the
    error names the file, line and key. See README.md for the format.
    """
    try:
        watches, warnings = load_watchlist(file)
    except WatchFileError as exc:
        raise click.ClickException(str(exc)) from None
    if warnings and not force:
        raise click.ClickException(_one_line(warnings))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    db = open_monitor_db(resolve_db_path(db_path))
    results = {"added": 0, "updated": 0, "unchanged": 0}
    removed = 0
    with writing(db):
        for w in watches:
            results[save_watch(db, forced(w) if force else w)] += 1
        if prune:
            keep = {w.name for w in watches}
            for stored in list_watches(db):
                if stored.watch.name not in keep:
                    remove_watch(db, stored.watch.name)
                    removed += 1
    summary = ", ".join(f"{k} {v}" for k, v in results.items())
    if prune:
        summary += f", removed {removed}"
    click.echo(f"imported {len(watches)} watch(es) from {file}: {summary}")


@watch.command(name="export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@db_option
def export_command(file: Path | None, db_path: Path | None) -> None:
    """Write the watchlist as TOML to FILE (standard output without one); `newsmon watch
    import` reads it back unchanged."""
    db = open_monitor_reader(resolve_db_path(db_path))
    text = dump_watchlist([s.watch for s in list_watches(db)] if db else [])
    if file is None or str(file) == "-":
        click.echo(text, nl=False)
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{file}: {exc.strerror or exc}") from None
    click.echo(f"wrote {text.count('[[watch]]')} watch(es) to {file}", err=True)


watch.add_command(test_command)

COMMANDS = [watch]
