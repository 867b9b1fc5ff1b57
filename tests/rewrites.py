"""Variants of the sample article for near-duplicate and revision tests: a one-sentence edit, a
headline edit, and a rewrite of half its paragraphs (paraphrased, same story)."""

from __future__ import annotations

from conftest import SEED

from crawler.items import Article
from crawler.seedformat import parse

# Paraphrases of paragraphs 1, 3, 5 and 9 of the sample (48% of its words): the same facts, other
# words. Paragraph 7's paraphrase is kept for a heavier rewrite.
PARAPHRASES = {
    0: (
        "أعلنت قيادة العمليات المشتركة في العراق، الاثنين، أن العمل الأمني المشترك مع التحالف"
        " الدولي صار أكثر مهنية بفضل التنسيق المكثف بين الطرفين، وأن الهدف منه ملاحقة مسلحي"
        " تنظيم داعش داخل البلاد."
    ),
    2: (
        "ونسبت وكالة الأنباء العراقية الرسمية إلى المتحدث باسم القيادة، اللواء تحسين الخفاجي،"
        " قوله إن الجانب العراقي يواصل عمله مع التحالف لملاحقة خلايا التنظيم، وإن الطيران"
        " العراقي ينفذ غارات جديدة في مواقع متعددة، وإن الطائرات المسيّرة التابعة للتحالف"
        " توفر معلومات مهمة تسهّل العمليات الجوية."
    ),
    4: (
        "وأضاف المتحدث العسكري أن ست دول على الأقل من أعضاء التحالف ما زالت تساند العراق في"
        " حربه ضد داعش عبر الدعم الجوي والاستشاري، وأن التحالف استهدف موقعين للتنظيم في"
        " محافظة كركوك خلال الشهر الحالي."
    ),
    6: (
        "وتمنى النائب أن تُحسم تفاصيل التعاون العسكري بين العراق والتحالف خلال المدة المقبلة،"
        " مؤكداً أن الحاجة ما زالت قائمة لهذا الدعم في ظل الأوضاع الراهنة."
    ),
    8: (
        "وفي محافظة ديالى، أوضح نهاد المهداوي، المتحدث باسم الشرطة، أن القوات الأمنية بدأت"
        " عملية جديدة لملاحقة عناصر داعش في عدة قرى وبساتين تابعة لمنطقة الوقف، بعد ورود"
        " معلومات عن تحركات للتنظيم فيها."
    ),
}


def sample() -> Article:
    return parse(SEED.read_bytes().decode("utf-8"))


def one_sentence_edit(article: Article) -> Article:
    body = list(article.body)
    body[1] = body[1].replace("بعد يوم واحد من تقرير", "بعد يومين من تقرير")
    return article.replace(body=tuple(body))


HALF = (0, 2, 4, 8)


def half_rewrite(article: Article, paragraphs: tuple[int, ...] = HALF) -> Article:
    """About half of the words rewritten (paragraphs 1, 3, 5, 9), under a new headline."""
    body = [PARAPHRASES[i] if i in paragraphs else p for i, p in enumerate(article.body)]
    return article.replace(title="العراق والتحالف الدولي يكثفان التنسيق ضد داعش", body=tuple(body))
