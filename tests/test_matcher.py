"""The pure matcher: every shared Arabic matching case, positions in the surface text,
boilerplate exclusion, the markup guard and the offset map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tables import read_tsv, unescape

from crawler.text import fold, token_spans, tokens, words_key
from monitor.fieldtext import field_text
from monitor.foldmap import fold_mapped
from monitor.matcher import Matcher, TermError, compile_term, match_text

MATCH_CASES = read_tsv("match-cases.tsv")


@pytest.mark.parametrize("case", MATCH_CASES, ids=[c["id"] for c in MATCH_CASES])
def test_match_case(case: dict[str, str]) -> None:
    hits = match_text(case["term"], case["mode"], unescape(case["text"]))  # type: ignore[arg-type]
    assert ("match" if hits else "no_match") == case["expected"], (case["rule"], hits)


def test_every_shared_case_is_run() -> None:
    # A guard against a silently truncated table (the file is the spec's, not ours).
    assert len(MATCH_CASES) >= 60
    assert {c["expected"] for c in MATCH_CASES} == {"match", "no_match"}


POSITION_CASES = read_tsv("match-positions.tsv")


@pytest.mark.parametrize("case", POSITION_CASES, ids=[c["id"] for c in POSITION_CASES])
def test_position_case(case: dict[str, str]) -> None:
    text = unescape(case["text"])
    hits = match_text(case["term"], case["mode"], text)  # type: ignore[arg-type]
    got = [f"{h.start}:{h.text}" for h in hits]
    expected = unescape(case["hits"]).split("|") if case["hits"] else []
    assert got == expected, case["rule"]
    for h in hits:
        assert text[h.start : h.end] == h.text


def test_the_match_folds_to_the_term() -> None:
    text = "وقال مُحَمَّدٌ بنُ سلمان إنّ «التّحالفَ الدوليَّ» باقٍ"
    (hit,) = match_text("التحالف الدولي", "standard", text)
    assert tokens(fold(hit.text)) == ["التحالف", "الدولي"]


def test_terms_are_compiled_into_position_sets() -> None:
    term = compile_term("التحالف الدولي", "standard")
    assert term.tokens == ("التحالف", "الدولي")
    assert {"التحالف", "والتحالف", "للتحالف", "فبالتحالف"} <= term.forms[0]
    assert "التحالفات" not in term.forms[0]
    assert term.forms[1] == frozenset({"الدولي"})
    stem = compile_term("حكومة", "stem")
    assert {"حكومه", "حكومتها", "الحكومات", "وبحكومتهم"} <= stem.forms[0]
    assert compile_term("علي", "exact").forms == (frozenset({"علي"}),)


@pytest.mark.parametrize("text", ["", "  ", "،،", "#", "«»"])
def test_a_term_without_words_is_refused(text: str) -> None:
    with pytest.raises(TermError):
        compile_term(text)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(TermError, match="unknown mode"):
        compile_term("داعش", "fuzzy")  # type: ignore[arg-type]


def test_many_phrases_sharing_a_first_word() -> None:
    names = [f"محمد {family}" for family in ("الخفاجي", "المهداوي", "موريس")]
    names += [f"محمد اسم{i}" for i in range(2000)]
    matcher = Matcher([(n, "standard") for n in names])
    scan = matcher.scan({"body": "قال محمد المهداوي إن محمد جاء، ومحمد الخفاجي غاب"})
    assert [(matcher.terms[h.term].text, h.text) for h in scan.hits] == [
        ("محمد المهداوي", "محمد المهداوي"),
        ("محمد الخفاجي", "ومحمد الخفاجي"),
    ]


def test_scan_reports_fields_in_order_with_their_texts() -> None:
    matcher = Matcher([("داعش", "standard"), ("العراق", "exact")])
    scan = matcher.scan(
        {"title": "هجوم لداعش", "summary": "", "body": "في العراق\n\nثم «داعش» والعراق"}
    )
    assert [(h.field, h.start, h.text, matcher.terms[h.term].text) for h in scan.hits] == [
        ("title", 5, "لداعش", "داعش"),
        ("body", 3, "العراق", "العراق"),
        ("body", 15, "داعش", "داعش"),
    ]
    assert scan.texts["body"].startswith("في العراق")
    assert scan.terms({"title"}) == {0}


def test_clauses_end_at_hard_breaks() -> None:
    scan = Matcher([("داعش", "standard")]).scan(
        {"body": "قال المتحدث، إن «داعش» انسحب. ثم عاد"}, clauses=True
    )
    assert [h.clause for h in scan.hits] == ["ان داعش انسحب"]


BOILERPLATE = "تابعونا على تويتر لمتابعة داعش"


def test_excluded_paragraphs_and_lines_never_match() -> None:
    matcher = Matcher([("داعش", "standard")])
    body = (
        f"مقدمة الخبر\n\n{BOILERPLATE}\n\nسطر أول\nتابعونا على   تويتر لمتابعة «داعش»\n\nهجوم داعش"
    )
    everything = matcher.scan({"body": body})
    assert len(everything.hits) == 3
    # The key folds whitespace, punctuation and tashkeel away, like the archive's own keys.
    excluded = matcher.scan({"body": body}, exclude={words_key(BOILERPLATE)})
    assert [h.text for h in excluded.hits] == ["داعش"]
    assert excluded.hits[0].start == body.rindex("داعش")
    para = matcher.scan({"body": body}, exclude={words_key("سطر أول\n" + BOILERPLATE)})
    assert len(para.hits) == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('<script>var t = "داعش";</script><p>خبر عادي</p>', []),
        ("<style>.داعش { color: red }</style><div>نص</div>", []),
        ("<p>قال</p><script type='x'>داعش", []),
        ("<!-- داعش --><p>نص</p>", []),
        ("<p>هجوم <b>داعش</b> الأخير</p>", ["داعش"]),
        ("<p>&quot;داعش&quot; &amp; غيره</p>", ["داعش"]),
        ("5 < 6 و داعش > 3", ["داعش"]),  # a lone < is prose, not markup
    ],
)
def test_markup_never_reaches_the_matcher(raw: str, expected: list[str]) -> None:
    scan = Matcher([("داعش", "standard")]).scan({"body": raw})
    assert [h.text for h in scan.hits] == expected
    for hit in scan.hits:
        assert scan.texts["body"][hit.start : hit.end] == hit.text


def test_markup_blocks_become_hard_breaks() -> None:
    text = field_text("<p>التحالف</p><p>الدولي</p>")
    assert "<" not in text
    assert not match_text("التحالف الدولي", "standard", "<p>التحالف</p><p>الدولي</p>")


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_fold_mapped_equals_fold(text: str) -> None:
    for level in (1, 2):
        folded = fold_mapped(text, level).folded  # type: ignore[arg-type]
        assert folded == fold(text, level=level)  # type: ignore[arg-type]
        # Boilerplate exclusion relies on line i of the folded text being line i of the text.
        assert folded.count("\n") == text.count("\n")


ARABIC_WITH_NOISE = st.text(
    alphabet=st.sampled_from(
        [
            *"ابتثجحخدذرسشصضطظعغفقكلمنهويىةأإآؤئءـ ،؟.\n٠١٢٣٤٥٦٧٨٩«»",
            *["\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0653", "\u0670"],
            *["\u200f", "\u200c", "\u00a0", "\ufefb", "\ufdfa", "ß", "e", "\u0301"],
            # The sweep's additions: word joiner, Extended-A harakat, ligatures NFKC leaves.
            *["\u2060", "\u08f0", "\u0898", "\ufdfd", "\ufd47", "\u2028", "\r"],
        ]
    ),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(ARABIC_WITH_NOISE)
def test_every_token_maps_back_to_surface_that_folds_to_it(text: str) -> None:
    """Whatever the marks, ligatures and invisibles, a token's surface span folds to text that
    contains the token: offsets never drift."""
    mapped = fold_mapped(text, 2)
    for token, start, end in token_spans(mapped.folded):
        s, e = mapped.to_surface(start, end)
        assert token in tokens(fold(text[s:e])) or token in fold(text[s:e])
        assert not text[s:e].startswith(("\u200f", "\u200c"))
