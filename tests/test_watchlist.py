"""Watch records: validation and the term lint."""

from __future__ import annotations

import pytest
from tables import read_tsv

from monitor.watchlist import (
    Term,
    Watch,
    WatchError,
    forced,
    lint,
    lint_term,
    unknown_sections,
    validate,
)

LINT_CASES = read_tsv("lint-cases.tsv")


@pytest.mark.parametrize("case", LINT_CASES, ids=[c["id"] for c in LINT_CASES])
def test_lint_case(case: dict[str, str]) -> None:
    message = lint_term(Term(case["term"], case["mode"]))  # type: ignore[arg-type]
    if case["expected"] == "ok":
        assert message is None, case["rule"]
    else:
        assert message is not None, case["rule"]
        assert case["says"] in message
        assert "--force" in message


def test_lint_covers_every_role_and_respects_force() -> None:
    watch = Watch("w", (Term("غزة"), Term("من")), all_of=(Term("في"),), none_of=(Term("كرة"),))
    assert [(w.key, w.item) for w in lint(watch)] == [("terms", "من"), ("all", "في")]
    assert lint(forced(watch)) == []
    assert forced(watch).terms == (Term("غزة"), Term("من", force=True))


def test_validate_tidies() -> None:
    watch = validate(
        Watch(
            "  العراق\u200f ",
            (Term("العراق"), Term(" العراق "), Term("داعش", "exact")),
            sections=("politics", "politics"),
            tags=("desk",),
        )
    )
    assert watch.name == "العراق"
    assert watch.terms == (Term("العراق"), Term("داعش", "exact"))
    assert watch.sections == ("politics",)
    assert watch.field_names == ("title", "summary", "body")


@pytest.mark.parametrize(
    ("watch", "key"),
    [
        (Watch(" ", (Term("غزة"),)), "name"),
        (Watch("x" * 101, (Term("غزة"),)), "name"),
        (Watch("w", ()), "terms"),
        (Watch("w", (Term("،"),)), "terms"),
        (Watch("w", (Term("غزة", "fuzzy"),)), "mode"),  # type: ignore[arg-type]
        (Watch("w", (Term("غزة"),), none_of=(Term("#"),)), "none"),
        (Watch("w", (Term("غزة"),), fields="body"), "fields"),  # type: ignore[arg-type]
        (Watch("w", (Term("غزة"),), sections=("Politics!",)), "sections"),
        (Watch("w", (Term("غزة"),), tags=("a b",)), "tags"),
        (Watch("w", (Term("غزة"),), tags=("a,b",)), "tags"),
    ],
)
def test_validate_names_the_key(watch: Watch, key: str) -> None:
    with pytest.raises(WatchError) as info:
        validate(watch)
    assert info.value.key == key


def test_unknown_sections_are_noted_not_refused() -> None:
    watch = validate(Watch("w", (Term("غزة"),), sections=("politics", "politic")))
    assert len(unknown_sections(watch)) == 1 and "politic'" in unknown_sections(watch)[0]
