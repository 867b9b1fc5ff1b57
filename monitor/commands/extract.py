"""``newsmon extract``: run the parser on a saved page (or feed) offline and print the fields."""

from __future__ import annotations

import json
import sys

import click

from crawler.crawlconfig import ConfigError, parse_since
from crawler.items import Article
from crawler.parsers.alaraby import parse_page
from crawler.parsers.feed import FeedError, read_feed
from crawler.pasted import pasted_url
from crawler.seedformat import render_many
from monitor.textfile import FileInputError, read_input_bytes

# A saved file is a feed when it starts like one (after a BOM, blanks or an XML declaration).
FEED_SNIFF = 2048


def _read(path: str) -> bytes:
    try:
        return read_input_bytes(path)
    except FileInputError as exc:
        raise click.ClickException(str(exc)) from None


def _is_feed(data: bytes) -> bool:
    """RSS 2.0, RSS 1.0 (RDF) or Atom, by the root element near the start."""
    head = data[:FEED_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    roots = (b"<rss", b"<rdf:rdf", b"<feed")
    return head.startswith(roots) or (head.startswith(b"<?xml") and any(r in head for r in roots))


@click.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--url", help="The URL the page was saved from (its canonical URL is stored).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "seed"]),
    default="json",
    show_default=True,
    help="json: every field with the layer that gave it; seed: the sample's text layout.",
)
@click.option(
    "--fetched-at",
    metavar="DATE",
    help="When the page was fetched (relative dates such as منذ ساعتين count back from it).",
)
def extract(file: str, url: str | None, fmt: str, fetched_at: str | None) -> None:
    """Extract the article from a saved page (FILE, or - for standard input), offline.

    A saved RSS feed gives one article per item. Nothing is fetched or stored.
    """
    data = _read(file)
    try:
        moment = parse_since(fetched_at) if fetched_at else None
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--fetched-at") from None
    articles: list[Article]
    if _is_feed(data):
        try:
            feed = read_feed(data, fetched_at=moment)
        except FeedError as exc:
            raise click.ClickException(f"{file}: {exc}") from None
        for problem in feed.problems:
            click.echo(f"Warning: {file}: {problem}", err=True)
        articles = [item.article for item in feed.items]
    else:
        # --url is typed or pasted: repaired and unwrapped like any URL a user gives.
        article = parse_page(data, pasted_url(url) if url else None, fetched_at=moment)
        if not article.title and not article.body:
            raise click.ClickException(f"{file}: no article found in this page")
        articles = [article]
    if fmt == "seed":
        sys.stdout.write(render_many(articles))
        return
    payload = [a.to_dict() for a in articles]
    out = payload if len(payload) != 1 or _is_feed(data) else payload[0]
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


COMMANDS = [extract]
