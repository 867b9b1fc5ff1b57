"""The seed text layout: the sample reproduced byte for byte, its fields read right, bad
documents refused with the line named."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Article
from crawler.seedformat import (
    SeedFormatError,
    caption_with_credit,
    parse,
    parse_many,
    render,
    render_many,
    split_credit,
)


def test_sample_round_trips_byte_for_byte(seed_text: str) -> None:
    assert render(parse(seed_text)).encode("utf-8") == seed_text.encode("utf-8")


def test_sample_fields(seed_text: str) -> None:
    article = parse(seed_text)
    assert article.title == 'آلية تنسيق عراقية مع قوات التحالف الدولي لمواجهة "داعش"'
    assert article.date_line == "11 مايو 2020"
    assert article.published_at is not None
    assert article.published_at.date() == date(2020, 5, 11)
    assert article.published_at.utcoffset().total_seconds() == 3 * 3600  # type: ignore[union-attr]
    assert article.caption == 'يتعرض العراق لهجمات مكثفة من "داعش"'
    assert article.credit == "علي مكرم غريب/الأناضول"
    # Every paragraph, in order: the blank-line-separated blocks of the sample's body.
    body_block = seed_text.split("+ الخط -\n\n", 1)[1].rsplit("\nالمساهمون", 1)[0]
    assert article.body == tuple(body_block.split("\n\n"))
    assert len(article.body) == 9
    assert article.body[0].startswith("قالت قيادة العمليات العراقية المشتركة")
    assert article.body[-1].endswith("أي نشاط إرهابي داخلها.")
    # The sample's one <br>: a single newline inside the seventh paragraph.
    assert [p.count("\n") for p in article.body] == [0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert article.body[6].split("\n")[1].startswith("وأكدت مصادر عسكرية عراقية")
    assert article.authors == ()
    assert article.source_of("body") == "text"


def test_no_caption_line_without_an_image() -> None:
    article = Article(title="عنوان", date_line="1 مايو 2020", body=("فقرة",))
    assert render(article) == "عنوان\n\n1 مايو 2020\n+ الخط -\n\nفقرة\nالمساهمون"
    assert parse(render(article)).caption is None


@pytest.mark.parametrize(
    ("caption", "credit", "line"),
    [
        ("غارة على دير البلح", "Getty", "غارة على دير البلح (Getty)"),
        (
            "صورة (أرشيفية) للمكان",
            "عباس فقيه/فرانس برس",
            "صورة (أرشيفية) للمكان (عباس فقيه/فرانس برس)",
        ),
        (None, "Getty", "(Getty)"),
        ("تعليق بلا مصدر", None, "تعليق بلا مصدر"),
    ],
)
def test_caption_and_credit(caption: str | None, credit: str | None, line: str) -> None:
    assert caption_with_credit(caption, credit) == line
    assert split_credit(line) == (caption, credit)


def test_byline_and_summary_toggle_are_read() -> None:
    doc = (
        "عنوان مقال رأي\nكاتب وباحث فلسطيني\n\n5 يناير 2025\n+ الخط -\n\n"
        "اظهر الملخص\n- النقطة الأولى\n- النقطة الثانية\n\n"
        "الفقرة الأولى\n\nالفقرة الثانية\nالمساهمون"
    )
    article = parse(doc)
    assert article.byline == "كاتب وباحث فلسطيني"
    assert article.summary == "- النقطة الأولى\n- النقطة الثانية"
    assert article.body == ("الفقرة الأولى", "الفقرة الثانية")


def test_empty_body_and_trailing_newline() -> None:
    article = Article(title="عنوان", date_line="1 مايو 2020")
    assert parse(render(article)).body == ()
    assert parse(render(Article(title="t", date_line="1 مايو 2020", body=("p",))) + "\n").body == (
        "p",
    )


def test_render_never_writes_a_blank_line_inside_a_paragraph() -> None:
    article = Article(title="عنوان\nمكسور", date_line="1 مايو 2020", body=("أ\n\nب", "", "ج"))
    doc = render(article)
    assert parse(doc).body == ("أ\nب", "ج")
    assert parse(doc).title == "عنوان مكسور"


GOOD = "عنوان\n\n11 مايو 2020\nتعليق (مصدر)\n+ الخط -\n\nفقرة\nالمساهمون"
BAD_DOCUMENTS = [
    ("empty", "", 1, "expected the title"),
    ("no-blank-after-title", "عنوان\n11 مايو 2020", 3, "a blank line after the title"),
    ("no-date", "عنوان\n\n\n+ الخط -", 3, "expected the display date"),
    (
        "not-a-date",
        "عنوان\n\nليس تاريخا\n+ الخط -\n\nفقرة\nالمساهمون",
        3,
        "expected a display date",
    ),
    ("no-widget", "عنوان\n\n11 مايو 2020\nتعليق (مصدر)\nفقرة\n\nالمساهمون", 5, "'+ الخط -'"),
    ("no-contributors", GOOD.replace("\nالمساهمون", ""), 7, "'المساهمون' as the last line"),
    ("no-blank-after-widget", GOOD.replace("+ الخط -\n\n", "+ الخط -\n"), 6, "blank line after"),
    ("truncated", "عنوان\n\n11 مايو 2020", 4, "found the end of the text"),
]


@pytest.mark.parametrize(
    ("name", "doc", "line", "message"), BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS]
)
def test_bad_documents_name_the_line(name: str, doc: str, line: int, message: str) -> None:
    with pytest.raises(SeedFormatError) as info:
        parse(doc)
    assert info.value.line == line
    assert message in str(info.value)
    assert str(info.value).startswith(f"line {line}: ")


def test_several_documents_in_one_stream(seed_text: str) -> None:
    other = Article(title="خبر آخر", date_line="2 يونيو 2021", body=("نص",))
    stream = render_many([parse(seed_text), other])
    assert [a.title for a in parse_many(stream)] == [parse(seed_text).title, "خبر آخر"]


LINE = (
    st.text(
        alphabet=st.sampled_from(list('ابتثجحخدسشصعغفقكلمنهوية أإآ،."()/')), min_size=1, max_size=40
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s.startswith("("))
)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(
    title=LINE,
    caption=st.one_of(st.none(), LINE.filter(lambda s: not s.endswith(")"))),
    credit=st.one_of(st.none(), LINE.filter(lambda s: "(" not in s and ")" not in s)),
    body=st.lists(PARAGRAPH, max_size=6),
)
def test_render_parse_render_is_stable(
    title: str, caption: str | None, credit: str | None, body: list[str]
) -> None:
    article = Article(
        title=title, date_line="3 يناير 2021", caption=caption, credit=credit, body=tuple(body)
    )
    doc = render(article)
    again = parse(doc)
    assert render(again) == doc
    assert again.body == tuple(p for p in body if p.strip() and p.strip() not in ("المساهمون",))
