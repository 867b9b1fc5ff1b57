"""Alert latency: from an article appearing in the replica outlet's feeds to the webhook
receiving its alert, with the real ``newsmon daemon`` polling every N seconds.

    python bench/alert_latency.py [--interval 10s] [--trials 6] [--delay 0s]

The replica (a copy of seeds/replica) is served on 127.0.0.1, a json:// webhook receiver
(monitor.receiver) is the notification target, and a watch matches every article the
benchmark publishes. Each trial waits a random time (uniform within one interval, so that every
phase of the polling cycle is sampled), publishes a new article (a file written into the
replica's data, published and modified now in +03:00, as the newsroom would), and times its
alert's arrival. The daemon's crawls use ``--delay`` between requests (the demo's and the
tests' 0s by default; the product's default is 2s, for the real site).

Each alert's latency is split, from the replica's request log and the daemon's log, into the
wait until a poll's crawl reads a feed holding the article (uniform within one interval: polls
start every N seconds) and the time from that feed request to the alert, itself made of the
crawl's requests up to the alert (the article's page among them) and what follows the last of
them (storing, matching, delivering: the daemon matches while the crawl is still running). The
crawl process's start-up (poll start to its first request) is shown too; it delays every feed
request by the same amount, so it does not add to the latency. The worst case is therefore about
N + (feed request to alert). Goal: <= N + 2 s. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.durations import parse_duration  # noqa: E402
from monitor.receiver import Receiver  # noqa: E402
from monitor.replica import DEFAULT_DATA, Replica  # noqa: E402

OUTLET_TZ = timezone(timedelta(hours=3))
DRAFT = "013-tunisia-budget-draft.toml"
TERM = "البرلمان التونسي"
CYCLE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ monitor\.cycle: cycle outlet: (\w+) .* in"
    r" ([\d.]+)s",
    re.M,
)


@dataclass(frozen=True, slots=True)
class Trial:
    latency: float  # published → alert received
    wait: float  # published → the delivering crawl's first feed request
    to_alert: float  # that feed request → alert received
    fetching: float  # that feed request → the crawl's last request before the alert
    after: float  # that request → alert received (storing, matching, sending)
    startup: float  # the poll began → its crawl's first request (robots.txt)


def stop_on_sigterm() -> None:
    """SIGTERM ends the benchmark through its ``finally`` blocks, so no daemon is left."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def write_article(data: Path, n: int) -> str:
    """Publish trial ``n``'s article (the draft's text, its own node, path and headline)."""
    record = tomllib.loads((data / "articles" / DRAFT).read_text(encoding="utf-8"))
    title = f"{TERM} يناقش مشروع قانون المالية في جلسته رقم {n}"
    stamp = datetime.now(OUTLET_TZ).replace(microsecond=0)
    record.update(
        node=str(14_500_000 + n),
        slug=f"البرلمان-التونسي-الجلسة-{n}",
        title=title,
        draft=False,
        published=stamp,
        modified=stamp,
    )
    record["body"] = [{"p": f"الجلسة رقم {n}: " + record["body"][0]["p"]}, *record["body"][1:]]
    path = data / "articles" / f"900-trial-{n:03d}.toml"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(record), encoding="utf-8")
    os.replace(tmp, path)
    return title


def cycles(log: str) -> list[tuple[float, float, str]]:
    """(start, end, status) of every crawl cycle the daemon logged (its clock: local time)."""
    out = []
    for stamp, status, seconds in CYCLE.findall(log):
        end = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        out.append((end - float(seconds), end, status))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", default="10s", help="the daemon's polling interval")
    parser.add_argument("--trials", type=int, default=6, help="articles published, one by one")
    parser.add_argument("--delay", default="0s", help="the crawls' delay between requests")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the trial phases")
    args = parser.parse_args()
    interval = parse_duration(args.interval).total_seconds()
    stop_on_sigterm()
    rng = random.Random(args.seed)
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", "PYTHONIOENCODING": "utf-8"}
    trials: list[Trial] = []
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-latency-") as tmp:
        work = Path(tmp)
        data = work / "replica"
        shutil.copytree(DEFAULT_DATA, data)
        receiver = Receiver().start()
        with Replica(data, lifetime=None) as replica:
            db = work / "newsmon.db"
            config = work / "config.toml"
            config.write_text(
                tomli_w.dumps(
                    {
                        "db": str(db),
                        "site": {"base_url": replica.url, "allow_private": True},
                        "crawl": {"delay": args.delay, "timeout": "10s", "max_duration": "2m"},
                        "schedule": {"jitter": "0s", "misfire_grace": "1m"},
                        "notify": {"target": [{"url": receiver.url()}]},
                    }
                ),
                encoding="utf-8",
            )
            subprocess.run(
                [sys.executable, "-m", "monitor", "watch", "add", "تونس", TERM, "--db", str(db)],
                check=True, env=env, capture_output=True,
            )  # fmt: skip
            log_path = work / "daemon.log"
            with log_path.open("wb") as log:
                daemon = subprocess.Popen(
                    [sys.executable, "-m", "monitor", "daemon", "--config", str(config),
                     "--interval", args.interval],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                )  # fmt: skip
                try:
                    read_log = lambda: log_path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
                    deadline = time.monotonic() + 120
                    while not cycles(read_log()) and time.monotonic() < deadline:
                        time.sleep(0.2)
                    if not cycles(read_log()):
                        sys.exit("the daemon's first cycle did not finish:\n" + read_log())
                    print(
                        f"daemon polling every {args.interval}, crawl delay {args.delay};"
                        f" first cycle done; {args.trials} trials",
                        flush=True,
                    )
                    for n in range(1, args.trials + 1):
                        time.sleep(rng.uniform(0, interval))
                        title = write_article(data, n)
                        published = time.time()
                        deadline = time.monotonic() + interval * 3 + 120
                        arrived = None
                        while arrived is None and time.monotonic() < deadline:
                            found = [m for m in receiver.messages if title in m.message + m.title]
                            arrived = found[0].at if found else None
                            time.sleep(0.05)
                        if arrived is None:
                            sys.exit(f"trial {n}: no alert:\n" + read_log()[-3000:])
                        # The delivering cycle is logged when it ends, maybe after the alert.
                        while time.monotonic() < deadline and not any(
                            end >= arrived for _start, end, _s in cycles(read_log())
                        ):
                            time.sleep(0.2)
                        trial = split(published, arrived, cycles(read_log()), replica)
                        trials.append(trial)
                        print(
                            f"  trial {n}: {trial.latency:5.1f} s = until a feed request"
                            f" {trial.wait:4.1f} + requests {trial.fetching:4.1f}"
                            f" + store/match/send {trial.after:4.1f}"
                            f" (crawl start-up {trial.startup:.1f})",
                            flush=True,
                        )
                finally:
                    daemon.send_signal(signal.SIGTERM)
                    try:
                        daemon.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        daemon.kill()
        receiver.close()
    report(trials, interval)


def split(
    published: float, arrived: float, logged: list[tuple[float, float, str]], replica: Replica
) -> Trial:
    """Where the time went. The delivering poll is the logged cycle running when the alert
    arrived (alerts go out while the crawl runs, or right after it); the feed request that
    brought the article is the poll's first feed request after publication."""
    began = max((start for start, _end, _s in logged if start <= arrived), default=published)
    hits = [h for h in replica.hits if began <= h.at <= arrived]
    first = min((h.at for h in hits), default=began)
    feeds = [h.at for h in hits if h.path.startswith("/rss") and h.at >= published]
    feed = min(feeds, default=first)
    last = max((h.at for h in hits), default=first)
    return Trial(
        latency=arrived - published,
        wait=feed - published,
        to_alert=arrived - feed,
        fetching=last - feed,
        after=arrived - last,
        startup=first - began,
    )


def report(trials: list[Trial], interval: float) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    latencies = [t.latency for t in trials]
    goal = interval + 2
    print(f"\n{'':<28} {'median':>7} {'max':>7}")
    for name, values in (
        ("latency", latencies),
        ("  until a feed request", [t.wait for t in trials]),
        ("  feed request to alert", [t.to_alert for t in trials]),
        ("    crawl's other requests", [t.fetching for t in trials]),
        ("    store, match, send", [t.after for t in trials]),
        ("(crawl start-up)", [t.startup for t in trials]),
    ):
        print(f"{name:<28} {med(values):>6.1f}s {max(values):>6.1f}s")
    worst = interval + max(t.to_alert for t in trials)
    verdict = "met" if max(max(latencies), worst) <= goal else "missed"
    print(
        f"goal: <= N + 2 s = {goal:g} s; measured median {med(latencies):.1f} s,"
        f" max {max(latencies):.1f} s; worst case N + feed-to-alert = {worst:.1f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
