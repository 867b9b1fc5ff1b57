"""Watches: what to look for, where, and whom to tell. Records, validation and term lint.

A watch fires on an article version when one of its ``terms`` is mentioned in its ``fields``,
every ``all_of`` term is mentioned there too, no ``none_of`` term is, and the article is in one
of its ``sections`` (any section when none are given). ``tags`` name the notification targets
the alert is routed to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from crawler.outlets import ALARABY
from crawler.text import clean_line, fold, is_arabic_token, tokens
from monitor.matcher import DEFAULT_MODE, MODES, Mode, TermError, compile_term

Fields = Literal["title", "all"]
FIELDS: tuple[Fields, ...] = get_args(Fields)
# The article fields each choice reads, in the order matches are reported.
FIELD_NAMES: dict[Fields, tuple[str, ...]] = {
    "title": ("title",),
    "all": ("title", "summary", "body"),
}

MAX_NAME = 100
_SECTION = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Apprise splits tag lists on commas and spaces, so a tag is one run of anything else.
_TAG = re.compile(r"[^\s,]+")

# Function words that fold into a common name or appear in nearly every article: as
# single-token standard terms they would fire on almost anything (على folds to علي).
_FUNCTION_WORDS = """
على إلى حتى متى من في عن مع منذ لدى عند بين نحو خلال ضد حول دون عبر تحت فوق أمام خلف بعد قبل
مثل غير سوى لكن ثم أو أم بل إن أن إذ إذا لو لولا كما كي لم لن لا ما ماذا كيف أين هل قد لقد سوف
هذا هذه ذلك تلك هؤلاء أولئك هنا هناك الذي التي الذين اللذين اللتين اللواتي اللاتي هو هي هم هن
هما أنا نحن أنت أنتم كل بعض أي أيضا جدا فقط كان كانت يكون قال قالت أمس اليوم عليه عليها إليه
فيه فيها منه منها عنه له لها لهم
"""
FUNCTION_WORDS = {fold(w): w for w in _FUNCTION_WORDS.split()}  # folded → as written
MIN_STANDARD_LETTERS = 3
# Search-engine syntax that terms do not have. Read literally, "غزة OR رفح" is a three-word
# phrase that never occurs, "-كرة" matches كرة and "عراق*" matches عراق alone: warn instead.
_OPERATOR = re.compile(r"(?<!\S)(?:OR|AND|NOT)(?!\S)|\||&&|\*|^[-!](?=\w)")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    mode: Mode = DEFAULT_MODE
    force: bool = False  # the lint warning was seen and the term kept anyway


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    terms: tuple[Term, ...]
    all_of: tuple[Term, ...] = ()
    none_of: tuple[Term, ...] = ()
    fields: Fields = "all"
    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def field_names(self) -> tuple[str, ...]:
        return FIELD_NAMES[self.fields]

    def all_terms(self) -> Iterable[tuple[str, Term]]:
        """Every term with the key it belongs to (``terms``, ``all``, ``none``)."""
        for key, group in (("terms", self.terms), ("all", self.all_of), ("none", self.none_of)):
            for term in group:
                yield key, term


class WatchError(ValueError):
    """An invalid watch; ``key`` names the setting at fault (``terms``, ``mode``, ...) and
    ``item`` the offending value, when there is one."""

    def __init__(self, message: str, key: str, item: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.item = item


def make_term(text: str, mode: str = DEFAULT_MODE, *, force: bool = False, key: str) -> Term:
    """A checked term: display-cleaned text with something to match, and a known mode."""
    if mode not in MODES:
        raise WatchError(
            f"unknown mode {mode!r} (expected {', '.join(MODES)})", "mode", item=str(mode)
        )
    cleaned = clean_line(text)
    try:
        compile_term(cleaned, mode)
    except TermError as exc:
        raise WatchError(str(exc), key, item=text) from None
    return Term(cleaned, mode, force)


def validate(watch: Watch) -> Watch:
    """``watch`` checked and tidied (cleaned name, repeated terms dropped); ``WatchError``
    names the first problem."""
    name = clean_line(watch.name)
    if not name:
        raise WatchError("a watch needs a name", "name")
    if len(name) > MAX_NAME:
        raise WatchError(f"name longer than {MAX_NAME} characters", "name", item=name)
    groups = {}
    for key, group in (("terms", watch.terms), ("all", watch.all_of), ("none", watch.none_of)):
        checked = [make_term(t.text, t.mode, force=t.force, key=key) for t in group]
        groups[key] = tuple(dict.fromkeys(checked))
    if not groups["terms"]:
        raise WatchError(f"watch {name!r} has no terms", "terms")
    if watch.fields not in FIELDS:
        raise WatchError(
            f"unknown fields {watch.fields!r} (expected {' or '.join(FIELDS)})",
            "fields",
            item=str(watch.fields),
        )
    for section in watch.sections:
        if not isinstance(section, str) or not _SECTION.fullmatch(section):
            raise WatchError(
                f"bad section {section!r} (a URL section such as politics)", "sections", section
            )
    for tag in watch.tags:
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise WatchError(f"bad tag {tag!r} (no spaces or commas)", "tags", tag)
    return Watch(
        name=name,
        terms=groups["terms"],
        all_of=groups["all"],
        none_of=groups["none"],
        fields=watch.fields,
        sections=tuple(dict.fromkeys(watch.sections)),
        tags=tuple(dict.fromkeys(watch.tags)),
    )


@dataclass(frozen=True, slots=True)
class LintWarning:
    key: str  # terms, all, none
    item: str
    message: str  # what is wrong and what to do instead


def lint_term(term: Term) -> str | None:
    """Why a term would fire on nearly anything (or, written with search operators, never on
    what was meant), with a suggestion; None when it is fine. Only single-token
    ``standard``/``stem`` terms are checked for breadth (MATCHING.md): ``exact`` keeps ى/ي apart
    and takes no clitics, and a phrase is specific by itself."""
    operator = _OPERATOR.search(term.text)
    if operator:
        return (
            f"{term.text!r} uses {operator.group().strip()!r}, a search operator newsmon does not"
            " have: the term is matched literally as a phrase. Give alternatives as separate"
            " terms, exclusions with --none (none = [...] in a watchlist file) and word endings"
            " with --mode stem; or --force to keep it"
        )
    if term.mode == "exact":
        return None
    words = tokens(fold(term.text))
    if len(words) != 1:
        return None
    word = words[0]
    hint = "--mode exact or a longer phrase" if is_arabic_token(word) else "a longer phrase"
    if word in FUNCTION_WORDS:
        same = FUNCTION_WORDS[word]
        if fold(term.text, level=1) == fold(same, level=1):
            # exact mode would not help: the word itself is the function word.
            why, hint = f"{term.text!r} is the function word {same!r}", "a longer phrase"
        else:
            why = f"{term.text!r} folds to the same letters as the function word {same!r}"
        why += ", found in almost every article"
    elif len(word) < MIN_STANDARD_LETTERS:
        why = f"{term.text!r} has fewer than {MIN_STANDARD_LETTERS} letters after folding"
    else:
        return None
    return f"{why}; use {hint}, or --force to keep it"


def lint(watch: Watch) -> list[LintWarning]:
    """Warnings for a watch's terms that are not already ``force``d. Adding a watch with one
    needs ``--force``."""
    warnings = []
    for key, term in watch.all_terms():
        message = None if term.force else lint_term(term)
        if message:
            warnings.append(LintWarning(key, term.text, message))
    return warnings


def unknown_sections(watch: Watch) -> list[str]:
    """Notes (not errors: the outlet may open new sections) on sections it is not known to
    have; a typo there would keep the watch silent."""
    known = ", ".join(ALARABY.sections)
    return [
        f"section {s!r} is not one the outlet is known to have ({known})"
        for s in watch.sections
        if s not in ALARABY.sections
    ]


def forced(watch: Watch) -> Watch:
    """``watch`` with every term that draws a lint warning marked as kept on purpose."""

    def mark(group: tuple[Term, ...]) -> tuple[Term, ...]:
        return tuple(
            Term(t.text, t.mode, True) if not t.force and lint_term(t) else t for t in group
        )

    return Watch(
        watch.name,
        mark(watch.terms),
        mark(watch.all_of),
        mark(watch.none_of),
        watch.fields,
        watch.sections,
        watch.tags,
    )
