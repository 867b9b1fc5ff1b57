"""Near-duplicate detection: MinHash signatures of an article's folded words, and LSH band keys.

A signature is datasketch's MinHash (128 permutations) over word 5-shingles of the folded body,
or 3-shingles when the body is short. Band keys (42 bands of 3 rows) let the archive find
candidates with one indexed SQLite query; each candidate is then verified with the estimated
Jaccard similarity:

- Jaccard >= 0.8: the same story (a new version of it);
- Jaccard >= 0.5, or at least half of the shorter text shared (overlap >= 0.5): a related story,
  linked but not merged. On 5-shingles a story with half its paragraphs rewritten has a Jaccard
  of only about 1/3, so the overlap is what recognises it.

Bands of 3 rows make a pair with Jaccard 0.35 a candidate with probability ~0.85, and one at
0.5 with ~0.996; pairs of unrelated news stories (Jaccard < 0.05) almost never are.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
BANDS = 42
ROWS = 3
SEED = 1
SCHEME = "affine32"
SAME_STORY = 0.8
RELATED = 0.5
SHORT_BODY_WORDS = 60  # below this, 5-shingles are too few to compare: use 3-shingles
PARAMS = f"minhash:{SCHEME}:{NUM_PERM}:{SEED};bands:{BANDS}x{ROWS}"

Kind = Literal["w5", "w3"]
Relation = Literal["same", "related"]


@cache
def _template() -> MinHash:
    """One MinHash whose permutations are drawn once; copies share them. datasketch is imported
    here, not at module load: it pulls in scipy (~0.8 s), which commands that never compute a
    signature should not pay for."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def prepare_in_background() -> None:
    """Import datasketch in a background thread. A crawl calls this when it opens: the import
    then overlaps the robots.txt and feed requests, instead of stalling the crawl for ~0.6 s at
    its first new article (the one an alert is waiting for)."""
    threading.Thread(target=_template, name="minhash-import", daemon=True).start()


@dataclass(frozen=True, slots=True)
class Signature:
    kind: Kind
    size: int  # distinct shingles: needed to turn a Jaccard estimate into an overlap estimate
    values: bytes  # NUM_PERM uint32 hash values

    def array(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype=np.uint32)


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float
    overlap: float

    @property
    def relation(self) -> Relation | None:
        if self.jaccard >= SAME_STORY:
            return "same"
        if self.jaccard >= RELATED or self.overlap >= RELATED:
            return "related"
        return None


def shingles(words: Sequence[str]) -> tuple[Kind, set[bytes]]:
    """Word shingles of folded words: 5-shingles, or 3-shingles for a short text."""
    kind: Kind = "w5" if len(words) >= SHORT_BODY_WORDS else "w3"
    k = 5 if kind == "w5" else 3
    if len(words) <= k:
        return kind, {" ".join(words).encode()} if words else set()
    return kind, {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def signature(words: Sequence[str]) -> Signature | None:
    """The MinHash signature of a text's folded words; None for a text with no words."""
    kind, grams = shingles(words)
    if not grams:
        return None
    mh = _template().copy()
    mh.update_batch(list(grams))
    return Signature(kind, len(grams), mh.hashvalues.astype(np.uint32).tobytes())


def band_keys(sig: Signature) -> list[int]:
    """One signed 64-bit key per band (SQLite INTEGER); the kind is part of the key, so 5- and
    3-shingle signatures never meet."""
    values = sig.array()
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(
            chunk, digest_size=8, person=f"{sig.kind}{band:03d}".encode()
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: Signature, b: Signature) -> Similarity:
    """Estimated Jaccard of two signatures and the overlap (shared / smaller) it implies."""
    if a.kind != b.kind:
        return Similarity(0.0, 0.0)
    jaccard = float(np.count_nonzero(a.array() == b.array())) / NUM_PERM
    shared = jaccard * (a.size + b.size) / (1.0 + jaccard)
    overlap = min(1.0, shared / max(1, min(a.size, b.size)))
    return Similarity(jaccard, overlap)
