"""Decoding a page whose charset declaration may lie, and flattening nesting libxml2 refuses."""

from __future__ import annotations

import pytest

from crawler.parsers.charset import decode_bytes
from crawler.parsers.html import paragraphs, parse_document
from crawler.parsers.nesting import MAX_DEPTH, flatten

ARABIC = "العربي الجديد: أمطار غزيرة تغرق شوارع الإسكندرية"


def html(meta: str | None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}</head><body><p>{ARABIC}</p></body></html>"


CASES = [
    # id, bytes, Content-Type, expected encoding
    ("1256-header", html(None).encode("cp1256"), "text/html; charset=windows-1256", "cp1256"),
    ("1256-meta", html("windows-1256").encode("cp1256"), "text/html", "cp1256"),
    ("1256-undeclared", html(None).encode("cp1256"), None, "cp1256"),
    ("1256-said-utf8", html("utf-8").encode("cp1256"), "text/html; charset=utf-8", "cp1256"),
    ("1256-said-latin1", html(None).encode("cp1256"), "text/html; charset=iso-8859-1", "cp1256"),
    ("utf8-said-1256", html("windows-1256").encode(), "text/html; charset=windows-1256", "utf-8"),
    ("utf8-bom", b"\xef\xbb\xbf" + html(None).encode(), "text/html; charset=windows-1256", "utf-8"),
    ("utf8-plain", html("utf-8").encode(), None, "utf-8"),
    ("ascii-said-1256", b"<p>plain</p>", "text/html; charset=windows-1256", "utf-8"),
]


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_the_right_encoding_wins(body: bytes, content_type: str | None, encoding: str) -> None:
    decoded = decode_bytes(body, content_type)
    assert decoded.encoding.replace("_", "-") in (encoding, encoding.replace("cp", "windows-"))
    assert not decoded.lossy
    if body != b"<p>plain</p>":
        assert ARABIC in decoded.text


def test_a_stray_byte_in_utf8_is_one_replacement_and_flagged() -> None:
    body = html(None).encode().replace("غزيرة".encode(), "غزيرة".encode() + b"\xff")
    decoded = decode_bytes(body, "text/html; charset=utf-8")
    assert decoded.lossy and decoded.text.count("\ufffd") == 1
    assert "أمطار غزيرة\ufffd تغرق" in decoded.text


def test_deep_nesting_is_flattened_and_the_rest_of_the_page_read() -> None:
    page = "<body>" + "<div><span>" * 5000 + "عمق" + "</span></div>" * 5000 + "<p>بعد</p></body>"
    root, text = parse_document(page)
    assert paragraphs(root)[-1] == "بعد"
    assert text.count("<div>") <= MAX_DEPTH


def test_flatten_keeps_text_comments_scripts_and_shallow_markup() -> None:
    shallow = "<div><p>نص <b>غامق</b></p><!-- <div> --><script>if (a<b) {x='<div>'}</script></div>"
    assert flatten(shallow) == shallow
    deep = "<i>" * 3 + "x" + "</i>" * 3
    assert flatten(deep, limit=1) == "<i>x</i>"
