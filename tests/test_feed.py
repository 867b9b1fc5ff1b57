"""The feed parser on the real item, on hostile XML and on the shapes other items may take."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import DATA

from crawler.dates import OUTLET_TZ
from crawler.parsers.feed import FeedError, parse_feed

REAL = (DATA / "rss-politics-sample.xml").read_bytes()
FETCHED = datetime(2026, 8, 15, 22, 0, tzinfo=OUTLET_TZ)

RSS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>'
)


def rss(items: str, head: str = RSS_HEAD) -> bytes:
    return (head + items + "</channel></rss>").encode("utf-8")


def test_the_real_item_is_read_fully() -> None:
    [item] = parse_feed(REAL, fetched_at=FETCHED)
    a = item.article
    assert item.guid == "14405285ab-cd-14405285-ef-gh-14405285"
    assert a.node_id == "14405285"
    assert a.title == "غزة: شهيد وجرحى بنيران الاحتلال وانفجار عبوة ناسفة بدبابة إسرائيلية"
    assert a.url is not None and a.url.startswith(
        "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9-"
    )
    assert a.section == "politics" and a.category == "أخبار"
    assert a.published_at == datetime(2026, 8, 15, 21, 56, 19, tzinfo=OUTLET_TZ)
    assert a.published_at is not None and a.published_at.utcoffset() == OUTLET_TZ.utcoffset(None)
    assert a.caption == "غارة إسرائيلية على دير البلح، 15 أغسطس 2026" and a.credit == "Getty"
    assert a.image_url == (
        "https://www.alaraby.co.uk/sites/default/files/styles/meduim_16_9/public/"
        "2290040855.jpeg?h=a5f2f23a&itok=HI6PX7Xz"
    )
    assert a.authors == ("العربي الجديد",)
    assert a.summary is not None and a.summary.startswith(
        "استشهد فلسطيني وأصيب 7 آخرون، مساء السبت"
    )
    assert a.fetched_at == FETCHED and a.parser == "alaraby/feed"
    assert dict(a.sources)["body"] == "feed"


def test_the_real_items_body_is_clean_text() -> None:
    [item] = parse_feed(REAL)
    body = item.article.body
    assert len(body) == 13
    assert body[0].startswith("استشهد فلسطيني وأصيب 7 آخرون، مساء اليوم السبت")
    assert body[-1] == "(الأناضول، العربي الجديد)"
    assert "انتشال رفات 21 فلسطينياً وبدء البحث عن 40 آخرين" in body  # a subheading stays
    text = "\n\n".join(body)
    assert "&" not in text and "\u00a0" not in text and "<img" not in text
    assert 'أفاد مصدر طبي "الأناضول"' in text
    assert "12 فلسطينياً. وأوضح أن الطواقم" in text  # &amp;nbsp; between sentences
    # The pull-quote repeating a body sentence is gone, the sentence itself stays.
    assert "قطاع غزة، السبت، رفات 21" not in text
    assert "قطاع غزة، اليوم، رفات 21" in text


def test_items_key_changes_with_what_the_item_says() -> None:
    [one] = parse_feed(REAL, fetched_at=FETCHED)
    [again] = parse_feed(REAL, fetched_at=datetime(2026, 8, 16, tzinfo=OUTLET_TZ))
    [edited] = parse_feed(REAL.replace("غزة: شهيد".encode(), "غزة: شهيدان".encode()))
    assert one.key == again.key
    assert one.key != edited.key


def test_an_item_without_image_author_or_guid() -> None:
    items = parse_feed(
        rss(
            "<item><title><![CDATA[خبر بلا صورة]]></title>"
            "<link>https://aajsa.com/economy/%D8%AE%D8%A8%D8%B1?utm_source=rss</link>"
            "<description>ملخص</description>"
            "<content:encoded><![CDATA[فقرة أولى.\n\nفقرة ثانية.\n]]></content:encoded>"
            "<pubDate>Sat, 15 Aug 2026 10:00:00 +0300</pubDate></item>"
        )
    )
    a = items[0].article
    assert a.url == "https://www.alaraby.co.uk/economy/%D8%AE%D8%A8%D8%B1"
    assert a.node_id is None and a.image_url is None and a.caption is None
    assert a.body == ("فقرة أولى.", "فقرة ثانية.") and a.section == "economy"


def test_html_in_content_encoded_is_read_as_html() -> None:
    items = parse_feed(
        rss(
            "<item><title>t</title><link>https://www.alaraby.co.uk/x/y</link><content:encoded>"
            "<![CDATA[<p>سطر أول<br>سطر ثانٍ</p><p>فقرة &amp; ثانية</p>]]></content:encoded></item>"
        )
    )
    assert items[0].article.body == ("سطر أول\nسطر ثانٍ", "فقرة & ثانية")


def test_several_creators_are_several_authors() -> None:
    items = parse_feed(
        rss(
            "<item><title>t</title><link>https://www.alaraby.co.uk/a/b</link>"
            "<dc:creator>ريم الخطيب، سامر عودة</dc:creator></item>"
        )
    )
    assert items[0].article.authors == ("ريم الخطيب", "سامر عودة")


def test_a_feed_section_fills_in_for_root_level_links() -> None:
    items = parse_feed(
        rss(
            "<item><title>t</title><link>https://www.alaraby.co.uk/%D9%85%D8%B5%D8%B1-0</link></item>"
        ),
        section="economy",
    )
    assert items[0].article.section == "economy"


@pytest.mark.parametrize("body", [b"", b"<html><body>not a feed</body></html>", b"\x00\x01garbage"])
def test_not_a_feed_is_one_clear_error(body: bytes) -> None:
    with pytest.raises(FeedError, match=r"^not a feed: "):
        parse_feed(body)


def test_billion_laughs_does_not_expand() -> None:
    entities = '<!ENTITY a "ههههههههه">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    head = f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]>' + RSS_HEAD.split("?>", 1)[1]
    items = parse_feed(
        rss("<item><title>&j;</title><link>https://www.alaraby.co.uk/a/b</link></item>", head)
    )
    assert len(items) <= 1
    for item in items:
        assert len(item.article.title) < 100


def test_xxe_to_a_local_file_is_not_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-SECRET-7731", encoding="utf-8")
    head = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        + RSS_HEAD.split("?>", 1)[1]
    )
    items = parse_feed(
        rss("<item><title>a &x; b</title><link>https://www.alaraby.co.uk/a/b</link></item>", head)
    )
    assert all("CANARY" not in i.article.title for i in items)
