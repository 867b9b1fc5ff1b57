"""Canonical URLs: every form of a link to the outlet maps to one URL (one rule a row)."""

from __future__ import annotations

import pytest
from tables import read_tsv

from crawler.fingerprint import canonical_url, fetch_url, is_outlet_url, site_to_canonical

URL_CASES = read_tsv("url-cases.tsv")


@pytest.mark.parametrize("case", URL_CASES, ids=[c["id"] for c in URL_CASES])
def test_canonical_url(case: dict[str, str]) -> None:
    assert canonical_url(case["url"]) == case["canonical"]
    assert canonical_url(case["canonical"]) == case["canonical"]  # idempotent


@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("https://www.alaraby.co.uk/x", True),
        ("http://aajsa.com/x", True),
        ("https://alaraby.co.uk.evil.example/x", False),
        ("https://newarab.com/x", False),
        ("not a url", False),
    ],
)
def test_is_outlet_url(url: str, own: bool) -> None:
    assert is_outlet_url(url) is own


@pytest.mark.parametrize(
    "site", ["http://127.0.0.1:8123", "https://aajeg.com", "http://127.0.0.1:9/replica/"]
)
def test_fetching_through_a_site_keeps_stored_urls_canonical(site: str) -> None:
    canonical = "https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9?page=2"
    fetched = fetch_url(canonical, site)
    assert fetched.startswith(site.rstrip("/") + "/politics/")
    assert site_to_canonical(fetched, site) == canonical
