"""The same article under any URL or mirror (RELIABILITY row 13), one URL form a row of
tests/data/url-variants.tsv: its canonical form, and end to end on a real SQLite archive that
the article fetched under it is the stored article (both URLs recorded when they differ) while
a different article under it is never merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliRunner
from rewrites import sample
from tables import DATA, read_tsv, unescape

from crawler.articles import article_urls, counts, find_article
from crawler.database import open_db
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.items import Article
from crawler.pasted import pasted_url
from crawler.store import record_article

CASES = read_tsv("url-variants.tsv")
ARTICLE = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9"
NODE = "14405285"
OFF_SITE = "off-site"


def _resolve(case: dict[str, str]) -> str:
    url = unescape(case["url"])
    return canonical_url(pasted_url(url) if case["via"] == "paste" else url)


def other_article() -> Article:
    """Another story altogether (no words in common with the sample beyond function words)."""
    body = (
        "افتتحت وزارة الثقافة في تونس مساء الجمعة الدورة الجديدة من معرض الكتاب الدولي بمشاركة"
        " ناشرين من ثلاثين بلداً عربياً وأجنبياً",
        "وقال مدير المعرض إن البرنامج يضم ندوات عن الترجمة والنشر الرقمي وأمسيات شعرية يحييها"
        " شعراء من المغرب والمشرق على مدى عشرة أيام",
        "ويتوقع المنظمون أن يتجاوز عدد الزوار نصف مليون زائر رغم ارتفاع أسعار الكتب وتراجع"
        " القدرة الشرائية للأسر خلال العام الماضي",
    )
    return sample().replace(title="افتتاح معرض تونس الدولي للكتاب", body=body, summary=None)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_canonical_form(case: dict[str, str]) -> None:
    url = unescape(case["url"])
    got = _resolve(case)
    if case["canonical"] == OFF_SITE:
        assert not is_outlet_url(got), got
        assert case["via"] == "paste" or not is_outlet_url(url)
    else:
        assert got == case["canonical"]
        assert canonical_url(got) == got  # idempotent
        assert is_outlet_url(got)
        if case["via"] == "url":
            assert is_outlet_url(url)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_one_article_under_the_variant_and_no_merge_of_another(
    case: dict[str, str], db_path: Path
) -> None:
    url = _resolve(case)
    if case["canonical"] != OFF_SITE:
        assert url == case["canonical"]
    db = open_db(db_path)
    first = record_article(db, sample().replace(url=ARTICLE, node_id=NODE))
    same = record_article(db, sample().replace(url=url, node_id=NODE))
    assert (same.verdict, same.article_id) == ("unchanged", first.article_id)
    assert set(article_urls(db, first.article_id)) == {ARTICLE, url}
    if case["canonical"] != OFF_SITE:
        assert find_article(db, unescape(case["url"])) == first.article_id
    # Another node under the same URL is another article, whatever the URL says.
    other_node = record_article(db, other_article().replace(url=url, node_id="99"))
    assert other_node.verdict == "new"
    if url != ARTICLE:
        # Without node ids, a different story under a different address is never merged...
        db2 = open_db(db_path.with_name("second.db"))
        base = record_article(db2, sample().replace(url=ARTICLE))
        other = record_article(db2, other_article().replace(url=url))
        assert other.verdict == "new" and other.article_id != base.article_id
        assert counts(db2)["articles"] == 2
    else:
        # ... and the same address is the same article: by the URL alone, even with its text
        # rewritten (what an edit looks like), it is a new version, not a new article.
        # (The crawler stores URLs as fetched; pasted ones go through lookups only.)
        fetched = unescape(case["url"]) if case["via"] == "url" else url
        again = record_article(db, other_article().replace(url=fetched))
        assert (again.verdict, again.article_id) == ("changed", first.article_id)
        assert article_urls(db, first.article_id) == [ARTICLE]


LOOKUPS = ("paste-facebook-wrapper", "paste-mail-quoted-wrap", "angle-brackets", "node-path")


def test_cli_lookups_take_any_form_of_the_url(run_cli: CliRunner, db_path: Path) -> None:
    """``newsmon history`` and ``diff`` find the article from pasted forms; an off-site URL or
    the English sister site is never taken for it."""
    db = open_db(db_path)
    record_article(db, sample().replace(url=ARTICLE, node_id=NODE))
    db.close()
    rows = {c["id"]: unescape(c["url"]) for c in CASES}
    for case_id in LOOKUPS:
        result = run_cli("history", rows[case_id], "--json", "--db", db_path)
        assert result.code == 0, (case_id, result.err)
        assert json.loads(result.out)["urls"] == [ARTICLE]
    found = run_cli("diff", rows["paste-amp-cache"], "--db", db_path)
    assert found.code == 1 and "has only one version" in found.err
    for case_id in ("newarab-www", "tco-off-site", "root-slug-0"):
        missing = run_cli("history", rows[case_id], "--db", db_path)
        assert missing.code == 1 and missing.err.startswith("Error: no stored article"), case_id


def test_extract_stores_the_canonical_form_of_a_pasted_url(run_cli: CliRunner) -> None:
    page = DATA / "golden" / "pages" / "bare-h1-paragraphs.html"
    pasted = {c["id"]: unescape(c["url"]) for c in CASES}["paste-facebook-wrapper"]
    result = run_cli("extract", page, "--url", pasted)
    assert result.code == 0, result.err
    assert json.loads(result.out)["url"] == ARTICLE


def test_migration_rewrites_stored_url_forms(db_path: Path) -> None:
    """An archive written before the sweep holds old forms; m202 makes them canonical."""
    db = open_db(db_path)
    first = record_article(db, sample().replace(url=ARTICLE, node_id=NODE))
    old_double = ARTICLE.replace("%", "%25")
    old_index = "https://www.alaraby.co.uk/index.php/politics/%D8%BA%D8%B2%D8%A9-0"
    for url in (old_double, old_index):
        db.execute("INSERT INTO article_urls VALUES (?, ?, '2024-01-01')", [url, first.article_id])
    db.execute("UPDATE articles SET url = ? WHERE id = ?", [old_index, first.article_id])
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm202_url_forms_sweep'")
    db.conn.commit()
    db.close()
    db = open_db(db_path)
    new_index = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9-0"
    assert set(article_urls(db, first.article_id)) == {ARTICLE, new_index}
    assert db.execute("SELECT url FROM articles").fetchone()[0] == new_index
