"""The adversarial sweep of MATCHING.md (tests/data/match-sweep.tsv, fold-sweep.tsv): every rule
with cases its own examples do not show, run through the pure functions, with the hit positions
in the text as written and the snippet built on them."""

from __future__ import annotations

import pytest
from tables import read_tsv, unescape

from crawler.text import fold, hard_breaks, tokens
from monitor.matcher import Hit, Matcher, compile_term, match_text
from monitor.snippet import snippet

SWEEP = read_tsv("match-sweep.tsv")
SHARED = read_tsv("match-cases.tsv")


@pytest.mark.parametrize("case", SWEEP, ids=[c["id"] for c in SWEEP])
def test_sweep_case(case: dict[str, str]) -> None:
    text = unescape(case["text"])
    hits = match_text(unescape(case["term"]), case["mode"], text)  # type: ignore[arg-type]
    assert ("match" if hits else "no_match") == case["expected"], (case["rule"], hits)
    if case["hits"]:
        got = [f"{h.start}:{h.text}" for h in hits]
        assert got == unescape(case["hits"]).split("|"), case["rule"]
    _check_hits(case["term"], case["mode"], text, hits)


@pytest.mark.parametrize("case", SHARED, ids=[c["id"] for c in SHARED])
def test_shared_case_hits_land_on_the_surface(case: dict[str, str]) -> None:
    """The shared cases' hits, read back: positions and snippets, not only match/no match."""
    text = unescape(case["text"])
    hits = match_text(case["term"], case["mode"], text)  # type: ignore[arg-type]
    _check_hits(case["term"], case["mode"], text, hits)


def _check_hits(term_text: str, mode: str, text: str, hits: list[Hit]) -> None:
    """What holds for every hit: its offsets give its text; its text, folded, holds a run of
    tokens the compiled term accepts (a ligature may fold to more words than the term); its
    snippet marks exactly that text."""
    term = compile_term(unescape(term_text), mode)  # type: ignore[arg-type]
    n = len(term.forms)
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
        words = tokens(fold(hit.text, level=term.level))
        assert any(
            all(words[i + k] in term.forms[k] for k in range(n)) for i in range(len(words) - n + 1)
        ), (hit, words)
        marked = snippet(text, hit.start, hit.end)
        assert "[[" + " ".join(hit.text.split()) + "]]" in marked


def test_every_sweep_row_is_read() -> None:
    # A guard against a silently truncated table, and against ids repeated by copy and paste.
    ids = [c["id"] for c in SWEEP]
    assert len(ids) >= 200 and len(set(ids)) == len(ids)
    assert {c["expected"] for c in SWEEP} == {"match", "no_match"}
    assert all(c["rule"] for c in SWEEP)


FOLD_SWEEP = read_tsv("fold-sweep.tsv")


@pytest.mark.parametrize("case", FOLD_SWEEP, ids=[c["id"] for c in FOLD_SWEEP])
def test_fold_sweep_case(case: dict[str, str]) -> None:
    given, expected = unescape(case["input"]), unescape(case["expected"])
    kind = case["function"]
    if kind in ("fold1", "fold2"):
        assert fold(given, level=int(kind[-1])) == expected, case["rule"]  # type: ignore[arg-type]
    elif kind == "tokens":
        assert "|".join(tokens(fold(given))) == expected, case["rule"]
    else:
        assert kind == "breaks"
        folded = fold(given)
        assert "".join(folded[i] for i in hard_breaks(folded)) == expected, case["rule"]


MULTI = read_tsv("match-multi.tsv")


@pytest.mark.parametrize("case", MULTI, ids=[c["id"] for c in MULTI])
def test_several_terms_case(case: dict[str, str]) -> None:
    terms = [t.partition("@")[::2] for t in case["terms"].split("|")]
    matcher = Matcher((text, mode or "standard") for text, mode in terms)  # type: ignore[misc]
    text = unescape(case["text"])
    scan = matcher.scan({"body": text})
    got = [f"{h.term}@{h.start}:{h.text}" for h in scan.hits]
    assert got == unescape(case["hits"]).split("|"), case["rule"]
