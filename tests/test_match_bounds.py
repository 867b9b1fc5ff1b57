"""A watched word repeated a million times: the match step's work stays bounded."""

from __future__ import annotations

from monitor.matcher import CLAUSE_WINDOW, MAX_HITS, Matcher
from monitor.matching import MAX_MENTIONS, first_per_field
from monitor.snippet import SPAN, snippet


def test_hits_per_field_are_capped_and_clauses_bounded() -> None:
    text = "كلمة " * 200_000  # no punctuation: one clause, a megabyte long
    scan = Matcher([("كلمة", "standard")]).scan({"body": text, "title": "كلمة"}, clauses=True)
    body = [h for h in scan.hits if h.field == "body"]
    assert len(body) == MAX_HITS and body[0].start == 0
    assert [h.field for h in scan.hits].count("title") == 1
    assert all(len(h.clause) <= 2 * CLAUSE_WINDOW + len("كلمة") for h in body)


def test_a_short_clause_is_whole() -> None:
    text = "قال الوزير إن غزة تحتاج المساعدات. وأضاف أن الوضع صعب"
    (hit,) = Matcher([("غزة", "standard")]).scan({"body": text}, clauses=True).hits
    assert hit.clause == "قال الوزير ان غزه تحتاج المساعدات"


def test_snippets_read_only_around_the_match() -> None:
    text = "كلمة " * 200_000 + "غزة " + "كلمة " * 10
    start = text.index("غزة")
    got = snippet(text, start, start + 3)
    assert got.startswith("… كلمة") and "[[غزة]]" in got and len(got) < SPAN


def test_mentions_recorded_per_field_are_capped() -> None:
    scan = Matcher([("كلمة", "standard")]).scan({"body": "كلمة " * 500, "title": "كلمة"})
    kept = first_per_field(list(scan.hits), MAX_MENTIONS)
    assert [h.field for h in kept].count("body") == MAX_MENTIONS
    assert [h.field for h in kept].count("title") == 1


def test_capped_hits_are_the_first_ones_in_text_order() -> None:
    # Two written forms of one term, interleaved, and a long phrase: the scan stops reading once
    # MAX_HITS are certain, and what it keeps is exactly the first MAX_HITS occurrences.
    text = "وكلمة كلمة " * 3000
    scan = Matcher([("كلمة", "standard")]).scan({"body": text})
    starts = [h.start for h in scan.hits]
    expected = [i for i in range(len(text)) if text.startswith(("وكلمة ", "كلمة "), i)]
    assert starts == [s for s in expected if s == 0 or text[s - 1] == " "][:MAX_HITS]
    phrase = " ".join(["كلمة"] * 12)
    long_scan = Matcher([(phrase, "standard")]).scan({"body": "كلمة " * 20_000})
    assert [h.start for h in long_scan.hits] == [5 * i for i in range(MAX_HITS)]
