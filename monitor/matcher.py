"""Watchlist terms matched the way an Arabic reader expects (``shared/arabic/MATCHING.md``).

Pure: no database, no I/O. ``Matcher(terms)`` compiles every term once into per-position sets
of folded forms and indexes the first-token forms in a dict (form → term ids), one dict per
folding level. ``Matcher.scan(fields)`` reads each field once: fold with an offset map, split
into tokens and gaps, intersect the tokens with the indexed forms, check the rest of each
candidate phrase, and report hits in the surface text. The cost is linear in the text and flat
in the number of terms; a field gives at most ``MAX_HITS`` hits per folding level (a hostile page
repeating a term a million times costs one pass over its text, not a million clauses).

Modes: ``exact`` (level-1 folding, equal tokens), ``standard`` (level 2, proclitics on the
first token), ``stem`` (``standard`` plus suffixes on the last token). A phrase never spans a
hard break (``. ! ? ؟ ؛ ; : , ،``, newline) unless the term itself has one at that place, and
never a paragraph break.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal, NamedTuple, get_args

from crawler.text import Level, fold, hard_breaks, split_tokens, tokens
from monitor.fieldtext import field_text
from monitor.foldmap import FoldedText, fold_mapped
from monitor.forms import suffixed, with_proclitics

Mode = Literal["exact", "standard", "stem"]
MODES: tuple[Mode, ...] = get_args(Mode)
DEFAULT_MODE: Mode = "standard"


class TermError(ValueError):
    """A term that cannot be matched (no words, unknown mode)."""


@dataclass(frozen=True, slots=True)
class CompiledTerm:
    text: str
    mode: Mode
    level: Level
    tokens: tuple[str, ...]  # the term's folded tokens
    forms: tuple[frozenset[str], ...]  # accepted folded forms per token position
    breaks: tuple[bool, ...]  # per gap between tokens: the term itself has a hard break there


def compile_term(text: str, mode: Mode = DEFAULT_MODE) -> CompiledTerm:
    if mode not in MODES:
        raise TermError(f"unknown mode {mode!r} (expected {', '.join(MODES)})")
    level: Level = 1 if mode == "exact" else 2
    parts = split_tokens(fold(text, level=level))
    words = parts[1::2]
    if not words:
        raise TermError(f"term {text!r} has no letters or digits to match")
    forms = [{w} for w in words]
    if mode == "stem":
        forms[-1] = suffixed(words[-1])
    if mode != "exact":
        forms[0] = with_proclitics(words[0], forms[0])
    return CompiledTerm(
        text=text,
        mode=mode,
        level=level,
        tokens=tuple(words),
        forms=tuple(frozenset(f) for f in forms),
        breaks=tuple(bool(hard_breaks(gap)) for gap in parts[2:-1:2]),
    )


class Hit(NamedTuple):
    """One occurrence of a term in a field's text (see ``Scan.texts``). A named tuple rather
    than a frozen dataclass: a scan can make thousands, and a tuple is built four times
    faster."""

    term: int  # index into ``Matcher.terms``
    field: str
    start: int  # surface offsets in the field text
    end: int
    text: str  # the surface text matched, as written (tashkeel, clitics and all)
    clause: str = ""  # folded words between the hard breaks around it (``scan(clauses=True)``)


@dataclass(frozen=True, slots=True)
class Scan:
    texts: dict[str, str]  # the field texts the offsets refer to (markup stripped, if any)
    hits: tuple[Hit, ...]  # in field order, then by position

    def terms(self, fields: Collection[str] | None = None) -> set[int]:
        """Ids of the terms that hit (in ``fields`` only, if given)."""
        return {h.term for h in self.hits if fields is None or h.field in fields}


class Matcher:
    def __init__(self, terms: Iterable[tuple[str, Mode]]) -> None:
        self.terms: tuple[CompiledTerm, ...] = tuple(compile_term(t, m) for t, m in terms)
        # Per level: one-word terms by form, and phrases by first form then second form, so a
        # common first word (محمد in a thousand names) costs one lookup, not a thousand checks.
        single: dict[Level, dict[str, list[int]]] = {}
        phrase: dict[Level, dict[str, dict[str, list[int]]]] = {}
        for term_id, term in enumerate(self.terms):
            if len(term.forms) == 1:
                by_form = single.setdefault(term.level, {})
                for form in term.forms[0]:
                    by_form.setdefault(form, []).append(term_id)
                continue
            by_first = phrase.setdefault(term.level, {})
            for form in term.forms[0]:
                by_second = by_first.setdefault(form, {})
                for second in term.forms[1]:
                    by_second.setdefault(second, []).append(term_id)
        self._levels: tuple[Level, ...] = tuple(sorted({t.level for t in self.terms}))
        self._single = {lv: {f: tuple(ids) for f, ids in d.items()} for lv, d in single.items()}
        self._phrase = {
            lv: {f: {g: tuple(ids) for g, ids in d2.items()} for f, d2 in d.items()}
            for lv, d in phrase.items()
        }
        self._first = {
            lv: frozenset(self._single.get(lv, {})) | frozenset(self._phrase.get(lv, {}))
            for lv in self._levels
        }

    @property
    def form_count(self) -> int:
        """How many first-token forms are indexed (a measure of the compiled size)."""
        return sum(len(f) for f in self._first.values())

    def scan(
        self,
        fields: Mapping[str, str],
        *,
        exclude: Collection[str] = frozenset(),
        clauses: bool = False,
    ) -> Scan:
        """Every hit of every term in ``fields`` (name → text). Paragraphs or lines whose
        ``words_key`` is in ``exclude`` (boilerplate) are skipped. ``clauses`` fills
        ``Hit.clause``, which the "new in this version" rule compares."""
        texts: dict[str, str] = {}
        hits: list[Hit] = []
        for name, raw in fields.items():
            text = texts[name] = field_text(raw or "")
            if not self.terms or not text:
                continue
            mapped = {level: fold_mapped(text, level) for level in self._levels}
            skipped = _excluded_lines(mapped.get(2) or fold_mapped(text, 2), exclude)
            found = len(hits)
            for level, folded in mapped.items():
                flat = _blank_lines(folded.folded, skipped) if skipped else folded.folded
                self._scan_text(name, text, level, folded, flat, clauses, hits)
            if len(self._levels) > 1:
                hits[found:] = sorted(hits[found:], key=lambda h: (h.start, -h.end, h.term))
        return Scan(texts, tuple(hits))

    def _scan_text(
        self,
        name: str,
        text: str,
        level: Level,
        folded: FoldedText,
        flat: str,
        clauses: bool,
        hits: list[Hit],
    ) -> None:
        """Hits in one field's folded text ``flat`` (``folded.folded`` with any excluded lines
        blanked out, so offsets still line up)."""
        parts = split_tokens(flat)
        words = parts[1::2]
        candidates = self._first[level].intersection(words)
        if not candidates:
            return
        single, phrase = self._single.get(level, {}), self._phrase.get(level, {})
        terms, count = self.terms, len(words)
        if len(candidates) < 8:
            # Few candidate words: let list.index find them at C speed.
            places = []
            for form in candidates:
                at = -1
                for _ in range(words.count(form)):
                    at = words.index(form, at + 1)
                    places.append((at, form))
            if len(candidates) > 1:
                places.sort()
        else:
            places = [(at, w) for at, w in enumerate(words) if w in candidates]
        # (first token, -last token, term id): sorting gives position order, longest first.
        found: list[tuple[int, int, int]] = []
        for at, form in places:
            if len(found) >= MAX_HITS and at > found[-1][0]:
                # Places come in text order, so every later hit would sort after the first
                # MAX_HITS and be cut: a page repeating a long phrase stops costing here.
                break
            for term_id in single.get(form, ()):
                found.append((at, -at, term_id))
            seconds = phrase.get(form)
            if seconds and at + 1 < count:
                for term_id in seconds.get(words[at + 1], ()):
                    term = terms[term_id]
                    last = at + len(term.forms) - 1
                    if last < count and _phrase_continues(term, words, parts, at):
                        found.append((at, -last, term_id))
        if not found:
            return
        found.sort()
        del found[MAX_HITS:]
        ends = list(accumulate(map(len, parts)))  # ends[k]: folded offset where parts[k] ends
        breaks = hard_breaks(flat) if clauses else []
        identity = not folded.folded_starts
        for first, neg_last, term_id in found:
            start, end = ends[2 * first], ends[1 - 2 * neg_last]
            s, e = (start, end) if identity else folded.to_surface(start, end)
            clause = _clause(flat, breaks, start, end) if clauses else ""
            hits.append(Hit(term_id, name, s, e, text[s:e], clause))


def _excluded_lines(folded: FoldedText, exclude: Collection[str]) -> set[int]:
    """Indexes of the lines of a field to skip: those whose words (``words_key``), or whose
    paragraph's words, are in ``exclude``. Folding keeps every newline, so line i of the folded
    text is line i of the surface text."""
    if not exclude:
        return set()
    lines = folded.folded.split("\n")
    keys = [" ".join(tokens(line)) for line in lines]
    skipped = {i for i, key in enumerate(keys) if key and key in exclude}
    paragraph: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if line.strip():
            paragraph.append(i)
            continue
        # A blank line ends a paragraph; its key is its lines' words, as words_key() joins them.
        key = " ".join(keys[j] for j in paragraph if keys[j])
        if len(paragraph) > 1 and key and key in exclude:
            skipped.update(paragraph)
        paragraph = []
    return skipped


def _blank_lines(folded: str, skipped: set[int]) -> str:
    """``folded`` with the ``skipped`` lines turned to spaces (same length, no words)."""
    lines = folded.split("\n")
    for i in skipped:
        lines[i] = " " * len(lines[i])
    return "\n".join(lines)


def _phrase_continues(term: CompiledTerm, words: list[str], parts: list[str], at: int) -> bool:
    """Whether tokens after ``words[at]`` carry the rest of ``term``, adjacent and with no hard
    break between them (the gap before token k is ``parts[2k]``). The second token is known to
    match already: the index found the phrase through it."""
    if _gap_kind(parts[2 * at + 2]) > term.breaks[0]:
        return False
    for k in range(2, len(term.forms)):
        if words[at + k] not in term.forms[k]:
            return False
        if _gap_kind(parts[2 * (at + k)]) > term.breaks[k - 1]:
            return False
    return True


# What a gap between two tokens holds: nothing a phrase stops at, a hard break (which a term
# may allow by writing one there: بيروت، لبنان), or a paragraph break (which no term spans:
# the end of one paragraph and the start of the next are not one mention).
OPEN, BREAK, PARAGRAPH = 0, 1, 2
_LINE_ENDS = "\n\r\x0b\x0c\x85\u2028"
_GAP_KINDS: dict[str, int] = {}


def _gap_kind(gap: str) -> int:
    """``OPEN``, ``BREAK`` or ``PARAGRAPH`` for a gap. Gaps repeat endlessly (" ", "، ",
    "» ("), so the answers are kept, up to a bound."""
    known = _GAP_KINDS.get(gap)
    if known is None:
        known = OPEN
        if hard_breaks(gap):
            lines = gap.replace("\r\n", "\n")
            ends = sum(lines.count(c) for c in _LINE_ENDS)
            known = PARAGRAPH if ends > 1 or "\u2029" in gap else BREAK
        if len(_GAP_KINDS) < 4096:
            _GAP_KINDS[gap] = known
    return known


# Hits read per field and folding level, in text order. An article names a term a few dozen
# times at most; a page repeating it a million times is read up to here (alerts show five).
MAX_HITS = 1000
# How far (folded characters) a clause reaches on each side of a match. A clause is a sentence
# or less; without the bound, a page-long run of words with no punctuation would make every
# hit in it cost the whole run (a hostile page: a million hits, each reading megabytes).
CLAUSE_WINDOW = 400


def _clause(folded: str, breaks: list[int], start: int, end: int) -> str:
    """The folded words between the last hard break before ``start`` and the first after, at
    most ``CLAUSE_WINDOW`` characters either side (whole words)."""
    i = bisect_left(breaks, start)
    lo = breaks[i - 1] + 1 if i else 0
    j = bisect_left(breaks, end)
    hi = breaks[j] if j < len(breaks) else len(folded)
    if lo < start - CLAUSE_WINDOW:
        cut = folded.find(" ", start - CLAUSE_WINDOW, start)
        lo = cut + 1 if cut >= 0 else start
    if hi > end + CLAUSE_WINDOW:
        cut = folded.rfind(" ", end, end + CLAUSE_WINDOW)
        hi = cut if cut >= 0 else end
    return " ".join(tokens(folded[lo:hi]))


def match_text(term: str, mode: Mode, text: str) -> list[Hit]:
    """The hits of one term in one text (a convenience for tests and ``watch test``)."""
    return list(Matcher([(term, mode)]).scan({"text": text}).hits)
