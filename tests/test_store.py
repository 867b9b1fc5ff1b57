"""The archive: real SQLite files, versions only on real edits, a folded full-text index."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from crawler.articles import counts, find_article, get_article, iter_articles, search, versions
from crawler.database import StoreError, open_db
from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.schema import migrations
from crawler.seedformat import parse
from crawler.store import record_article

URL = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9"


def article(**changes: object) -> Article:
    base = Article(
        title="أسعار الوقود ترتفع في غزة",
        url=URL,
        node_id="14405285",
        section="politics",
        published_at=datetime(2026, 8, 15, 21, 56, tzinfo=OUTLET_TZ),
        body=("قال مُحَمَّد إن الأسعار ارتفعت.", "وأضاف أن الوضع صعب."),
        authors=("العربي الجديد",),
    )
    return base.replace(**changes)


def test_pragmas_and_migrations(db_path: Path) -> None:
    db = open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    applied = [m.name for m in migrations.applied(db)]
    assert applied == [m.name for m in migrations._migrations]
    db.close()
    again = open_db(db_path)  # re-opening applies nothing twice
    assert [m.name for m in migrations.applied(again)] == applied
    assert {"articles", "versions", "article_urls", "crawl_runs", "article_text_fts"} <= set(
        again.table_names()
    )


def test_new_unchanged_changed(db_path: Path) -> None:
    db = open_db(db_path)
    first = record_article(db, article())
    assert (first.verdict, first.version) == ("new", 1)
    assert record_article(db, article()).verdict == "unchanged"
    edited = article(body=("قال مُحَمَّد إن الأسعار ارتفعت بشدة.", "وأضاف أن الوضع صعب."))
    second = record_article(db, edited)
    assert (second.verdict, second.article_id, second.version) == ("changed", first.article_id, 2)
    assert [v.number for v in versions(db, first.article_id)] == [1, 2]
    assert get_article(db, first.article_id).article.body[0].endswith("بشدة.")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "churn",
    [
        {"title": "  أسعارُ   الوقود ترتفعُ في غزةَ "},  # whitespace and tashkeel
        {"title": "أسعار الوقـــود ترتفع في غزة"},  # tatweel
        {"body": ("قال محمد إن الأسعار ارتفعت", "وأضاف، أن الوضع صعب!")},  # marks and punctuation
        {"title": "أسعار الوقود ترتفع في غزة\u200f"},  # an invisible RLM
        {"modified_at": datetime(2026, 8, 16, 9, 0, tzinfo=OUTLET_TZ)},  # a CMS save, nothing else
    ],
)
def test_churn_makes_no_version(db_path: Path, churn: dict[str, object]) -> None:
    db = open_db(db_path)
    record_article(db, article())
    assert record_article(db, article(**churn)).verdict == "unchanged"
    assert counts(db)["versions"] == 1


def test_identity_by_node_id_and_by_url(db_path: Path) -> None:
    db = open_db(db_path)
    first = record_article(db, article())
    moved = article(url=URL + "-%D8%AC%D8%AF%D9%8A%D8%AF", title="عنوان جديد تماما")
    assert record_article(db, moved).article_id == first.article_id  # same node id, new slug
    no_node = article(node_id=None, title="عنوان ثالث")
    assert record_article(db, no_node).article_id == first.article_id  # one of its URLs
    assert find_article(db, "14405285") == first.article_id
    assert find_article(db, URL + "-%D8%AC%D8%AF%D9%8A%D8%AF") == first.article_id
    assert find_article(db, str(first.article_id)) == first.article_id
    assert find_article(db, "nope") is None
    other = article(node_id="999", url="https://www.alaraby.co.uk/economy/x")
    assert record_article(db, other).article_id != first.article_id


def test_a_failed_page_fetch_is_not_an_edit(db_path: Path) -> None:
    db = open_db(db_path)
    full = article(caption="غارة على دير البلح", credit="Getty", tags=("غزة",))
    record_article(db, full)
    feed_only = article(flags=("page_unavailable",))
    assert record_article(db, feed_only).verdict == "unchanged"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("محمد", True),  # the body has مُحَمَّد
        ("مُحَمَّد", True),
        ("اسعار", True),  # the title has أسعار
        ("غزه", True),  # غزة
        ("الوقود غزة", True),  # every word, in any order
        ("الوقود بيروت", False),
        ("بيروت", False),
        ('"', False),  # FTS syntax characters are quoted, not an error
        ("   ", False),
    ],
)
def test_search_folds_like_the_index(db_path: Path, query: str, found: bool) -> None:
    db = open_db(db_path)
    record_article(db, article())
    hits = search(db, query)
    assert bool(hits) is found
    if found:
        assert hits[0].title == "أسعار الوقود ترتفع في غزة"


def test_search_follows_edits(db_path: Path) -> None:
    db = open_db(db_path)
    record_article(db, article())
    record_article(db, article(title="انخفاض أسعار الخبز في القطاع"))
    assert search(db, "الخبز") and not search(db, "الوقود ترتفع")


def test_iter_articles_filters_and_orders(db_path: Path, seed_text: str) -> None:
    db = open_db(db_path)
    record_article(db, article())
    record_article(db, parse(seed_text))
    assert [s.article.published_at.year for s in iter_articles(db)] == [2020, 2026]  # type: ignore[union-attr]
    assert [s.article.section for s in iter_articles(db, section="politics")] == ["politics"]
    since = datetime(2021, 1, 1, tzinfo=OUTLET_TZ)
    assert len(list(iter_articles(db, since=since))) == 1


def test_text_documents_have_an_identity(db_path: Path, seed_text: str) -> None:
    db = open_db(db_path)
    assert record_article(db, parse(seed_text)).verdict == "new"
    assert record_article(db, parse(seed_text)).verdict == "unchanged"


def test_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use database"):
        open_db(bad)
    assert bad.read_bytes() == b"this is not sqlite" * 100  # left as it was


def test_readonly_open_writes_nothing(db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        open_db(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()
    db = open_db(db_path)
    record_article(db, article())
    db.close()
    ro = open_db(db_path, readonly=True)
    with pytest.raises(sqlite3.OperationalError):
        ro.execute("DELETE FROM articles")
    assert search(ro, "غزة")


def test_a_failed_write_leaves_the_archive_as_it_was(db_path: Path) -> None:
    db = open_db(db_path)
    record_article(db, article())
    with pytest.raises(RuntimeError), db.atomic():
        record_article(db, article(node_id="2", url="https://www.alaraby.co.uk/x"))
        raise RuntimeError("crash mid-batch")
    assert counts(db) == {"articles": 1, "versions": 1, "urls": 1}


def test_an_archive_folded_by_another_version_is_rekeyed_on_opening(db_path: Path) -> None:
    # An article holding a character whose folding changed (U+2060 WORD JOINER, which an
    # older fold() kept inside داعش): its stored key and search words are the old fold's.
    written = article(body=("تنظيم دا\u2060عش يتبنى الهجوم.",))
    db = open_db(db_path)
    record_article(db, written)
    db.execute("UPDATE articles SET content_key = 'made-by-an-older-fold'")
    db.execute("UPDATE article_text SET body_folded = 'دا عش'")
    db.execute("UPDATE fingerprint_meta SET value = '1' WHERE key = 'folding'")
    db.conn.commit()
    db.conn.close()

    db = open_db(db_path)
    assert [hit.title for hit in search(db, "داعش")] == [written.title]
    # Fetched again unchanged, it stays one version.
    assert record_article(db, written).verdict == "unchanged"
    assert len(versions(db, 1)) == 1
