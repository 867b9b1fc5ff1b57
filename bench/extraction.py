"""Extraction quality and speed: newsmon's layered parser beside trafilatura alone (what a user
would reach for), on the replica's pages in every layout.

    python bench/extraction.py [--runs 5]

For every replica article rendered in the 2020 layout, the 2024 layout and a layout no parser
version knows, each extractor reads the page: newsmon's parser, and trafilatura as a user calls
it with metadata on (``bare_extraction(html, with_metadata=True)``), by default, with
``fast=True``, and with ``favor_precision=True``. Accuracy per field: the title (exact), the
publication date (the day, in the outlet's +03:00), the body exact (its paragraphs are the
article's own, in order, line breaks included) and the body's word F1 (folded words, as a
multiset, against the article's). Time: median milliseconds per page over --runs runs, and the
ratio to trafilatura's default from the same run. Not a test: timings here are noisy.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.parsers.alaraby import parse_page  # noqa: E402
from crawler.text import clean, fold, tokens  # noqa: E402
from monitor.replica import DEFAULT_DATA, DataDir  # noqa: E402
from monitor.replica.pages import article_page  # noqa: E402

OUTLET_TZ = timezone(timedelta(hours=3))


@dataclasses.dataclass(frozen=True, slots=True)
class Extracted:
    title: str
    day: date | None
    body: tuple[str, ...]


Extractor = Callable[[str], Extracted]


def newsmon(html: str) -> Extracted:
    article = parse_page(html)
    moment = article.published_at
    return Extracted(
        article.title, moment.astimezone(OUTLET_TZ).date() if moment else None, article.body
    )


def trafilatura_with(*, fast: bool = False, favor_precision: bool = False) -> Extractor:
    """trafilatura as a user calls it: main text one paragraph a line, title and date."""

    def extract(html: str) -> Extracted:
        import trafilatura

        doc = trafilatura.bare_extraction(
            html, with_metadata=True, fast=fast, favor_precision=favor_precision
        )
        text = (getattr(doc, "text", None) or "") if doc is not None else ""
        title = (getattr(doc, "title", None) or "") if doc is not None else ""
        day_text = (getattr(doc, "date", None) or "") if doc is not None else ""
        try:
            day = date.fromisoformat(day_text[:10]) if day_text else None
        except ValueError:
            day = None
        body = tuple(p for p in (clean(x) for x in text.split("\n")) if p)
        return Extracted(clean(title), day, body)

    return extract


def word_f1(got: tuple[str, ...], expected: tuple[str, ...]) -> float:
    a = Counter(tokens(fold("\n".join(got))))
    b = Counter(tokens(fold("\n".join(expected))))
    if not a and not b:
        return 1.0
    shared = sum((a & b).values())
    if not shared:
        return 0.0
    precision, recall = shared / sum(a.values()), shared / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    snap = DataDir(DEFAULT_DATA).snapshot()
    pages = []
    for article in snap.articles:
        expected = tuple(clean(b.text) for b in article.body if b.kind in ("p", "h"))
        day = article.published.astimezone(OUTLET_TZ).date()
        for layout in ("v2020", "v2024", "broken"):
            html = article_page(dataclasses.replace(article, layout=layout), snap, "http://x")
            pages.append((layout, Extracted(article.title, day, expected), html))
    extractors: dict[str, Extractor] = {
        "newsmon": newsmon,
        "trafilatura": trafilatura_with(),
        "traf. fast": trafilatura_with(fast=True),
        "traf. precise": trafilatura_with(favor_precision=True),
    }
    for extract in extractors.values():  # imports and caches warmed up before timing
        for page in pages[:3]:
            extract(page[2])
    print(f"{len(pages)} pages ({len(snap.articles)} articles x 3 layouts), median of {args.runs}")
    print(
        f"{'extractor':<14} {'layout':<7} {'title':>7} {'date':>7} {'exact body':>11}"
        f" {'body F1':>8} {'ms/page':>8} {'vs traf.':>9}"
    )
    base: dict[str, float] = {}
    rows = []
    for name, extract in extractors.items():
        for layout in ("v2020", "v2024", "broken", "all"):
            chosen = [p for p in pages if layout in ("all", p[0])]
            titles = days = exact = 0
            f1s = []
            timings = []
            for run in range(args.runs):
                started = time.perf_counter()
                for _layout, want, html in chosen:
                    got = extract(html)
                    if run == 0:
                        titles += got.title == want.title
                        days += got.day == want.day
                        exact += got.body == want.body
                        f1s.append(word_f1(got.body, want.body))
                timings.append((time.perf_counter() - started) * 1000 / len(chosen))
            ms = statistics.median(timings)
            if name == "trafilatura":
                base[layout] = ms
            rows.append((name, layout, titles, days, exact, statistics.fmean(f1s), ms, len(chosen)))
    for name, layout, titles, days, exact, f1, ms, n in rows:
        print(
            f"{name:<14} {layout:<7} {titles:>3}/{n:<3} {days:>3}/{n:<3} {exact:>5}/{n:<5}"
            f" {f1:>8.3f} {ms:>8.2f} {ms / base[layout]:>8.2f}x"
        )


if __name__ == "__main__":
    main()
