"""crawler.text additions the matcher relies on: tokens with their gaps, Arabic tokens, and a
fold() that terminates on every character."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.text import fold, is_arabic_token, split_tokens, token_spans, tokens


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_split_tokens_is_tokens_and_gaps(text: str) -> None:
    folded = fold(text)
    parts = split_tokens(folded)
    assert "".join(parts) == folded
    assert parts[1::2] == tokens(folded) == [t for t, _, _ in token_spans(folded)]


def test_split_tokens_example() -> None:
    assert split_tokens(fold("«داعش»، ٢٠١١م")) == ["«", "داعش", "»، ", "2011", "", "م", ""]


@pytest.mark.parametrize(
    ("token", "arabic"), [("داعش", True), ("isis", False), ("2011", False), ("ڤ", True)]
)
def test_is_arabic_token(token: str, arabic: bool) -> None:
    assert is_arabic_token(token) is arabic


@pytest.mark.parametrize("char", ["\u01f0", "\u0390", "\u03b0", "\u1e96"])
def test_fold_terminates_where_casefold_decomposes(char: str) -> None:
    # ǰ ΐ ΰ ẖ casefold to a letter plus a combining mark that NFKC composes back: fold() used to
    # loop forever on them.
    for level in (1, 2):
        once = fold(char + "x", level=level)  # type: ignore[arg-type]
        assert fold(once, level=level) == once  # type: ignore[arg-type]
        assert unicodedata.is_normalized("NFKC", once)


def test_fold_is_idempotent_on_every_bmp_character() -> None:
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        for level in (1, 2):
            once = fold(chr(cp), level=level)  # type: ignore[arg-type]
            assert fold(once, level=level) == once, hex(cp)  # type: ignore[arg-type]
