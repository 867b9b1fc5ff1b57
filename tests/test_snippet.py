"""Snippets around a match: the match's paragraph, about N words, the match marked."""

from __future__ import annotations

import pytest
from tables import read_tsv, unescape

from monitor.matcher import match_text
from monitor.snippet import snippet

CASES = read_tsv("snippet-cases.tsv")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_snippet_case(case: dict[str, str]) -> None:
    text = unescape(case["text"])
    hit = match_text(case["term"], case["mode"], text)[0]  # type: ignore[arg-type]
    assert snippet(text, hit.start, hit.end, words=int(case["words"])) == case["expected"]


def test_default_is_about_25_words() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    start = text.index("w50")
    out = snippet(text, start, start + 3)
    assert out.startswith("… w38 ") and out.endswith(" w62 …")
    assert len(out.replace("…", "").split()) == 25


def test_other_marks() -> None:
    assert snippet("قال داعش", 4, 8, marks=("<b>", "</b>")) == "قال <b>داعش</b>"
