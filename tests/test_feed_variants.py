"""Feed items and documents other than the one real item: the table in
tests/data/feed-variants.yaml, run through the pure feed parser, and a garbage check on every
item it returns."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from tables import DATA

from crawler.items import Article
from crawler.parsers.feed import FeedError, read_feed

CASES: list[dict[str, Any]] = yaml.safe_load(
    (DATA / "feed-variants.yaml").read_text(encoding="utf-8")
)

# The real feed's head (namespaces, xml:base, channel fields), without its item.
HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<rss xmlns:dcterms="http://purl.org/dc/terms/" xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'version="2.0" xml:base="https://www.alaraby.co.uk" xmlns:atom="http://www.w3.org/2005/Atom">\n'
    '<channel xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
    '<atom:link href="https://www.alaraby.co.uk/rss/politics" rel="self" '
    'type="application/rss+xml" />\n'
    "<title>العربي الجديد</title><link>https://www.alaraby.co.uk</link><language>ar</language>\n"
)
TAIL = "\n</channel>\n</rss>\n"

# What must never reach the archive from a feed.
GARBAGE = {
    "markup": re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>"),
    "an entity": re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);"),
    "a no-break space": re.compile("\u00a0"),
    "a control character": re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"),
    "a replacement character": re.compile("\ufffd"),
}


def mojibake(text: str) -> bool:
    """UTF-8 Arabic read as windows-1256 or latin-1: its bytes in that codec are UTF-8 again
    (real Arabic text, written in windows-1256, practically never is)."""
    if text.isascii():
        return False
    for codec in ("windows-1256", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8") != text
        except UnicodeError:
            continue
    return False


def document(case: dict[str, Any]) -> bytes:
    text = case["document"] if "document" in case else HEAD + case["items"] + TAIL
    data = (case.get("prefix", "") + text).encode(case.get("encoding", "utf-8"))
    if "cut" in case:
        data = data[: data.index(case["cut"].encode(case.get("encoding", "utf-8")))]
    return data


def comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def garbage_in(article: Article) -> list[str]:
    found = []
    texts = {
        "title": article.title,
        "summary": article.summary,
        "caption": article.caption,
        "credit": article.credit,
        "category": article.category,
        **{f"body[{i}]": p for i, p in enumerate(article.body)},
        **{f"authors[{i}]": a for i, a in enumerate(article.authors)},
        **{f"tags[{i}]": t for i, t in enumerate(article.tags)},
    }
    for field, text in texts.items():
        if text is None:
            continue
        found += [
            f"{field} holds {what}: {text!r}" for what, rx in GARBAGE.items() if rx.search(text)
        ]
        if mojibake(text):
            found.append(f"{field} holds mojibake: {text!r}")
        if text != text.strip() or "  " in text:
            found.append(f"{field} has stray spaces: {text!r}")
    for field in ("published_at", "modified_at"):
        moment = getattr(article, field)
        if moment is not None and moment.utcoffset() != timedelta(hours=3):
            found.append(f"{field} is not in the outlet's +03:00: {moment.isoformat()}")
    if not (article.url or "").startswith("https://www.alaraby.co.uk/"):
        found.append(f"url is not a canonical outlet URL: {article.url!r}")
    for url in (article.url, article.image_url):
        if url and (url != url.strip() or " " in url):
            found.append(f"URL with spaces: {url!r}")
    return found


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_feed_variant(case: dict[str, Any]) -> None:
    data = document(case)
    if "error" in case:
        with pytest.raises(FeedError) as caught:
            read_feed(data)
        assert case["error"].lower() in str(caught.value).lower()
        assert "\n" not in str(caught.value)
        return
    kwargs = {"section": case["section"]} if "section" in case else {"section": "politics"}
    feed = read_feed(data, **kwargs)
    articles = [item.article for item in feed.items]
    expected = case["expect"]
    assert len(articles) == len(expected), [a.title for a in articles]
    for article, fields in zip(articles, expected, strict=True):
        for name, want in fields.items():
            if name == "body_has":
                assert set(want) <= set(article.body)
            elif name == "body_lacks":
                assert not set(want) & set(article.body)
            else:
                assert comparable(getattr(article, name)) == want, name
        assert garbage_in(article) == []
    for substring in case.get("problems", []):
        holding = [p for p in feed.problems if substring.lower() in p.lower()]
        assert len(holding) == 1, (substring, feed.problems)
    wanted = case.get("problems", [])
    unexpected = [p for p in feed.problems if not any(s.lower() in p.lower() for s in wanted)]
    assert unexpected == []
    assert all("\n" not in p for p in feed.problems)


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
