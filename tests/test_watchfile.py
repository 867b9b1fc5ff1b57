"""Watchlists as TOML files: round trip, and every bad file refused naming file, line, key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tables import read_tsv, unescape

from monitor.watchfile import (
    WatchFileError,
    dump_watchlist,
    lint_messages,
    load_watchlist,
    parse_watchlist,
)
from monitor.watchlist import Term, Watch, validate

WATCHES = [
    Watch(
        name="العراق",
        terms=(Term("العراق"), Term("التحالف الدولي"), Term("داعش", "exact")),
        all_of=(Term("بغداد"),),
        none_of=(Term("كرة القدم"), Term("الدوري", "stem")),
        fields="all",
        sections=("politics", "society"),
        tags=("iraq-desk", "فريق"),
    ),
    Watch(
        name="names \"quoted\" \\ and 'single'",
        terms=(Term("علي", "exact"), Term("عمر", "exact")),
        fields="title",
    ),
    Watch(name="short", terms=(Term("في", force=True), Term("غزة"))),
]


def test_round_trip() -> None:
    text = dump_watchlist(WATCHES)
    assert parse_watchlist(text) == WATCHES
    assert "[[watch]]" in text and 'mode = "exact"' in text  # the second watch's own mode
    assert "\\u" not in text  # Arabic written as Arabic


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "watches.toml"
    path.write_text(dump_watchlist(WATCHES), encoding="utf-8")
    watches, warnings = load_watchlist(path)
    assert watches == WATCHES and warnings == []


def test_empty_file_is_an_empty_watchlist() -> None:
    assert parse_watchlist("# nothing yet\n") == []
    assert parse_watchlist(dump_watchlist([])) == []


NAME_CHARS = st.sampled_from([*"ابتثجحخدذرسشصضطظعغفقكلمنهويىةأإآ", *" \"'\\«»[]{}#=,.\t"])


@settings(max_examples=150, deadline=None)
@given(
    st.text(NAME_CHARS, min_size=1, max_size=30),
    st.lists(st.text(NAME_CHARS, min_size=1, max_size=20), min_size=1, max_size=4),
    st.sampled_from(["exact", "standard", "stem"]),
)
def test_round_trip_any_text(name: str, terms: list[str], mode: str) -> None:
    try:
        watch = validate(Watch(name, tuple(Term(t, mode) for t in terms)))  # type: ignore[arg-type]
    except ValueError:
        return  # nothing to match in the generated text: validation's business, tested elsewhere
    assert parse_watchlist(dump_watchlist([watch])) == [watch]


ERRORS = read_tsv("watchfile-errors.tsv")


@pytest.mark.parametrize("case", ERRORS, ids=[c["id"] for c in ERRORS])
def test_bad_file(case: dict[str, str]) -> None:
    with pytest.raises(WatchFileError) as info:
        parse_watchlist(unescape(case["toml"]), "list.toml")
    message = str(info.value)
    assert message.startswith(f"list.toml:{case['line']}: "), message
    assert f'key "{case["key"]}"' in message, message
    assert case["says"] in message, message
    assert "\n" not in message


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(WatchFileError, match=r"missing\.toml"):
        load_watchlist(tmp_path / "missing.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[[watch]]\nname = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(WatchFileError, match="not UTF-8"):
        load_watchlist(latin1)


def test_lint_messages_name_file_line_and_key() -> None:
    text = '[[watch]]\nname = "w"\nterms = [\n    "فيروس",\n    "في",\n]\nall = ["من"]\n'
    watches = parse_watchlist(text, "list.toml")
    assert lint_messages(text, "list.toml", watches) == [
        'list.toml:5: watch "w", key "terms": ' + _lint("في"),
        'list.toml:7: watch "w", key "all": ' + _lint("من"),
    ]


def _lint(word: str) -> str:
    from monitor.watchlist import lint_term

    return lint_term(Term(word)) or ""
