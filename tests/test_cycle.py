"""The crawl a daemon cycle runs: the configuration's politeness reaches Scrapy's settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import Config
from monitor.cycle import crawl_options


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
