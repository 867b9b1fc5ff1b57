"""Resource ceiling (RELIABILITY.md row 18, first half): 10,000 pages from a local link farm in
one crawl, the crawl process watched from /proc — its memory must level off and its open file
descriptors must not grow.

The farm lists 10,000 article URLs in a sitemap index of ten sitemaps; one page in ten is an
article (stored), the others are dead links (404, recorded as page failures): 10,000 requests
and both the storing and the failing paths, in about half a minute. (With every page an article
the crawl takes about three times as long; memory and descriptors behave the same — see
docs/reliability.md.)
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from crawlproc import crawl
from faultserver import FaultServer, status
from linkfarm import CRAWL_SETTINGS, farm

from crawler.articles import counts
from crawler.database import open_db

PAGES = 10_000
ARTICLE_EVERY = 10


@pytest.mark.slow
def test_ten_thousand_pages_with_flat_memory_and_no_descriptor_leak(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultServer(lifetime=280) as server:
        farm(server, PAGES, ARTICLE_EVERY)
        server.route("/rss/politics", status(404))
        server.route("/politics", status(404))
        run = crawl(
            server.url,
            db,
            "-a",
            "sections=politics",
            settings=CRAWL_SETTINGS,
            sample_every=0.25,
            timeout=270,
        )
        farm_requests = [p for p in server.paths() if p.startswith("/politics/farm-")]
        connections = server.connections
    assert run["pages"] >= PAGES and len(farm_requests) == PAGES, run.log[-2000:]
    assert run["new"] == PAGES // ARTICLE_EVERY == counts(open_db(db))["articles"]
    assert run["errors"] == PAGES - PAGES // ARTICLE_EVERY + 2  # the 404s, the feed, the listing
    assert connections <= 8 + 2  # kept alive and reused, not one per request

    samples = run.samples
    assert len(samples) >= 20
    # After the first fifth (imports, first sitemaps) memory levels off: the last fifth's
    # median is within 10% of the second fifth's.
    fifth = len(samples) // 5
    early = statistics.median(s.rss for s in samples[fifth : 2 * fifth])
    late = statistics.median(s.rss for s in samples[-fifth:])
    assert late < early * 1.10, (early, late)
    # Descriptors: the same handful from early on to the end, whatever the number of requests.
    early_fds = max(s.fds for s in samples[fifth : 2 * fifth])
    assert max(s.fds for s in samples[-fifth:]) <= early_fds + 2, [s.fds for s in samples]
