"""The match step: every version stored since the cursor, matched against the watchlist.

Versions are taken in row order. Each one is handled in its own transaction: its matches are
computed and inserted, the ``on_version`` hook runs (the alert step adds its rows there, so an
alert exists exactly when its matches do), and the cursor moves past it. A crash between two
versions loses nothing and repeats nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlite_utils import Database

from crawler.articles import Version, get_version, versions_after
from crawler.identity import boilerplate_keys
from crawler.items import Article
from crawler.store import utcnow
from crawler.transaction import writing
from monitor.evaluation import WatchPlan, compile_watches, new_mentions
from monitor.fieldtext import body_text
from monitor.matcher import Hit, Matcher, Scan
from monitor.snippet import snippet
from monitor.store import get_cursor, insert_match, set_cursor
from monitor.watches import list_watches

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """A row of ``matches``, with what an alert needs of its watch."""

    id: int
    watch_id: int
    watch: str
    tags: tuple[str, ...]
    article_id: int
    version_id: int
    version: int
    field: str
    position: int  # offset of ``surface`` in the field's text (body: paragraphs joined by \n\n)
    surface: str
    term: str
    mode: str
    snippet: str  # about 25 words around the match, the match in [[…]]


@dataclass(frozen=True, slots=True)
class VersionMatches:
    version: Version
    matches: tuple[MatchRecord, ...]


# Mentions recorded per watch, field and version: an alert shows the first few, and a page
# repeating a watched word a million times must not write a million rows.
MAX_MENTIONS = 50


def first_per_field(hits: list[Hit], limit: int) -> list[Hit]:
    """The first ``limit`` hits of each field, in order."""
    seen: Counter[str] = Counter()
    kept = []
    for hit in hits:
        seen[hit.field] += 1
        if seen[hit.field] <= limit:
            kept.append(hit)
    return kept


# Called inside the version's transaction, for every version that recorded matches.
OnVersion = Callable[[Database, VersionMatches], None]


@dataclass(frozen=True, slots=True)
class StepResult:
    versions: int  # versions read
    matches: int  # matches recorded
    cursor: int  # the last version row processed


def article_fields(article: Article) -> dict[str, str]:
    """The texts a watch can look at: title, summary and body (paragraphs joined by a blank
    line). Match positions are offsets in these strings."""
    return {
        "title": article.title or "",
        "summary": article.summary or "",
        "body": body_text(article.body),
    }


def run_match_step(
    db: Database,
    *,
    exclude: Collection[str] | None = None,
    on_version: OnVersion | None = None,
    batch: int = 200,
) -> StepResult:
    """Match every version after the cursor. ``exclude`` holds ``words_key``s of boilerplate
    paragraphs or lines, which never match; by default, the archive's own boilerplate (short
    paragraphs found in many articles: sign-offs, related-links boxes)."""
    if exclude is None:
        exclude = boilerplate_keys(db)
    stored = list_watches(db)
    matcher, plans = compile_watches((s.id, s.watch, s.since_version) for s in stored)
    cursor = get_cursor(db)
    read = recorded = 0
    while versions := versions_after(db, cursor, limit=batch):
        for version in versions:
            with writing(db):
                found = _match_version(db, version, matcher, plans, exclude)
                if found and on_version is not None:
                    on_version(db, VersionMatches(version, tuple(found)))
                set_cursor(db, version.id)
            cursor = version.id
            read += 1
            recorded += len(found)
    log.debug("match step: versions=%d matches=%d cursor=%d", read, recorded, cursor)
    return StepResult(read, recorded, cursor)


def _match_version(
    db: Database,
    version: Version,
    matcher: Matcher,
    plans: list[WatchPlan],
    exclude: Collection[str],
) -> list[MatchRecord]:
    active = [p for p in plans if version.id > p.since_version]
    if not active:
        return []
    article = version.article
    now = matcher.scan(article_fields(article), exclude=exclude, clauses=True)
    if not now.hits:
        return []
    before: Scan | None = None
    previous = get_version(db, version.article_id, version.number - 1)
    if previous is not None:
        before = matcher.scan(article_fields(previous.article), exclude=exclude, clauses=True)
    records = []
    created = utcnow()
    for plan in active:
        hits = new_mentions(
            plan,
            now,
            article.section,
            before,
            previous.article.section if previous else None,
        )
        for hit in first_per_field(hits, MAX_MENTIONS):
            term = matcher.terms[hit.term]
            text = snippet(now.texts[hit.field], hit.start, hit.end)
            row: dict[str, object] = {
                "watch_id": plan.id,
                "article_id": version.article_id,
                "version_id": version.id,
                "version": version.number,
                "field": hit.field,
                "position": hit.start,
                "surface": hit.text,
                "term": term.text,
                "mode": term.mode,
                "snippet": text,
                "created_at": created,
            }
            row_id = insert_match(db, row)
            if row_id is not None:
                records.append(
                    MatchRecord(
                        id=row_id,
                        watch_id=plan.id,
                        watch=plan.watch.name,
                        tags=plan.watch.tags,
                        article_id=version.article_id,
                        version_id=version.id,
                        version=version.number,
                        field=hit.field,
                        position=hit.start,
                        surface=hit.text,
                        term=term.text,
                        mode=term.mode,
                        snippet=text,
                    )
                )
    return records
