"""What one crawl is asked to do, from Scrapy settings and spider arguments (``-s`` / ``-a``).

``scrapy crawl alaraby -a site=URL -a sections=politics,economy -a since=2026-08-01 -a limit=50
-a urls=FILE`` or the equivalent settings ``NEWSMON_SITE``, ``NEWSMON_SECTIONS``,
``NEWSMON_SINCE``, ``NEWSMON_LIMIT``, ``NEWSMON_URLS``; arguments win over settings. Pure: the
same inputs give the same config, and a bad value is one ``ConfigError`` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.addresses import Allowance, parse_allowance
from crawler.dates import OUTLET_TZ, parse_display_date
from crawler.fingerprint import canonical_url, is_outlet_url
from crawler.outlets import ALARABY, Outlet
from crawler.pasted import pasted_url


class ConfigError(ValueError):
    """A crawl option with a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    site: str | None  # the base URL to fetch through (mirror or replica); None = the outlet
    sections: tuple[str, ...]  # empty: every section, and the full feed
    since: datetime | None  # only articles published on or after this moment
    limit: int | None  # at most this many article pages
    urls: tuple[str, ...]  # fetch exactly these articles (canonical URLs), no discovery
    allow_private: Allowance  # the private addresses the crawl may reach (none by default)
    sitemap_days: float  # without --since, sitemap URLs older than this are skipped (0: none)
    listing_pages: int  # how many pages of a section listing to follow
    seed_articles: int = 300  # a first crawl's newest sitemap articles, whatever their date
    seed_sitemaps: int = 20  # ... read from at most this many sitemap files

    @property
    def base(self) -> str:
        return (self.site or ALARABY.base_url).rstrip("/")

    def window_start(self, now: datetime) -> datetime | None:
        """The oldest sitemap date worth fetching."""
        if self.since is not None:
            return self.since
        if self.sitemap_days > 0:
            return now - timedelta(days=self.sitemap_days)
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value).strip()


def parse_since(value: str) -> datetime:
    """``2026-08-01``, ``2026-08-01T10:00+03:00``, or a display date (``1 أغسطس 2026``)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        parsed = parse_display_date(value)
        if parsed is None:
            raise ConfigError(f"not a date: {value!r}") from None
        return parsed
    return moment if moment.tzinfo else moment.replace(tzinfo=OUTLET_TZ)


def parse_sections(value: str, outlet: Outlet = ALARABY) -> tuple[str, ...]:
    sections = tuple(dict.fromkeys(s.strip().lower() for s in value.split(",") if s.strip()))
    unknown = [s for s in sections if s not in outlet.sections]
    if unknown:
        raise ConfigError(
            f"unknown section {', '.join(unknown)} (known: {', '.join(outlet.sections)})"
        )
    return sections


def read_urls(path: str, outlet: Outlet = ALARABY) -> tuple[str, ...]:
    """Article URLs, one a line (# comments and blank lines skipped), made canonical."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = pasted_url(line, outlet)
        if not is_outlet_url(line, outlet):
            raise ConfigError(f"{path}, line {number}: not a URL of the outlet: {line!r}")
        urls.append(canonical_url(line, outlet))
    return tuple(dict.fromkeys(urls))


def _allowance(value: str) -> Allowance:
    try:
        return parse_allowance(value)
    except ValueError as exc:
        raise ConfigError(f"NEWSMON_ALLOW_PRIVATE: {exc}") from None


def build_config(settings: Mapping[str, Any], args: Mapping[str, Any]) -> CrawlConfig:
    """The crawl's config: spider arguments first, then settings."""

    def pick(arg: str, setting: str) -> str:
        value = _text(args.get(arg))
        return value if value else _text(settings.get(setting))

    site = pick("site", "NEWSMON_SITE") or None
    if site:
        if not site.startswith(("http://", "https://")):
            raise ConfigError(f"--site must be an http(s) URL, got {site!r}")
        site = site.rstrip("/")
    since_text = pick("since", "NEWSMON_SINCE")
    limit_text = pick("limit", "NEWSMON_LIMIT")
    limit = None
    if limit_text:
        if not limit_text.isdigit() or int(limit_text) < 1:
            raise ConfigError(f"--limit must be a positive number, got {limit_text!r}")
        limit = int(limit_text)
    urls_file = pick("urls", "NEWSMON_URLS")
    try:
        sitemap_days = float(_text(settings.get("NEWSMON_SITEMAP_DAYS")) or 7)
        listing_pages = int(_text(settings.get("NEWSMON_LISTING_PAGES")) or 3)
        seed_articles = int(_text(settings.get("NEWSMON_SEED_ARTICLES")) or 300)
        seed_sitemaps = int(_text(settings.get("NEWSMON_SEED_SITEMAPS")) or 20)
    except ValueError as exc:
        raise ConfigError(f"bad number in settings: {exc}") from None
    return CrawlConfig(
        site=site,
        sections=parse_sections(pick("sections", "NEWSMON_SECTIONS")),
        since=parse_since(since_text).astimezone(UTC) if since_text else None,
        limit=limit,
        urls=read_urls(urls_file) if urls_file else (),
        allow_private=_allowance(pick("allow_private", "NEWSMON_ALLOW_PRIVATE")),
        sitemap_days=sitemap_days,
        listing_pages=max(1, listing_pages),
        seed_articles=max(0, seed_articles),
        seed_sitemaps=max(1, seed_sitemaps),
    )
