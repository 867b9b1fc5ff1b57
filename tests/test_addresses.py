"""The private-address guard: loopback, private, link-local and obfuscated forms are refused."""

from __future__ import annotations

import pytest
from tables import read_tsv

from crawler.addresses import AddressRefused, allow_private_from_env, check_url, parse_ip

CASES = read_tsv("address-cases.tsv")
NAMES = {
    "internal.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "public.example": ["93.184.216.34"],
    "www.alaraby.co.uk": ["104.18.1.1"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
}


def resolver(host: str) -> list[str]:
    return NAMES.get(host, [])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_address_guard(case: dict[str, str]) -> None:
    if case["verdict"] == "allow":
        check_url(case["url"], resolver=resolver)
    else:
        with pytest.raises(AddressRefused):
            check_url(case["url"], resolver=resolver)
        # Allowing private addresses lifts the address checks, not the scheme check.
        if case["url"].startswith("http"):
            check_url(case["url"], resolver=resolver, allow_private=True)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("1.2.3", "1.2.0.3"),
        ("256.1.1.1", None),
        ("1.2.3.4.5", None),
        ("0x", "0.0.0.0"),
        ("09.1.1.1", None),
        ("example.com", None),
    ],
)
def test_legacy_ipv4_forms(host: str, address: str | None) -> None:
    parsed = parse_ip(host)
    assert (str(parsed) if parsed else None) == address


def test_the_refusal_names_the_reason() -> None:
    with pytest.raises(AddressRefused, match=r"2130706433 \(127.0.0.1\) is a loopback address"):
        check_url("http://2130706433/", resolver=resolver)


@pytest.mark.parametrize(
    ("value", "allowed"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_allow_private_from_the_environment(value: str, allowed: bool) -> None:
    assert allow_private_from_env({"NEWSMON_ALLOW_PRIVATE": value}) is allowed
