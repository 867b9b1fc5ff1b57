"""The outlet's spiders: discovery and fetching only; extraction lives in crawler.parsers."""
