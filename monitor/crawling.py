"""Running a crawl: ``scrapy crawl alaraby`` in a subprocess, its progress read back as it goes.

A Twisted reactor cannot be restarted in one process, and a process per crawl also isolates
memory and crashes; so ``newsmon crawl`` and the daemon both call ``run_crawl``. The crawl
reports on its standard output as JSON lines (``crawler/extensions.py``); its log goes to a
file whose last lines explain a failure. monitor/ never imports Scrapy: only the command line.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from crawler.addresses import (
    AddressRefused,
    Allowance,
    allowance_from_env,
    check_url,
    parse_allowance,
)
from crawler.crawlconfig import ConfigError, parse_sections, parse_since, read_urls

log = logging.getLogger(__name__)

Status = Literal["ok", "partial", "failed", "interrupted"]
# After the crawl's own wall-clock cap, how long the parent waits before stopping it.
GRACE_SECONDS = 60.0
# After asking a crawl to stop, how long before it is killed.
STOP_GRACE_SECONDS = 20.0
DEFAULT_TIMEOUT = 3600.0
LOG_TAIL = 20


class CrawlError(Exception):
    """The crawl was refused before it started (a bad option, a private address)."""


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    db_path: Path
    site: str | None = None
    sections: tuple[str, ...] = ()
    since: str | None = None
    limit: int | None = None
    urls_file: Path | None = None
    # The private addresses the crawl may reach; None: NEWSMON_ALLOW_PRIVATE decides.
    allow_private: bool | Allowance | None = None
    timeout: float = DEFAULT_TIMEOUT  # wall-clock cap of the crawl, in seconds
    settings: tuple[tuple[str, str], ...] = ()  # extra Scrapy settings (-s KEY=VALUE)
    log_path: Path | None = None  # keep the crawl's log here (default: a temporary file)


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    pages: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    queued: int = 0
    elapsed: float = 0.0


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    status: Status
    message: str
    run_id: int | None
    progress: CrawlProgress
    returncode: int
    elapsed: float
    log_tail: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "interrupted")


def check_options(options: CrawlOptions) -> None:
    """Refuse, before anything starts, what the crawl would refuse: one clear message."""
    try:
        allow = (
            parse_allowance(options.allow_private)
            if options.allow_private is not None
            else allowance_from_env()
        )
    except ValueError as exc:
        raise CrawlError(f"NEWSMON_ALLOW_PRIVATE: {exc}") from None
    try:
        parse_sections(",".join(options.sections))
        if options.since:
            parse_since(options.since)
        if options.urls_file:
            read_urls(str(options.urls_file))
    except ConfigError as exc:
        raise CrawlError(str(exc)) from None
    if options.limit is not None and options.limit < 1:
        raise CrawlError("--limit must be at least 1")
    if options.site:
        try:
            check_url(options.site, allow_private=allow)
        except AddressRefused as exc:
            hint = (
                ""
                if allow.everything
                else " (set NEWSMON_ALLOW_PRIVATE=1, or to this address, to crawl a local or"
                " private site)"
            )
            raise CrawlError(f"refusing --site {options.site}: {exc}{hint}") from None


def crawl_command(options: CrawlOptions) -> list[str]:
    """The ``scrapy crawl`` command line for ``options``."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "alaraby"]
    settings: dict[str, str] = {
        "NEWSMON_DB": str(options.db_path),
        "NEWSMON_PROGRESS": "1",
        "CLOSESPIDER_TIMEOUT": str(int(options.timeout)),
        "LOG_LEVEL": "INFO",
    }
    if options.site:
        settings["NEWSMON_SITE"] = options.site
    if options.sections:
        settings["NEWSMON_SECTIONS"] = ",".join(options.sections)
    if options.since:
        settings["NEWSMON_SINCE"] = options.since
    if options.limit:
        settings["NEWSMON_LIMIT"] = str(options.limit)
    if options.urls_file:
        settings["NEWSMON_URLS"] = str(Path(options.urls_file).resolve())
    if options.allow_private is not None:
        settings["NEWSMON_ALLOW_PRIVATE"] = str(parse_allowance(options.allow_private))
    settings.update(dict(options.settings))
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # The project's settings wherever newsmon runs from; nothing downloaded at run time.
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _progress(event: dict[str, Any]) -> CrawlProgress:
    return CrawlProgress(
        **{k: event.get(k, 0) for k in ("pages", "new", "changed", "unchanged", "errors")},
        queued=int(event.get("queued", 0)),
        elapsed=float(event.get("elapsed", 0.0)),
    )


def _reader(stream: IO[str], events: queue.Queue[dict[str, Any] | None]) -> None:
    for line in stream:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and "newsmon" in event:
            events.put(event)
    events.put(None)


def run_crawl(
    options: CrawlOptions,
    on_progress: Callable[[CrawlProgress], None] | None = None,
    *,
    stop: threading.Event | None = None,
) -> CrawlSummary:
    """Run one crawl to its end and say how it went. Raises ``CrawlError`` for options refused
    before starting; a crawl that ran and failed is a summary with ``status == "failed"``.
    Setting ``stop`` asks the crawl to stop (SIGTERM, as Scrapy closes cleanly on it)."""
    check_options(options)
    started = time.monotonic()
    events: queue.Queue[dict[str, Any] | None] = queue.Queue()
    with _open_log(options.log_path) as log_file:
        proc = subprocess.Popen(
            crawl_command(options),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            env=_environment(),
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert proc.stdout is not None
        reader = threading.Thread(target=_reader, args=(proc.stdout, events), daemon=True)
        reader.start()
        done, progress, run_id = _follow(proc, events, options, on_progress, stop)
        returncode = proc.wait()
        reader.join(timeout=5)
        log_file.seek(0)
        tail = tuple(deque((line.rstrip("\n") for line in log_file), maxlen=LOG_TAIL))
    elapsed = time.monotonic() - started
    if done is None:
        if stop is not None and stop.is_set():
            message = "stopped before it finished"
            return CrawlSummary("interrupted", message, run_id, progress, returncode, elapsed, tail)
        message = _last_error(tail) or f"the crawl process ended (exit status {returncode})"
        return CrawlSummary("failed", message, run_id, progress, returncode, elapsed, tail)
    status = done.get("status", "failed")
    if status not in ("ok", "partial", "failed", "interrupted"):
        status = "failed"
    return CrawlSummary(
        status, str(done.get("message", "")), run_id, _progress(done), returncode, elapsed, tail
    )


def _open_log(path: Path | None) -> IO[str]:
    if path is not None:
        return path.open("w+", encoding="utf-8")
    return tempfile.TemporaryFile("w+", encoding="utf-8")


def _follow(
    proc: subprocess.Popen[str],
    events: queue.Queue[dict[str, Any] | None],
    options: CrawlOptions,
    on_progress: Callable[[CrawlProgress], None] | None,
    stop: threading.Event | None = None,
) -> tuple[dict[str, Any] | None, CrawlProgress, int | None]:
    """Read events until the crawl ends; stop it if it outlives its cap or ``stop`` is set."""
    deadline = time.monotonic() + options.timeout + GRACE_SECONDS
    stopping: float | None = None
    done: dict[str, Any] | None = None
    progress = CrawlProgress()
    run_id: int | None = None
    try:
        while True:
            try:
                event = events.get(timeout=0.5)
            except queue.Empty:
                if time.monotonic() > deadline:
                    log.error("the crawl outlived its time limit; stopping it")
                    _stop(proc)
                    break
                if stop is not None and stop.is_set() and proc.poll() is None:
                    if stopping is None:
                        log.info("stopping the crawl")
                        # Scrapy closes cleanly on SIGTERM and still reports how far it got.
                        proc.terminate()
                        stopping = time.monotonic()
                    elif time.monotonic() - stopping > STOP_GRACE_SECONDS:
                        _stop(proc)
                        break
                continue
            if event is None:
                break
            kind = event.get("newsmon")
            if kind == "start":
                run_id = event.get("run")
            elif kind in ("progress", "done"):
                progress = _progress(event)
                if on_progress is not None:
                    on_progress(progress)
                if kind == "done":
                    done = event
    except KeyboardInterrupt:
        _stop(proc)
        raise
    return done, progress, run_id


def _stop(proc: subprocess.Popen[str]) -> None:
    """Ask the crawl to stop (Scrapy closes cleanly on SIGTERM), then insist."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _last_error(tail: tuple[str, ...]) -> str | None:
    for line in reversed(tail):
        if " ERROR: " in line or line.startswith(("Error", "Traceback")):
            return line.split(" ERROR: ", 1)[-1].strip()
    return None
