"""Extraction quality and speed: newsmon's layered parser beside trafilatura alone (what a user
would reach for), on the replica's pages in every layout.

    python bench/extraction.py [--runs 5]

For every replica article rendered in the 2020 layout, the 2024 layout and a layout no parser
version knows, both extractors read the page; a body counts as exact when its paragraphs are
the article's own paragraphs, in order, line breaks included. Prints the exact share, the
title share, and the median milliseconds per page. Not a test: timings here are noisy.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.parsers.alaraby import parse_page  # noqa: E402
from crawler.text import clean  # noqa: E402
from monitor.replica import DEFAULT_DATA, DataDir  # noqa: E402
from monitor.replica.pages import article_page  # noqa: E402

Extractor = Callable[[str], tuple[str, tuple[str, ...]]]


def newsmon(html: str) -> tuple[str, tuple[str, ...]]:
    article = parse_page(html)
    return article.title, article.body


def trafilatura_alone(html: str) -> tuple[str, tuple[str, ...]]:
    """trafilatura as a user calls it: the main text, one paragraph a line."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, favor_precision=True, with_metadata=True)
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    title = (getattr(doc, "title", None) or "") if doc is not None else ""
    return clean(title), tuple(p for p in (clean(x) for x in text.split("\n")) if p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    snap = DataDir(DEFAULT_DATA).snapshot()
    pages = []
    for article in snap.articles:
        expected = tuple(clean(b.text) for b in article.body if b.kind in ("p", "h"))
        for layout in ("v2020", "v2024", "broken"):
            html = article_page(dataclasses.replace(article, layout=layout), snap, "http://x")
            pages.append((layout, article.title, expected, html))
    extractors: dict[str, Extractor] = {"newsmon": newsmon, "trafilatura": trafilatura_alone}
    trafilatura_alone(pages[0][3])  # import and warm up before timing
    print(f"{len(pages)} pages ({len(snap.articles)} articles x 3 layouts), median of {args.runs}")
    print(f"{'extractor':<12} {'layout':<8} {'exact body':>11} {'title':>7} {'ms/page':>8}")
    for name, extract in extractors.items():
        for layout in ("v2020", "v2024", "broken", "all"):
            chosen = [p for p in pages if layout in ("all", p[0])]
            exact = titles = 0
            timings = []
            for run in range(args.runs):
                started = time.perf_counter()
                for _layout, title, expected, html in chosen:
                    got_title, body = extract(html)
                    if run == 0:
                        exact += body == expected
                        titles += got_title == title
                timings.append((time.perf_counter() - started) * 1000 / len(chosen))
            print(
                f"{name:<12} {layout:<8} {exact:>5}/{len(chosen):<5} {titles:>3}/{len(chosen):<3}"
                f" {statistics.median(timings):>8.2f}"
            )


if __name__ == "__main__":
    main()
