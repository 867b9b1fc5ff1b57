"""One archive connection per crawl, shared by the spider (crawl state) and the store pipeline,
so a crawl is one writer; closed when the engine stops."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from sqlite_utils import Database

from crawler.database import open_db

log = logging.getLogger(__name__)

_OPEN: WeakKeyDictionary[Crawler, Database] = WeakKeyDictionary()


def default_db_path() -> Path:
    """``$NEWSMON_DB``, else the per-user archive (the same rule as ``newsmon --db``)."""
    env = os.environ.get("NEWSMON_DB", "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("newsmon", appauthor=False) / "newsmon.db"


def db_path(crawler: Crawler) -> Path:
    value = crawler.settings.get("NEWSMON_DB")
    return Path(value).expanduser() if value else default_db_path()


def archive_for(crawler: Crawler) -> Database:
    """The crawl's archive, opened (and migrated) on first use."""
    db = _OPEN.get(crawler)
    if db is None:
        db = open_db(db_path(crawler))
        _OPEN[crawler] = db

        def close(**_: Any) -> None:
            opened = _OPEN.pop(crawler, None)
            if opened is not None:
                opened.close()

        crawler.signals.connect(close, signal=signals.engine_stopped, weak=False)
    return db
