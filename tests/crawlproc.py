"""The real ``scrapy crawl alaraby`` subprocess, watched from outside: its final report, its log,
and samples of its memory and open file descriptors from /proc while it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from conftest import ROOT

CANONICAL = "https://www.alaraby.co.uk"
# Tests only: no politeness delay, fast AutoThrottle, every sitemap date wanted, one retry.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_START_DELAY": "0",
    "AUTOTHROTTLE_MAX_DELAY": "0.1",
    "NEWSMON_SITEMAP_DAYS": "0",
    "RETRY_TIMES": "1",
    "LOG_LEVEL": "INFO",
}


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # seconds since the start
    rss: int  # bytes
    fds: int


@dataclass
class CrawlRun:
    report: dict[str, Any]
    log: str
    elapsed: float
    returncode: int
    samples: list[Sample] = field(default_factory=list)

    @property
    def peak_rss(self) -> int:
        return max((s.rss for s in self.samples), default=0)

    def __getitem__(self, key: str) -> Any:
        return self.report[key]


def article_url(path: str) -> str:
    """The canonical URL of an outlet path (what a urls file lists)."""
    return CANONICAL + quote(path, safe="/-")


def urls_file(directory: Path, *paths: str) -> Path:
    out = directory / "urls.txt"
    out.write_text("\n".join(article_url(p) for p in paths) + "\n", encoding="utf-8")
    return out


def _proc_status(pid: int) -> tuple[int, int] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(list(Path(f"/proc/{pid}/fd").iterdir()))
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024, fds
    return None


def crawl(
    site: str,
    db: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    allow_private: str = "1",
    timeout: float = 120,
    sample_every: float = 0.0,
) -> CrawlRun:
    """Run the crawl to its end (killed after ``timeout`` s) and return what it reported.
    ``allow_private`` is NEWSMON_ALLOW_PRIVATE for the crawl ("1", "0" or an allow list)."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "alaraby", "-a", f"site={site}", *args]
    merged = {
        **FAST,
        "NEWSMON_DB": str(db),
        "NEWSMON_ALLOW_PRIVATE": allow_private,
        "NEWSMON_PROGRESS": "1",
    }
    merged.update(settings or {})
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    samples: list[Sample] = []
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            deadline = started + timeout
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    break
                if sample_every:
                    found = _proc_status(proc.pid)
                    if found:
                        samples.append(Sample(time.monotonic() - started, *found))
                    time.sleep(sample_every)
                else:
                    time.sleep(0.05)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode("utf-8", "replace")
    events = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    done = [e for e in events if e.get("newsmon") == "done"]
    assert done, f"no report from the crawl (exit {proc.returncode}):\n{stderr[-3000:]}"
    return CrawlRun(done[-1], stderr, elapsed, proc.returncode, samples)
