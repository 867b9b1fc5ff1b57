"""A daemon cycle: the configuration's politeness reaches Scrapy's settings, and alerts go out
as soon as the crawl stores what they are about, not when it ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alerting import local_target
from conftest import ReplicaSite

from crawler.addresses import EVERYTHING
from monitor.config import Config
from monitor.cycle import CycleReport, crawl_options, run_source
from monitor.receiver import Receiver
from monitor.store import open_monitor_db
from monitor.watches import add_watch
from monitor.watchlist import Term, Watch


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.close()


@pytest.mark.parametrize(
    ("delay", "expected"),
    [(timedelta(0), "0"), (timedelta(milliseconds=500), "0.5"), (timedelta(seconds=2), "2")],
    ids=["none", "half-second", "default"],
)
def test_the_configured_delay_is_where_autothrottle_starts(
    tmp_path: Path, delay: timedelta, expected: str
) -> None:
    # Left at Scrapy's 1 s, AutoThrottle would space requests by ~1 s whatever delay is set.
    config = Config(db_path=tmp_path / "newsmon.db", delay=delay)
    settings = dict(crawl_options(config, "outlet", ()).settings)
    assert settings["DOWNLOAD_DELAY"] == expected
    assert settings["AUTOTHROTTLE_START_DELAY"] == expected


@pytest.mark.slow
def test_alerts_go_out_while_the_crawl_is_still_running(
    tmp_path: Path, replica: ReplicaSite, receiver: Receiver
) -> None:
    # The sitemaps answer only after a wait, so the crawl cannot end before them: the articles
    # the feeds brought must be matched and delivered meanwhile, not once the crawl has ended.
    replica.edit_site(faults=[{"path": "/sitemap.xml", "delay": 8, "times": 1}])
    config = Config(
        db_path=tmp_path / "newsmon.db",
        site=replica.url,
        allow_private=EVERYTHING,
        delay=timedelta(0),
        targets=(local_target(receiver.url("/early")),),
    )
    db = open_monitor_db(config.db_path)
    add_watch(db, Watch("غزة", (Term("غزة"),)))
    db.conn.close()
    (source,) = config.effective_sources()
    reports: list[CycleReport] = []
    cycle = threading.Thread(target=lambda: reports.append(run_source(config, source)))
    cycle.start()
    try:
        assert receiver.wait_for(1, timeout=30), "no alert within 30 s"
        assert cycle.is_alive(), "the alert came only once the crawl had ended"
        # (The replica logs a request once it has answered it.)
        assert not any(p.startswith("/sitemap") for p in replica.paths())
    finally:
        cycle.join(timeout=60)
    assert not cycle.is_alive()
    (report,) = reports
    assert report.status == "ok"
    # What went out during the crawl is counted once in the cycle's line, and sent once.
    titles = [m.title for m in receiver.messages]
    assert report.matches >= 1 and report.sent == len(titles) == len(set(titles))
