"""The Article record: immutable, timezone-aware, and lossless through JSON."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest

from crawler.dates import OUTLET_TZ
from crawler.items import Article, merge


def feed_item() -> Article:
    return Article(
        title="غزة: شهيد وجرحى بنيران الاحتلال",
        url="https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9",
        node_id="14405285",
        section="politics",
        category="أخبار",
        published_at=datetime(2026, 8, 15, 21, 56, 19, tzinfo=OUTLET_TZ),
        summary="استشهد فلسطيني وأصيب 7 آخرون",
        body=["فقرة أولى", "فقرة ثانية\nبسطر ثان"],
        authors=["العربي الجديد"],
        sources={"title": "feed", "body": "feed"},
    )


def test_lists_become_tuples_and_the_record_is_frozen() -> None:
    article = feed_item()
    assert article.body == ("فقرة أولى", "فقرة ثانية\nبسطر ثان")
    assert article.source_of("body") == "feed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "x"  # type: ignore[misc]


def test_json_round_trip_keeps_arabic_and_offsets() -> None:
    article = feed_item()
    text = json.dumps(article.to_dict(), ensure_ascii=False)
    assert "غزة" in text and "+03:00" in text
    assert Article.from_dict(json.loads(text)) == article


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Article(title="x", published_at=datetime(2020, 5, 11))


def test_unknown_keys_and_sources_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown Article fields: titel"):
        Article.from_dict({"title": "x", "titel": "y"})
    with pytest.raises(ValueError, match="unknown source"):
        Article(title="x", sources={"title": "guess"})  # type: ignore[dict-item]


def test_identity_prefers_node_id() -> None:
    assert feed_item().identity == "node:14405285"
    assert (
        Article(title="x", url="https://www.alaraby.co.uk/a").identity
        == "url:https://www.alaraby.co.uk/a"
    )
    assert Article(title="x").identity is None


def test_merge_completes_the_feed_record_from_the_page() -> None:
    page = Article(
        title="عنوان الصفحة",
        url="https://www.alaraby.co.uk/politics/other-form",
        caption="غارة إسرائيلية على دير البلح",
        credit="Getty",
        tags=("غزة",),
        body=("نص الصفحة",),
        sources={"caption": "page", "tags": "page", "title": "structured"},
    )
    merged = merge(feed_item(), page)
    assert merged.title == feed_item().title  # the feed's own values stay
    assert merged.body == feed_item().body
    assert (
        merged.caption == "غارة إسرائيلية على دير البلح" and merged.source_of("caption") == "page"
    )
    assert merged.tags == ("غزة",)
    assert merged.urls == ("https://www.alaraby.co.uk/politics/other-form",)
