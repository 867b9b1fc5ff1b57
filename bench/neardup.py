"""Near-duplicate lookups at 10k and 100k stored signatures: newsmon's SQLite-resident LSH bands
beside datasketch's in-memory MinHashLSH with the same banding (42 bands x 3 rows).

    python bench/neardup.py [--sizes 10000 100000] [--queries 1000]

Stored signatures are random (unrelated articles share almost no shingles, so random hash values
behave like a real archive's background); the queries are signatures of real article text whose
near-duplicates are among the stored ones, so every lookup also verifies candidates. Figures are
medians; the process's resident memory is read from /proc. Not a test.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from rewrites import half_rewrite, one_sentence_edit, sample  # noqa: E402

from crawler import identity, neardup  # noqa: E402
from crawler.database import open_db  # noqa: E402
from crawler.neardup import Signature, band_keys, signature  # noqa: E402
from crawler.text import fold, tokens  # noqa: E402


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def real_signatures() -> list[Signature]:
    base = sample()
    variants = [base, one_sentence_edit(base), half_rewrite(base)]
    sigs = [signature(tokens(fold("\n".join(a.body)))) for a in variants]
    return [s for s in sigs if s is not None]


def random_signature(rng: np.random.Generator) -> Signature:
    values = rng.integers(0, 2**32 - 1, size=neardup.NUM_PERM, dtype=np.uint32)
    return Signature("w5", int(rng.integers(300, 1500)), values.tobytes())


def bench_sqlite(n: int, stored: list[Signature], queries: list[Signature]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        start = time.perf_counter()
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO articles (id, title) VALUES (?, ?)",
                [(i + 1, f"a{i}") for i in range(n)],
            )
            db.conn.executemany(
                "INSERT INTO signatures (article_id, kind, size, hashvalues) VALUES (?, ?, ?, ?)",
                [(i + 1, s.kind, s.size, s.values) for i, s in enumerate(stored)],
            )
            db.conn.executemany(
                "INSERT INTO lsh_bands (band_key, article_id) VALUES (?, ?)",
                [(k, i + 1) for i, s in enumerate(stored) for k in band_keys(s)],
            )
        build = time.perf_counter() - start
        db.close()
        start = time.perf_counter()
        db = open_db(Path(tmp) / "bench.db")  # what a crawl pays at start-up
        startup = time.perf_counter() - start
        times = []
        for q in queries:
            t = time.perf_counter()
            found = identity.candidates(db, q)
            times.append(time.perf_counter() - t)
            assert found, "a stored near-duplicate was not found"
        size = (Path(tmp) / "bench.db").stat().st_size / 2**20
        db.close()
    return {
        "build_s": build,
        "startup_s": startup,
        "lookup_ms": statistics.median(times) * 1e3,
        "mem_mb": 0.0,
        "disk_mb": size,
    }


def bench_datasketch(n: int, stored: list[Signature], queries: list[Signature]) -> dict[str, float]:
    from datasketch import LeanMinHash, MinHashLSH

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    lsh = MinHashLSH(num_perm=neardup.NUM_PERM, params=(neardup.BANDS, neardup.ROWS))
    with lsh.insertion_session() as session:
        for i, s in enumerate(stored):
            mh = LeanMinHash(seed=neardup.SEED, hashvalues=s.array(), scheme=neardup.SCHEME)
            session.insert(i + 1, mh, check_duplication=False)
    build = time.perf_counter() - start
    mem = rss_mb() - before
    times = []
    for q in queries:
        mh = LeanMinHash(seed=neardup.SEED, hashvalues=q.array(), scheme=neardup.SCHEME)
        t = time.perf_counter()
        found = lsh.query(mh)
        times.append(time.perf_counter() - t)
        assert found
    del lsh
    gc.collect()
    # In memory only: every start-up rebuilds it, so its start-up time is its build time.
    return {
        "build_s": build,
        "startup_s": build,
        "lookup_ms": statistics.median(times) * 1e3,
        "mem_mb": mem,
        "disk_mb": 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    real = real_signatures()
    queries = [real[i % len(real)] for i in range(args.queries)]
    columns = ("size", "method", "lookup ms", "start-up s", "build s", "RSS MB", "disk MB")
    widths = (8, 28, 10, 11, 8, 7, 8)
    print(
        " ".join(
            c.ljust(w) if i == 1 else c.rjust(w)
            for i, (c, w) in enumerate(zip(columns, widths, strict=True))
        )
    )
    for n in args.sizes:
        stored = [random_signature(rng) for _ in range(n - len(real))] + real
        for name, fn in (
            ("newsmon (SQLite bands)", bench_sqlite),
            ("datasketch MinHashLSH", bench_datasketch),
        ):
            r = fn(n, stored, queries)
            cells = (
                f"{n:>8}",
                f"{name:28}",
                f"{r['lookup_ms']:10.3f}",
                f"{r['startup_s']:11.3f}",
                f"{r['build_s']:8.1f}",
                f"{r['mem_mb']:7.0f}",
                f"{r['disk_mb']:8.0f}",
            )
            print(" ".join(cells))


if __name__ == "__main__":
    main()
