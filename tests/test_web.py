"""The web view as a person uses it: `newsmon serve` on a real archive, over HTTP and in headless
Chromium; and the chart as a real PNG."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, cli_env
from rewrites import one_sentence_edit, sample

from crawler.dates import OUTLET_TZ
from crawler.items import Article
from crawler.store import open_db, record_article

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


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "web.db"
    db = open_db(path)
    now = datetime.now(OUTLET_TZ)
    record_article(
        db,
        sample().replace(url=CANONICAL, section="politics", published_at=now - timedelta(days=2)),
    )
    record_article(
        db,
        one_sentence_edit(sample()).replace(
            url=CANONICAL, section="politics", published_at=now - timedelta(days=2)
        ),
    )
    record_article(db, fuel_story(now - timedelta(days=1)))
    db.close()
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


@pytest.fixture
def server(archive: Path, tmp_path: Path) -> Iterator[str]:
    proc, url = start_server(archive, tmp_path)
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
    for title in ("Search articles", "Latest articles", "Article history", "Recent edits"):
        assert title in text
    status, css = get(f"{server}newsmon-static/newsmon.css")
    assert status == 200 and b"unicode-bidi: plaintext" in css
    status, svg = get(f"{server}-/newsmon/report.svg?days=7")
    assert status == 200 and svg.startswith(b"<?xml") and b"<svg" in svg
    status, report_page = get(f"{server}-/newsmon/report")
    assert status == 200 and b"report.svg" in report_page


def test_other_addresses_need_a_password(archive: Path, tmp_path: Path) -> None:
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--db",
            str(archive),
        ],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=60,
    )
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: refusing to serve on 0.0.0.0 without a password:"
        " set NEWSMON_WEB_PASSWORD (or bind to 127.0.0.1)"
    ]
    arabic = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--db",
            str(archive),
        ],
        capture_output=True,
        text=True,
        env={**cli_env(tmp_path), "NEWSMON_WEB_PASSWORD": "كلمة"},
        timeout=60,
    )
    assert arabic.returncode == 1 and "must be ASCII" in arabic.stderr
    proc, url = start_server(
        archive, tmp_path, "--host", "0.0.0.0", env={"NEWSMON_WEB_PASSWORD": "s3cret-pass"}
    )
    try:
        local = url.replace("0.0.0.0", "127.0.0.1")
        assert get(f"{local}newsmon.json")[0] == 401
        token = base64.b64encode(b"newsmon:s3cret-pass").decode()
        assert get(f"{local}newsmon.json", {"Authorization": f"Basic {token}"})[0] == 200
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
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
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
        browser.close()
    assert (shots / "web-search.png").stat().st_size > 10_000
