"""Arabic text: the folded form of MATCHING.md (levels 1 and 2), the display form, tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tables import read_tsv, unescape

from crawler.text import clean, clean_line, fold, tokens, words_key

FOLD_CASES = read_tsv("fold-cases.tsv")


@pytest.mark.parametrize("case", FOLD_CASES, ids=[c["id"] for c in FOLD_CASES])
def test_fold_case(case: dict[str, str]) -> None:
    level = int(case["level"])
    assert fold(unescape(case["input"]), level=level) == unescape(case["expected"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "case", [c for c in FOLD_CASES if c["level"] == "1"], ids=lambda c: c["id"]
)
def test_level_two_includes_level_one(case: dict[str, str]) -> None:
    # Level 2 is level 1 plus letter folding: what level 1 removes, level 2 removes too.
    once = fold(unescape(case["input"]), level=1)
    assert fold(unescape(case["input"]), level=2) == fold(once, level=2)


# A001-A032 of the shared match cases are the normalisation and token-boundary rows.
NORMALISATION_ROWS = [
    r for r in read_tsv("match-cases.tsv") if r["expected"] == "match" and int(r["id"][1:]) <= 32
]


@pytest.mark.parametrize("row", NORMALISATION_ROWS, ids=lambda r: r["id"])
def test_match_case_terms_fold_into_text(row: dict[str, str]) -> None:
    """The folding rows of the shared match cases: after folding, the term's tokens appear in the
    text's tokens (the matcher itself is tested on every row elsewhere)."""
    level = 1 if row["mode"] == "exact" else 2
    term = tokens(fold(row["term"], level=level))  # type: ignore[arg-type]
    text = tokens(fold(unescape(row["text"]), level=level))  # type: ignore[arg-type]
    n = len(term)
    assert any(text[i : i + n] == term for i in range(len(text) - n + 1)), (term, text)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    for level in (1, 2):
        once = fold(text, level=level)  # type: ignore[arg-type]
        assert fold(once, level=level) == once  # type: ignore[arg-type]


ARABIC = st.text(
    alphabet=st.sampled_from(
        [
            *"ابتثجحخدذرسشصضطظعغفقكلمنهويىةأإآؤئءـ ،؟.\n٠١٢٣٤٥٦٧٨٩",
            *["\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u200f", "\u00a0", "\ufefb"],
        ]
    )
)


@settings(max_examples=300, deadline=None)
@given(ARABIC)
def test_fold_is_idempotent_on_arabic(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once


def test_fold_leaves_no_marks_or_invisibles() -> None:
    folded = fold("\u200fمُحَمَّدٌ\u200c الـعـربـي\u00ad")
    assert folded == "محمد العربي"


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("مُحَمَّد", "مُحَمَّد"),  # tashkeel is kept for display
        ("  قال\u00a0 علي\u200f  ", "قال علي"),
        ("سطر\r\nثان", "سطر\nثان"),
        ("فقرة\u2029أخرى", "فقرة\n\nأخرى"),
        ("نص\x00 فيه\x0b تحكم", "نص فيه تحكم"),
        ("\u0627\u0653", "\u0622"),  # NFC composes alef + madda
        ("a\u2009b\u202fc", "a b c"),
    ],
)
def test_clean(raw: str, display: str) -> None:
    assert clean(raw) == display


def test_clean_line_joins_lines() -> None:
    assert clean_line("عنوان\nعلى سطرين ") == "عنوان على سطرين"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ثورة ٢٠١١م", ["ثوره", "2011", "م"]),
        ("ISIS/داعش", ["isis", "داعش"]),
        ("#تنظيم_داعش", ["تنظيم", "داعش"]),
        ("«داعش»، (داعش)", ["داعش", "داعش"]),
        ("التحالف\u00a0الدولي", ["التحالف", "الدولي"]),
        ("abcداعش", ["abc", "داعش"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(fold(text)) == expected


def test_words_key_ignores_churn() -> None:
    plain = "قالت قيادة العمليات، اليوم: إن التنسيق بدأ."
    churned = "قالَت  قيادةُ العمليـــات اليومَ  إنّ التنسيق بدأ\u200f"
    assert words_key(plain) == words_key(churned)
    assert words_key(plain) != words_key(plain.replace("بدأ", "انتهى"))
