"""Crawl pipeline throughput: a full crawl of a large replica outlet through newsmon's spider,
pipelines and store, beside a no-op Scrapy spider fetching exactly the same article pages.

    python bench/crawl.py [--articles 3000] [--runs 3] [--concurrency 16] [--profile OUT]

The replica (bench/largesite.py: thousands of generated articles in the replica's data
format, sitemap files of 1,000 URLs, feeds of 40/100 items) is served by monitor.replica on
127.0.0.1. newsmon crawls it as a user's first crawl does (``scrapy crawl alaraby`` through
monitor.crawling.run_crawl, into an empty archive, seeding it from every sitemap entry):
robots.txt, feeds, sitemaps, then every article page parsed, normalised, validated,
de-duplicated, fingerprinted and stored. The no-op spider (bench/noop_spider.py, ``scrapy
runspider``, Scrapy's default settings) fetches the same article URLs and discards them.
Politeness is off for both, for the measurement only: no delay, no AutoThrottle, the same
concurrency. Pages per second = article pages / wall-clock time of the crawl process (start-up
included); "span" leaves start-up out (first to last request the replica saw). Median of
--runs runs, the two crawlers alternating; the ratio is newsmon's rate over the no-op's, from
the same run. --profile records one more newsmon crawl with py-spy (collapsed stacks) and
prints where its time goes. Not a test: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from largesite import FastAnswers, fetch_urls, make_site  # noqa: E402

from monitor.crawling import CrawlOptions, crawl_command, run_crawl  # noqa: E402
from monitor.replica import Replica  # noqa: E402
from monitor.replica.feeds import robots  # noqa: E402

NOOP = Path(__file__).resolve().parent / "noop_spider.py"


@dataclass(frozen=True, slots=True)
class Run:
    pages: int  # article pages fetched
    requests: int  # every request the replica answered
    wall: float  # seconds, process start to exit
    span: float  # seconds, first to last request
    cpu: float  # CPU seconds (user + system) of the crawl process

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / self.pages

    @property
    def rate(self) -> float:
        return self.pages / self.wall

    @property
    def span_rate(self) -> float:
        return self.pages / self.span if self.span else float("nan")


def politeness_off(concurrency: int) -> dict[str, str]:
    return {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "LOG_LEVEL": "INFO",
    }


def env() -> dict[str, str]:
    out = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", "PYTHONIOENCODING": "utf-8"}
    out.pop("SCRAPY_SETTINGS_MODULE", None)
    return out


def newsmon_options(db: Path, site: str, concurrency: int, log: Path) -> CrawlOptions:
    settings = {
        **politeness_off(concurrency),
        # A first crawl of an empty archive takes every sitemap article (not only the newest).
        "NEWSMON_SEED_ARTICLES": "1000000",
        "NEWSMON_SEED_SITEMAPS": "1000",
    }
    return CrawlOptions(
        db_path=db,
        site=site,
        allow_private=True,
        timeout=3600,
        settings=tuple(settings.items()),
        log_path=log,
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    replica: Replica, article_paths: set[str], started: float, ended: float, cpu: float
) -> Run:
    hits = replica.hits
    pages = sum(1 for h in hits if h.path in article_paths and h.status == 200)
    span = (max(h.at for h in hits) - min(h.at for h in hits)) if hits else 0.0
    return Run(pages, len(hits), ended - started, span, cpu)


def run_newsmon(replica: Replica, work: Path, paths: set[str], concurrency: int) -> Run:
    db = work / "newsmon.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    replica.clear_hits()
    options = newsmon_options(db, replica.url, concurrency, work / "newsmon-crawl.log")
    started, cpu = time.time(), children_cpu()
    summary = run_crawl(options)
    ended = time.time()
    run = measure(replica, paths, started, ended, children_cpu() - cpu)
    p = summary.progress
    print(
        f"  newsmon: {summary.status}, {run.pages} article pages, {run.requests} requests,"
        f" stored new={p.new} changed={p.changed} unchanged={p.unchanged} errors={p.errors},"
        f" {run.wall:.1f} s",
        flush=True,
    )
    if summary.failed:
        sys.exit(f"the newsmon crawl failed: {summary.message}\n" + "\n".join(summary.log_tail))
    return run


def run_noop(replica: Replica, work: Path, urls: Path, paths: set[str], concurrency: int) -> Run:
    settings = {**politeness_off(concurrency), "TELNETCONSOLE_ENABLED": "False"}
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(NOOP), "-a", f"urls={urls}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    replica.clear_hits()
    log = work / "noop-crawl.log"
    started, cpu = time.time(), children_cpu()
    # Run outside the project, so that Scrapy's defaults (not newsmon's settings) apply.
    with log.open("w") as out:
        code = subprocess.run(cmd, cwd=work, env=env(), stderr=out, stdout=out).returncode
    ended = time.time()
    if code != 0:
        sys.exit(f"the no-op crawl failed (exit status {code}); see {log}")
    run = measure(replica, paths, started, ended, children_cpu() - cpu)
    print(f"  no-op:   {run.pages} article pages, {run.requests} requests, {run.wall:.1f} s")
    return run


def profile(replica: Replica, work: Path, concurrency: int, out: Path) -> None:
    """One more newsmon crawl under py-spy; prints the functions holding the most samples."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        sys.exit("--profile needs py-spy (pip install py-spy)")
    db = work / "profile.db"
    options = newsmon_options(db, replica.url, concurrency, work / "profile-crawl.log")
    run_env = {**env(), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    cmd = [spy, "record", "--format", "raw", "--rate", "200", "-o", str(out), "--"]
    cmd += crawl_command(options)
    subprocess.run(cmd, cwd=ROOT, env=run_env, check=True, capture_output=True)
    summarise_profile(out)


# Where a sample's time goes, by the first rule its stack matches (py-spy raw stacks).
COMPONENTS = (
    ("Condition.wait (threading.py", "threads waiting (thread pools)"),
    ("<module> (datasketch/", "datasketch import (once per crawl, in the background)"),
    ("!run_forever", "process start-up and shutdown (imports, settings)"),
    ("record_article (crawler/store.py", "store the article (identity, fingerprint, FTS, commit)"),
    ("crawler/pipelines.py", "other pipeline steps (normalise, validate, page state)"),
    ("parse_page (crawler/parsers/alaraby.py", "parse the page"),
    ("crawler/parsers/", "parse feeds and sitemaps"),
    ("crawler/", "spider, middlewares, progress report"),
    ("", "Scrapy, Twisted, asyncio (download, schedule, callbacks)"),
)


def component(stack: str) -> str:
    for marker, name in COMPONENTS:
        if marker.startswith("!"):
            if marker[1:] not in stack:
                return name
        elif marker in stack:
            return name
    return COMPONENTS[-1][1]


def summarise_profile(path: Path, top: int = 15) -> None:
    """Shares of samples by component, and the functions with the most self time."""
    parts: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        parts[component(stack)] += count
        leaf = stack.split(";")[-1]
        own[leaf.split(" (")[0] + " (" + short(leaf) + ")"] += count
    print(f"\nprofile of one newsmon crawl: {total} samples (py-spy, 200/s) in {path}")
    for name, count in parts.most_common():
        print(f"{count / total:6.1%}  {name}")
    print("\nmost self time:")
    for frame, count in own.most_common(top):
        print(f"{count / total:6.1%}  {frame}")


def short(frame: str) -> str:
    """``file.py:line`` of a py-spy frame ``func (path/file.py:12)``, path shortened."""
    where = frame.rpartition(" (")[2].rstrip(")")
    file, _, line = where.rpartition(":")
    parts = Path(file).parts
    for anchor in ("site-packages", "crawler", "monitor", "bench"):
        if anchor in parts:
            index = parts.index(anchor)
            parts = parts[index + 1 :] if anchor == "site-packages" else parts[index:]
            break
    else:
        parts = parts[-2:]
    return "/".join(parts) + (f":{line}" if line else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000, help="generated articles")
    parser.add_argument("--runs", type=int, default=3, help="runs of each crawler (median)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--profile", type=Path, help="also profile a newsmon crawl into OUT")
    parser.add_argument("--summarise", type=Path, help="only summarise a profile made before")
    args = parser.parse_args()
    if args.summarise:
        summarise_profile(args.summarise)
        return
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-crawl-") as tmp:
        work = Path(tmp)
        site = make_site(work / "replica", args.articles)
        with Replica(site.data, lifetime=None) as replica:
            answers = FastAnswers(replica)
            snap = replica.server.data.snapshot()
            urls = fetch_urls(site, replica.url, robots(snap))
            paths = {unquote(urlsplit(u).path) for u in urls}
            url_file = work / "urls.txt"
            url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
            print(
                f"replica: {len(urls)} article pages allowed by robots.txt"
                f" ({args.articles} generated), concurrency {args.concurrency},"
                f" {args.runs} runs each"
            )
            own_cpu = resource.getrusage(resource.RUSAGE_SELF)
            noop: list[Run] = []
            ours: list[Run] = []
            for n in range(args.runs):
                # Alternate which goes first, so that a slow spell of the machine is shared.
                if n % 2 == 0:
                    noop.append(run_noop(replica, work, url_file, paths, args.concurrency))
                    ours.append(run_newsmon(replica, work, paths, args.concurrency))
                else:
                    ours.append(run_newsmon(replica, work, paths, args.concurrency))
                    noop.append(run_noop(replica, work, url_file, paths, args.concurrency))
            size = statistics.median(len(a.body) for k, a in answers.cache.items() if k[0] in paths)
            report(noop, ours, size)
            used = resource.getrusage(resource.RUSAGE_SELF)
            served = sum(r.requests for r in noop + ours)
            replica_cpu = used.ru_utime + used.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime
            print(f"replica server: {replica_cpu * 1000 / served:.2f} CPU ms per request")
            if args.profile:
                profile(replica, work, args.concurrency, args.profile.resolve())
            answers.close()


def report(noop: list[Run], ours: list[Run], page_bytes: float) -> None:
    print(f"\narticle page: median {page_bytes / 1000:.1f} KB of HTML")
    print(
        f"{'crawler':<28} {'pages':>6} {'requests':>9} {'wall s':>7} {'pages/s':>8}"
        f" {'span s':>7} {'pages/s':>8} {'CPU ms/page':>12}"
    )
    for name, runs in (("no-op Scrapy spider", noop), ("newsmon (parse+store)", ours)):
        print(
            f"{name:<28} {runs[0].pages:>6} {runs[0].requests:>9}"
            f" {statistics.median(r.wall for r in runs):>7.1f}"
            f" {statistics.median(r.rate for r in runs):>8.1f}"
            f" {statistics.median(r.span for r in runs):>7.1f}"
            f" {statistics.median(r.span_rate for r in runs):>8.1f}"
            f" {statistics.median(r.cpu_ms for r in runs):>12.2f}"
        )
    ratio = statistics.median(r.rate for r in ours) / statistics.median(r.rate for r in noop)
    span_ratio = statistics.median(r.span_rate for r in ours) / statistics.median(
        r.span_rate for r in noop
    )
    paired = statistics.median(o.rate / n.rate for o, n in zip(ours, noop, strict=True))
    verdict = "met" if ratio >= 0.7 else "missed"
    print(
        f"newsmon / no-op: {ratio:.2f}x (wall), {span_ratio:.2f}x (span),"
        f" median of per-run ratios {paired:.2f}x; goal >= 0.7x: {verdict}"
    )


if __name__ == "__main__":
    main()
