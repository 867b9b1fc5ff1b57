"""``newsmon crawl`` and ``newsmon extract`` as a user runs them (the real CLI, a subprocess)."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from conftest import DATA, SEED, CliRunner, ReplicaSite

from crawler.seedformat import parse_many
from monitor.crawling import CrawlOptions, CrawlProgress, run_crawl

FAST = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_START_DELAY=0",
    "-s", "AUTOTHROTTLE_MAX_DELAY=0.1",
    "-s", "RETRY_TIMES=0",
]  # fmt: skip
ALLOW = {"NEWSMON_ALLOW_PRIVATE": "1"}
SAMPLE_NODE = "1231873"
GOLDEN = DATA / "golden"


def test_crawl_then_export_reproduces_the_sample_byte_for_byte(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path, tmp_path: Path
) -> None:
    # Default options, as a newcomer runs it: the first crawl of an empty archive seeds it with
    # the newest articles the sitemaps list, the 2020 sample among them.
    crawl = run_cli("crawl", "--site", replica.url, "--db", db_path, *FAST, env=ALLOW)
    assert crawl.code == 0, crawl.err
    assert crawl.out.startswith("crawl ok: ") and "new=12" in crawl.out
    out = tmp_path / "export"
    export = run_cli("export", "--format", "seed", "--out", out, "--db", db_path)
    assert export.code == 0, export.err
    assert (out / f"{SAMPLE_NODE}.txt").read_bytes() == SEED.read_bytes()
    # Every exported document reads back in the same layout.
    assert (
        len(parse_many("\n\f\n".join(p.read_text("utf-8") for p in sorted(out.glob("*.txt")))))
        == 12
    )


def test_crawl_without_a_terminal_prints_plain_progress_lines(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path
) -> None:
    replica.edit_site(faults=[{"path": "/rss*", "delay": 0.25}])
    result = run_cli(
        "crawl", "--site", replica.url, "--section", "politics", "--section", "culture",
        "--db", db_path, *FAST, env=ALLOW,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "progress: pages=" in result.err
    assert "\x1b[" not in result.err  # no terminal control codes in a log
    assert result.out.startswith("crawl ok: pages=")


def test_run_crawl_reports_progress_to_a_callback(replica: ReplicaSite, db_path: Path) -> None:
    seen: list[CrawlProgress] = []
    summary = run_crawl(
        CrawlOptions(
            db_path=db_path,
            site=replica.url,
            sections=("sport",),
            allow_private=True,
            settings=(("DOWNLOAD_DELAY", "0"), ("NEWSMON_PROGRESS_INTERVAL", "0.05")),
        ),
        on_progress=seen.append,
    )
    assert summary.status == "ok" and summary.run_id == 1
    assert summary.progress.new == 1 and seen[-1] == summary.progress


def test_crawl_of_a_site_that_is_down_fails(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path
) -> None:
    replica.edit_site(faults=[{"path": "*", "status": 500}])
    result = run_cli("crawl", "--site", replica.url, "--db", db_path, *FAST, env=ALLOW)
    assert result.code == 1
    assert (
        result.err.strip()
        .splitlines()[-1]
        .startswith("Error: crawl failed: robots.txt answered 500")
    )
    assert "Traceback" not in result.err


def test_crawl_of_a_closed_port_fails(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path
) -> None:
    url = replica.url
    replica.server.stop()
    result = run_cli("crawl", "--site", url, "--db", db_path, *FAST, env=ALLOW)
    assert result.code == 1 and "Error: crawl failed: robots.txt could not be fetched" in result.err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "0x7f000001", "127.1"])
def test_loopback_sites_are_refused_before_anything_runs(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path, host: str
) -> None:
    port = replica.url.rsplit(":", 1)[1]
    result = run_cli("crawl", "--site", f"http://{host}:{port}", "--db", db_path, *FAST)
    assert result.code == 1
    assert (
        result.err.startswith("Error: refusing --site") and "NEWSMON_ALLOW_PRIVATE=1" in result.err
    )
    assert replica.hits() == [] and not db_path.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "soon"], "not a date"),
        (["--urls", "/nonexistent/urls.txt"], "cannot read"),
        (["--site", "ftp://example.com"], "not an http(s) URL"),
        (["-s", "NOEQUALS"], "expected KEY=VALUE"),
        (["--section", "weather"], "weather"),
    ],
)
def test_bad_crawl_options_are_one_error_line(
    run_cli: CliRunner, db_path: Path, args: list[str], message: str
) -> None:
    result = run_cli("crawl", *args, "--db", db_path)
    assert result.code != 0 and message in result.err
    assert len(result.err.strip().splitlines()) == 1 and result.err.startswith("Error:")


def test_extract_a_saved_page_as_json(run_cli: CliRunner) -> None:
    page = GOLDEN / "v2024" / "alexandria-summary-tweet.html"
    result = run_cli("extract", page, "--url", "https://aajeg.com/society/x?utm_source=a")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["title"] == "أمطار غزيرة تغرق شوارع في الإسكندرية وتعلّق الدراسة يومين"
    assert data["sources"]["title"] == "structured" and data["sources"]["body"] == "page"
    assert data["parser"] == "alaraby/v2024" and data["node_id"] == "13650841"
    assert "https://www.alaraby.co.uk/society/x" in data["urls"]


def test_extract_the_sample_page_in_the_seed_layout_from_stdin(run_cli: CliRunner) -> None:
    page = (GOLDEN / "v2020" / "iraq-coalition-sample.html").read_bytes()
    result = run_cli("extract", "-", "--format", "seed", stdin=page)
    assert result.code == 0, result.err
    assert result.out.encode("utf-8") == SEED.read_bytes()


def test_extract_a_saved_feed(run_cli: CliRunner) -> None:
    result = run_cli("extract", DATA / "rss-politics-sample.xml")
    assert result.code == 0, result.err
    [item] = json.loads(result.out)
    assert item["node_id"] == "14405285" and item["sources"]["body"] == "feed"


def test_extract_relative_dates_count_back_from_fetched_at(run_cli: CliRunner) -> None:
    page = GOLDEN / "fallback" / "lebanon-unknown-layout-relative.html"
    result = run_cli("extract", page, "--fetched-at", "2026-08-16T00:01:00+03:00")
    data = json.loads(result.out)
    assert data["published_at"] == "2026-08-15T22:01:00+03:00" and "layout_unknown" in data["flags"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body></body></html>", "no article found"),
        (b'<?xml version="1.0"?><rss><channel><item>', None),
    ],
)
def test_extract_bad_input(
    run_cli: CliRunner, tmp_path: Path, content: bytes, message: str | None
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content)
    result = run_cli("extract", path)
    if message:
        assert result.code == 1 and message in result.err and "Traceback" not in result.err
    else:
        assert result.code == 0 and json.loads(result.out) == []


def test_extract_a_missing_file(run_cli: CliRunner, tmp_path: Path) -> None:
    result = run_cli("extract", tmp_path / "nope.html")
    assert result.code == 1 and result.err.startswith("Error:") and "nope.html" in result.err


def test_crawl_on_a_terminal_shows_a_live_display(
    replica: ReplicaSite, db_path: Path, tmp_path: Path
) -> None:
    """stderr is a pseudo-terminal: the progress is a live, redrawn line, not log lines."""
    import os
    import pty
    import select
    import subprocess
    import sys

    from conftest import ROOT, cli_env

    replica.edit_site(faults=[{"path": "/rss*", "delay": 0.3}])
    master, slave = pty.openpty()
    env = {**cli_env(tmp_path), **ALLOW, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "crawl", "--site", replica.url, "--section", "sport",
         "--db", str(db_path), *FAST],
        stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env, cwd=ROOT,
    )  # fmt: skip
    os.close(slave)
    screen = b""
    try:
        for _ in range(600):  # at most 60 s
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
            elif proc.poll() is not None:
                break
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    text = screen.decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "crawling… pages=" in text and "\x1b[" in text  # redrawn in place
    assert "progress: " not in text
    assert out.decode().startswith("crawl ok: ")


def _add_article(replica: ReplicaSite, name: str, node: str, published: datetime) -> str:
    """A new article file in the replica (a copy of the Jordan story under a new node, path,
    title and dates); returns its path as the replica serves it."""
    data = tomllib.loads(replica.article_file("003").read_text(encoding="utf-8"))
    path = f"/economy/خبر-اختبار-{node}"
    data.update(
        node=node,
        path=path,
        title=f"خبر اختبار رقم {node}",
        published=published,
        modified=published,
    )
    (replica.data / "articles" / f"{name}.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_only_the_first_crawl_reaches_back_past_the_sitemap_window(
    run_cli: CliRunner, replica: ReplicaSite, db_path: Path
) -> None:
    first = run_cli("crawl", "--site", replica.url, "--db", db_path, *FAST, env=ALLOW)
    assert first.code == 0 and "new=12" in first.out, first.err
    now = datetime.now(UTC).astimezone()
    old = _add_article(replica, "900-old", "900900", now - timedelta(days=400))
    recent = _add_article(replica, "901-recent", "901901", now - timedelta(hours=2))
    replica.server.clear_hits()
    second = run_cli("crawl", "--site", replica.url, "--db", db_path, *FAST, env=ALLOW)
    assert second.code == 0, second.err
    assert "new=1 " in second.out
    fetched = set(replica.paths())
    assert recent in fetched
    assert old not in fetched  # a year old: outside the 7-day window once the archive is seeded


def test_extract_an_atom_feed_and_say_what_was_wrong_with_it(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.atom"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar"><title>العربي الجديد</title>'
        "<entry><id>14405290</id><title>غزة: غارات وقصف</title>"
        '<link rel="alternate" href="https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9"/>'
        "<updated>2026-08-15T19:30:00Z</updated><content>فقرة أولى.</content></entry>"
        '<entry><title>خارج الموقع</title><link href="https://example.com/x"/></entry>'
        "</feed>",
        encoding="utf-8",
    )
    result = run_cli("extract", feed)
    assert result.code == 0, result.err
    [item] = json.loads(result.out)
    assert item["node_id"] == "14405290" and item["title"] == "غزة: غارات وقصف"
    # The off-site entry is skipped, and said so once.
    [warning] = result.err.splitlines()
    assert warning.startswith("Warning: ") and "example.com" in warning
