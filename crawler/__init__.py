"""newsmon's crawler: discovery, fetching, extraction and storage of the outlet's articles.

This package is the lower layer: it never imports ``monitor``, and its pure modules (items,
text, dates, seedformat, store) do not import Scrapy either, so the monitor can use them.
"""
