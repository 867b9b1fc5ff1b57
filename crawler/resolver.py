"""The crawl's DNS resolver: Scrapy's caching resolver, with the private-address guard applied
to the very answer the connection will use.

``crawler.middlewares.guard`` resolves a host and checks it before a request is sent, but the
download resolves the name again when it connects. A name that answers with a public address
the first time and a private one the second (DNS rebinding) would pass the guard and still
reach the private address; checking here closes that gap. Ports are the middleware's business
(a resolver does not know them): here an address is allowed if the allowance covers it on any
port.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler.addresses import AddressRefused, Allowance, check_host, parse_allowance

log = logging.getLogger(__name__)


class GuardedResolver(CachingThreadedResolver):
    allowance: Allowance = Allowance()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        try:
            allowance = parse_allowance(crawler.settings.get("NEWSMON_ALLOW_PRIVATE"))
        except ValueError:
            allowance = Allowance()  # the spider reports the bad value and stops
        resolver.allowance = any_port(allowance)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        answer = super().getHostByName(name, timeout)
        if not self.allowance.everything:
            answer.addCallback(self.checked, name)
        return answer

    def checked(self, address: str, name: str) -> str:
        """``address`` if ``name`` may be connected to at it; else a DNS error saying why."""
        try:
            check_host(name, allow_private=self.allowance, resolver=lambda _name: [address])
        except AddressRefused as exc:
            log.error("refused %s at connection time: %s", name, exc)
            raise DNSLookupError(f"refused: {exc}") from None
        return address


def any_port(allowance: Allowance) -> Allowance:
    """The same allowance with every rule's port dropped."""
    if allowance.everything:
        return allowance
    return Allowance(rules=tuple(replace(rule, port=None) for rule in allowance.rules))
