"""Commands over the archive itself: ``load``, ``export``, ``search``."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import click

from crawler.articles import iter_articles, search
from crawler.dates import OUTLET_TZ, parse_display_date
from crawler.items import Article
from crawler.seedformat import SeedFormatError, parse_many
from crawler.store import record_article
from crawler.transaction import writing
from monitor import exports
from monitor.commands.common import db_option, open_archive
from monitor.commands.table import print_table
from monitor.textfile import FileInputError, decode_text, read_input_bytes


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=Path))
@db_option
def load(files: tuple[Path, ...], db_path: Path | None) -> None:
    """Store documents written in the seed text layout (FILE may be - for standard input).

    Every file is read and checked first; if any does not follow the layout, nothing is
    stored and the error names the file and line.
    """
    documents: list[tuple[Path, Article]] = []
    for path in files:
        text = _read_text(path)
        try:
            documents += [(path, article) for article in parse_many(text)]
        except SeedFormatError as exc:
            raise click.ClickException(f"{path}: {exc}") from None
    db = open_archive(db_path)
    verdicts: Counter[str] = Counter()
    with writing(db):
        for path, article in documents:
            result = record_article(db, article)
            verdicts[result.verdict] += 1
            click.echo(f"{result.verdict:9} #{result.article_id} v{result.version}  {path}")
    click.echo(
        f"loaded {len(documents)} document(s): new={verdicts['new']}"
        f" changed={verdicts['changed']} unchanged={verdicts['unchanged']}"
    )


def _read_text(path: Path) -> str:
    try:
        text = decode_text(read_input_bytes(path), path)
    except FileInputError as exc:
        raise click.ClickException(str(exc)) from None
    if not text.strip():
        name = "standard input" if str(path) == "-" else str(path)
        raise click.ClickException(f"{name}: empty, no document to load (nothing was stored)")
    return text


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        parsed = parse_display_date(value)
        if parsed is None:
            raise click.BadParameter(f"not a date: {value!r}", param_hint="--since") from None
        return parsed
    return moment if moment.tzinfo else moment.replace(tzinfo=OUTLET_TZ)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["seed", "jsonl", "csv"]),
    default="seed",
    show_default=True,
    help="seed: one .txt per article in the sample's layout; jsonl; csv.",
)
@click.option(
    "--out",
    default="-",
    show_default=True,
    help="A directory (seed) or file (jsonl/csv; a directory gets articles.<format>); - is stdout.",
)
@click.option("--section", help="Only articles of this section (politics, economy, ...).")
@click.option(
    "--since", help="Only articles published on or after this date (2026-08-01 or 1 أغسطس 2026)."
)
@db_option
def export(
    fmt: str, out: str, section: str | None, since: str | None, db_path: Path | None
) -> None:
    """Write the stored articles (their latest versions) out.

    seed to stdout separates documents with a form-feed line; UTF-8 throughout, Arabic unescaped.
    """
    db = open_archive(db_path, readonly=True)
    articles = iter_articles(db, section=section, since=_since(since))
    if fmt == "seed":
        if out == "-":
            # Exact bytes, as in a file: no newline after the last document.
            for i, doc in enumerate(exports.iter_seed_documents(articles)):
                sys.stdout.write(("\n\f\n" if i else "") + doc)
            return
        written = exports.write_seed_files(articles, Path(out))
        click.echo(f"wrote {len(written)} file(s) to {out}", err=True)
        return
    writer = exports.write_jsonl if fmt == "jsonl" else exports.write_csv
    if out == "-":
        writer(articles, sys.stdout)
        return
    target = Path(out)
    if target.is_dir() or out.endswith("/"):
        target = target / f"articles.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as fh:
        n = writer(articles, fh)
    click.echo(f"wrote {n} article(s) to {target}", err=True)


@click.command(name="search")
@click.argument("query")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="At most this many hits.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit instead of a table.")
@db_option
def search_command(query: str, limit: int, as_json: bool, db_path: Path | None) -> None:
    """Full-text search of titles and bodies, folded the way the matcher folds: محمد finds
    مُحَمَّد, اسعار finds أسعار. Every word must appear."""
    db = open_archive(db_path, readonly=True)
    hits = search(db, query, limit=limit)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(dataclasses.asdict(hit), ensure_ascii=False))
        return
    if not hits:
        click.echo("no matching articles", err=True)
        return
    print_table(
        ["#", "title", "published", "url"],
        [[str(h.article_id), h.title, (h.published_at or "")[:16], h.url or ""] for h in hits],
        title=f"{len(hits)} article(s) for {query!r}",
    )


COMMANDS = [load, export, search_command]
