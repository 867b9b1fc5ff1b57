"""`newsmon feed`: Atom feeds of the alerts the real match step raised, read back with
feedparser and checked against RFC 4287's required elements. (The served feeds are checked
against these in tests/test_web.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from alerting import GAZA, archive, story
from conftest import CliRunner
from lxml import etree

from crawler.database import open_db
from crawler.dates import OUTLET_TZ
from crawler.store import record_article
from monitor.alertfeed import FeedEntry, render
from monitor.config import Target
from monitor.runner import match_step
from monitor.watches import add_watch
from monitor.watchlist import Term, Watch

ATOM = "{http://www.w3.org/2005/Atom}"
T1 = datetime(2026, 8, 15, 21, 56, 19, tzinfo=OUTLET_TZ)
TARGETS = [Target("json://127.0.0.1:9/one"), Target("json://127.0.0.1:9/two")]
LEBANON = "غارات إسرائيلية على بلدات في جنوب لبنان وإصابة ثلاثة مدنيين"
EDIT = "وفي مدينة غزة، قالت مصادر طبية إن عدد الجرحى ارتفع إلى تسعة."


def atom_problems(xml: bytes) -> list[str]:
    """What RFC 4287 requires and the feed lacks (section 4.1): one id, title and updated per
    feed and entry, an author, and a link or content for each entry."""
    root = etree.fromstring(xml)
    problems = []
    if root.tag != f"{ATOM}feed":
        return [f"root is {root.tag}"]
    for where, element in [("feed", root), *((f"entry {i}", e) for i, e in enumerate(root))]:
        if where != "feed" and element.tag != f"{ATOM}entry":
            continue
        for name in ("id", "title", "updated"):
            if len(element.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"{where}: needs one {name}")
        for stamp in element.findall(f"{ATOM}updated") + element.findall(f"{ATOM}published"):
            parsed = datetime.fromisoformat(stamp.text or "")
            if parsed.tzinfo is None:
                problems.append(f"{where}: {stamp.text} has no offset")
    if root.find(f"{ATOM}author") is None:
        problems.append("feed: no author")
    for entry in root.iter(f"{ATOM}entry"):
        if entry.find(f"{ATOM}link[@rel='alternate']") is None:
            problems.append("entry without an alternate link")
    return problems


def parsed(xml: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert atom_problems(xml) == []
    return feed


@pytest.fixture
def alerted(db_path: Path) -> Path:
    """Four alerts, one at a time, each to two targets: Gaza story 1, a Lebanon story, Gaza
    story 3, then an edit of story 1 that adds a mention."""
    db = archive(db_path)
    add_watch(db, Watch("لبنان", (Term("لبنان"),)))
    record_article(db, story("1"))
    match_step(db, TARGETS)
    lebanon = story("2", title=LEBANON, body=("قال مصدر محلي إن الغارات استهدفت منازل.",))
    record_article(db, lebanon.replace(published_at=T1 + timedelta(hours=1)))
    match_step(db, TARGETS)
    record_article(db, story("3").replace(published_at=T1 + timedelta(hours=2)))
    match_step(db, TARGETS)
    db.close()
    return db_path


def edit_story_one(db_path: Path) -> None:
    db = open_db(db_path)
    record_article(db, story("1", body=(GAZA, EDIT)))
    match_step(db, TARGETS)
    db.close()


def test_the_feed_of_every_alert(alerted: Path, run_cli: CliRunner) -> None:
    before = run_cli("feed", "--db", alerted)
    assert before.code == 0, before.err
    edit_story_one(alerted)
    result = run_cli("feed", "--db", alerted)
    assert result.code == 0, result.err
    feed = parsed(result.out.encode())
    # One entry per alert, not per target; newest first.
    assert [(e.title, e.tags[0].term) for e in feed.entries] == [
        ("غزة: شهيد وجرحى بنيران الاحتلال (1)", "غزة"),
        ("غزة: شهيد وجرحى بنيران الاحتلال (3)", "غزة"),
        (LEBANON, "لبنان"),
        ("غزة: شهيد وجرحى بنيران الاحتلال (1)", "غزة"),
    ]
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    edited, third, lebanon, first = feed.entries
    assert first.link == "https://www.alaraby.co.uk/politics/1"
    assert first.published == "2026-08-15T21:56:19+03:00"
    assert lebanon.published == "2026-08-15T22:56:19+03:00"
    assert third.published_parsed[:5] == (2026, 8, 15, 20, 56)  # the same moment in UTC
    assert first.updated.endswith("+03:00")
    # The snippet, the match in bold, in Arabic and right to left.
    assert first.summary_detail.language == "ar" and first.title_detail.language == "ar"
    assert "قطاع <strong>غزة</strong>، بالتزامن" in first.summary
    assert 'dir="rtl"' in first.summary
    assert "<strong>لبنان</strong>" in lebanon.summary
    assert "edited (v2)" in edited.summary
    assert "وفي مدينة <strong>غزة</strong>، قالت مصادر طبية" in edited.summary
    assert "1 paragraph added" in edited.summary
    # Stable ids: the same alerts keep theirs; the edit is a new entry.
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == 4 and all(i.startswith("urn:uuid:") for i in ids)
    assert [e.id for e in parsed(before.out.encode()).entries] == ids[1:]
    assert feed.feed.title == "newsmon — كل التنبيهات" and feed.feed.language == "ar"
    assert feed.feed.updated == edited.updated


def test_one_watch_to_a_file_and_the_limit(
    alerted: Path, run_cli: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "feeds" / "lebanon.atom"
    result = run_cli("feed", "--watch", "لبنان", "--out", out, "--db", alerted)
    assert result.code == 0, result.err
    assert result.out == "" and result.err.strip() == f"wrote {out} (1 entries)"
    feed = parsed(out.read_bytes())
    assert [e.title for e in feed.entries] == [LEBANON]
    assert feed.feed.title == "newsmon — تنبيهات: لبنان"
    assert [p.name for p in out.parent.iterdir()] == ["lebanon.atom"]  # no partial file left
    gaza = parsed(run_cli("feed", "--watch", "غزة", "--db", alerted).out.encode())
    assert [e.link[-1] for e in gaza.entries] == ["3", "1"]
    newest = parsed(run_cli("feed", "--limit", "1", "--db", alerted).out.encode())
    assert [e.id for e in newest.entries] == [gaza.entries[0].id]


def test_an_unknown_watch_is_one_error(alerted: Path, run_cli: CliRunner) -> None:
    result = run_cli("feed", "--watch", "سوريا", "--db", alerted)
    assert result.code == 1 and result.out == ""
    assert result.err.splitlines() == ["Error: no watch named 'سوريا' (see: newsmon watch list)"]
    missing = run_cli("feed", "--db", alerted.parent / "nothing.db")
    assert missing.code == 1 and missing.err.startswith("Error: no database at")
    assert not (alerted.parent / "nothing.db").exists()


def test_an_archive_without_alerts_gives_an_empty_valid_feed(
    db_path: Path, run_cli: CliRunner, seed_text: str
) -> None:
    loaded = run_cli("load", "-", "--db", db_path, stdin=seed_text.encode())
    assert loaded.code == 0, loaded.err
    result = run_cli("feed", "--db", db_path)
    assert result.code == 0, result.err
    feed = parsed(result.out.encode())
    assert feed.entries == [] and feed.feed.title == "newsmon — كل التنبيهات"


def entry(title: str, snippets: tuple[str, ...], **changes: object) -> FeedEntry:
    fields: dict[str, object] = {
        "id": "urn:uuid:00000000-0000-5000-8000-000000000000",
        "watch": "غزة",
        "title": title,
        "url": "https://www.alaraby.co.uk/politics/1",
        "published": T1,
        "updated": datetime(2026, 8, 15, 19, 0, tzinfo=UTC),
        "kind": "new",
        "version": 1,
        "section": "politics",
        "authors": ("عبد الله محمد",),
        "snippets": snippets,
        "changes": (),
    }
    fields.update(changes)
    return FeedEntry(**fields)  # type: ignore[arg-type]


def test_render_escapes_markup_and_drops_what_xml_cannot_carry() -> None:
    title = 'غزة <b>"عاجل"</b> & \x0bتحديث\x00'
    xml = render([entry(title, ("[[غزة]] ثم [[غزة]] & <غزة>",))], watch="غزة")
    feed = parsed(xml)
    (item,) = feed.entries
    assert item.title == 'غزة <b>"عاجل"</b> & تحديث'
    assert item.summary.count("<strong>غزة</strong>") == 2 and "&lt;غزة&gt;" in item.summary
    assert item.author == "عبد الله محمد"
    assert item.updated == "2026-08-15T22:00:00+03:00"


def test_render_without_a_publication_time_or_snippets() -> None:
    xml = render([entry("غزة", (), published=None, authors=(" ",))])
    (item,) = parsed(xml).entries
    assert "published" not in item and "غزة" in item.summary
    assert "author" not in item
