"""Every request — the first one, and every redirect — goes through the private-address guard
(``crawler.addresses``) unless ``NEWSMON_ALLOW_PRIVATE`` allows it: ``1`` every loopback and
private address, or a list of addresses, networks and names (each optionally with a port).

Only http(s) is fetched. The host name is resolved here (within ``DNS_TIMEOUT``) and every
address it resolves to is checked, before Scrapy opens a connection.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

from crawler.addresses import (
    DEFAULT_PORTS,
    AddressRefused,
    Allowance,
    check_host,
    parse_allowance,
    parse_ip,
)

log = logging.getLogger(__name__)


class AddressRefusedError(IgnoreRequest):
    """A request to an address the guard refuses (an error of the page or source, recorded)."""


class PrivateAddressMiddleware:
    def __init__(
        self, crawler: Crawler, allow_private: bool | Allowance, dns_timeout: float = 20.0
    ) -> None:
        self.crawler = crawler
        self.allowance = parse_allowance(allow_private)
        self.dns_timeout = dns_timeout
        self.verdicts: dict[tuple[str, int | None], str | None] = {}  # → refusal or None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        settings = crawler.settings
        # A malformed value refuses everything private; the spider reports it and stops.
        try:
            allowance = parse_allowance(settings.get("NEWSMON_ALLOW_PRIVATE"))
        except ValueError:
            allowance = Allowance()
        return cls(crawler, allowance, settings.getfloat("DNS_TIMEOUT", 20.0))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in DEFAULT_PORTS:
            self._refuse(request, f"not an http(s) URL: {request.url}")
        if self.allowance.everything:
            return
        host = parts.hostname or ""
        key = (host, parts.port or DEFAULT_PORTS.get(parts.scheme))
        if key not in self.verdicts:
            self.verdicts[key] = await self._verdict(*key)
        refusal = self.verdicts[key]
        if refusal:
            self._refuse(request, refusal)

    def _refuse(self, request: Request, reason: str) -> None:
        self.crawler.stats.inc_value("newsmon/refused_address")
        log.error("refused %s: %s", request.url, reason)
        raise AddressRefusedError(f"refused: {reason}")

    async def _verdict(self, host: str, port: int | None) -> str | None:
        addresses: list[str] = []
        if parse_ip(host) is None and host:
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(host, None, proto=socket.IPPROTO_TCP), self.dns_timeout
                )
                addresses = [str(info[4][0]) for info in infos]
            except (OSError, UnicodeError, TimeoutError):
                addresses = []  # nothing to connect to: the download reports the DNS error
        try:
            check_host(
                host, allow_private=self.allowance, resolver=lambda _name: addresses, port=port
            )
        except AddressRefused as exc:
            return str(exc)
        return None
