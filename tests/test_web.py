"""The web view as a person uses it: `newsmon serve` on a real archive, over HTTP and in headless
Chromium; and the chart as a real PNG."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alerting import story
from conftest import ROOT, cli_env
from rewrites import one_sentence_edit, sample

from crawler.addresses import EVERYTHING
from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.store import record_article
from monitor.config import Config, Target
from monitor.receiver import Receiver
from monitor.runner import match_step, notify_step
from monitor.store import open_monitor_db
from monitor.watches import add_watch
from monitor.watchlist import Term, Watch

CANONICAL = "https://www.alaraby.co.uk/politics/%D8%A2%D9%84%D9%8A%D8%A9"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "docs" / "screenshots"


def fuel_story(day: datetime) -> Article:
    return Article(
        title="ارتفاع أسعار الوقود في مصر للمرة الثالثة هذا العام",
        url="https://www.alaraby.co.uk/economy/%D8%A3%D8%B3%D8%B9%D8%A7%D8%B1",
        node_id="555",
        section="economy",
        published_at=day,
        body=("قال محمد عبد الله، وهو سائق أجرة، إن الزيادة الجديدة ستثقل كاهل الأسر.",),
    )


GAZA_URL = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9"


def gaza_story(day: datetime) -> Article:
    return story("777").replace(url=GAZA_URL, published_at=day)


# A notification URL with a token: it must never show in the web view or a feed.
CANARY = "CANARY-5e1b07"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_archive(path: Path) -> None:
    """Three watches, then articles matched and alerted by the real match step, then delivered
    to a real receiver (sent), a target that is down (failed); one watch has no target
    (unrouted)."""
    db = open_monitor_db(path)
    add_watch(db, Watch("داعش", (Term("داعش"),)))
    add_watch(db, Watch("غزة", (Term("غزة"),), tags=("desk",)))
    add_watch(db, Watch("الوقود", (Term("أسعار الوقود"),), tags=("economy",)))
    now = datetime.now(OUTLET_TZ).replace(microsecond=0)
    politics = sample().replace(
        url=CANONICAL, section="politics", published_at=now - timedelta(days=2)
    )
    record_article(db, politics)
    record_article(db, one_sentence_edit(politics))
    record_article(db, fuel_story(now - timedelta(days=1)))
    record_article(db, gaza_story(now - timedelta(hours=3)))
    receiver = Receiver().start()
    try:
        targets = [
            # A local receiver: private addresses allowed, as a user must say for one.
            Target(receiver.url("/desk"), tags=("desk",), allowance=EVERYTHING),
            Target(
                f"json://127.0.0.1:{closed_port()}/hook?-X-Token={CANARY}", allowance=EVERYTHING
            ),
        ]
        step = match_step(db, targets)
        assert step.matches >= 4
        notify_step(db, Config(), targets, now=datetime.now(UTC))
        assert len(receiver.wait_for(1)) == 1
    finally:
        receiver.close()
    db.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "web.db"
    build_archive(path)
    return path


def start_server(
    db: Path, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--port", "0", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**cli_env(tmp_path), **(env or {})},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # printed once the socket is bound
    if not line:
        proc.wait(timeout=10)
        raise AssertionError(f"serve did not start: {proc.stderr.read() if proc.stderr else ''}")
    url = line.split(" on ", 1)[1].split(" ", 1)[0]
    return proc, url


@pytest.fixture(scope="module")
def server(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # One server for the module's read-only tests: starting datasette takes seconds.
    proc, url = start_server(archive, tmp_path_factory.mktemp("serve"))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def rows(url: str) -> list[dict[str, object]]:
    status, body = get(url)
    assert status == 200, body[:300]
    return json.loads(body)


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_search_query_folds_like_the_index(server: str) -> None:
    found = rows(f"{server}newsmon/search.json?_shape=array&q={q('مُحَمَّد')}")
    assert [r["id"] for r in found] == [2]
    assert (
        rows(f"{server}newsmon/search.json?_shape=array&q={q('اسعار الوقود')}")[0]["section"]
        == "economy"
    )
    assert rows(f"{server}newsmon/search.json?_shape=array&q={q('بيروت')}") == []


def test_the_table_search_box_folds_too(server: str) -> None:
    found = rows(f"{server}newsmon/articles.json?_shape=array&_search={q('العَمَلِيّات')}")
    assert [r["id"] for r in found] == [1]


def test_history_takes_any_url_of_the_article(server: str) -> None:
    mirror = "https://aajeg.com/politics/%d8%a2%d9%84%d9%8a%d8%a9/?utm_source=x"
    versions = rows(f"{server}newsmon/history.json?_shape=array&article={q(mirror)}")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["what_changed"] == "paragraph: 1 changed"
    assert "<del class='newsmon'>يوم واحد</del>" in str(versions[1]["diff"])


def test_titles_descriptions_styles_and_chart(server: str) -> None:
    status, page = get(f"{server}newsmon")
    text = page.decode()
    assert status == 200
    for title in (
        "Search articles",
        "Latest articles",
        "Article history",
        "Recent edits",
        "Alerts by status",
        "Matches per watch",
        "A watch&#39;s matches",
    ):
        assert title in text
    # The trends chart and the feed are linked from the front page and the archive's page.
    for path in ("", "newsmon"):
        _, front = get(f"{server}{path}")
        assert b"href='/-/newsmon/report'" in front and b"href='/-/newsmon/feed.atom'" in front
    status, css = get(f"{server}newsmon-static/newsmon.css")
    assert status == 200 and b"unicode-bidi: plaintext" in css
    status, svg = get(f"{server}-/newsmon/report.svg?days=7")
    assert status == 200 and svg.startswith(b"<?xml") and b"<svg" in svg
    status, report_page = get(f"{server}-/newsmon/report")
    assert status == 200 and b"report.svg" in report_page


def archive_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    # FTS5's own shadow tables; datasette hides them by itself.
    return {n for n in names if not re.fullmatch(r".+_fts_(data|idx|docsize|config)", n)}


def test_every_table_and_query_has_a_title_and_description(archive: Path, server: str) -> None:
    meta = json.loads(get(f"{server}-/metadata.json")[1])["databases"]["newsmon"]
    tables = meta["tables"]
    for name in archive_tables(archive):
        assert tables.get(name, {}).get("title"), f"table {name} has no title"
        assert tables[name].get("description"), f"table {name} has no description"
    for name, query in meta["queries"].items():
        assert query.get("title") and (query.get("description") or query.get("description_html"))
        assert name in ("search", "latest", "history", "edited", *QUERY_NAMES)


QUERY_NAMES = ("alerts", "matches_per_watch", "watch_matches")


def test_alerts_by_status(server: str) -> None:
    every = rows(f"{server}newsmon/alerts.json?_shape=array&status=")
    assert {(r["watch"], r["status"]) for r in every} == {
        ("داعش", "failed"),
        ("غزة", "sent"),
        ("الوقود", "unrouted"),
    }
    (failed,) = rows(f"{server}newsmon/alerts.json?_shape=array&status=failed")
    assert failed["title"] == 'آلية تنسيق عراقية مع قوات التحالف الدولي لمواجهة "داعش"'
    assert failed["url"] == CANONICAL
    assert failed["tries"] == 1 and "onnection" in str(failed["last_error"])
    assert failed["created_utc"] and failed["sent_utc"] is None
    (sent,) = rows(f"{server}newsmon/alerts.json?_shape=array&status=sent")
    assert sent["url"] == GAZA_URL and sent["sent_utc"]
    # A target is a hash; nothing of its URL shows, in the data or on the page.
    assert set(failed) == {
        "id", "watch", "title", "version", "status", "tries", "last_error",
        "created_utc", "sent_utc", "kind", "target", "url",
    }  # fmt: skip
    assert re.fullmatch(r"[0-9a-f]{16}", str(failed["target"]))
    status, page = get(f"{server}newsmon/alerts?status=failed")
    html = page.decode()
    assert status == 200
    # The title links to the article's canonical URL; the watch to its matches.
    assert f"<a href='{CANONICAL}' dir='auto'>آلية تنسيق عراقية" in html
    assert f"href='/newsmon/watch_matches?watch={q('داعش')}'" in html
    for path in (
        "newsmon/alerts.json?status=",
        "newsmon/alerts?status=",
        "newsmon/alerts.json?sql=select%20*%20from%20alerts",
        "newsmon/alerts",
        "-/newsmon/feed.atom",
    ):
        assert CANARY not in get(f"{server}{path}")[1].decode()


def test_matches_per_watch(server: str) -> None:
    counts = rows(f"{server}newsmon/matches_per_watch.json?_shape=array")
    by_watch = {r["watch"]: r for r in counts}
    assert set(by_watch) == {"داعش", "غزة", "الوقود"}
    assert (by_watch["الوقود"]["matches"], by_watch["الوقود"]["articles"]) == (1, 1)
    assert by_watch["داعش"]["articles"] == 1 and by_watch["داعش"]["matches"] > 5
    assert by_watch["غزة"]["terms"] == "غزة" and by_watch["غزة"]["last_match_utc"]
    assert counts[0]["watch"] == "داعش"  # most matches first
    _, page = get(f"{server}newsmon/matches_per_watch")
    assert f"href='/-/newsmon/feed/{q('الوقود')}.atom'".encode() in page
    (match,) = rows(f"{server}newsmon/watch_matches.json?_shape=array&watch={q('الوقود')}")
    assert match["title"] == "ارتفاع أسعار الوقود في مصر للمرة الثالثة هذا العام"
    assert (match["field"], match["term"], match["matched"]) == (
        "title",
        "أسعار الوقود",
        "أسعار الوقود",
    )
    assert "[[أسعار الوقود]]" in str(match["snippet"])
    _, page = get(f"{server}newsmon/watch_matches?watch={q('الوقود')}")
    assert "<strong class='newsmon-match'>أسعار الوقود</strong>" in page.decode()


def test_served_feeds_are_the_cli_feeds(server: str, archive: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import feedparser

    for watch in (None, "غزة"):
        path = "-/newsmon/feed.atom" if watch is None else f"-/newsmon/feed/{q(watch)}.atom"
        with urllib.request.urlopen(f"{server}{path}", timeout=20) as response:
            assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
            served = feedparser.parse(response.read())
        assert not served.bozo, served.get("bozo_exception")
        cli = run_cli("feed", "--db", archive, *(("--watch", watch) if watch else ()))
        assert cli.code == 0, cli.err
        written = feedparser.parse(cli.out.encode())
        assert [e.id for e in served.entries] == [e.id for e in written.entries]
        assert [e.title for e in served.entries] == [e.title for e in written.entries]
        self_link = next(link.href for link in served.feed.links if link.rel == "self")
        assert self_link == f"{server}{path}"
        # A reader polling an unchanged feed gets 304, no body.
        with urllib.request.urlopen(f"{server}{path}", timeout=20) as response:
            etag = response.headers["ETag"]
        assert get(f"{server}{path}", {"If-None-Match": etag}) == (304, b"")
    assert {e.tags[0].term for e in served.entries} == {"غزة"}
    (gaza,) = served.entries
    assert gaza.link == GAZA_URL and gaza.title == "غزة: شهيد وجرحى بنيران الاحتلال (777)"
    assert len(written.entries) == 1
    status, body = get(f"{server}-/newsmon/feed/{q('لا يوجد')}.atom")
    assert status == 404 and "no watch named 'لا يوجد'" in body.decode()


def test_other_addresses_need_a_password(archive: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "monitor", "serve", "--host", "0.0.0.0", "--port", "0"]

    def serve_everywhere(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, "--db", str(archive)],
            capture_output=True,
            text=True,
            env={**cli_env(tmp_path), **env},
            timeout=60,
        )

    refused = serve_everywhere()
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: refusing to serve on 0.0.0.0 without a password:"
        " set NEWSMON_WEB_PASSWORD (or bind to 127.0.0.1)"
    ]
    arabic = serve_everywhere(NEWSMON_WEB_PASSWORD="كلمة")
    assert arabic.returncode == 1 and "must be ASCII" in arabic.stderr
    proc, url = start_server(
        archive, tmp_path, "--host", "0.0.0.0", env={"NEWSMON_WEB_PASSWORD": "s3cret-pass"}
    )
    try:
        local = url.replace("0.0.0.0", "127.0.0.1")
        assert get(f"{local}newsmon.json")[0] == 401
        token = base64.b64encode(b"newsmon:s3cret-pass").decode()
        assert get(f"{local}newsmon.json", {"Authorization": f"Basic {token}"})[0] == 200
        # newsmon's own pages too: the feeds and the chart.
        for path in ("-/newsmon/feed.atom", f"-/newsmon/feed/{q('غزة')}.atom", "-/newsmon/report"):
            assert get(f"{local}{path}")[0] == 401
            assert get(f"{local}{path}", {"Authorization": f"Basic {token}"})[0] == 200
        bad = base64.b64encode(b"newsmon:wrong").decode()
        assert get(f"{local}newsmon.json", {"Authorization": f"Basic {bad}"})[0] == 401
        garbage = base64.b64encode("newsmon:كلمة".encode()).decode()
        for header in (f"Basic {garbage}", "Basic %%%not-base64"):
            assert get(f"{local}newsmon.json", {"Authorization": header})[0] == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_server_never_writes(archive: Path, server: str) -> None:
    before = archive.read_bytes()
    get(f"{server}newsmon/articles.json")
    status, _ = get(f"{server}newsmon.json?sql={q('delete from articles')}")
    assert status in (400, 403)
    assert archive.read_bytes() == before


def non_blank_png(path: Path) -> None:
    from matplotlib import image

    pixels = image.imread(str(path))
    assert path.stat().st_size > 20_000
    assert pixels.shape[0] > 400 and pixels.shape[1] > 600
    assert float(pixels[..., :3].std()) > 0.05  # not a blank canvas
    # Drawn lines in colour, not only black text on white.
    rgb = pixels[..., :3]
    assert ((rgb.max(axis=-1) - rgb.min(axis=-1)) > 0.3).sum() > 200


def test_report_png(archive: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "chart.png"
    result = run_cli("report", "--db", archive, "--out", out, "--days", "14")
    assert result.code == 0, result.err
    non_blank_png(out)
    if os.environ.get("NEWSMON_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(out, SCREENSHOTS / "chart.png")
    bad = run_cli("report", "--db", archive, "--out", tmp_path / "chart.gif")
    assert bad.code == 1 and "png or .svg" in bad.err


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("NEWSMON_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)
def test_in_a_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "NEWSMON_REQUIRE_BROWSER is set but chromium is not installed"
    shots = SCREENSHOTS if os.environ.get("NEWSMON_UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        # Search for a vocalised term in the search query's form.
        page.goto(f"{server}newsmon/search")
        page.fill("input[name=q]", "مُحَمَّد")
        page.click("input[type=submit]")
        page.wait_for_load_state()
        table = page.locator("table.rows-and-columns")
        assert "ارتفاع أسعار الوقود في مصر" in table.inner_text()
        direction = page.eval_on_selector(
            "table.rows-and-columns td.col-title", "td => getComputedStyle(td).unicodeBidi"
        )
        assert direction == "plaintext"
        link = page.locator("table.rows-and-columns td.col-url a").first
        assert link.inner_text() == "https://www.alaraby.co.uk/economy/أسعار"
        assert link.get_attribute("href") == fuel_story(datetime.now(OUTLET_TZ)).url
        page.screenshot(path=str(shots / "web-search.png"), full_page=True)
        # Open the article's history from its canonical link.
        page.goto(f"{server}newsmon/history?article={q(CANONICAL)}")
        history = page.locator("table.rows-and-columns").inner_text()
        assert "first seen" in history and "paragraph: 1 changed" in history
        assert page.locator("del.newsmon").first.inner_text() == "يوم واحد"
        page.screenshot(path=str(shots / "web-history.png"), full_page=True)
        # The alert list, from the archive's page; then only the failed ones.
        page.goto(f"{server}newsmon")
        page.click("text=Alerts by status")
        page.wait_for_load_state()
        alerts = page.locator("table.rows-and-columns")
        listed = alerts.inner_text()
        for watch, status in (("داعش", "failed"), ("غزة", "sent"), ("الوقود", "unrouted")):
            row = alerts.locator("tr", has=page.locator("td.col-watch", has_text=watch))
            assert row.locator("td.col-status").inner_text() == status
        assert "غزة: شهيد وجرحى بنيران الاحتلال (777)" in listed
        title = alerts.locator("td.col-title a", has_text="آلية تنسيق عراقية")
        assert title.get_attribute("href") == CANONICAL
        direction = page.eval_on_selector(
            "table.rows-and-columns td.col-title", "td => getComputedStyle(td).unicodeBidi"
        )
        assert direction == "plaintext"
        assert CANARY not in page.content()
        page.screenshot(path=str(shots / "web-alerts.png"), full_page=True)
        page.fill("input[name=status]", "failed")
        page.click("input[type=submit]")
        page.wait_for_load_state()
        failed = page.locator("table.rows-and-columns tbody tr")
        assert failed.count() == 1
        assert failed.locator("td.col-watch").inner_text() == "داعش"
        browser.close()
    for name in ("web-search.png", "web-history.png", "web-alerts.png"):
        assert (shots / name).stat().st_size > 10_000
