"""Watchlist matching speed: newsmon's matcher beside one `re` alternation of the same terms.

    python bench/matching.py [--articles 1000] [--runs 5] [--regex-articles 100]

The corpus is built from the real Arabic text in the repository (the sample article in seeds/
and the real feed item in tests/data/rss-politics-sample.xml): their sentences are recombined
deterministically into article-sized documents (~6 KB of UTF-8: title, summary, body).

Terms: Arabic words (4+ letters, no function words) and 2-3-word phrases drawn from that text,
plus generated full names (first + family, first + father + family) so that 10,000 distinct
terms exist. Two term sets per size:

- "same hits": the same 10 text terms in every set, the rest names that never occur in the
  text, so only the number of terms changes (the flatness figure);
- "realistic": a tenth of the terms (at least 10) come from the text, the rest are names, so the
  number of hits grows with the watchlist as it would; that output costs time of its own, in
  both columns.

The alternative is what a user would write: fold the text with crawler.text.fold(), then one
compiled `re` alternation of the folded terms between naive `\\b` boundaries (longest first).
It is not Arabic-aware (no clitics: it misses والعراق for العراق), so its hit count differs.
Above 1,000 terms it is timed on the first --regex-articles articles and scaled up (marked
"~"), because a full run takes minutes.

Figures: median of --runs runs, milliseconds for the whole corpus, and ratios from the same
run. Not a test: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.seedformat import parse  # noqa: E402
from crawler.text import fold, tokens  # noqa: E402
from monitor.fieldtext import strip_markup  # noqa: E402
from monitor.foldmap import fold_mapped  # noqa: E402
from monitor.matcher import Matcher  # noqa: E402
from monitor.watchlist import FUNCTION_WORDS  # noqa: E402

FEED = ROOT / "tests" / "data" / "rss-politics-sample.xml"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ARTICLE_BYTES = 6000
SIZES = (10, 1000, 10000)

# Given names, and family names, for generated full names (first + family, first + bin +
# father + family): the kind of terms a watchlist of people holds.
FIRST_NAMES = (
    *("محمد", "أحمد", "علي", "عمر", "خالد", "يوسف", "إبراهيم", "حسن", "حسين", "مصطفى"),
    *("سامي", "طارق", "وليد", "ماجد", "فادي", "رامي", "نبيل", "جمال", "كمال", "عادل"),
    *("هشام", "زياد", "باسل", "أنس", "معاذ", "حمزة", "عبد الله", "عبد الرحمن", "سعيد"),
    *("منير", "رشيد", "فاطمة", "مريم", "زينب", "سارة", "ليلى", "هدى", "نور", "رنا", "سلمى"),
)
FAMILY_NAMES = (
    *("الخفاجي", "المهداوي", "العبيدي", "الدليمي", "الجبوري", "التميمي", "الحسيني"),
    *("الشمري", "الزبيدي", "الكعبي", "البصري", "النجار", "الحداد", "الخطيب", "المصري"),
    *("الشامي", "الحلبي", "البغدادي", "الموصلي", "الكردي", "العلي", "السعدي", "القاسم"),
    *("الأحمد", "الصالح", "العمري", "الهاشمي", "الرفاعي", "الجابري", "العطار", "الدباغ"),
    *("الصباغ", "الطحان", "القباني", "الكيالي", "الزعبي", "المومني", "الخوري", "حداد"),
    *("نصار", "عواد", "سلامة", "منصور"),
)


def source_texts() -> list[str]:
    """Paragraphs of real Arabic news text: the seeds and the feed item."""
    paragraphs: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        article = parse(path.read_text(encoding="utf-8"))
        paragraphs += [article.title, article.caption or "", *article.body]
    for item in ET.parse(FEED).getroot().iter("item"):
        for tag in ("title", "description", CONTENT):
            node = item.find(tag)
            if node is not None and node.text:
                # The feed escapes entities inside CDATA and appends an <img> block.
                paragraphs += strip_markup(html.unescape(node.text)).split("\n\n")
    return [p for p in (p.strip() for p in paragraphs) if p]


def sentences(paragraphs: list[str]) -> list[str]:
    out = []
    for p in paragraphs:
        out += [s.strip() for s in re.split(r"(?<=[.!؟?])\s+|\n", p) if len(s.split()) >= 4]
    return out


def build_corpus(n: int, seed: int = 20260815) -> list[dict[str, str]]:
    """``n`` articles of about ARTICLE_BYTES bytes, sentences recombined deterministically."""
    pool = sentences(source_texts())
    rng = random.Random(seed)
    corpus = []
    for i in range(n):
        title = " ".join(rng.choice(pool).split()[:10])
        summary = rng.choice(pool)
        body: list[str] = []
        size = len((title + summary).encode())
        while size < ARTICLE_BYTES:
            para = " ".join(rng.sample(pool, rng.randint(1, 3)))
            body.append(para)
            size += len(para.encode()) + 2
        # A number in each article keeps any cache from seeing the same text twice.
        body.append(f"({i} - الأناضول، العربي الجديد)")
        corpus.append({"title": title, "summary": summary, "body": "\n\n".join(body)})
    return corpus


def text_terms(paragraphs: list[str]) -> list[str]:
    """Distinct words (4+ letters, not function words) and 2-3-word phrases of the text."""
    words: dict[str, None] = {}
    phrases: dict[str, None] = {}
    for sentence in sentences(paragraphs):
        for clause in re.split(r"[،,:؛;.!؟?\"«»()]", sentence):
            ws = [w for w in clause.split() if w]
            for w in ws:
                if len(fold(w)) >= 4 and fold(w) not in FUNCTION_WORDS and tokens(fold(w)):
                    words.setdefault(w)
            for k in (2, 3):
                for j in range(len(ws) - k + 1):
                    phrases.setdefault(" ".join(ws[j : j + k]))
    return list(words) + list(phrases)


def names(n: int, rng: random.Random) -> list[str]:
    out: dict[str, None] = {}
    pairs = [f"{f} {g}" for f in FIRST_NAMES for g in FAMILY_NAMES]
    rng.shuffle(pairs)
    for p in pairs:
        out.setdefault(p)
    while len(out) < n:
        f, father, g = rng.choice(FIRST_NAMES), rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
        out.setdefault(f"{f} بن {father} {g}")
    return list(out)[:n]


def term_sets(paragraphs: list[str]) -> dict[str, dict[int, list[str]]]:
    rng = random.Random(7)
    real = text_terms(paragraphs)
    rng.shuffle(real)
    generated = names(max(SIZES), rng)
    sets: dict[str, dict[int, list[str]]] = {"same hits": {}, "realistic": {}}
    for size in SIZES:
        sets["same hits"][size] = real[:10] + generated[: size - 10]
        k = min(max(10, size // 10), len(real))
        sets["realistic"][size] = real[:k] + generated[: size - k]
    return sets


def naive_regex(terms: list[str]) -> re.Pattern[str]:
    folded = sorted({fold(t) for t in terms}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, folded)) + r")\b")


def matcher_hits(matcher: Matcher, corpus: list[dict[str, str]]) -> int:
    return sum(len(matcher.scan(a).hits) for a in corpus)


def regex_hits(regex: re.Pattern[str], corpus: list[dict[str, str]]) -> int:
    return sum(len(regex.findall(fold(t))) for a in corpus for t in a.values())


def time_runs(fn: Callable[[], int], runs: int) -> tuple[float, int]:
    times, hits = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        hits = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the corpus")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median reported)")
    parser.add_argument(
        "--regex-articles",
        type=int,
        default=100,
        help="articles the regex is timed on above 1,000 terms (then scaled)",
    )
    args = parser.parse_args()
    corpus = build_corpus(args.articles)
    paragraphs = source_texts()
    size = sum(len(v.encode()) for a in corpus for v in a.values())
    print(
        f"corpus: {len(corpus)} articles, {size / 1e6:.2f} MB UTF-8"
        f" ({size / len(corpus) / 1000:.1f} KB each); median of {args.runs} runs"
    )
    # Warm up as a long-running daemon would be: lookup tables built, caches filled.
    warm = Matcher([("العراق", "standard")])
    for article in corpus:
        warm.scan(article)
    texts = [v for a in corpus for v in a.values()]
    fold_s, _ = time_runs(lambda: sum(len(fold(t)) for t in texts), args.runs)
    map_s, _ = time_runs(lambda: sum(len(fold_mapped(t).folded) for t in texts), args.runs)
    print(
        f"folding: fold() {size / fold_s / 1e6:.1f} MB/s;"
        f" fold_mapped() (with the offset map) {size / map_s / 1e6:.1f} MB/s"
    )
    for name, sets in term_sets(paragraphs).items():
        print(f"\nterm set: {name}")
        print(
            f"{'terms':>6} {'forms':>7} {'compile':>8} {'newsmon ms':>11} {'per art.':>9}"
            f" {'hits':>7} {'regex ms':>10} {'hits':>8} {'regex/newsmon':>14}"
            f" {'vs 10 terms':>12}"
        )
        base = None
        for n, terms in sets.items():
            start = time.perf_counter()
            matcher = Matcher((t, "standard") for t in terms)
            compile_s = time.perf_counter() - start
            ours, our_hits = time_runs(partial(matcher_hits, matcher, corpus), args.runs)
            regex = naive_regex(terms)
            sample = corpus if n <= 1000 else corpus[: args.regex_articles]
            scale = len(corpus) / len(sample)
            runs = args.runs if n <= 1000 else 1
            theirs, their_hits = time_runs(partial(regex_hits, regex, sample), runs)
            theirs *= scale
            mark = "~" if scale > 1 else " "
            base = base or ours
            print(
                f"{n:>6} {matcher.form_count:>7} {compile_s:>7.2f}s {ours * 1000:>11.0f}"
                f" {ours * 1000 / len(corpus):>7.2f}ms {our_hits:>7} {mark}{theirs * 1000:>9.0f}"
                f" {mark}{their_hits * scale:>7.0f} {theirs / ours:>13.1f}x {ours / base:>11.2f}x"
            )


if __name__ == "__main__":
    main()
