"""What is not body text, decided on paragraphs (the same rules for feed text and pages).

Markup removes most noise on a page (``PageLayout.body_noise``); these rules catch what is left
and everything in feed text, where the markup is gone:

- the ``اظهر الملخص`` toggle and the summary bullets after it (kept apart as the summary);
- pull-quotes: a short paragraph that repeats a sentence of another paragraph;
- pasted tweets: ``… pic.twitter.com/… — Name (@handle) August 15, 2026``;
- the ``تعمق أكثر`` label and the related article title after it;
- related-links boxes (``اقرأ أيضاً`` + titles);
- the page furniture a generic extractor may keep (``+ الخط -``, ``المساهمون``), an ad slot's
  label (``إعلان``) and a gallery's slide counter (``2 / 12``).

A live blog's entry time standing alone (``14:30``) becomes the first line of its entry.

Subheadings and a closing agency line such as ``(الأناضول، العربي الجديد)`` are the article's
own text and stay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from crawler.outlets import ALARABY, Outlet
from crawler.text import fold, tokens

# A pull-quote repeats at least this share of its words, in runs of at least RUN words, and is
# at least MIN_WORDS long, so a subheading that shares a few words with the next paragraph stays.
QUOTE_COVERAGE = 0.85
QUOTE_RUN = 3
QUOTE_MIN_WORDS = 6
QUOTE_MAX_WORDS = 80  # a pull-quote is a sentence, not a paragraph
# At most this many full comparisons per body: a real article needs a few hundred.
QUOTE_COMPARISONS = 5000
# A related title after a label: short and without a closing full stop.
TITLE_MAX_WORDS = 25

_MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
# The signature Twitter's embed code leaves: "— Name (@handle) August 15, 2026", or the Arabic
# form of the date.
_TWEET_SIGNATURE = re.compile(
    r"[—–-]\s*[^()\n]{0,80}\(@\w{1,30}\)\s*"
    rf"(?:(?:{_MONTHS_EN})\s+\d{{1,2}},\s*\d{{4}}|\d{{1,2}}\s+\S+\s+\d{{4}})\s*$"
)
_TWEET_LINK = re.compile(r"(?:pic\.twitter\.com|t\.co|twitter\.com|x\.com)/\S+\s*$")
_COUNTER = re.compile(r"^\d{1,3}\s*(?:/|من)\s*\d{1,3}$")
# A live-blog entry's time: a clock, optionally with a date or "منذ" form, nothing else.
_ENTRY_TIME = re.compile(r"^(?:[012]?\d:[0-5]\d(?:\s*(?:ص|م|am|pm))?)$", re.I)
_SENTENCE_END = re.compile(r"[.!؟?:]\s*[\"'»”)]*\s*$")


@dataclass(frozen=True, slots=True)
class Cleaned:
    body: tuple[str, ...]
    summary: tuple[str, ...]  # the bullets after the summary toggle, if any
    removed: tuple[tuple[str, str], ...]  # (rule, paragraph) for what was taken out


def clean_body(paragraphs: Sequence[str], outlet: Outlet = ALARABY) -> Cleaned:
    """Body paragraphs without the outlet's non-body text."""
    assert outlet.markers is not None
    markers = outlet.markers
    removed: list[tuple[str, str]] = []
    paras = [p.strip() for p in paragraphs if p and p.strip()]

    summary, paras = _take_summary(paras, markers.summary_toggle, removed)
    paras = _join_entry_times(paras)
    furniture = {fold(markers.font_widget), fold(markers.contributors_label)}
    furniture |= {fold(label) for label in markers.ad_labels}
    kept: list[str] = []
    skip_title = False
    words = [tokens(fold(p)) for p in paras]
    budget = [QUOTE_COMPARISONS]
    for i, para in enumerate(paras):
        folded = fold(para)
        if skip_title:
            skip_title = False
            if _title_like(para):
                removed.append(("related-title", para))
                continue
        if folded in furniture or _COUNTER.match(folded):
            removed.append(("furniture", para))
            continue
        label = _label(folded, markers.deeper_label, markers.related_labels)
        if label is not None:
            removed.append((label, para))
            # A label alone on its line names the related article in the next paragraph.
            skip_title = _only_label(folded, markers.deeper_label, markers.related_labels)
            continue
        if _is_tweet(para):
            removed.append(("tweet", para))
            if kept and _TWEET_SIGNATURE.match(para.strip()) and _TWEET_LINK.search(kept[-1]):
                # The signature stood alone: the paragraph before it was the tweet's text.
                removed.append(("tweet", kept.pop()))
            continue
        if _is_pull_quote(i, words, budget):
            removed.append(("pull-quote", para))
            continue
        kept.append(para)
    return Cleaned(tuple(kept), tuple(summary), tuple(removed))


def _take_summary(
    paras: list[str], toggle: str, removed: list[tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """The summary bullets after the toggle (within the first paragraphs), and the rest."""
    folded_toggle = fold(toggle)
    for i, para in enumerate(paras[:3]):
        lines = [line.strip() for line in para.split("\n") if line.strip()]
        if not lines or fold(lines[0]) != folded_toggle:
            continue
        bullets = lines[1:]
        rest = paras[i + 1 :]
        removed.append(("summary", para))
        if not bullets and rest:
            bullets = [line.strip() for line in rest[0].split("\n") if line.strip()]
            removed.append(("summary", rest[0]))
            rest = rest[1:]
        return bullets, paras[:i] + rest
    return [], paras


def _join_entry_times(paras: list[str]) -> list[str]:
    out: list[str] = []
    for para in paras:
        if out and _ENTRY_TIME.match(fold(out[-1])):
            out[-1] = f"{out[-1]}\n{para}"
        else:
            out.append(para)
    return out


def _label(folded: str, deeper: str, related: Sequence[str]) -> str | None:
    if folded.startswith(fold(deeper)):
        return "deeper"
    if any(folded.startswith(fold(label)) for label in related):
        return "related"
    return None


def _only_label(folded: str, deeper: str, related: Sequence[str]) -> bool:
    words = tokens(folded)
    return any(words == tokens(fold(label)) for label in (deeper, *related))


def _title_like(para: str) -> bool:
    return (
        "\n" not in para
        and len(tokens(fold(para))) <= TITLE_MAX_WORDS
        and not _SENTENCE_END.search(para)
    )


def _is_tweet(para: str) -> bool:
    return bool(_TWEET_SIGNATURE.search(para.strip()))


def _is_pull_quote(index: int, words: Sequence[list[str]], budget: list[int]) -> bool:
    quote = words[index]
    if not QUOTE_MIN_WORDS <= len(quote) <= QUOTE_MAX_WORDS:
        return False
    need = QUOTE_COVERAGE * len(quote)
    vocabulary = set(quote)
    for j, other in enumerate(words):
        if j == index or len(other) <= len(quote):
            continue
        # Cheap test first: enough of the quote's words must occur in the other paragraph.
        if len(vocabulary & set(other)) < QUOTE_COVERAGE * len(vocabulary):
            continue
        if budget[0] <= 0:
            return False  # a pathological page: leave its paragraphs be rather than stall
        budget[0] -= 1
        matcher = SequenceMatcher(None, quote, other, autojunk=False)
        covered = sum(b.size for b in matcher.get_matching_blocks() if b.size >= QUOTE_RUN)
        if covered >= need:
            return True
    return False
