"""Everything newsmon knows about the outlet, in one place to check and change.

Facts come from ``shared/outlet/README.md``: **[real]** seen in a real capture, **[reported]**
by other projects, **[guess]** typical of the site's Drupal CMS and still to be confirmed live.
Code elsewhere reads these values; it never spells a host, path or selector of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    # The canonical origin every stored URL uses [real].
    base_url: str
    canonical_host: str
    # Hosts that are the outlet itself: the canonical host, the bare domain, and mirrors that
    # serve the same paths [real].
    own_hosts: frozenset[str]
    # Sections seen in article URLs [real]; sport/medianews/blogs are likely [guess].
    sections: tuple[str, ...]
    # Feeds: /rss/<section> [real] (~40 newest items), /rss the full site [reported].
    full_feed_path: str
    section_feed_path: str  # formatted with section=
    # robots.txt and the sitemap index [guess: Drupal's usual paths].
    robots_path: str
    sitemap_path: str
    # Section listing pages, the discovery of last resort [real paths].
    listing_path: str  # formatted with section=
    # Feed guid: "<nid>ab-cd-<nid>-ef-gh-<nid>" [real]; the node id is the stable identity.
    guid_pattern: re.Pattern[str]
    # Local time of the outlet's dates [real: pubDate +0300].
    utc_offset_hours: int
    # Query parameters that only track the reader and never change the page.
    tracking_params: tuple[str, ...] = field(default=())
    tracking_prefixes: tuple[str, ...] = field(default=())


ALARABY = Outlet(
    name="alaraby",
    base_url="https://www.alaraby.co.uk",
    canonical_host="www.alaraby.co.uk",
    own_hosts=frozenset(
        {
            "www.alaraby.co.uk",
            "alaraby.co.uk",
            "aajeg.com",
            "www.aajeg.com",
            "aajsa.com",
            "www.aajsa.com",
            "aajae.co",
            "www.aajae.co",
        }
    ),
    sections=(
        "politics",
        "economy",
        "society",
        "opinion",
        "culture",
        "sport",
        "medianews",
        "blogs",
    ),
    full_feed_path="/rss",
    section_feed_path="/rss/{section}",
    robots_path="/robots.txt",
    sitemap_path="/sitemap.xml",
    listing_path="/{section}",
    guid_pattern=re.compile(r"^\s*(?P<nid>\d+)ab-cd-(?P=nid)-ef-gh-(?P=nid)\s*$"),
    utc_offset_hours=3,
    tracking_params=(
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "_ga",
        "ref",
        "ocid",
    ),
    tracking_prefixes=("utm_", "mc_", "pk_", "hsa_"),
)


def node_id_from_guid(guid: str, outlet: Outlet = ALARABY) -> str | None:
    """The Drupal node id in a feed item's guid (``14405285ab-cd-14405285-ef-gh-14405285``)."""
    m = outlet.guid_pattern.match(guid or "")
    return m.group("nid") if m else None
