"""``newsmon demo``: the whole product against the replica outlet, on this machine alone.

It copies the replica's data (shipped under ``seeds/``) to a working directory, serves it on
127.0.0.1, starts a local webhook receiver that prints each alert as it arrives, imports the
example watchlist, and runs the real daemon with short intervals. While the daemon runs, a
script plays the newsroom: it publishes a draft article, then edits its headline. The demo
ends with ``newsmon status`` once the change alert has arrived (or after a time limit).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import tomli_w

from monitor.config import Config
from monitor.configfile import load_config
from monitor.receiver import Received, Receiver
from monitor.replica import DEFAULT_DATA, Replica
from monitor.scheduler import Daemon
from monitor.store import get_state, open_monitor_db
from monitor.watches import save_watch
from monitor.watchfile import load_watchlist

log = logging.getLogger(__name__)

# The replica's unpublished draft, and what the demo does to it.
DRAFT_FILE = "013-tunisia-budget-draft.toml"
EDITED_TITLE = "البرلمان التونسي يقر مشروع قانون المالية بعد جدل حول الضرائب"
OUTLET_TZ = timezone(timedelta(hours=3))
WATCHLIST = DEFAULT_DATA.parent / "watchlist.example.toml"


@dataclass(frozen=True, slots=True)
class DemoResult:
    alerts: int  # alerts the receiver got
    published_alert: bool  # an alert about the published draft arrived
    change_alert: bool  # an alert about its edited headline arrived
    workdir: Path


def write_config(workdir: Path, site: str, target: str, interval: timedelta) -> Path:
    """The demo's configuration file: a real one, kept in the working directory."""
    seconds = max(1, int(interval.total_seconds()))
    config = {
        "db": str(workdir / "newsmon.db"),
        "site": {"base_url": site, "allow_private": True},
        # The replica is on this machine: no delay between requests.
        "crawl": {"delay": "0s", "timeout": "10s", "max_duration": "2m"},
        "schedule": {"interval": f"{seconds}s", "jitter": "0s", "misfire_grace": "1m"},
        # Fresh articles are looked at again every few seconds (the outlet's default: 15m).
        "recheck": {"every": [["30d", f"{max(1, seconds // 2)}s"]]},
        "notify": {"target": [{"url": target}]},
    }
    path = workdir / "config.toml"
    path.write_text(
        "# Written by newsmon demo: the replica outlet, short intervals, a local receiver.\n"
        + tomli_w.dumps(config),
        encoding="utf-8",
    )
    return path


def edit_article(data_dir: Path, name: str, **changes: Any) -> None:
    """Change an article file of the replica (it serves the change at the next request)."""
    path = data_dir / "articles" / name
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def outlet_now() -> datetime:
    """Now, as the outlet writes it (+03:00), to the second."""
    return datetime.now(OUTLET_TZ).replace(microsecond=0)


def _job_runs(config: Config, job: str) -> int:
    db = open_monitor_db(config.db_path)
    try:
        return int(get_state(db).get(f"job:{job}", {}).get("runs", 0))
    finally:
        db.conn.close()


def run_demo(
    workdir: Path,
    *,
    interval: timedelta = timedelta(seconds=10),
    limit: float = 120.0,
    say: Callable[[str], None] = print,
    show_alert: Callable[[Received], None] | None = None,
) -> DemoResult:
    """Run the demo in ``workdir`` (which it fills); blocks until it is over."""
    data = workdir / "replica"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(DEFAULT_DATA, data, ignore=shutil.ignore_patterns("*.md"))
    receiver = Receiver(on_message=show_alert).start()
    replica = Replica(data, lifetime=limit + 120).start()
    try:
        config_path = write_config(workdir, replica.url, receiver.url("/demo"), interval)
        config = load_config(config_path, env={})
        db = open_monitor_db(config.db_path)
        try:
            watches, _ = load_watchlist(WATCHLIST)
            for watch in watches:
                save_watch(db, watch)
        finally:
            db.conn.close()
        say(f"replica outlet:  {replica.url} (data: {data})")
        say(f"alert receiver:  {receiver.url('/demo')}")
        say(f"configuration:   {config_path}")
        say(f"watchlist:       {', '.join(w.name for w in watches)}")
        daemon = Daemon(lambda: load_config(config_path, env={}))
        script = threading.Thread(
            target=_newsroom,
            args=(daemon, config, data, receiver, limit, say),
            name="newsroom",
            daemon=True,
        )
        script.start()
        daemon.run()
        script.join(timeout=5)
        titles = [m.title + "\n" + m.message for m in receiver.messages]
        return DemoResult(
            alerts=len(receiver.messages),
            published_alert=any("تونس" in t for t in titles),
            change_alert=any(EDITED_TITLE in t for t in titles),
            workdir=workdir,
        )
    finally:
        replica.stop()
        receiver.close()


def _newsroom(
    daemon: Daemon,
    config: Config,
    data: Path,
    receiver: Receiver,
    limit: float,
    say: Callable[[str], None],
) -> None:
    """Publish the draft after the first crawl, edit its headline once it is collected, and
    stop the daemon when the change alert has arrived (or the time is up)."""
    deadline = time.monotonic() + limit

    def wait(done: Callable[[], bool]) -> bool:
        while time.monotonic() < deadline and not daemon.stop.is_set():
            if done():
                return True
            time.sleep(0.5)
        return False

    try:
        if wait(lambda: _job_runs(config, "outlet") >= 1):
            now = outlet_now()
            say("newsroom: publishing the draft «البرلمان التونسي يناقش مشروع قانون المالية»")
            edit_article(data, DRAFT_FILE, draft=False, published=now, modified=now)
            seen = len(receiver.messages)
            if wait(lambda: any("تونس" in m.title + m.message for m in receiver.messages[seen:])):
                say(f"newsroom: editing its headline to «{EDITED_TITLE}»")
                edit_article(
                    data,
                    DRAFT_FILE,
                    title=EDITED_TITLE,
                    modified=outlet_now(),
                )
                wait(lambda: any(EDITED_TITLE in m.message + m.title for m in receiver.messages))
    finally:
        # Let the last alert's cycle finish writing, then stop the daemon as SIGTERM would.
        time.sleep(1)
        daemon.stop.set()
