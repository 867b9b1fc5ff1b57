"""Scrapy settings for newsmon's crawler (``scrapy crawl alaraby`` from the repository root).

Scrapy's own keys follow ``shared/design/RELIABILITY.md``; newsmon's keys are prefixed
``NEWSMON_``, each with a comment. Every key can be overridden with ``-s KEY=VALUE``.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

try:
    _VERSION = version("newsmon")
except PackageNotFoundError:  # running from a checkout that was never installed
    _VERSION = "0"

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Where to reach the people running this crawler; shown in the User-Agent.
NEWSMON_CONTACT_URL = os.environ.get("NEWSMON_CONTACT_URL", "https://github.com/newsmon/newsmon")
# An honest, non-browser User-Agent naming the project (the outlet answers 403 to some
# browser User-Agents on its feed).
USER_AGENT = f"newsmon/{_VERSION} (+{NEWSMON_CONTACT_URL}; news archive and change monitor)"

# Politeness: robots.txt obeyed, one request at a time to the one host we crawl, a delay that
# AutoThrottle raises when the site slows down.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Limits: time, retries, sizes, redirects, and the crawl as a whole.
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_MAXSIZE = 10 * 2**20
DOWNLOAD_WARNSIZE = 2 * 2**20
REDIRECT_MAX_TIMES = 10
CLOSESPIDER_TIMEOUT = 3600  # the wall-clock cap of one crawl, in seconds
# Scrapy's caching resolver, with the private-address guard applied to the answer each
# connection uses (a name that rebinds to a private address after the guard's check).
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"
DNS_TIMEOUT = 20

# The item pipelines are synchronous (SQLite): Scrapy's default of 100 items in parallel per
# response only starts 100 asyncio tasks for every page (a third of the CPU of a 404).
CONCURRENT_ITEMS = 1
# Scrapy re-reads each callback's source on every response to warn about `return` in a
# generator (its cache misses bound methods); newsmon's callbacks never return a value.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Nothing we fetch needs cookies, and the cookie middleware would download a suffix list.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Crawl state lives in SQLite (crawler/crawlstate.py), never in JOBDIR.
JOBDIR = None
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    # The guard runs first, on every request and every redirect.
    "crawler.middlewares.guard.PrivateAddressMiddleware": 50,
    # Scrapy's robots.txt middleware, fed by the spider's own first request.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsFirstMiddleware": 100,
    # Above RetryMiddleware (550), so it sees a 429/503 before the retry is scheduled.
    "crawler.middlewares.pacing.PacingMiddleware": 560,
    # Just before RedirectMiddleware (600): off-site redirects and loops become errors.
    "crawler.middlewares.redirects.RedirectScopeMiddleware": 610,
}
ITEM_PIPELINES = {
    "crawler.pipelines.NormalisePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.DedupPipeline": 300,
    "crawler.pipelines.StorePipeline": 400,
}
EXTENSIONS = {
    "crawler.extensions.CrawlReport": 500,
}

# The archive (SQLite) the crawl writes; default: $NEWSMON_DB, else the per-user archive.
NEWSMON_DB = os.environ.get("NEWSMON_DB") or None
# The base URL to fetch through (a mirror host or a local replica); stored URLs stay canonical.
NEWSMON_SITE = os.environ.get("NEWSMON_SITE") or None
# Loopback and private addresses are refused unless allowed: "1" allows them all (the replica
# in tests), a comma-separated list only those addresses, networks or names (each with an
# optional :port), e.g. "192.168.1.20:8080,10.8.0.0/16" (crawler/addresses.py).
NEWSMON_ALLOW_PRIVATE = os.environ.get("NEWSMON_ALLOW_PRIVATE", "")
# Sections to crawl, comma-separated; empty: every section and the full-site feed.
NEWSMON_SECTIONS = ""
# Only articles published on or after this date (ISO 8601 or an Arabic display date).
NEWSMON_SINCE = ""
# At most this many article pages per crawl (empty: no limit).
NEWSMON_LIMIT = ""
# A file of article URLs to fetch instead of discovering (re-checks of recent articles).
NEWSMON_URLS = ""
# Without --since, sitemap URLs last modified more than this many days ago are skipped
# (0: none are; a crawl then walks the whole sitemap).
NEWSMON_SITEMAP_DAYS = 7
# The first crawl of an empty archive seeds it with the newest articles the sitemaps list,
# whatever their date: at most this many, read from at most this many sitemap files (the
# newest first). Later crawls take what changed within NEWSMON_SITEMAP_DAYS.
NEWSMON_SEED_ARTICLES = 300
NEWSMON_SEED_SITEMAPS = 20
# Sitemaps may be larger than pages (Drupal chunks of thousands of URLs).
NEWSMON_SITEMAP_MAXSIZE = 60 * 2**20
# At most this many URLs read from one sitemap file.
NEWSMON_SITEMAP_MAX_URLS = 50_000
# Pages of a section listing to follow when listings are used.
NEWSMON_LISTING_PAGES = 3
# Longest Retry-After honoured, and longest robots.txt Crawl-delay, in seconds.
NEWSMON_RETRY_AFTER_MAX = 600
NEWSMON_CRAWL_DELAY_MAX = 60
# Progress as JSON lines on stdout for a parent process (monitor.crawling), every N seconds.
NEWSMON_PROGRESS = False
NEWSMON_PROGRESS_INTERVAL = 0.5
