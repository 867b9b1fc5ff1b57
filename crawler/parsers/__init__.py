"""Extraction: pure functions from a page or feed item to an Article's fields."""
