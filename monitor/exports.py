"""Writing the archive out: seed-layout text files, JSON Lines, CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TextIO
from urllib.parse import unquote, urlsplit

from crawler.articles import StoredArticle
from crawler.seedformat import render
from crawler.text import fold, tokens

Format = Literal["seed", "jsonl", "csv"]

# The keys of a JSONL/CSV record, in order; the first fourteen are the documented contract.
RECORD_KEYS = (
    "id",
    "url",
    "section",
    "title",
    "published_at",
    "modified_at",
    "authors",
    "caption",
    "credit",
    "image_url",
    "summary",
    "body",
    "tags",
    "category",
    "node_id",
    "urls",
    "date_line",
    "byline",
    "version",
    "first_seen_at",
    "last_seen_at",
    "sources",
    "flags",
)
_LIST_KEYS = {"authors", "tags", "urls", "flags"}
SLUG_MAX = 80


def record(stored: StoredArticle) -> dict[str, Any]:
    """One stored article as a flat, JSON-ready record."""
    data = stored.article.to_dict()
    data.update(
        id=stored.id,
        version=stored.version,
        first_seen_at=stored.first_seen_at,
        last_seen_at=stored.last_seen_at,
    )
    return {key: data.get(key) for key in RECORD_KEYS}


def write_jsonl(articles: Iterable[StoredArticle], out: TextIO) -> int:
    n = 0
    for stored in articles:
        out.write(json.dumps(record(stored), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(articles: Iterable[StoredArticle], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=RECORD_KEYS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for stored in articles:
        row = record(stored)
        row["body"] = "\n\n".join(row["body"] or ())
        for key in _LIST_KEYS:
            row[key] = "; ".join(row[key] or ())
        row["sources"] = json.dumps(row["sources"], ensure_ascii=False)
        writer.writerow(row)
        n += 1
    return n


def write_seed_files(articles: Iterable[StoredArticle], directory: Path) -> list[Path]:
    """One ``.txt`` per article in the seed layout, named by node id, else by a slug."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    for stored in articles:
        name = file_stem(stored)
        if name in used:
            name = f"{name}-{stored.id}"
        used.add(name)
        path = directory / f"{name}.txt"
        # newline="" so the layout's bytes are written exactly, on every platform.
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(render(stored.article))
        written.append(path)
    return written


def iter_seed_documents(articles: Iterable[StoredArticle]) -> Iterator[str]:
    for stored in articles:
        yield render(stored.article)


def file_stem(stored: StoredArticle) -> str:
    article = stored.article
    if article.node_id:
        return article.node_id
    return slug(article.url, article.title) or f"article-{stored.id}"


def slug(url: str | None, title: str) -> str:
    """The URL's last path segment (decoded), else the title's words joined by hyphens."""
    text = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) if url else title
    # Level 1 drops tashkeel and invisibles but keeps the letters as written.
    out = "-".join(tokens(fold(text, level=1)))
    return out[:SLUG_MAX].rstrip("-")
