"""Arabic text in two forms: a display form kept as written, and a folded form for comparing.

``clean()`` gives the display form: NFC, tashkeel kept, invisible and bidi control characters
removed, odd spaces made plain. ``fold()`` gives the matching/hashing/search form of
``shared/arabic/MATCHING.md``: level 1 (NFKC, no invisibles, no marks or tatweel, ASCII digits,
casefold) and level 2 (letter variants folded). ``tokens()`` splits folded text the way the
matcher and the fingerprints count words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import Literal

Level = Literal[1, 2]

# Stored with the archive's content keys and search text, which are made of folded words: when
# fold() changes what it gives for any text, raise this, and archives are re-keyed on opening
# (crawler.database.ensure_folding), so an unchanged article is never taken for an edited one.
FOLD_VERSION = "2"

# U+200B-200F, U+202A-202E, U+2066-2069, U+061C, U+FEFF, U+00AD (MATCHING.md, level 1 step 2),
# and U+2060-2064: WORD JOINER (the successor of U+FEFF as a no-break joiner) and the invisible
# operators are as invisible inside a word as a ZWJ; a reader sees one word.
INVISIBLE = frozenset(
    [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        *[0x061C, 0xFEFF, 0x00AD],
    ]
)
# Harakat, Quranic marks, superscript alef, and tatweel (level 1 step 3), and the harakat and
# Quranic marks of the Arabic Extended-A/B blocks (open tanween, curly harakat, small high
# words): marks like those of the main block, which would otherwise split a word in two.
MARKS = frozenset(
    [
        *range(0x0610, 0x061B),
        *range(0x064B, 0x0660),
        0x0670,
        *range(0x06D6, 0x06EE),
        0x0640,
        *range(0x0898, 0x08A0),
        *range(0x08CA, 0x0900),
    ]
)
# Religious formulas written as one ligature that NFKC leaves alone (it expands ﷺ and ﷲ, but
# these have no decomposition): expanded like ﷺ, so that بسم الله finds ﷽.
LIGATURES = {
    0xFD40: "رحمه الله",
    0xFD41: "رضي الله عنه",
    0xFD42: "رضي الله عنها",
    0xFD43: "رضي الله عنهم",
    0xFD44: "رضي الله عنهما",
    0xFD45: "رضي الله عنهن",
    0xFD46: "صلى الله عليه وآله",
    0xFD47: "عليه السلام",
    0xFD48: "عليهم السلام",
    0xFD49: "عليهما السلام",
    0xFD4A: "عليه الصلاة والسلام",
    0xFD4B: "قدس سره",
    0xFD4C: "صلى الله عليه وآله وسلم",
    0xFD4D: "عليها السلام",
    0xFD4E: "تبارك وتعالى",
    0xFD4F: "رحمهم الله",
    0xFDFD: "بسم الله الرحمن الرحيم",
    0xFDFE: "سبحانه وتعالى",
    0xFDFF: "عز وجل",
}
# Arabic-Indic and Persian digits to ASCII (level 1 step 4; NFKC leaves them alone).
DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}

# Level 2: spelling variants an Arabic reader treats as the same letter.
LETTER_VARIANTS = {
    **dict.fromkeys("أإآٱٲٳٵ", "ا"),
    "ى": "ي",
    **dict.fromkeys("ةۃ", "ه"),
    **dict.fromkeys("ؤئ", "ء"),
    **dict.fromkeys("کگ", "ك"),
    **dict.fromkeys("یېے", "ي"),
    **dict.fromkeys("ھہۀە", "ه"),
    "پ": "ب",
    "چ": "ج",
    "ڤ": "ف",
    # NFKC (step 1) splits ٵ ٶ ٷ ٸ into a letter plus U+0674 HIGH HAMZA before this table runs;
    # dropping the high hamza is what makes ٵ fold to ا.
    "\u0674": "",
}

# Spaces other than U+0020 that pages and feeds carry (NBSP from &nbsp;, thin and figure spaces).
ODD_SPACES = frozenset([0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000, 0x1680, 0x0009])
# C0/C1 controls other than newline and tab never belong in text (a NUL in a page, a stray \x0b).
CONTROLS = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)])

_SPACE_RUN = re.compile(r"[ ]{2,}")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")


@cache
def _fold_table(level: Level) -> list[int | str | None]:
    """A dense lookup list for the whole BMP: ``str.translate`` is about three times faster
    with a list than with a sparse dict, because no lookup ever misses."""
    table: list[int | str | None] = list(range(0x10000))
    variants = LETTER_VARIANTS if level == 2 else {}
    for cp in range(0x10000):
        ch = chr(cp)
        out = ch.casefold()
        if out != ch:
            # Casefold the decomposed form and recompose: ǰ ΐ ΰ casefold to a letter plus a
            # combining mark that NFKC composes straight back, and fold() would loop forever.
            out = unicodedata.normalize("NFKC", unicodedata.normalize("NFD", ch).casefold())
        if out != ch or ch in variants:
            table[cp] = "".join(variants.get(c, c) for c in out)
    for cp, digit in DIGITS.items():
        table[cp] = digit
    for cp, words in LIGATURES.items():
        table[cp] = "".join(variants.get(c, c) for c in words)
    for cp in INVISIBLE | MARKS:
        table[cp] = None
    return table


def fold(text: str, level: Level = 2) -> str:
    """The folded form used for matching, hashing and search.

    ``fold(fold(x)) == fold(x)`` for every string: deleting a mark or an invisible character can
    leave a pair that NFKC would compose, so normalisation repeats until the text is stable
    (once, for any real text).
    """
    table = _fold_table(level)
    while True:
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(table)
        # Anything above the BMP takes two UTF-16 units: the encoder tells at C speed (a
        # regex search for such characters cost a fifth of fold() on Arabic articles).
        if len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text):
            # The table covers the BMP only; cased letters above it are rare enough to fold
            # slowly. Only they are casefolded here: casefolding the whole text undid what NFKC
            # had composed (ǰ → j + caron) and the loop never ended on "ǰ😀".
            text = _ASTRAL.sub(_fold_astral, text)
        if unicodedata.is_normalized("NFKC", text):
            return text


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _fold_astral(m: re.Match[str]) -> str:
    # As the table folds a BMP letter: casefold the decomposed form, then recompose.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFD", m.group()).casefold())


@cache
def _clean_table() -> dict[int, str | None]:
    table: dict[int, str | None] = dict.fromkeys(INVISIBLE | CONTROLS)
    table.update(dict.fromkeys(ODD_SPACES, " "))
    table[0x2028] = "\n"  # LINE SEPARATOR
    table[0x2029] = "\n\n"  # PARAGRAPH SEPARATOR
    return table


def clean(text: str) -> str:
    """The display form: NFC, tashkeel kept, invisible/bidi characters removed, odd spaces
    made plain, runs of spaces collapsed, lines stripped. Newlines are kept: a ``<br>`` inside a
    paragraph is a single newline, and paragraphs are separated by blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_clean_table())
    text = _SPACE_RUN.sub(" ", text)
    return _SPACE_AROUND_NEWLINE.sub("\n", text).strip()


def clean_line(text: str) -> str:
    """The display form of text that must stay on one line (a title, a caption, a name)."""
    return " ".join(clean(text).split())


# Letters of the Arabic script blocks (after folding no marks are left in them).
_ARABIC_LETTERS = (
    "\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u0870-\u0887\u0889-\u088e\u08a0-\u08c9"
)
_TOKEN_ALTERNATIVES = rf"[{_ARABIC_LETTERS}]+|[0-9]+|[^\W\d_{_ARABIC_LETTERS}]+"
_TOKEN = re.compile(_TOKEN_ALTERNATIVES)
# One capturing group, so ``split`` keeps the tokens between the gaps.
_TOKEN_SPLIT = re.compile(f"({_TOKEN_ALTERNATIVES})")
_ARABIC_TOKEN = re.compile(rf"[{_ARABIC_LETTERS}]+")
# MATCHING.md's list, with every way of writing a line end counted as the spec's "newline"
# (CR, VT, FF, NEL, U+2028 LINE SEPARATOR) and the Arabic full stop U+06D4 as a full stop.
_HARD_BREAK = re.compile(r"[.!?؟؛;:,،\n\r\x0b\x0c\x85\u2028\u2029\u06d4]")


def tokens(folded: str) -> list[str]:
    """Tokens of already folded text: maximal runs of Arabic letters, of other letters, or of
    digits (``2011م`` gives ``2011``, ``م``); everything else separates."""
    return _TOKEN.findall(folded)


def split_tokens(folded: str) -> list[str]:
    """Tokens with the gaps between them, ``[gap, token, gap, …, token, gap]``: tokens at odd
    indices, gaps (possibly empty) at even ones. The matcher's hot path: one C-level pass gives
    both the words and what separates them (for the hard-break rule)."""
    return _TOKEN_SPLIT.split(folded)


def is_arabic_token(token: str) -> bool:
    """Whether a token is a run of Arabic letters (and not digits or Latin letters)."""
    return _ARABIC_TOKEN.fullmatch(token) is not None


def token_spans(folded: str) -> Iterator[tuple[str, int, int]]:
    """``(token, start, end)`` for every token of folded text."""
    for m in _TOKEN.finditer(folded):
        yield m.group(), m.start(), m.end()


def hard_breaks(folded: str) -> list[int]:
    """Offsets of the characters a phrase may not span (sentence punctuation, newlines)."""
    return [m.start() for m in _HARD_BREAK.finditer(folded)]


def words_key(text: str) -> str:
    """The words of ``text`` folded and joined by single spaces: equal for two texts that differ
    only in whitespace, tashkeel, tatweel, letter variants or punctuation."""
    return " ".join(tokens(fold(text)))
