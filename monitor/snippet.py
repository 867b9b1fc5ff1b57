"""A few words of context around a match, with the match marked, for alerts and terminals."""

from __future__ import annotations

import re

MARKS = ("[[", "]]")
SNIPPET_WORDS = 25
ELLIPSIS = "…"
SPAN = 2000  # characters read on each side of the match: far more than SNIPPET_WORDS need

_WORDS = re.compile(r"\S+")
# A paragraph break: two line ends with nothing but spaces between (\n\n, \r\n\r\n, a blank
# line holding a space), or U+2029 PARAGRAPH SEPARATOR. Body paragraphs are joined by \n\n, but
# text pasted into ``watch test`` comes with whatever line ends its editor wrote.
_LINE_END = r"(?:\r\n|[\n\r\x0b\x0c\x85\u2028])"
_PARAGRAPH = re.compile(rf"{_LINE_END}[^\S\n\r\x0b\x0c\x85\u2028\u2029]*{_LINE_END}|\u2029")


def snippet(
    text: str,
    start: int,
    end: int,
    *,
    words: int = SNIPPET_WORDS,
    marks: tuple[str, str] = MARKS,
) -> str:
    """About ``words`` words of ``text`` around ``text[start:end]``, taken from the match's own
    paragraph, on one line, the match between ``marks`` (``[[…]]`` by default: unambiguous in
    Arabic prose, which uses «» and "" itself) and ``…`` where the paragraph was cut."""
    # Only SPAN characters either side are read: a huge paragraph costs no more than a short one.
    lo = max(0, start - SPAN)
    para_start = lo
    for brk in _PARAGRAPH.finditer(text, lo, start):
        para_start = brk.end()
    hi = min(len(text), end + SPAN)
    after_brk = _PARAGRAPH.search(text, end, hi)
    para_end = after_brk.start() if after_brk else hi
    before = _WORDS.findall(text[para_start:start])
    after = _WORDS.findall(text[end:para_end])
    budget = max(words - len(_WORDS.findall(text[start:end])), 0)
    # Half the budget each side; a side that runs short gives the rest to the other.
    n_before = min(len(before), max(budget // 2, budget - len(after)))
    n_after = min(len(after), budget - n_before)
    left = before[len(before) - n_before :] if n_before else []
    right = after[:n_after]
    # A match inside a longer written word (#تنظيم_داعش) stays attached to the rest of it.
    sep_left = " " if left and text[start - 1].isspace() else ""
    sep_right = " " if right and text[end].isspace() else ""
    marked = marks[0] + " ".join(text[start:end].split()) + marks[1]
    out = " ".join(left) + sep_left + marked + sep_right + " ".join(right)
    if n_before < len(before):
        out = ELLIPSIS + " " + out
    if n_after < len(after):
        out += " " + ELLIPSIS
    return out
