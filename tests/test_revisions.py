"""Field-level diffs: what a reader would call a change, shown in whole words."""

from __future__ import annotations

from datetime import datetime

import pytest
from rewrites import one_sentence_edit, sample

from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.revisions import Changes, diff, paragraph_diff, word_diff
from monitor.diffview import marked_words, render_changes

BASE = Article(
    title="غزة: شهيد وجرحى بنيران الاحتلال",
    caption="غارة على دير البلح",
    credit="Getty",
    published_at=datetime(2026, 8, 15, 21, 56, tzinfo=OUTLET_TZ),
    body=("الفقرة الأولى عن القصف.", "الفقرة الثانية عن المستشفى.", "الفقرة الثالثة عن الضحايا."),
    authors=("العربي الجديد",),
    tags=("غزة", "الاحتلال"),
)

CASES = [
    ("headline", {"title": "غزة: شهيدان وجرحى بنيران الاحتلال"}, "headline changed"),
    ("caption-added", {"caption": None}, None),  # reversed below: old has no caption
    ("credit", {"credit": "فرانس برس"}, "photo credit changed"),
    ("paragraph-added", {"body": (*BASE.body, "فقرة رابعة جديدة تماما.")}, "paragraph: 1 added"),
    ("paragraph-removed", {"body": BASE.body[:2]}, "paragraph: 1 removed"),
    (
        "paragraph-changed",
        {"body": (BASE.body[0], "الفقرة الثانية عن مستشفى ناصر.", BASE.body[2])},
        "paragraph: 1 changed",
    ),
    ("tags", {"tags": ("غزة", "رفح")}, "tags +رفح −الاحتلال"),
    ("authors", {"authors": ("العربي الجديد", "محمد أحمد")}, "authors +محمد أحمد"),
    (
        "published",
        {"published_at": datetime(2026, 8, 15, 22, 30, tzinfo=OUTLET_TZ)},
        "published changed",
    ),
    ("tashkeel-only", {"title": "غَزَّة: شَهِيد وجرحى بنيران الاحتلال"}, "no visible change"),
    ("punctuation-only", {"body": tuple(p.rstrip(".") for p in BASE.body)}, "no visible change"),
]


@pytest.mark.parametrize(("name", "changes", "summary"), CASES, ids=[c[0] for c in CASES])
def test_diff_summary(name: str, changes: dict[str, object], summary: str | None) -> None:
    new = BASE.replace(**changes)
    if summary is None:  # the caption case: the old version had none
        result = diff(new, BASE)
        assert result.summary() == "caption added"
        assert result.fields[0].describe() == "caption added"
        return
    assert diff(BASE, new).summary() == summary


def test_headline_change_describes_old_and_new() -> None:
    change = diff(BASE, BASE.replace(title="عنوان جديد")).fields[0]
    assert change.describe() == "headline changed: غزة: شهيد وجرحى بنيران الاحتلال → عنوان جديد"


def test_one_sentence_edit_marks_only_the_changed_words() -> None:
    changes = diff(sample(), one_sentence_edit(sample()))
    assert changes.summary() == "paragraph: 1 changed"
    (para,) = changes.paragraphs
    assert (para.old_index, para.new_index) == (1, 1)
    assert [w for w in para.words if w[0] != "equal"] == [
        ("delete", "يوم واحد"),
        ("insert", "يومين"),
    ]


def test_replaced_paragraph_that_does_not_resemble_is_removed_and_added() -> None:
    result = paragraph_diff(["نص قديم عن موضوع أول تماما"], ["كلام مختلف كليا في شأن آخر"])
    assert [p.kind for p in result] == ["removed", "added"]


def test_word_diff_keeps_words_whole_and_ignores_tashkeel() -> None:
    assert word_diff("قال مُحَمَّد إن", "قال محمد إن") == (("equal", "قال محمد إن"),)
    assert word_diff("ذهب إلى السوق", "ذهب إلى المدرسة") == (
        ("equal", "ذهب إلى"),
        ("delete", "السوق"),
        ("insert", "المدرسة"),
    )


def test_json_round_trip() -> None:
    changes = diff(BASE, BASE.replace(title="عنوان", body=BASE.body[1:], tags=("رفح",)))
    assert Changes.from_json(changes.to_json()) == changes


def test_text_view_marks_words_without_colour() -> None:
    changes = diff(sample(), one_sentence_edit(sample()))
    lines = list(render_changes(changes, color=False))
    assert lines[0] == "paragraph 2 (changed)"
    assert "[-يوم واحد-] {+يومين+}" in lines[1]
    assert lines[1].endswith("…")  # a long unchanged tail is shortened


def test_colour_view_uses_markup_not_brackets() -> None:
    ops = word_diff("ذهب إلى [bold]السوق", "ذهب إلى المدرسة")
    text = marked_words(ops, color=True)
    assert "[red strike]" in text and "[-" not in text
    assert "\\[bold]السوق" in text  # user text is escaped, not read as markup
