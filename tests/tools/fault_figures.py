"""Print the figures docs/reliability.md reports for the network and input rows, measured on
this machine with the same servers and pages the tests use (the tests assert; this measures).

    .venv/bin/python tests/tools/fault_figures.py            # every row (about two minutes)
    .venv/bin/python tests/tools/fault_figures.py 5 18       # only rows 5 and 18
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import itertools

import test_faults_fetch as fetch
import test_faults_input as inputs
from crawlproc import article_url, crawl, urls_file
from faultserver import Bombs, FaultServer, Listener, page, redirect
from linkfarm import CRAWL_SETTINGS, farm, path_of

from crawler import crawlstate
from crawler.database import open_db

MB = 2**20


def fetch_batch(tmp: Path) -> None:
    """Rows 1-5 and 9: the test's batch of misbehaving pages, one crawl."""
    bombs = Bombs(fetch.BOMB_SIZE)
    pages = fetch.batch(bombs)
    with fetch.batch_crawl(tmp, pages) as (run, db, server):
        pass  # what the crawl did is read below from its run, its archive and the server's log
    print(f"batch crawl: {run['status']}, {run['new']} stored, {run['errors']} errors,")
    print(f"  {run.elapsed:.1f} s, peak RSS {run.peak_rss / MB:.0f} MiB")
    names = {
        1: "slow (5 s of silence)",
        2: "trickle",
        3: "500",
        4: "503 Retry-After: 1",
        5: "429 Retry-After: HTTP date +2 s",
        6: "429 Retry-After: 3600",
        7: "truncated (2/3 of the body)",
        8: "bad chunk size",
        9: "no last chunk",
        10: "50 MB, Content-Length",
        11: "50 MB, chunked",
        12: "gzip bomb",
        13: "deflate bomb",
        14: "brotli bomb",
        15: "zstd bomb",
        16: "reset after headers",
        17: "reset before answering",
    }
    state_db = open_db(db)
    for n, name in names.items():
        hits = server.hits(path_of(n))
        gaps = [round(b.at - a.at, 2) for a, b in itertools.pairwise(hits)]
        sent = server.sent.get(path_of(n))
        state = crawlstate.get_page(state_db, article_url(path_of(n)))
        outcome = "stored" if state and state.ok else (state.last_error if state else "?")
        print(f"  {n:2} {name}: {len(hits)} request(s), gaps {gaps} s", end="")
        if sent and sent.bytes > 1000:
            print(f", {sent.bytes / MB:.1f} MiB sent{' (cut)' if sent.cut else ''}", end="")
        print(f"\n       → {(outcome or '')[:150]}")
    for encoding in fetch.ENCODINGS:
        print(f"  {encoding} bomb: {len(bombs.get(encoding))} B → {fetch.BOMB_SIZE / MB:.0f} MiB")


def decompression_time() -> None:
    """Row 5: how long Scrapy's HttpCompressionMiddleware takes to refuse each bomb."""
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 10 * MB})
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    bombs = Bombs(fetch.BOMB_SIZE)
    for encoding in fetch.ENCODINGS:
        response = HtmlResponse(
            "http://x/", body=bombs.get(encoding), headers={"Content-Encoding": encoding}
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            middleware.process_response(Request("http://x/"), response)
            verdict = "accepted?!"
        except IgnoreRequest:
            verdict = "refused"
        seconds = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(f"  {encoding}: {verdict} in {seconds * 1000:.0f} ms, peak memory +{grown:.0f} MiB")


def hostile_discovery(tmp: Path) -> None:
    """Row 6: the test's hostile feeds and sitemaps (one crawl)."""
    (tmp / "hostile").mkdir()
    with inputs.hostile_crawl(tmp / "hostile") as data:
        report_hostile(data)


def report_hostile(data: dict) -> None:  # type: ignore[type-arg]
    run, canary = data["run"], data["canary"]
    db = open_db(data["db"])
    print(f"hostile crawl: {run['status']}, {run.elapsed:.1f} s, peak RSS {run.peak_rss / MB:.0f}")
    print(
        f"  canary connections {canary.connections}, canary file read: "
        f"{'CANARY' in inputs.dump(data['db'])}"
    )
    for url in (
        "https://www.alaraby.co.uk/rss/politics",
        "https://www.alaraby.co.uk/rss/economy",
        "https://www.alaraby.co.uk/sitemaps/million.xml.gz",
        "https://www.alaraby.co.uk/sitemaps/bomb.xml.gz",
    ):
        source = crawlstate.get_source(db, url)
        assert source is not None
        print(f"  {url.rsplit('/', 2)[-2:]}: items {source.items}, error {source.last_error}")


def xml_memory() -> None:
    """Row 6: memory of parsing a 56 MB sitemap, in a fresh process per parser version."""
    import subprocess

    code = (
        "import resource,sys\n"
        "from crawler.parsers.sitemap import parse_sitemap\n"
        "rows=''.join(f'<url><loc>https://www.alaraby.co.uk/p/{i}</loc>"
        "<lastmod>2026-08-15</lastmod></url>' for i in range(700000))\n"
        "body=f'<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{rows}</urlset>'"
        ".encode()\n"
        "del rows\n"
        "a=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "n=len(parse_sitemap(body, max_entries=50000).entries)\n"
        "b=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(f'  {len(body)/2**20:.0f} MiB sitemap: {n} entries, peak +{(b-a)/1024:.0f} MiB')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def redirects(tmp: Path) -> None:
    """Row 7: hops followed."""
    db = tmp / "redirects.db"
    with FaultServer(lifetime=60) as server, Listener(lifetime=60) as canary:
        chain = [f"/politics/chain-{i}" for i in range(30)]
        server.route(path_of(1), redirect(chain[0]))
        for hop, nxt in itertools.pairwise(chain):
            server.route(hop, redirect(nxt))
        server.route(path_of(2), redirect(f"{canary.url}/x"))
        run = crawl(server.url, db, "-a", f"urls={urls_file(tmp, path_of(1), path_of(2))}")
    followed = [p for p in server.paths() if p in chain]
    print(f"  30-hop chain: {len(followed)} hops followed, then: {run['errors']} errors;")
    print(f"  canary connections {canary.connections}")


def pathological(tmp: Path) -> None:
    """Rows 10 and 11: the test's pages, then the match step."""
    from monitor.runner import match_step
    from monitor.store import open_monitor_db
    from monitor.watches import add_watch
    from monitor.watchlist import Term, Watch

    db = tmp / "pages.db"
    monitor_db = open_monitor_db(db)
    add_watch(monitor_db, Watch("repeated word", (Term("كلمة"),)))
    add_watch(monitor_db, Watch("health ministry", (Term("وزارة الصحة"),)))
    with FaultServer(lifetime=240) as server:
        pages = inputs.pathological_pages()
        for n, body in pages.items():
            server.route(path_of(n), page(body))
        charset = inputs.charset_pages()
        for n, (body, content_type) in charset.items():
            server.route(path_of(n), page(body, content_type))
        urls = urls_file(tmp, *(path_of(n) for n in (*pages, *charset)))
        run = crawl(server.url, db, "-a", f"urls={urls}", sample_every=0.1, timeout=240)
    started = time.perf_counter()
    step = match_step(open_monitor_db(db), [])
    print(f"  crawl of {len(pages) + len(charset)} pages: {run.elapsed:.1f} s,")
    print(f"  peak RSS {run.peak_rss / MB:.0f} MiB; match step {time.perf_counter() - started:.1f}")
    print(f"  s, {step.matches} matches over {step.versions} versions")


def link_farm(tmp: Path, every: int) -> None:
    """Row 18: 10,000 pages; every ``every``-th one an article."""
    db = tmp / f"farm-{every}.db"
    with FaultServer(lifetime=600) as server:
        farm(server, 10_000, every)
        run = crawl(
            server.url,
            db,
            "-a",
            "sections=politics",
            settings=CRAWL_SETTINGS,
            sample_every=0.25,
            timeout=600,
        )
        connections = server.connections
    samples = run.samples
    fifth = max(1, len(samples) // 5)
    print(f"  1 in {every} an article: {run['pages']} requests, {run['new']} stored,")
    print(f"  {run.elapsed:.0f} s, {connections} connections")
    for label, part in (
        ("2nd fifth", samples[fifth : 2 * fifth]),
        ("last fifth", samples[-fifth:]),
    ):
        rss = statistics.median(s.rss for s in part) / MB
        print(
            f"  {label}: median RSS {rss:.0f} MiB, fds {min(s.fds for s in part)}-"
            f"{max(s.fds for s in part)}"
        )


def main() -> None:
    rows = set(sys.argv[1:]) or {"1", "5", "6", "7", "11", "18"}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if rows & {"1", "2", "3", "4", "5", "9"}:
            print("== rows 1-5, 9")
            fetch_batch(tmp)
        if "5" in rows:
            print("== row 5: decompression")
            decompression_time()
        if "6" in rows:
            print("== row 6")
            hostile_discovery(tmp)
            xml_memory()
        if "7" in rows:
            print("== row 7")
            redirects(tmp)
        if rows & {"10", "11"}:
            print("== rows 10-11")
            pathological(tmp)
        if "18" in rows:
            print("== row 18")
            link_farm(tmp, 10)
            if os.environ.get("FARM_ALL_ARTICLES"):
                link_farm(tmp, 1)


if __name__ == "__main__":
    main()
