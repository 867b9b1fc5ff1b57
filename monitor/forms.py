"""The written forms of a term's tokens: closed-class proclitics and, in ``stem`` mode, suffixes.

Everything here works on folded level-2 tokens (``ة`` is ``ه``, ``أ`` is ``ا``), exactly as
``shared/arabic/MATCHING.md`` lists them. No stemmer: an Arabic reader's "mention" of العراق is
العراق with a conjunction, a preposition or the article glued in front, not every word that
shares its root.
"""

from __future__ import annotations

from crawler.text import is_arabic_token

ARTICLE = "ال"
CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ك", "ل")
# Proclitics attach only to an Arabic first token of at least this many letters.
MIN_CLITIC_BASE = 3

# stem mode: suffixes of the last token (pronouns, nisba, duals and plurals).
SUFFIXES = (
    "ي",
    "يه",
    "يين",
    "يون",
    "يان",
    "يات",
    "ان",
    "ين",
    "ون",
    "ات",
    "ه",
    "ها",
    "هم",
    "هما",
    "هن",
    "كم",
    "نا",
)
# A word ending in ة (folded ه): the ة becomes ت before a pronoun, and gives way to ات.
TEH_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "كم", "نا", "ي", "ين", "ان")
# A word ending in ا drops it before the nisba: سوريا → سوري, السوريين.
ALEF_SUFFIXES = ("", "ه", "ين", "ون", "ات")
# The same nisba where the ا follows no ي: فرنسا → فرنسي, الفرنسية; أمريكا → الأمريكيين.
NISBA_SUFFIXES = ("ي", "يه", "يين", "يون", "يات")


def suffixed(token: str) -> set[str]:
    """``token`` and its ``stem``-mode suffixed forms (Arabic tokens only)."""
    forms = {token}
    if not is_arabic_token(token):
        return forms
    forms.update(token + s for s in SUFFIXES)
    if token.endswith("ه"):
        stem = token[:-1]
        forms.add(stem + "ات")
        forms.update(stem + "ت" + s for s in TEH_SUFFIXES)
    if token.endswith("ا"):
        stem = token[:-1]
        forms.update(stem + s for s in ALEF_SUFFIXES)
        if not stem.endswith("ي"):
            # MATCHING.md shows the rule on سوريا, whose stem سوري is already the nisba; for
            # فرنسا the nisba adds the ي the ا gave way to (فرنسي), as a reader expects.
            forms.update(stem + s for s in NISBA_SUFFIXES)
    return forms


def _with_lam(base: str, own_article: bool) -> set[str]:
    """ل in front of ``base``. ل + ال contracts (للعراق), ل + الل drops a lam too (للغة); when
    the term itself was written with ال (ألمانيا), plain ل + base is kept as well (لألمانيا)."""
    if not base.startswith(ARTICLE):
        return {"ل" + base}
    contracted = base[1:] if base.startswith(ARTICLE + "ل") else "ل" + base[1:]
    return {contracted, "ل" + base} if own_article else {contracted}


def with_proclitics(token: str, variants: set[str]) -> set[str]:
    """Every variant of the first token ``token`` with the chain C + P + B of MATCHING.md:
    C ∈ {"", و, ف}, P ∈ {"", ب, ك, ل}, B = the variant or ال + the variant. Only for an Arabic
    ``token`` of at least three letters; otherwise the variants are returned as they are."""
    if not is_arabic_token(token) or len(token) < MIN_CLITIC_BASE:
        return set(variants)
    own_article = token.startswith(ARTICLE)
    bases: set[str] = set()
    with_prep: set[str] = set()
    for variant in variants:
        bases.add(variant)
        with_prep.update(_with_lam(variant, own_article))
        if not variant.startswith(ARTICLE):
            bases.add(ARTICLE + variant)
            with_prep.update(_with_lam(ARTICLE + variant, own_article=False))
    with_prep.update(p + b for p in PREPOSITIONS if p != "ل" for b in bases)
    return {c + form for c in CONJUNCTIONS for form in with_prep}
