"""Folding throughput on Arabic text: newsmon's fold() beside the ways a user might write it.

    python bench/folding.py [--articles 2000] [--runs 7]

Folds a corpus of article-sized documents one at a time (the real workload: one article per
call) and prints MB/s (UTF-8 bytes of input per second), the median of several runs, and each
alternative's ratio to newsmon's figure measured in the same run. Not a test: machines here are
shared and noisy.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.text import INVISIBLE, LETTER_VARIANTS, MARKS, fold  # noqa: E402

SPARSE = dict.fromkeys(INVISIBLE | MARKS)
SPARSE.update({0x0660 + i: str(i) for i in range(10)})
SPARSE.update({0x06F0 + i: str(i) for i in range(10)})
SPARSE.update({ord(k): v for k, v in LETTER_VARIANTS.items()})


def sparse_translate(text: str) -> str:
    """The obvious version: NFKC, a sparse dict table, casefold."""
    return unicodedata.normalize("NFKC", text).translate(SPARSE).casefold()


_DELETE = re.compile("[" + "".join(chr(c) for c in sorted(INVISIBLE | MARKS)) + "]")


def regex_and_replace(text: str) -> str:
    """Regex deletion, then one str.replace per folded letter (what many snippets do)."""
    text = _DELETE.sub("", unicodedata.normalize("NFKC", text))
    for src, dst in LETTER_VARIANTS.items():
        text = text.replace(src, dst)
    for i in range(10):
        text = text.replace(chr(0x0660 + i), str(i)).replace(chr(0x06F0 + i), str(i))
    return text.casefold()


def per_character(text: str) -> str:
    """A per-character Python loop."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        cp = ord(ch)
        if cp in INVISIBLE or cp in MARKS:
            continue
        out.append(SPARSE.get(cp, ch) or "")
    return "".join(out).casefold()


def measure(fn: Callable[[str], str], docs: list[str], runs: int) -> float:
    size = sum(len(d.encode("utf-8")) for d in docs)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for doc in docs:
            fn(doc)
        times.append(time.perf_counter() - start)
    return size / statistics.median(times) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="documents in the corpus")
    parser.add_argument("--runs", type=int, default=7, help="runs per method (median reported)")
    args = parser.parse_args()
    sample = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))
    )
    # Each document differs (a number appended), so nothing can be cached between calls.
    docs = [f"{sample}\n{i}" for i in range(args.articles)]
    size = sum(len(d.encode("utf-8")) for d in docs)
    fold("warm-up")  # builds the lookup table once, as a long-running process does
    methods: list[tuple[str, Callable[[str], str]]] = [
        ("newsmon fold()", fold),
        ("NFKC + sparse dict translate", sparse_translate),
        ("regex + str.replace per letter", regex_and_replace),
        ("per-character Python loop", per_character),
    ]
    print(
        f"input: {len(docs)} articles, {size / 1e6:.1f} MB of Arabic news text;"
        f" median of {args.runs} runs"
    )
    print(f"{'method':34} {'MB/s':>8} {'vs newsmon':>11}")
    base = None
    for name, fn in methods:
        rate = measure(fn, docs, args.runs)
        base = base or rate
        print(f"{name:34} {rate:8.1f} {rate / base:10.2f}x")


if __name__ == "__main__":
    main()
