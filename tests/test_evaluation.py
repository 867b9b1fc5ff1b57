"""Whether a watch holds for an article version, and which of its mentions are new (pure)."""

from __future__ import annotations

import pytest
from tables import read_tsv, unescape

from crawler.items import Article
from monitor.evaluation import compile_watches, holds, new_mentions
from monitor.matching import article_fields
from monitor.watchlist import Term, Watch, validate


def terms(cell: str) -> tuple[Term, ...]:
    out = []
    for item in filter(None, cell.split("|")):
        text, _, mode = item.partition("@")
        out.append(Term(text, mode or "standard"))  # type: ignore[arg-type]
    return tuple(out)


def article(title: str, body: str, summary: str = "", section: str | None = None) -> Article:
    paragraphs = tuple(unescape(body).split("\n\n")) if body else ()
    return Article(title=title, summary=summary or None, body=paragraphs, section=section)


WATCH_CASES = read_tsv("watch-cases.tsv")


@pytest.mark.parametrize("case", WATCH_CASES, ids=[c["id"] for c in WATCH_CASES])
def test_watch_case(case: dict[str, str]) -> None:
    watch = validate(
        Watch(
            "w",
            terms(case["terms"]),
            all_of=terms(case["all"]),
            none_of=terms(case["none"]),
            fields=case["fields"],  # type: ignore[arg-type]
            sections=tuple(filter(None, case["sections"].split("|"))),
        )
    )
    matcher, (plan,) = compile_watches([(1, watch, 0)])
    a = article(case["title"], case["body"], case["summary"], case["section"] or None)
    scan = matcher.scan(article_fields(a), clauses=True)
    fires = holds(plan, scan, a.section)
    assert fires == (case["expected"] == "fires"), case["rule"]
    assert bool(new_mentions(plan, scan, a.section)) == fires


NOVELTY_CASES = read_tsv("novelty-cases.tsv")


@pytest.mark.parametrize("case", NOVELTY_CASES, ids=[c["id"] for c in NOVELTY_CASES])
def test_novelty_case(case: dict[str, str]) -> None:
    watch = Watch("w", terms(case["terms"]), all_of=terms(case["all"]), none_of=terms(case["none"]))
    matcher, (plan,) = compile_watches([(1, watch, 0)])
    now = matcher.scan(
        article_fields(article(case["after_title"], case["after_body"])), clauses=True
    )
    before = None
    if case["before_title"] != "-":
        previous = article(case["before_title"], case["before_body"])
        before = matcher.scan(article_fields(previous), clauses=True)
    new = new_mentions(plan, now, None, before, None)
    expected = case["new"].split("|") if case["new"] else []
    assert [h.text for h in new] == expected, case["rule"]


def test_terms_shared_by_watches_are_compiled_once() -> None:
    a = Watch("a", (Term("داعش"), Term("الموصل")))
    b = Watch("b", (Term("داعش"),), none_of=(Term("الموصل"),))
    c = Watch("c", (Term("داعش", "exact"),))
    matcher, plans = compile_watches([(1, a, 0), (2, b, 0), (3, c, 0)])
    assert len(matcher.terms) == 3
    assert plans[0].main == plans[1].main | plans[1].none_of
    assert plans[2].main.isdisjoint(plans[0].main)
