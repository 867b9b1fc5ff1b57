"""Downloader middlewares: robots.txt fed by the spider's first request, pacing (Retry-After,
Crawl-delay), redirects kept on the site, and the private-address guard."""
