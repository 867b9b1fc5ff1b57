"""Incremental crawls: requests and bytes of later crawls of an unchanged replica outlet beside
the first crawl that filled the archive.

    python bench/incremental.py [--articles 2000] [--concurrency 16]

The replica is bench/largesite.py's (thousands of generated articles, sitemap files of 1,000
URLs, feeds of 40/100 items) served by monitor.replica on 127.0.0.1; every request it answers
is in its hit log (Replica.hits), with the size of the body it sent. Crawls, in one archive,
each a real ``scrapy crawl alaraby`` subprocess (monitor.crawling.run_crawl; politeness off,
which changes how fast, not what is requested):

1. first: an empty archive, seeded from every sitemap entry (all articles downloaded);
2. again: the same crawl on the unchanged site, as the daemon runs it (sitemaps changed in the
   last NEWSMON_SITEMAP_DAYS=7 days);
3. one published: a draft article published (feeds and the newest sitemap file change, so
   they are read in full and list hundreds of known articles), then crawled again;
4. since 2000: the site, unchanged since crawl 3, with ``--since 2000-01-01`` (a backfill
   run again: feeds and every sitemap file are asked for in full, not conditionally, so every
   article is listed again and each one's sitemap date is checked against the archive).

Goal: no article page downloaded again by a crawl of an unchanged site (a 304 answer or a skip
without any request counts as not downloaded). Bytes are response bodies (headers left out).
Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from largesite import OUTLET_TZ, FastAnswers, classify, fetch_urls, make_site  # noqa: E402

from monitor.crawling import CrawlOptions, run_crawl  # noqa: E402
from monitor.replica import Replica  # noqa: E402
from monitor.replica.feeds import robots  # noqa: E402

DRAFT = "013-tunisia-budget-draft.toml"


@dataclass(frozen=True, slots=True)
class Figures:
    requests: int
    ok: int  # 200 answers
    not_modified: int  # 304 answers
    bytes: int  # response bodies
    article_requests: int
    article_downloads: int  # article pages answered in full (200)
    article_304: int
    sources: str  # other requests: kind, status and count
    stored: str  # new/changed/unchanged as the crawl reported them
    seconds: float


def publish_draft(data: Path) -> None:
    path = data / "articles" / DRAFT
    record = tomllib.loads(path.read_text(encoding="utf-8"))
    stamp = datetime.now(OUTLET_TZ).replace(microsecond=0)
    record.update(draft=False, published=stamp, modified=stamp)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def crawl(
    replica: Replica,
    answers: FastAnswers,
    db: Path,
    concurrency: int,
    articles: set[str],
    **extra: str,
) -> Figures:
    settings = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "NEWSMON_SEED_ARTICLES": "1000000",
        "NEWSMON_SEED_SITEMAPS": "1000",
        **extra,
    }
    replica.clear_hits()
    started = time.monotonic()
    summary = run_crawl(
        CrawlOptions(
            db_path=db,
            site=replica.url,
            allow_private=True,
            timeout=3600,
            settings=tuple(settings.items()),
        )
    )
    elapsed = time.monotonic() - started
    if summary.failed:
        sys.exit(f"crawl failed: {summary.message}\n" + "\n".join(summary.log_tail))
    hits = replica.hits
    kinds: collections.Counter[tuple[str, int]] = collections.Counter(
        (classify(h.path, articles), h.status) for h in hits
    )
    p = summary.progress
    return Figures(
        requests=len(hits),
        ok=sum(1 for h in hits if h.status == 200),
        not_modified=sum(1 for h in hits if h.status == 304),
        bytes=sum(answers.size(h) for h in hits),
        article_requests=sum(n for (kind, _), n in kinds.items() if kind == "article"),
        article_downloads=kinds[("article", 200)],
        article_304=kinds[("article", 304)],
        sources=", ".join(
            f"{kind} {status}x{n}"
            for (kind, status), n in sorted(kinds.items())
            if kind != "article"
        ),
        stored=f"{p.new}/{p.changed}/{p.unchanged}",
        seconds=elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="generated articles")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-incr-") as tmp:
        work = Path(tmp)
        site = make_site(work / "replica", args.articles)
        db = work / "newsmon.db"
        with Replica(site.data, lifetime=None) as replica:
            answers = FastAnswers(replica)
            snap = replica.server.data.snapshot()
            urls = fetch_urls(site, replica.url, robots(snap))
            articles = {unquote(urlsplit(u).path) for u in urls} | {a.path for a in snap.articles}
            print(f"replica: {len(urls)} article pages allowed by robots.txt")
            rows: dict[str, Figures] = {}
            rows["1 first (empty archive)"] = crawl(
                replica, answers, db, args.concurrency, articles
            )
            rows["2 again, unchanged"] = crawl(replica, answers, db, args.concurrency, articles)
            publish_draft(site.data)
            answers.refresh()
            rows["3 one article published"] = crawl(
                replica, answers, db, args.concurrency, articles
            )
            rows["4 since 2000, unchanged"] = crawl(
                replica, answers, db, args.concurrency, articles, NEWSMON_SINCE="2000-01-01"
            )
            answers.close()
    first = rows["1 first (empty archive)"]
    print(
        f"\n{'crawl':<28} {'requests':>8} {'200':>6} {'304':>6} {'KB':>8} {'vs first':>9}"
        f" {'article GETs':>12} {'downloaded':>10} {'art. 304':>8} {'new/chg/same':>13}"
        f" {'s':>6}"
    )
    for name, r in rows.items():
        print(
            f"{name:<28} {r.requests:>8} {r.ok:>6} {r.not_modified:>6}"
            f" {r.bytes / 1000:>8.1f} {r.bytes / first.bytes:>8.1%}"
            f" {r.article_requests:>12} {r.article_downloads:>10} {r.article_304:>8}"
            f" {r.stored:>13} {r.seconds:>6.1f}"
        )
    print("\nsources requested (kind status x count):")
    for name, r in rows.items():
        print(f"  {name}: {r.sources}")
    again = [rows[k].article_downloads for k in ("2 again, unchanged", "4 since 2000, unchanged")]
    published = rows["3 one article published"].article_downloads
    verdict = "met" if again == [0, 0] and published == 1 else "missed"
    print(
        f"\narticle pages downloaded again by crawls of the unchanged site: {again};"
        f" after one article was published: {published} (goal: 0 and 1): {verdict}"
    )


if __name__ == "__main__":
    main()
