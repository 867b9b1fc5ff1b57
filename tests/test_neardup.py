"""Signatures and similarity: one sentence edited is the same story; half the paragraphs
rewritten is a related story; another story is unrelated."""

from __future__ import annotations

import pytest
from rewrites import half_rewrite, one_sentence_edit, sample

from crawler.items import Article
from crawler.neardup import BANDS, Signature, band_keys, shingles, signature, similarity
from crawler.text import fold, tokens


def words(article: Article) -> list[str]:
    return tokens(fold("\n".join(article.body)))


def sig(article: Article) -> Signature:
    result = signature(words(article))
    assert result is not None
    return result


OTHER_STORY = Article(
    title="ارتفاع أسعار الخبز في القاهرة",
    body=(
        "رفعت الحكومة المصرية سعر رغيف الخبز المدعم للمرة الأولى منذ عقود، في خطوة قالت إنها"
        " ضرورية لتقليص عجز الموازنة العامة، بينما حذر اقتصاديون من أثرها على الأسر الفقيرة"
        " التي تعتمد على الخبز المدعم في غذائها اليومي، ودعوا إلى توسيع برامج الحماية"
        " الاجتماعية قبل أي زيادة جديدة في أسعار السلع الأساسية.",
    ),
)


def test_identical_texts_are_the_same_story() -> None:
    s = sig(sample())
    result = similarity(s, sig(sample()))
    assert result.jaccard == 1.0 and result.relation == "same"


def test_a_one_sentence_edit_is_the_same_story() -> None:
    result = similarity(sig(sample()), sig(one_sentence_edit(sample())))
    assert result.jaccard >= 0.8
    assert result.relation == "same"


def test_half_rewritten_is_related_not_the_same() -> None:
    result = similarity(sig(sample()), sig(half_rewrite(sample())))
    assert result.jaccard < 0.8
    assert result.relation == "related"


def test_another_story_is_unrelated() -> None:
    result = similarity(sig(sample()), sig(OTHER_STORY))
    assert result.relation is None
    assert result.jaccard < 0.1


def test_churn_does_not_change_the_signature() -> None:
    churned = sample().replace(body=tuple("  " + p.replace("،", " ,") + "ـ" for p in sample().body))
    assert sig(churned) == sig(sample())


@pytest.mark.parametrize(("n", "kind"), [(0, None), (2, "w3"), (59, "w3"), (60, "w5"), (400, "w5")])
def test_short_texts_use_three_shingles(n: int, kind: str | None) -> None:
    text = [f"كلمة{i}" for i in range(n)]
    result = signature(text)
    assert (result.kind if result else None) == kind
    if n:
        assert shingles(text)[0] == kind


def test_kinds_never_meet() -> None:
    long_sig = sig(sample())
    short = signature(words(sample())[:30])
    assert short is not None and short.kind == "w3"
    assert similarity(long_sig, short).jaccard == 0.0
    assert not set(band_keys(long_sig)) & set(band_keys(short))


def test_band_keys_are_stable_sqlite_integers() -> None:
    keys = band_keys(sig(sample()))
    assert len(keys) == BANDS
    assert keys == band_keys(sig(sample()))
    assert all(-(2**63) <= k < 2**63 for k in keys)
