"""newsmon's monitor: the CLI, watchlists, matching, alerts and the daemon.

It never imports Scrapy: every crawl runs as a ``scrapy crawl`` subprocess.
"""

__version__ = "0.1.0"
