"""The baseline of bench/crawl.py: a Scrapy spider that fetches a list of URLs and discards the
answers (what any Scrapy crawl costs before it does anything with a page).

    scrapy runspider bench/noop_spider.py -a urls=FILE [-s KEY=VALUE]...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class NoopSpider(Spider):
    name = "noop"
    urls = ""

    async def start(self) -> AsyncIterator[Any]:
        for url in Path(self.urls).read_text(encoding="utf-8").split():
            yield Request(url, callback=self.discard)

    def discard(self, response: Response) -> None:
        self.crawler.stats.inc_value("noop/pages")
