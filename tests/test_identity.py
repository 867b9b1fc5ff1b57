"""One article under any URL, every revision kept, rewrites linked (issue 4, against real
SQLite archives)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rewrites import half_rewrite, one_sentence_edit, sample

from crawler.articles import article_urls, counts, find_article, related, versions
from crawler.database import open_db
from crawler.identity import boilerplate_among, fingerprint, identify, short_paragraph_keys
from crawler.items import Article
from crawler.store import record_article

CANONICAL = (
    "https://www.alaraby.co.uk/politics/%D8%A2%D9%84%D9%8A%D8%A9-%D8%AA%D9%86%D8%B3%D9%8A%D9%82"
)
FORMS = [
    "https://aajeg.com/politics/%D8%A2%D9%84%D9%8A%D8%A9-%D8%AA%D9%86%D8%B3%D9%8A%D9%82",
    CANONICAL + "?utm_source=twitter&utm_medium=social",
    "https://www.alaraby.co.uk/amp/politics/%d8%a2%d9%84%d9%8a%d8%a9-%d8%aa%d9%86%d8%b3%d9%8a%d9%82",
    CANONICAL + "#comments",
    "https://www.alaraby.co.uk:443/politics/%D8%A2%D9%84%D9%8A%D8%A9-%D8%AA%D9%86%D8%B3%D9%8A%D9%82/",
    "http://alaraby.co.uk/politics/آلية-تنسيق",
]


@pytest.mark.parametrize("node_id", [None, "14405285"], ids=["by-url", "by-node-id"])
def test_the_same_article_under_every_url_form_is_stored_once(
    db_path: Path, node_id: str | None
) -> None:
    db = open_db(db_path)
    first = record_article(db, sample().replace(url=CANONICAL, node_id=node_id))
    for form in FORMS:
        result = record_article(db, sample().replace(url=form, node_id=node_id))
        assert (result.verdict, result.article_id) == ("unchanged", first.article_id), form
    assert counts(db)["articles"] == 1
    assert article_urls(db, first.article_id) == [CANONICAL]
    for form in FORMS:
        assert find_article(db, form) == first.article_id


def test_a_one_sentence_edit_is_version_two_with_its_diff(db_path: Path) -> None:
    db = open_db(db_path)
    record_article(db, sample().replace(url=CANONICAL))
    result = record_article(db, one_sentence_edit(sample()).replace(url=CANONICAL))
    assert (result.verdict, result.version) == ("changed", 2)
    v1, v2 = versions(db, result.article_id)
    assert (v1.kind, v1.changes, v2.kind) == ("first", None, "edit")
    assert v2.changes is not None and v2.changes.summary() == "paragraph: 1 changed"
    edited = [w for w in v2.changes.paragraphs[0].words if w[0] != "equal"]
    assert edited == [("delete", "يوم واحد"), ("insert", "يومين")]


@pytest.mark.parametrize("with_body_edit", [False, True])
def test_a_headline_edit_that_changes_the_slug_stays_one_article(
    db_path: Path, with_body_edit: bool
) -> None:
    """No node id on the page: the body (or its near-duplicate signature) says it is the same."""
    db = open_db(db_path)
    first = record_article(db, sample().replace(url=CANONICAL))
    new_url = (
        "https://www.alaraby.co.uk/politics/%D8%B9%D9%86%D9%88%D8%A7%D9%86-%D8%AC%D8%AF%D9%8A%D8%AF"
    )
    edited = sample().replace(url=new_url, title="العراق والتحالف الدولي: تنسيق أمني لمواجهة داعش")
    if with_body_edit:
        edited = one_sentence_edit(edited)
    result = record_article(db, edited)
    assert (result.verdict, result.article_id, result.version) == ("changed", first.article_id, 2)
    assert set(article_urls(db, first.article_id)) == {CANONICAL, new_url}
    changes = versions(db, first.article_id)[1].changes
    assert changes is not None and changes.fields[0].describe().startswith("headline changed: ")


def test_a_half_rewrite_under_a_new_url_is_a_separate_linked_article(db_path: Path) -> None:
    db = open_db(db_path)
    first = record_article(db, sample().replace(url=CANONICAL))
    rewrite = half_rewrite(sample()).replace(url="https://www.alaraby.co.uk/politics/rewrite")
    second = record_article(db, rewrite)
    assert second.verdict == "new" and second.article_id != first.article_id
    (link,) = related(db, second.article_id)
    assert (link.article_id, link.kind) == (first.article_id, "related")
    assert link.jaccard < 0.8 and max(link.jaccard, link.overlap) >= 0.5
    assert [ln.article_id for ln in related(db, first.article_id)] == [second.article_id]


def test_the_same_text_under_two_node_ids_is_two_linked_articles(db_path: Path) -> None:
    db = open_db(db_path)
    a = record_article(db, sample().replace(url=CANONICAL, node_id="1"))
    b = record_article(db, sample().replace(url="https://www.alaraby.co.uk/society/x", node_id="2"))
    assert a.article_id != b.article_id
    assert [(ln.article_id, ln.kind) for ln in related(db, b.article_id)] == [
        (a.article_id, "duplicate")
    ]


def test_whitespace_only_churn_makes_no_version(db_path: Path) -> None:
    db = open_db(db_path)
    record_article(db, sample().replace(url=CANONICAL))
    churned = sample().replace(
        url=CANONICAL, body=tuple("  " + p.replace(" ", "  ") + " \u00a0" for p in sample().body)
    )
    assert record_article(db, churned).verdict == "unchanged"
    assert counts(db)["versions"] == 1


def test_a_feed_record_completed_by_its_page_is_a_completion_not_an_edit(db_path: Path) -> None:
    db = open_db(db_path)
    feed_only = sample().replace(
        url=CANONICAL, caption=None, credit=None, flags=("page_unavailable",)
    )
    record_article(db, feed_only)
    result = record_article(db, sample().replace(url=CANONICAL, tags=("العراق",)))
    assert result.verdict == "changed"
    assert versions(db, result.article_id)[-1].kind == "completion"


SIGN_OFF = "(الأناضول، العربي الجديد)"
STORIES = [
    "رفعت الحكومة المصرية سعر رغيف الخبز المدعم للمرة الأولى منذ عقود لتقليص عجز الموازنة.",
    "افتتح معرض الكتاب في الرباط أبوابه بمشاركة مئات الناشرين من العالم العربي وأوروبا.",
    "أعلنت وزارة الصحة التونسية حملة تطعيم جديدة تستهدف الأطفال في المناطق الريفية النائية.",
    "تراجع سعر صرف الليرة اللبنانية مجددا في السوق الموازية وسط غياب أي خطة إنقاذ حكومية.",
    "فاز المنتخب الأردني على نظيره العماني بهدفين نظيفين في تصفيات كأس آسيا لكرة القدم.",
    "شهدت الخرطوم اشتباكات متقطعة بين قوات الجيش والدعم السريع قرب مطار العاصمة السودانية.",
]


def story(i: int) -> Article:
    return Article(
        title=f"خبر {i}",
        url=f"https://www.alaraby.co.uk/politics/story-{i}",
        body=(STORIES[i], SIGN_OFF),
    )


def test_boilerplate_paragraphs_are_left_out_of_fingerprints(db_path: Path) -> None:
    db = open_db(db_path)
    for i in range(len(STORIES)):
        record_article(db, story(i))
    assert boilerplate_among(db, ["الاناضول العربي الجديد"]) == {"الاناضول العربي الجديد"}
    assert related(db, 1) == []  # stories are not linked through the sign-off they share
    original = record_article(db, sample().replace(url=CANONICAL, body=(*sample().body, SIGN_OFF)))
    # The same body without the sign-off is the same text: its body hash is the original's.
    bare = sample().replace(url="https://www.alaraby.co.uk/x")
    fp = fingerprint(bare, boilerplate_among(db, short_paragraph_keys(bare)))
    found = identify(db, bare, fp)
    assert found is not None and (found.article_id, found.how) == (original.article_id, "body")


def test_fingerprints_are_rebuilt_when_their_parameters_change(db_path: Path) -> None:
    db = open_db(db_path)
    first = record_article(db, sample().replace(url=CANONICAL))
    bands = db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0]
    db.execute("UPDATE fingerprint_meta SET value = 'minhash:old' WHERE key = 'params'")
    db.execute("DELETE FROM lsh_bands")
    db.close()
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0] == bands
    rewrite = one_sentence_edit(sample()).replace(
        url="https://www.alaraby.co.uk/y", title="عنوان آخر"
    )
    assert record_article(db, rewrite).article_id == first.article_id


def test_short_placeholder_bodies_never_merge_distinct_items(db_path: Path) -> None:
    db = open_db(db_path)
    placeholder = ("التفاصيل لاحقاً",)
    a = record_article(
        db,
        Article(title="عاجل: انفجار في بيروت", url="https://www.alaraby.co.uk/a", body=placeholder),
    )
    b = record_article(
        db,
        Article(title="عاجل: زلزال في تركيا", url="https://www.alaraby.co.uk/b", body=placeholder),
    )
    assert (a.verdict, b.verdict) == ("new", "new")
    assert a.article_id != b.article_id
    assert related(db, b.article_id) == []
