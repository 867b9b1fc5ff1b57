"""Commands over an article's revisions: ``history`` and ``diff``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlite_utils import Database

from crawler.articles import Version, article_urls, find_article, get_article, related, versions
from crawler.revisions import diff as diff_articles
from monitor.commands.common import db_option, open_archive
from monitor.commands.table import print_table
from monitor.diffview import render_changes

article_argument = click.argument("article", metavar="ARTICLE")


def _article_id(db: Database, ref: str) -> int:
    article_id = find_article(db, ref)
    if article_id is None:
        raise click.ClickException(
            f"no stored article matches {ref!r} (give a node id, a stored id, or a URL)"
        )
    return article_id


@click.command()
@article_argument
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@db_option
def history(article: str, as_json: bool, db_path: Path | None) -> None:
    """List an article's versions: number, time recorded, and what changed.

    ARTICLE is a node id, a stored id, or any of its URLs (mirror hosts, tracking parameters
    and AMP paths are understood).
    """
    db = open_archive(db_path, readonly=True)
    article_id = _article_id(db, article)
    stored = get_article(db, article_id)
    assert stored is not None
    all_versions = versions(db, article_id)
    links = related(db, article_id)
    if as_json:
        doc = {
            "id": article_id,
            "node_id": stored.article.node_id,
            "title": stored.article.title,
            "urls": article_urls(db, article_id),
            "versions": [
                {
                    "number": v.number,
                    "recorded_at": v.recorded_at,
                    "kind": v.kind,
                    "title": v.article.title,
                    "summary": _what(v),
                }
                for v in all_versions
            ],
            "related": [
                {"id": ln.article_id, "kind": ln.kind, "jaccard": ln.jaccard, "title": ln.title}
                for ln in links
            ],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    node = f" (node {stored.article.node_id})" if stored.article.node_id else ""
    click.echo(f"#{article_id}{node} {stored.article.title}")
    for url in article_urls(db, article_id):
        click.echo(f"  {url}")
    print_table(
        ["version", "recorded (UTC)", "kind", "what changed"],
        [
            [str(v.number), v.recorded_at[:16].replace("T", " "), v.kind, _what(v)]
            for v in all_versions
        ],
    )
    for ln in links:
        similar = f"jaccard {ln.jaccard:.2f}, overlap {ln.overlap:.2f}"
        click.echo(f"{ln.kind}: #{ln.article_id} {ln.title} ({similar})")


def _what(version: Version) -> str:
    if version.number == 1:
        return "first seen"
    summary = version.changes.summary() if version.changes else "changed"
    return (
        f"{summary} (page completed the feed's record)" if version.kind == "completion" else summary
    )


@click.command(name="diff")
@article_argument
@click.option(
    "--from", "from_v", type=int, help="The older version [default: the one before --to]."
)
@click.option("--to", "to_v", type=int, help="The newer version [default: the latest].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: words marked as changed (colour on a terminal, [-…-] {+…+} otherwise); json.",
)
@db_option
def diff_command(
    article: str, from_v: int | None, to_v: int | None, fmt: str, db_path: Path | None
) -> None:
    """Show what changed between two versions of an article, field by field and word by word.

    ARTICLE is a node id, a stored id, or any of its URLs.
    """
    db = open_archive(db_path, readonly=True)
    article_id = _article_id(db, article)
    by_number = {v.number: v for v in versions(db, article_id)}
    latest = max(by_number)
    to_n = to_v if to_v is not None else latest
    from_n = from_v if from_v is not None else to_n - 1
    for label, n in (("--to", to_n), ("--from", from_n)):
        if n not in by_number:
            if latest == 1:
                raise click.ClickException(f"article #{article_id} has only one version")
            raise click.ClickException(
                f"{label} {n}: article #{article_id} has versions 1–{latest}"
            )
    old, new = by_number[from_n], by_number[to_n]
    changes = (
        new.changes
        if from_n == to_n - 1 and new.changes
        else diff_articles(old.article, new.article)
    )
    if fmt == "json":
        doc = {
            "id": article_id,
            "from": {"version": from_n, "recorded_at": old.recorded_at},
            "to": {"version": to_n, "recorded_at": new.recorded_at, "kind": new.kind},
            "summary": changes.summary(),
            "changes": changes.to_json(),
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    color = sys.stdout.isatty()
    header = [
        f"#{article_id} {new.article.title}",
        f"version {from_n} ({old.recorded_at}) → version {to_n} ({new.recorded_at}):"
        f" {changes.summary()}",
    ]
    lines = [*header, *render_changes(changes, color=color)]
    if color:
        from rich.console import Console

        console = Console(highlight=False)
        for i, line in enumerate(lines):
            console.print(line, markup=i >= len(header), soft_wrap=True)
    else:
        for line in lines:
            click.echo(line)


COMMANDS = [history, diff_command]
