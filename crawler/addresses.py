"""Refusing URLs that point inside the machine or its network (SSRF guard), without Scrapy.

A crawl base URL, a redirect target or (later) a notification URL may name loopback, a private
range, link-local addresses such as the cloud metadata service 169.254.169.254, or an IPv4
address in one of the obfuscated forms ``inet_aton`` accepts (``2130706433``, ``0x7f000001``,
``0177.0.0.1``, ``127.1``). Those are refused unless private addresses are explicitly allowed:
all of them (``NEWSMON_ALLOW_PRIVATE=1``; tests and the demo need loopback), or only those an
``Allowance`` lists — an address, a network or a host name, each optionally with a port
(``NEWSMON_ALLOW_PRIVATE=192.168.1.20:8080,10.8.0.0/16``) — so that a mirror or a notification
service on the local network can be reached while everything else stays refused.

Names are resolved and every address they resolve to is checked. A name that does not resolve
is not refused here: there is nothing to connect to, and the fetch reports the DNS error. (A
name that resolves differently between this check and the connection — DNS rebinding — is not
covered: the downloader middleware checks again at request time.)
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]

ENV_ALLOW = "NEWSMON_ALLOW_PRIVATE"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
DEFAULT_PORTS = {"http": 80, "https": 443}
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


class AddressRefused(ValueError):
    """A URL whose host is, or resolves to, an address newsmon may not connect to."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of an allowance: a network (a single address is a /32 or /128) or a host
    name, and the one port it is allowed on (None: any port)."""

    text: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    name: str | None = None
    port: int | None = None

    def permits(self, host: str, port: int | None, address: IPAddress | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.name is not None:
            return host == self.name
        return address is not None and self.network is not None and address in self.network


@dataclass(frozen=True, slots=True)
class Allowance:
    """The private addresses newsmon may connect to: none (the default), all, or ``rules``."""

    everything: bool = False
    rules: tuple[Rule, ...] = ()

    def permits(self, host: str, port: int | None, address: IPAddress | None) -> bool:
        if self.everything:
            return True
        embedded = _embedded(address) if address is not None else None
        return any(
            rule.permits(host, port, address) or rule.permits(host, port, embedded)
            for rule in self.rules
        )

    def union(self, other: Allowance) -> Allowance:
        if self.everything or other.everything:
            return Allowance(everything=True)
        return Allowance(rules=tuple(dict.fromkeys((*self.rules, *other.rules))))

    def __str__(self) -> str:
        """The ``NEWSMON_ALLOW_PRIVATE`` form: ``1``, ``0`` or the rules, comma-separated."""
        if self.everything:
            return "1"
        return ",".join(rule.text for rule in self.rules) or "0"


NOTHING = Allowance()
EVERYTHING = Allowance(everything=True)


def parse_allowance(value: object) -> Allowance:
    """An allowance from a flag (True/False), the text of ``NEWSMON_ALLOW_PRIVATE`` (``1``, ``0``
    or rules separated by commas or spaces) or a list of rules; ValueError names a bad rule."""
    if isinstance(value, Allowance):
        return value
    if value is None or isinstance(value, bool):
        return EVERYTHING if value else NOTHING
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return EVERYTHING
        if text in _FALSE:
            return NOTHING
        items: Iterable[object] = re.split(r"[\s,]+", text)
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValueError(f"not an allowance: {value!r}")
    return Allowance(rules=tuple(_rule(str(item)) for item in items if str(item).strip()))


def _rule(text: str) -> Rule:
    text = text.strip().lower()
    port: int | None = None
    body = text
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", text)
    if bracketed:
        body, port_text = bracketed.group(1), bracketed.group(2)
        port = int(port_text) if port_text else None
    elif text.count(":") == 1:
        body, _, port_text = text.partition(":")
        if not port_text.isdigit():
            raise ValueError(f"not a port in {text!r}")
        port = int(port_text)
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"not a port in {text!r}")
    address = parse_ip(body)
    if address is not None:
        return Rule(text, ipaddress.ip_network(address), port=port)
    try:
        return Rule(text, ipaddress.ip_network(body, strict=False), port=port)
    except ValueError:
        pass
    name = body.rstrip(".")
    if _NAME.match(name):
        return Rule(text, name=name, port=port)
    raise ValueError(
        f"not an address, network or host name: {text!r}"
        " (write it like 192.168.1.20, 10.0.0.0/8, nas.local or 127.0.0.1:8080)"
    )


def allow_private_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``NEWSMON_ALLOW_PRIVATE`` is set to 1/true/yes/on (every private address)."""
    return allowance_from_env(environ).everything


def allowance_from_env(environ: Mapping[str, str] | None = None) -> Allowance:
    """The allowance ``NEWSMON_ALLOW_PRIVATE`` gives (none if unset); ValueError if malformed."""
    return parse_allowance((environ if environ is not None else os.environ).get(ENV_ALLOW, ""))


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


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return (
        address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
    )


def refusal(address: IPAddress) -> str | None:
    """Why newsmon may not connect to ``address``, or None if it may."""
    embedded = _embedded(address)
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
    host: str,
    *,
    allow_private: bool | Allowance = False,
    resolver: Resolver | None = system_resolver,
    port: int | None = None,
) -> None:
    """Raise ``AddressRefused`` if ``host`` is, or resolves to, a forbidden address that the
    allowance does not cover (``port``: the port the connection would use)."""
    allowance = parse_allowance(allow_private)
    if allowance.everything:
        return
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name:
        raise AddressRefused("the URL names no host")
    literal = parse_ip(name)
    if name == "localhost" or name.endswith(".localhost"):
        # Loopback by definition (RFC 6761), whatever a resolver says.
        addresses: Iterable[str] = ["127.0.0.1", "::1"]
    elif literal is not None:
        addresses = [str(literal)]
    else:
        addresses = resolver(name) if resolver else []
    for text in addresses:
        address = parse_ip(text)
        if address is None:
            continue
        reason = refusal(address)
        if reason and not allowance.permits(name, port, address):
            shown = host if str(address) == name else f"{host} ({address})"
            article = "an" if reason[0] in "aeiou" else "a"
            raise AddressRefused(f"{shown} is {article} {reason} address")


def check_url(
    url: str,
    *,
    allow_private: bool | Allowance = False,
    resolver: Resolver | None = system_resolver,
) -> None:
    """Raise ``AddressRefused`` if ``url`` may not be fetched: not http(s), or its host is (or
    resolves to) a loopback, private, link-local, unspecified, multicast or reserved address."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError as exc:
        raise AddressRefused(f"not a URL: {url!r} ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(f"not an http(s) URL: {url!r}")
    check_host(host, allow_private=allow_private, resolver=resolver, port=port)
