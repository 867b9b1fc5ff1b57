"""Body cleaning: what is not body text, one rule a row (tests/data/body-cleaning.tsv)."""

from __future__ import annotations

import pytest
from tables import read_tsv, unescape

from crawler.parsers.cleaning import clean_body

CASES = read_tsv("body-cleaning.tsv")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_body_cleaning(case: dict[str, str]) -> None:
    paragraphs = unescape(case["paragraphs"]).split("\n\n")
    cleaned = clean_body(paragraphs)
    assert "\n\n".join(cleaned.body) == unescape(case["body"])
    assert "\n".join(cleaned.summary) == unescape(case["summary"])


def test_removed_text_is_reported_with_its_rule() -> None:
    cleaned = clean_body(["تعمق أكثر", "عنوان مقال ذي صلة", "المتن."])
    assert cleaned.removed == (("deeper", "تعمق أكثر"), ("related-title", "عنوان مقال ذي صلة"))


def test_many_paragraphs_stay_fast_enough_to_finish() -> None:
    # 2,000 distinct paragraphs: the pull-quote search must not compare every pair in full.
    words = "من نص طويل جدا فيها كلمات كثيرة متكررة عن الموضوع نفسه"
    paragraphs = [f"فقرة رقم {i} {words} {'اخرى ' * (i % 9)}" for i in range(2000)]
    assert len(clean_body(paragraphs).body) == 2000
