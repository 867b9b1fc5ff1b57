"""Which stored article a fetched record is, and which stored articles it is related to.

In order: the outlet's node id; one of its (canonical) URLs; the same folded body (exact
duplicate); a near-duplicate with estimated Jaccard >= 0.8 (the same story, e.g. a page without
metadata whose slug changed after a headline edit). Two records with different node ids are
never the same article: the CMS says they are two.

Paragraphs that recur across many articles (sign-offs, related-links boxes) are boilerplate:
they are left out of the body hash and the signature, and the matcher skips them too.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from crawler.items import Article
from crawler.neardup import Signature, Similarity, band_keys, signature, similarity
from crawler.text import fold, tokens, words_key

How = Literal["node", "url", "body", "similar"]

# A paragraph of at most this many words that appears in at least BOILERPLATE_MIN_ARTICLES
# articles (and in at least BOILERPLATE_SHARE of them) is boilerplate.
BOILERPLATE_MAX_WORDS = 20
BOILERPLATE_MIN_ARTICLES = 5
BOILERPLATE_SHARE = 0.005
# Text alone makes two records one article only when there is enough of it: distinct breaking
# items often share a placeholder body ("التفاصيل لاحقاً"), and many headlines repeat.
MIN_IDENTITY_WORDS = 25


@dataclass(frozen=True, slots=True)
class Fingerprint:
    body_hash: str | None
    signature: Signature | None
    words: int  # how many body words (boilerplate left out) the fingerprint stands on


@dataclass(frozen=True, slots=True)
class Identified:
    article_id: int
    how: How
    similarity: Similarity | None = None


def short_paragraph_keys(article: Article) -> set[str]:
    """Folded keys of the short paragraphs, the only ones that can be boilerplate."""
    keys = set()
    for paragraph in article.body:
        key = words_key(paragraph)
        if key and key.count(" ") < BOILERPLATE_MAX_WORDS:
            keys.add(key)
    return keys


def _threshold(db: Database) -> int:
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    return max(BOILERPLATE_MIN_ARTICLES, math.ceil(BOILERPLATE_SHARE * total))


def boilerplate_keys(db: Database) -> frozenset[str]:
    """Every paragraph key that is boilerplate now (for the matcher to skip)."""
    rows = db.execute(
        "SELECT key FROM common_lines WHERE articles >= ?", [_threshold(db)]
    ).fetchall()
    return frozenset(r[0] for r in rows)


def boilerplate_among(db: Database, keys: Iterable[str]) -> set[str]:
    """The keys among ``keys`` that recur across enough articles to be boilerplate."""
    keys = list(keys)
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    rows = db.execute(
        f"SELECT key FROM common_lines WHERE key IN ({marks}) AND articles >= ?",
        [*keys, _threshold(db)],
    ).fetchall()
    return {r[0] for r in rows}


def count_paragraphs(db: Database, keys: Iterable[str]) -> None:
    """Count one more article holding each of these short paragraphs."""
    for key in keys:
        db.execute(
            "INSERT INTO common_lines (key, articles) VALUES (?, 1)"
            " ON CONFLICT(key) DO UPDATE SET articles = articles + 1",
            [key],
        )


def fingerprint(article: Article, boilerplate: set[str]) -> Fingerprint:
    """Body hash and signature of the article's words, boilerplate paragraphs left out. An
    article with no body is fingerprinted by its title and summary (no body hash: titles alone
    are too short to call two articles the same)."""
    words: list[str] = []
    for paragraph in article.body:
        folded = fold(paragraph)
        if " ".join(tokens(folded)) not in boilerplate:
            words += tokens(folded)
    if words:
        digest = hashlib.sha256(" ".join(words).encode()).hexdigest()
        return Fingerprint(digest, signature(words), len(words))
    fallback = tokens(fold(f"{article.title}\n{article.summary or ''}"))
    return Fingerprint(None, signature(fallback), 0)


def identify(db: Database, article: Article, fp: Fingerprint | None) -> Identified | None:
    """The stored article this record is, or None for a new one. ``fp`` may be None to look
    only at node id and URLs (the cheap checks a re-fetch passes)."""
    if article.node_id:
        row = db.execute("SELECT id FROM articles WHERE node_id = ?", [article.node_id]).fetchone()
        if row:
            return Identified(int(row[0]), "node")
    for url in article.all_urls:
        row = db.execute(
            "SELECT a.id, a.node_id FROM article_urls u JOIN articles a ON a.id = u.article_id"
            " WHERE u.url = ?",
            [url],
        ).fetchone()
        if row and _compatible(article, row[1]):
            return Identified(int(row[0]), "url")
    if fp is None or fp.words < MIN_IDENTITY_WORDS:
        return None
    if fp.body_hash:
        for row in db.execute(
            "SELECT id, node_id FROM articles WHERE body_hash = ?", [fp.body_hash]
        ).fetchall():
            if _compatible(article, row[1]):
                return Identified(int(row[0]), "body")
    if fp.signature is not None:
        for article_id, node_id, sim in candidates(db, fp.signature):
            if sim.relation == "same" and _compatible(article, node_id):
                return Identified(article_id, "similar", sim)
    return None


def _compatible(article: Article, stored_node_id: str | None) -> bool:
    return not (article.node_id and stored_node_id and stored_node_id != article.node_id)


def candidates(
    db: Database, sig: Signature, *, exclude: int | None = None
) -> list[tuple[int, str | None, Similarity]]:
    """Stored articles sharing an LSH band with ``sig``, verified, most similar first; only
    those with a relation (same or related story) are returned."""
    keys = band_keys(sig)
    marks = ",".join("?" * len(keys))
    rows = db.execute(
        "SELECT s.article_id, a.node_id, s.kind, s.size, s.hashvalues FROM signatures s"
        " JOIN articles a ON a.id = s.article_id WHERE s.article_id IN"
        f" (SELECT DISTINCT article_id FROM lsh_bands WHERE band_key IN ({marks}))",
        keys,
    ).fetchall()
    found = []
    for article_id, node_id, kind, size, values in rows:
        if article_id == exclude:
            continue
        sim = similarity(sig, Signature(kind, int(size), bytes(values)))
        if sim.relation:
            found.append((int(article_id), node_id, sim))
    found.sort(key=lambda c: (c[2].jaccard, c[2].overlap), reverse=True)
    return found


def save_fingerprint(db: Database, article_id: int, fp: Fingerprint) -> None:
    """Store (or replace) an article's body hash, signature and band keys."""
    db.execute("UPDATE articles SET body_hash = ? WHERE id = ?", [fp.body_hash, article_id])
    db.execute("DELETE FROM lsh_bands WHERE article_id = ?", [article_id])
    if fp.signature is None:
        db.execute("DELETE FROM signatures WHERE article_id = ?", [article_id])
        return
    sig = fp.signature
    db.execute(
        "INSERT OR REPLACE INTO signatures (article_id, kind, size, hashvalues)"
        " VALUES (?, ?, ?, ?)",
        [article_id, sig.kind, sig.size, sig.values],
    )
    _insert_bands(db, article_id, sig)


def _insert_bands(db: Database, article_id: int, sig: Signature) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (band_key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in band_keys(sig)],
    )


def link_related(
    db: Database, article_id: int, related: Sequence[tuple[int, Similarity]], now: str
) -> None:
    """Record that ``article_id`` is related to each of ``related`` (both directions)."""
    for other, sim in related:
        kind = "duplicate" if sim.relation == "same" else "related"
        for a, b in ((article_id, other), (other, article_id)):
            db.execute(
                "INSERT OR REPLACE INTO article_links"
                " (article_id, related_id, kind, jaccard, overlap, linked_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [a, b, kind, round(sim.jaccard, 3), round(sim.overlap, 3), now],
            )
