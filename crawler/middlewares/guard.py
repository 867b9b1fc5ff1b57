"""Every request — the first one, and every redirect — goes through the private-address guard
(``crawler.addresses``) unless ``NEWSMON_ALLOW_PRIVATE`` allows loopback and private ranges."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

from crawler.addresses import AddressRefused, allow_private_from_env, check_host, parse_ip

log = logging.getLogger(__name__)


class PrivateAddressMiddleware:
    def __init__(self, crawler: Crawler, allow_private: bool) -> None:
        self.crawler = crawler
        self.allow_private = allow_private
        self.verdicts: dict[str, str | None] = {}  # host → refusal, None when allowed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        allow = crawler.settings.getbool("NEWSMON_ALLOW_PRIVATE") or allow_private_from_env()
        return cls(crawler, allow)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if self.allow_private or request.url.startswith(("data:", "file:")):
            return
        host = urlparse_cached(request).hostname or ""
        if host not in self.verdicts:
            self.verdicts[host] = await self._verdict(host)
        refusal = self.verdicts[host]
        if refusal:
            self.crawler.stats.inc_value("newsmon/refused_address")
            log.error("refused %s: %s", request.url, refusal)
            raise IgnoreRequest(f"refused: {refusal}")

    async def _verdict(self, host: str) -> str | None:
        addresses: list[str] = []
        if parse_ip(host) is None and host:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
                addresses = [str(info[4][0]) for info in infos]
            except (OSError, UnicodeError):
                addresses = []
        try:
            check_host(host, resolver=lambda _name: addresses)
        except AddressRefused as exc:
            return str(exc)
        return None
