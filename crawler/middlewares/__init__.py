"""Downloader middlewares: robots.txt fed by the spider's first request, pacing (Retry-After,
Crawl-delay) and the private-address guard."""
