"""A spider that does what the alaraby spider must not: it starts several requests to a fresh
host at once, relying on Scrapy's stock robots.txt middleware alone. Used by
tests/test_crawl.py to show the Scrapy 2.19 bug the alaraby spider avoids (the third and later
concurrent first requests skip the robots check).

    scrapy runspider tests/tools/naive_robots_spider.py -a base=URL -a paths=/a,/b,/c
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from scrapy import Request, Spider


class NaiveSpider(Spider):
    name = "naive"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {},
        "DOWNLOADER_MIDDLEWARES": {},
    }

    def __init__(self, base: str = "", paths: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.paths = [p for p in paths.split(",") if p]

    async def start(self) -> AsyncIterator[Any]:
        for path in self.paths:
            yield Request(self.base + path, callback=self.parse, dont_filter=True)

    def parse(self, response: Any) -> None:
        return None
