"""Folded text that remembers where it came from.

The matcher compares folded text (``crawler.text.fold``), but a match must be reported in the
text a reader sees: ``مُحَمَّد`` with its tashkeel, ``ﷺ`` as written. Folding deletes marks,
tatweel and invisible characters and NFKC can expand one character into many, so folded
offsets drift from surface offsets. ``fold_mapped`` folds a text piece by piece and keeps, for
each piece, where it starts on both sides.

A character is *plain* when it folds to exactly one character on its own and can neither
compose with its neighbours nor be changed by them (no combining class, no composition
partner, NFKC-stable result). Between plain characters folding is one-to-one, so a run of them
maps offset for offset. Everything else is folded as a *cluster*: a base character with every
non-plain character after it (``مُ``, ``دّ``, ``ﷺ``, ``ش`` + RLM), and maps to the cluster's
edges. Folding never crosses the start of a plain character, so the concatenated pieces equal
``fold(text)`` (a property test checks it on arbitrary text).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache

from crawler.text import INVISIBLE, MARKS, Level, fold

# Code points checked for plainness: everything news text is made of (Latin, Greek, Cyrillic,
# Hebrew, Arabic and its supplements, general punctuation, currency signs, Arabic presentation
# forms). Anything else is simply treated as non-plain, which is always correct, only slower.
_CANDIDATE_RANGES = (
    (0x0000, 0x07FF),
    (0x0860, 0x08FF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0xFB50, 0xFEFF),
)


@cache
def _composition_partners() -> frozenset[str]:
    """Characters that can be the second half of a canonical composition (NFKC could fuse them
    with the character before)."""
    seconds = set()
    for cp in range(0x10000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(chr(int(parts[1], 16)))
    # Hangul syllables compose algorithmically (no decomposition entry): vowel and final jamo.
    seconds.update(map(chr, range(0x1161, 0x1176)))
    seconds.update(map(chr, range(0x11A8, 0x11C3)))
    return frozenset(seconds)


def _is_plain(ch: str, partners: frozenset[str]) -> bool:
    cp = ord(ch)
    if cp in INVISIBLE or cp in MARKS or unicodedata.combining(ch) or ch in partners:
        return False
    nfkc = unicodedata.normalize("NFKC", ch)
    if len(nfkc) != 1 or unicodedata.combining(nfkc) or nfkc in partners:
        return False
    for level in (1, 2):
        out = fold(ch, level=level)
        if len(out) != 1 or unicodedata.combining(out) or out in partners:
            return False
        if unicodedata.normalize("NFKC", out) != out:
            return False
    return True


def _char_class(chars: list[str]) -> str:
    """A regex character class body for ``chars`` (sorted), as ranges."""
    out = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        first, last = re.escape(chars[i]), re.escape(chars[j])
        out.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(out)


@cache
def _non_plain_runs() -> re.Pattern[str]:
    """Runs of non-plain characters; everything between them folds one to one."""
    partners = _composition_partners()
    plain = [
        chr(cp)
        for first, last in _CANDIDATE_RANGES
        for cp in range(first, last + 1)
        if _is_plain(chr(cp), partners)
    ]
    return re.compile(f"[^{_char_class(plain)}]+")


@lru_cache(maxsize=4096)
def _stands_alone(ch: str) -> bool:
    """Whether ``ch`` starts fresh: nothing before it can compose with it or its NFKC form."""
    partners = _composition_partners()
    if ord(ch) in INVISIBLE or ord(ch) in MARKS or unicodedata.combining(ch) or ch in partners:
        return False
    head = unicodedata.normalize("NFKC", ch)[:1]
    return not (unicodedata.combining(head) or head in partners)


@lru_cache(maxsize=1 << 16)
def _fold_cluster(cluster: str, level: Level) -> str:
    # Clusters are short and repeat (the same letter with the same haraka), so cache them.
    return fold(cluster, level=level)


@dataclass(frozen=True, slots=True)
class FoldedText:
    """``folded`` is ``fold(surface, level)``; ``to_surface`` maps a folded span back.

    ``starts`` holds, per piece, (folded start, surface start, one-to-one?); it is empty when
    the whole text is plain and offsets are equal on both sides.
    """

    surface: str
    folded: str
    folded_starts: tuple[int, ...] = ()
    surface_starts: tuple[int, ...] = ()
    linear: tuple[bool, ...] = ()

    def to_surface(self, start: int, end: int) -> tuple[int, int]:
        """The surface span of the folded span ``[start, end)`` (``end > start``): whole
        clusters where a piece was not folded one to one, never a split letter and its marks.
        Invisible characters at either edge are left out."""
        if not self.folded_starts:
            # No piece: the text was all plain (so it has no invisible characters either).
            return start, end
        fs, ss, linear = self.folded_starts, self.surface_starts, self.linear
        i = bisect_right(fs, start) - 1
        s = ss[i] + (start - fs[i]) if linear[i] else ss[i]
        j = bisect_right(fs, end - 1) - 1
        if linear[j]:
            e = ss[j] + (end - fs[j])
        else:
            e = ss[j + 1] if j + 1 < len(ss) else len(self.surface)
        surface = self.surface
        while s < e and ord(surface[s]) in INVISIBLE:
            s += 1
        while e > s and ord(surface[e - 1]) in INVISIBLE:
            e -= 1
        return s, e


def fold_mapped(surface: str, level: Level = 2) -> FoldedText:
    """Fold ``surface`` and keep the way back from folded offsets to surface offsets."""
    runs = list(_non_plain_runs().finditer(surface))
    if not runs:
        folded = fold(surface, level=level)
        if len(folded) == len(surface):
            return FoldedText(surface, folded)
    parts: list[str] = []
    folded_starts: list[int] = []
    surface_starts: list[int] = []
    linear: list[bool] = []
    at = 0  # folded length so far

    def piece(start: int, end: int, one_to_one: bool) -> None:
        nonlocal at
        text = surface[start:end]
        out = fold(text, level=level) if one_to_one else _fold_cluster(text, level)
        folded_starts.append(at)
        surface_starts.append(start)
        # A plain run always folds one to one; checking costs nothing and guards the map.
        linear.append(one_to_one and len(out) == len(text))
        parts.append(out)
        at += len(out)

    pos = 0
    for m in runs:
        start, end = m.span()
        # Marks compose with the letter they follow, so that letter joins the cluster; a
        # starter that stands alone (ﷺ, ß) leaves the letter before it in its plain run.
        cluster = start - 1 if start > pos and not _stands_alone(surface[start]) else start
        if cluster > pos:
            piece(pos, cluster, True)
        piece(cluster, end, False)
        pos = end
    if pos < len(surface):
        piece(pos, len(surface), True)
    return FoldedText(
        surface, "".join(parts), tuple(folded_starts), tuple(surface_starts), tuple(linear)
    )
