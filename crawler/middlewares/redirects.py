"""Redirects stay on the site being crawled, and never go round in circles.

Scrapy follows a redirect by scheduling a new request; one to another host is then dropped by
its offsite filter, and one back to a URL already fetched by its duplicate filter — both
silently, so the page looks as if it had never been asked for. This middleware runs just before
Scrapy's ``RedirectMiddleware`` and ends such a request with ``RedirectRefused`` instead, which
the spider records as the page's (or source's) error:

- a ``Location`` on another host, or on another port of the site's host (another service on the
  same machine), is refused; the default ports 80 and 443 count as one, so ``http`` → ``https``
  on the site is fine;
- a ``Location`` already in the request's redirect chain is a loop;
- a ``<meta http-equiv="refresh">`` that Scrapy's ``MetaRefreshMiddleware`` would follow is held
  to the same rules.

The chain's length is Scrapy's ``REDIRECT_MAX_TIMES``; addresses are the guard's business
(``crawler.middlewares.guard`` checks every request, redirected ones included).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

log = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
DEFAULT_PORTS = {"http": 80, "https": 443}


class RedirectRefused(IgnoreRequest):
    """A redirect off the site, or back to a URL already in the chain."""


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(parts.scheme)


def refusal(site: str, chain: list[str], target: str) -> str | None:
    """Why a redirect from the end of ``chain`` to ``target`` is not followed, or None."""
    if urlsplit(target).scheme not in DEFAULT_PORTS:
        return f"redirected to a non-web address {target}"
    host, port = _origin(target)
    site_host, site_port = _origin(site)
    on_site = host == site_host or host.endswith("." + site_host)
    if not on_site:
        return f"redirected off the site to {target}"
    same_port = port == site_port or (
        site_port in DEFAULT_PORTS.values() and port in DEFAULT_PORTS.values()
    )
    if not same_port:
        return f"redirected to another port of the site's host: {target}"
    if target.split("#", 1)[0] in {u.split("#", 1)[0] for u in chain}:
        return f"redirect loop: {' → '.join([*chain, target])}"
    return None


class RedirectScopeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED")
        self.refresh_max_delay = settings.getint("METAREFRESH_MAXDELAY")
        self.refresh_ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectScopeMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        target = self._redirect_target(request, response)
        if target is None:
            return response
        config = getattr(self.crawler.spider, "config", None)
        site = config.base if config is not None else request.url
        chain = [*request.meta.get("redirect_urls", []), request.url]
        problem = refusal(site, chain, target)
        if problem:
            self.crawler.stats.inc_value("newsmon/redirect_refused")
            log.warning("not following %s: %s", request.url, problem)
            raise RedirectRefused(problem)
        return response

    def _redirect_target(self, request: Request, response: Response) -> str | None:
        """Where Scrapy's redirect middlewares would send this request next, if anywhere."""
        location = response.headers.get(b"Location")
        if response.status in REDIRECTS and location and _followed(request, response):
            return urljoin(request.url, safe_url_string(location))
        if (
            self.meta_refresh
            and isinstance(response, HtmlResponse)
            and request.method != "HEAD"
            and not request.meta.get("dont_redirect")
        ):
            interval, url = get_meta_refresh(response, ignore_tags=self.refresh_ignore_tags)
            if url and interval is not None and interval < self.refresh_max_delay:
                return str(url)
        return None


def _followed(request: Request, response: Response) -> bool:
    """Whether Scrapy's RedirectMiddleware would follow this redirect."""
    meta = request.meta
    return not (
        meta.get("dont_redirect")
        or meta.get("handle_httpstatus_all")
        or response.status in meta.get("handle_httpstatus_list", ())
    )
