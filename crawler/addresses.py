"""Refusing URLs that point inside the machine or its network (SSRF guard), without Scrapy.

A crawl base URL, a redirect target or (later) a notification URL may name loopback, a private
range, link-local addresses such as the cloud metadata service 169.254.169.254, or an IPv4
address in one of the obfuscated forms ``inet_aton`` accepts (``2130706433``, ``0x7f000001``,
``0177.0.0.1``, ``127.1``). Those are refused unless private addresses are explicitly allowed
(``NEWSMON_ALLOW_PRIVATE=1``; tests need loopback).

Names are resolved and every address they resolve to is checked. A name that does not resolve
is not refused here: there is nothing to connect to, and the fetch reports the DNS error. (A
name that resolves differently between this check and the connection — DNS rebinding — is not
covered: the downloader middleware checks again at request time.)
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]

ENV_ALLOW = "NEWSMON_ALLOW_PRIVATE"
_TRUE = {"1", "true", "yes", "on"}


class AddressRefused(ValueError):
    """A URL whose host is, or resolves to, an address newsmon may not connect to."""


def allow_private_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``NEWSMON_ALLOW_PRIVATE`` is set to 1/true/yes/on."""
    value = (environ if environ is not None else os.environ).get(ENV_ALLOW, "")
    return value.strip().lower() in _TRUE


def parse_ip(host: str) -> IPAddress | None:
    """The address a host string names literally, in any form a C resolver would accept:
    dotted quad, IPv6 (with or without brackets), and the legacy IPv4 forms — one to four parts,
    each decimal, ``0x`` hex or ``0``-prefixed octal, the last part filling the remaining bytes."""
    host = host.strip().strip("[]").rstrip(".")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.split(".")
    if len(parts) > 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _number(part)
        if number is None:
            return None
        numbers.append(number)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def _number(part: str) -> int | None:
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def refusal(address: IPAddress) -> str | None:
    """Why newsmon may not connect to ``address``, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = (
            address.ipv4_mapped
            or address.sixtofour
            or (address.teredo[1] if address.teredo else None)
        )
        if embedded is not None:
            return refusal(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return name
    if not address.is_global:
        return "non-public"
    return None


def system_resolver(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return [str(info[4][0]) for info in infos]


def check_host(
    host: str, *, allow_private: bool = False, resolver: Resolver | None = system_resolver
) -> None:
    """Raise ``AddressRefused`` if ``host`` is, or resolves to, a forbidden address."""
    if allow_private:
        return
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name:
        raise AddressRefused("the URL names no host")
    if name == "localhost" or name.endswith(".localhost"):
        raise AddressRefused(f"{host} is a loopback name")
    literal = parse_ip(name)
    addresses: Iterable[str] = (
        [str(literal)] if literal is not None else (resolver(name) if resolver else [])
    )
    for text in addresses:
        address = parse_ip(text)
        if address is None:
            continue
        reason = refusal(address)
        if reason:
            shown = host if str(address) == name else f"{host} ({address})"
            article = "an" if reason[0] in "aeiou" else "a"
            raise AddressRefused(f"{shown} is {article} {reason} address")


def check_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = system_resolver
) -> None:
    """Raise ``AddressRefused`` if ``url`` may not be fetched: not http(s), or its host is (or
    resolves to) a loopback, private, link-local, unspecified, multicast or reserved address."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError as exc:
        raise AddressRefused(f"not a URL: {url!r} ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(f"not an http(s) URL: {url!r}")
    check_host(host, allow_private=allow_private, resolver=resolver)
