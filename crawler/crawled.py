"""What the spider hands to the pipelines: one outcome per article URL it looked at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from crawler.items import Article

Origin = Literal["feed", "sitemap", "listing", "urls"]


@dataclass(frozen=True, slots=True)
class Crawled:
    """An article URL's outcome in this crawl.

    - ``article`` set, ``from_store`` False: a fresh record (page, or feed item + page).
    - ``article`` set, ``from_store`` True: the feed's record of an article whose page was not
      downloaded (unchanged, or not modified): the stored version completes it.
    - ``article`` None and ``error`` None: the page was not modified (304) or skipped.
    - ``error`` set: the page could not be fetched (with ``article`` = the feed's record, if any,
      flagged ``page_unavailable``).
    """

    url: str  # canonical
    origin: Origin
    article: Article | None = None
    from_store: bool = False
    status: int = 200  # HTTP status of the page (0: not fetched or a network error)
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the sitemap's lastmod, ISO 8601
    feed_key: str | None = None
    error: str | None = None

    def with_article(self, article: Article | None) -> Crawled:
        return replace(self, article=article)

    @property
    def downloaded(self) -> bool:
        return self.status == 200 and self.error is None and not self.from_store

    def describe(self) -> dict[str, Any]:
        return {"url": self.url, "origin": self.origin, "status": self.status, "error": self.error}
