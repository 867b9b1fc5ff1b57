"""The daemon's memory over many cycles: the real ``newsmon daemon`` against the replica outlet,
beside the alternative a cron user picks (``newsmon run`` once per cycle, a fresh process).

    python bench/daemon_memory.py [--cycles 200] [--interval 1s]

Every crawl runs in a subprocess, so the daemon itself only schedules, matches and delivers;
its resident memory (VmRSS from /proc) is sampled after each cycle's summary line. Each cycle
the replica changes one article's headline (edits are stored, matched and alerted, so the
archive and the outbox grow as in real use). Prints the figures; not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.receiver import Receiver  # noqa: E402
from monitor.replica import DEFAULT_DATA, Replica  # noqa: E402

ARTICLE = "002-gaza-feed-item.toml"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def edit(data: Path, n: int) -> None:
    path = data / "articles" / ARTICLE
    record = tomllib.loads(path.read_text(encoding="utf-8"))
    # A new clause about Gaza each time: an edit that only renumbers "غزة: تحديث رقم n" keeps
    # the clause that holds the watched word ("غزة" before the colon), and alerts nobody.
    record["title"] = f"قصف جديد على غزة في التحديث رقم {n}"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def stop_on_sigterm() -> None:
    """SIGTERM ends the benchmark through its ``finally`` blocks, so no daemon is left behind."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--interval", default="1s")
    args = parser.parse_args()
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", "PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        work = Path(tmp)
        data = work / "replica"
        shutil.copytree(DEFAULT_DATA, data)
        receiver = Receiver().start()
        with Replica(data, lifetime=None) as replica:
            config = work / "config.toml"
            config.write_text(
                tomli_w.dumps(
                    {
                        "db": str(work / "newsmon.db"),
                        "site": {"base_url": replica.url, "allow_private": True},
                        "crawl": {"delay": "0s", "sections": ["politics"]},
                        "schedule": {"jitter": "0s"},
                        "notify": {"target": [{"url": receiver.url()}]},
                    }
                ),
                encoding="utf-8",
            )
            subprocess.run(
                [sys.executable, "-m", "monitor", "watch", "add", "غزة", "غزة",
                 "--db", str(work / "newsmon.db")],
                check=True, env=env, capture_output=True,
            )  # fmt: skip
            log_path = work / "daemon.log"
            with log_path.open("wb") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "monitor", "daemon", "--config", str(config),
                     "--interval", args.interval],
                    stdout=log, stderr=subprocess.STDOUT, env=env,
                )  # fmt: skip
                samples: list[float] = []
                started = time.monotonic()
                seen = 0
                try:
                    while len(samples) < args.cycles and proc.poll() is None:
                        count = log_path.read_text(encoding="utf-8").count("cycle outlet:")
                        if count > seen:
                            seen = count
                            samples.append(rss_mb(proc.pid))
                            edit(data, count)
                            if len(samples) % 25 == 0:
                                print(f"  cycle {len(samples)}: {samples[-1]:.1f} MB", flush=True)
                        time.sleep(0.2)
                finally:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=60)
                elapsed = time.monotonic() - started
            # The cron alternative: a fresh `newsmon run` process per cycle (peak RSS).
            runs = []
            for n in range(5):
                edit(data, 10_000 + n)
                out = subprocess.run(
                    ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "monitor", "run",
                     "--config", str(config)],
                    env=env, capture_output=True, text=True,
                )  # fmt: skip
                runs.append(int(out.stderr.strip().splitlines()[-1]) / 1024)
        receiver.close()
    n = len(samples)
    tenth = max(1, n // 10)
    first, last = statistics.median(samples[:tenth]), statistics.median(samples[-tenth:])
    print(f"daemon: {n} cycles in {elapsed:.0f} s, {len(receiver.messages)} alerts delivered")
    print(
        f"daemon RSS: first tenth median {first:.1f} MB, last tenth median {last:.1f} MB,"
        f" growth {last - first:+.1f} MB ({(last - first) / max(1, n - tenth) * 1024:+.1f} KB"
        f" per cycle), max {max(samples):.1f} MB"
    )
    print(f"cron alternative (newsmon run, fresh process each time): peak RSS {max(runs):.1f} MB")


if __name__ == "__main__":
    main()
