"""One article under any URL, through real crawls of the replica (issue 4's tests at the
crawler's level; tests/test_identity.py covers the rules against the store directly)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from conftest import CliRunner, ReplicaSite

from crawler.articles import article_urls, counts, find_article
from crawler.database import open_db

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "RETRY_TIMES=0"]
ALLOW = {"NEWSMON_ALLOW_PRIVATE": "1"}
SAMPLE_NODE = "1231873"
PATH = "/politics/" + quote("آلية-تنسيق-عراقية-مع-قوات-التحالف-الدولي-لمواجهة-داعش")
CANONICAL = "https://www.alaraby.co.uk" + PATH


def test_every_form_of_one_article_is_stored_once(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path, tmp_path: Path
) -> None:
    forms = [
        "https://aajeg.com" + PATH,
        CANONICAL + "?utm_source=twitter&utm_medium=social",
        "https://www.alaraby.co.uk/amp" + PATH.lower(),
        CANONICAL + "#comments",
        "https://www.alaraby.co.uk:443" + PATH + "/",
        "http://alaraby.co.uk" + PATH,
    ]
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(forms) + "\n", encoding="utf-8")
    result = run_cli(
        "crawl", "--site", replica.url, "--urls", urls, "--db", db_path, *FAST, env=ALLOW
    )
    assert result.code == 0, result.err
    db = open_db(db_path)
    assert counts(db)["articles"] == 1
    article_id = find_article(db, SAMPLE_NODE)
    assert article_id is not None
    assert article_urls(db, article_id) == [CANONICAL]
    assert {find_article(db, form) for form in forms} == {article_id}
    fetched = [p for p in replica.paths() if p.startswith("/politics/")]
    assert len(fetched) == 1  # the forms were one URL before anything was fetched


def test_links_through_mirror_hosts_store_canonical_urls(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path
) -> None:
    # The replica's robots.txt, feeds, sitemaps and pages all name a mirror host.
    replica.edit_site(canonical="https://aajsa.com", link_base="https://aajsa.com")
    assert all("https://aajsa.com" in line for line in _feed_links(replica))
    first = run_cli("crawl", "--site", replica.url, "--db", db_path, *FAST, env=ALLOW)
    assert first.code == 0 and "new=12" in first.out, first.err
    db = open_db(db_path)
    stored = [row[0] for row in db.execute("SELECT url FROM articles")]
    assert stored and all(url.startswith("https://www.alaraby.co.uk/") for url in stored)
    assert CANONICAL in stored
    # The same site seen through another form of the outlet's address: nothing new.
    replica.edit_site(canonical="http://alaraby.co.uk:80", link_base="http://alaraby.co.uk:80")
    second = run_cli("crawl", "--site", replica.url, "--db", db_path, *FAST, env=ALLOW)
    assert second.code == 0, second.err
    assert "new=0 " in second.out
    assert counts(open_db(db_path))["articles"] == 12
    assert all("http://alaraby.co.uk:80" in line for line in _feed_links(replica))


def _feed_links(replica: ReplicaSite) -> list[str]:
    """What the replica's politics feed links to now (to show the test reads mirror links)."""
    from urllib.request import urlopen

    with urlopen(f"{replica.url}/rss/politics", timeout=10) as response:
        return [line for line in response.read().decode().splitlines() if "<link>" in line]
