"""The match step against a real SQLite archive: versions recorded by the crawler's store,
matches recorded once, only what is new in a version, one transaction per version."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.store import record_article
from crawler.text import words_key
from monitor.matching import VersionMatches, run_match_step
from monitor.store import get_cursor, migrations, open_monitor_db
from monitor.watches import add_watch, list_watches, remove_watch, save_watch
from monitor.watchlist import Term, Watch

PARAGRAPHS = (
    "قالت قيادة العمليات المشتركة، اليوم الاثنين، إن التنسيق مع التحالف الدولي مستمر.",
    "وأضاف المتحدث أن عمليات عسكرية انطلقت في ديالى.",
)


def article(
    node: str = "100",
    *,
    title: str = "آلية تنسيق أمني",
    body: tuple[str, ...] = PARAGRAPHS,
    section: str = "politics",
) -> Article:
    return Article(
        title=title,
        url=f"https://www.alaraby.co.uk/politics/{node}",
        node_id=node,
        section=section,
        published_at=datetime(2026, 8, 15, 12, 0, tzinfo=OUTLET_TZ),
        body=body,
    )


def rows(db: Database) -> list[dict[str, Any]]:
    return list(db.table("matches").rows_where(order_by="id"))


@pytest.fixture
def db(db_path: Path) -> Database:
    database = open_monitor_db(db_path)
    add_watch(database, Watch("daesh", (Term("داعش"),), tags=("desk",)))
    return database


def test_migrations_apply_once(db_path: Path) -> None:
    first = open_monitor_db(db_path)
    applied = [m.name for m in migrations.applied(first)]
    assert applied == [m.name for m in migrations._migrations]
    assert applied[0] == "m001_watches_matches_cursors"
    first.close()
    again = open_monitor_db(db_path)
    assert [m.name for m in migrations.applied(again)] == applied
    assert {"watches", "matches", "cursors", "articles", "versions"} <= set(again.table_names())


def test_first_version_records_every_mention(db: Database) -> None:
    body = (*PARAGRAPHS, "وتبنى تنظيم «داعش» الهجوم، وتوعد داعش بالمزيد.")
    record_article(db, article(title="هجوم لداعش في ديالى", body=body))
    result = run_match_step(db)
    assert (result.versions, result.matches) == (1, 3)
    found = rows(db)
    assert [(r["field"], r["surface"], r["version"]) for r in found] == [
        ("title", "لداعش", 1),
        ("body", "داعش", 1),
        ("body", "داعش", 1),
    ]
    text = "\n\n".join(body)
    for r in found[1:]:
        assert text[r["position"] : r["position"] + len(r["surface"])] == r["surface"]
    assert "[[داعش]]" in found[1]["snippet"] and found[1]["snippet"].startswith("وتبنى")
    assert found[0]["term"] == "داعش" and found[0]["mode"] == "standard"
    assert get_cursor(db) == result.cursor > 0


def test_only_what_is_new_in_a_version_counts(db: Database) -> None:
    mention = "وتبنى تنظيم داعش الهجوم."
    v1 = record_article(db, article(body=(*PARAGRAPHS, mention)))
    run_match_step(db)
    assert len(rows(db)) == 1

    # An edit elsewhere in an article that already mentioned the term: silent.
    v2 = record_article(db, article(body=(*PARAGRAPHS, mention, "وقال المحافظ إن الوضع مستقر.")))
    assert v2.verdict == "changed"
    assert run_match_step(db).matches == 0

    # A term added by an edit fires, and only the new mention is recorded.
    added = "وتوعد داعش بهجمات جديدة."
    v3 = record_article(
        db, article(body=(*PARAGRAPHS, mention, "وقال المحافظ إن الوضع مستقر.", added))
    )
    assert run_match_step(db).matches == 1
    last = rows(db)[-1]
    assert (last["version"], last["version_id"], last["surface"]) == (3, v3.version_id, "داعش")
    assert "توعد" in last["snippet"]

    # The term removed again: nothing.
    record_article(db, article(body=PARAGRAPHS))
    assert run_match_step(db).matches == 0
    assert [r["version_id"] for r in rows(db)] == [v1.version_id, v3.version_id]


def test_running_again_records_nothing_twice(db: Database) -> None:
    record_article(db, article(body=("هجوم لداعش",)))
    assert run_match_step(db).matches == 1
    again = run_match_step(db)
    assert (again.versions, again.matches) == (0, 0)
    assert len(rows(db)) == 1


def test_hook_runs_inside_the_version_transaction(db: Database) -> None:
    record_article(db, article("1", body=("هجوم لداعش",)))
    record_article(db, article("2", body=("لا شيء هنا",)))
    record_article(db, article("3", body=("داعش مجددا",)))
    seen: list[VersionMatches] = []

    def hook(database: Database, found: VersionMatches) -> None:
        assert database.conn.in_transaction
        database.execute("CREATE TABLE IF NOT EXISTS outbox (match_id INTEGER)")
        for m in found.matches:
            database.execute("INSERT INTO outbox VALUES (?)", [m.id])
        seen.append(found)

    result = run_match_step(db, on_version=hook)
    assert [v.version.article.node_id for v in seen] == ["1", "3"]
    assert seen[0].matches[0].watch == "daesh" and seen[0].matches[0].tags == ("desk",)
    outbox = [r[0] for r in db.execute("SELECT match_id FROM outbox").fetchall()]
    assert outbox == [r["id"] for r in rows(db)]
    assert result.versions == 3


def test_a_failing_hook_rolls_the_version_back(db: Database) -> None:
    record_article(db, article("1", body=("هجوم لداعش",)))
    record_article(db, article("2", body=("داعش مجددا",)))
    calls = 0

    def hook(database: Database, found: VersionMatches) -> None:
        nonlocal calls
        calls += 1
        if found.version.article.node_id == "2":
            raise RuntimeError("notifier table full")

    with pytest.raises(RuntimeError):
        run_match_step(db, on_version=hook)
    # Version 1 was committed; version 2 left no match and the cursor stays before it.
    assert [r["article_id"] for r in rows(db)] == [1]
    cursor = get_cursor(db)
    assert run_match_step(db, on_version=lambda d, f: None).matches == 1
    assert get_cursor(db) > cursor and len(rows(db)) == 2


def test_a_new_watch_looks_only_at_what_comes_after_it(db_path: Path) -> None:
    db = open_monitor_db(db_path)
    record_article(db, article("1", body=("هجوم لداعش",)))
    add_watch(db, Watch("late", (Term("داعش"),)))
    record_article(db, article("2", body=("داعش مجددا",)))
    run_match_step(db)
    assert [r["article_id"] for r in rows(db)] == [2]


def test_boilerplate_paragraphs_are_skipped(db: Database) -> None:
    boiler = "تابعونا لمعرفة آخر أخبار داعش"
    record_article(db, article("1", body=("خبر عادي", boiler)))
    record_article(db, article("2", body=("هجوم لداعش", boiler)))
    run_match_step(db, exclude={words_key(boiler)})
    assert [(r["article_id"], r["surface"]) for r in rows(db)] == [(2, "لداعش")]


def test_watch_settings_are_applied(db_path: Path) -> None:
    db = open_monitor_db(db_path)
    add_watch(db, Watch("titles", (Term("داعش"),), fields="title"))
    add_watch(db, Watch("economy", (Term("داعش"),), sections=("economy",)))
    add_watch(db, Watch("mosul", (Term("داعش"),), all_of=(Term("الموصل"),)))
    add_watch(db, Watch("no-sport", (Term("داعش"),), none_of=(Term("كرة القدم"),)))
    record_article(db, article("1", title="خبر", body=("هجوم لداعش قرب الموصل",)))
    record_article(db, article("2", title="داعش", body=("مباراة كرة القدم",), section="economy"))
    run_match_step(db)
    watches = {s.id: s.watch.name for s in list_watches(db)}
    fired = sorted((watches[r["watch_id"]], r["article_id"]) for r in rows(db))
    assert fired == [("economy", 2), ("mosul", 1), ("no-sport", 1), ("titles", 2)]


def test_an_edited_watch_keeps_its_place_and_removal_drops_its_matches(db: Database) -> None:
    record_article(db, article("1", body=("هجوم لداعش",)))
    run_match_step(db)
    assert save_watch(db, Watch("daesh", (Term("داعش"), Term("الموصل")))) == "updated"
    assert save_watch(db, Watch("daesh", (Term("داعش"), Term("الموصل")))) == "unchanged"
    record_article(db, article("2", body=("قرب الموصل",)))
    run_match_step(db)
    assert [r["surface"] for r in rows(db)] == ["لداعش", "الموصل"]
    remove_watch(db, "daesh")
    assert rows(db) == [] and list_watches(db) == []


STORIES = (
    "رفعت الحكومة المصرية سعر رغيف الخبز المدعم للمرة الأولى منذ عقود.",
    "افتتح معرض الكتاب في الرباط أبوابه بمشاركة مئات الناشرين.",
    "أعلنت وزارة الصحة التونسية حملة تطعيم جديدة في المناطق الريفية.",
    "تراجع سعر صرف الليرة اللبنانية مجددا في السوق الموازية.",
    "فاز المنتخب الأردني على نظيره العماني بهدفين نظيفين.",
    "شهدت الخرطوم اشتباكات متقطعة قرب مطار العاصمة السودانية.",
)
SIGN_OFF = "(الأناضول، العربي الجديد)"


def test_a_term_in_a_recurring_sign_off_never_fires(db_path: Path) -> None:
    """The archive's own boilerplate (a sign-off in many articles) is skipped by default; the
    same term in an article's text still fires."""
    db = open_monitor_db(db_path)
    add_watch(db, Watch("agency", (Term("الأناضول"),)))
    for i, story in enumerate(STORIES):
        record_article(db, article(f"{i}", title=f"خبر {i}", body=(story, SIGN_OFF)))
    quoted = article("99", title="تقرير", body=("قالت وكالة الأناضول إن الوفد وصل.", SIGN_OFF))
    record_article(db, quoted)
    run_match_step(db)
    matched = {(r["article_id"], r["field"]) for r in rows(db)}
    # Early articles matched on the sign-off before it was known to recur; the one recorded
    # once it was boilerplate matches only on its own sentence.
    last = db.execute("SELECT id FROM articles WHERE node_id = '99'").fetchone()[0]
    assert [r["surface"] for r in rows(db) if r["article_id"] == last] == ["الأناضول"]
    assert (last, "body") in matched
    assert all(
        r["position"] < len("قالت وكالة الأناضول") for r in rows(db) if r["article_id"] == last
    )
