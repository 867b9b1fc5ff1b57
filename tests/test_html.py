"""Reading HTML: encodings, paragraphs and line breaks, listings, hostile markup."""

from __future__ import annotations

from crawler.parsers.html import decode_html, paragraphs, parse_html
from crawler.parsers.listing import looks_like_article, parse_listing


def paras(markup: str) -> list[str]:
    return paragraphs(
        parse_html(f"<html><body><div id='b'>{markup}</div></body></html>").get_element_by_id("b")
    )


def test_a_br_inside_a_paragraph_is_one_newline() -> None:
    assert paras("<p>سطر أول<br>سطر ثانٍ</p><p>فقرة</p>") == ["سطر أول\nسطر ثانٍ", "فقرة"]


def test_two_brs_split_a_paragraph_and_loose_text_is_a_paragraph() -> None:
    assert paras("نص أول<br><br>نص ثانٍ<p>فقرة</p>ذيل") == ["نص أول", "نص ثانٍ", "فقرة", "ذيل"]


def test_scripts_styles_and_buttons_are_never_text() -> None:
    assert paras("<p>متن<script>var x='داعش'</script></p><style>p{}</style><button>+</button>") == [
        "متن"
    ]


def test_source_newlines_are_spaces_and_nbsp_is_a_space() -> None:
    assert paras("<p>كلمة\n   أخرى&nbsp;وثالثة</p>") == ["كلمة أخرى وثالثة"]


def test_deep_nesting_and_nul_bytes_do_not_break_the_reader() -> None:
    root = parse_html("<div>" * 5000 + "نص\x00" + "</div>" * 5000)
    assert paragraphs(root) in ([], ["نص"])


def test_windows_1256_and_bom_pages_decode() -> None:
    arabic = "<html><head><meta charset='windows-1256'></head><body>مرحبا</body></html>"
    assert "مرحبا" in decode_html(arabic.encode("cp1256"))
    assert "مرحبا" in decode_html("\ufeff<p>مرحبا</p>".encode("utf-8"))
    # The HTTP header's charset wins over a wrong guess.
    assert "مرحبا" in decode_html(
        "<p>مرحبا</p>".encode("cp1256"), "text/html; charset=windows-1256"
    )


def test_listing_cards_and_next_page() -> None:
    page = (
        '<div class="row bs-2col node"><h2><a href="/politics/%D8%A3">عنوان</a></h2>'
        '<p class="field--name-field-summary">ملخص</p></div>'
        '<li class="pager__item--next"><a href="?page=1">التالي</a></li>'
    )
    listing = parse_listing(page, "http://127.0.0.1:9/politics")
    assert [(link.url, link.title, link.teaser) for link in listing.links] == [
        ("http://127.0.0.1:9/politics/%D8%A3", "عنوان", "ملخص")
    ]
    assert listing.next_page == "http://127.0.0.1:9/politics?page=1" and listing.from_cards


def test_listing_without_known_cards_falls_back_to_article_shaped_links() -> None:
    page = '<a href="/tag/x">وسم</a><a href="/politics/slug">خبر</a><a href="/politics">قسم</a>'
    listing = parse_listing(page, "https://www.alaraby.co.uk/politics")
    assert [link.url for link in listing.links] == ["https://www.alaraby.co.uk/politics/slug"]
    assert not listing.from_cards


def test_article_shaped_urls() -> None:
    assert looks_like_article("https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9")
    assert looks_like_article("https://www.alaraby.co.uk/politics/2019/5/11/slug")
    assert not looks_like_article("https://www.alaraby.co.uk/tag/%D8%BA%D8%B2%D8%A9")
    assert not looks_like_article("https://www.alaraby.co.uk/rss/politics")
    assert not looks_like_article("https://www.alaraby.co.uk/politics")
