"""Health alerts: is newsmon still collecting the outlet?

Problems, checked after every crawl:

- a source (robots.txt, a feed, a sitemap, a listing) failing ``fetch_failures`` times in a row;
- a feed or sitemap that answered but listed nothing (a coverage alarm);
- the newest ``extraction_failures`` versions all read by the fallback extractor or by the
  wrong layout (the site's markup changed);
- nothing stored for longer than ``silence`` while crawls run.

Each problem sends one alert to the targets tagged for health (else the untagged ones), a
reminder at most once a day while it lasts, and one "recovered" message when it clears.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from crawler.transaction import writing
from monitor.alerttext import health_message
from monitor.config import Config, Target
from monitor.durations import format_duration
from monitor.notifier import route
from monitor.outbox import add_message

log = logging.getLogger(__name__)

REMIND_EVERY = timedelta(hours=24)
EXTRACTION_FLAGS = ("layout_unknown", "layout_mismatch")


@dataclass(frozen=True, slots=True)
class Problem:
    key: str  # stable while the problem lasts: fetch:<url>, empty:<url>, extraction, silence
    source: str  # what is affected, for the message
    text: str  # what is wrong
    detail: str | None = None


def current_problems(db: Database, config: Config, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    names = set(db.table_names())
    if "crawl_sources" in names:
        for url, kind, failures, error, items, status in db.execute(
            "SELECT url, kind, failures, last_error, items, status FROM crawl_sources"
        ).fetchall():
            if failures >= config.fetch_failures:
                problems.append(
                    Problem(
                        f"fetch:{url}", f"{kind} {url}", f"failed {failures} times in a row", error
                    )
                )
            elif kind in ("feed", "sitemap") and items == 0 and status and 200 <= status < 300:
                problems.append(Problem(f"empty:{url}", f"{kind} {url}", "lists no articles"))
    n = config.extraction_failures
    if n > 0:
        flags = [
            row[0] or "[]"
            for row in db.execute(
                "SELECT json_extract(record, '$.flags') FROM versions ORDER BY id DESC LIMIT ?", [n]
            ).fetchall()
        ]
        if len(flags) == n and all(any(f in text for f in EXTRACTION_FLAGS) for text in flags):
            problems.append(
                Problem(
                    "extraction",
                    "article pages",
                    f"the last {n} pages could not be read with the outlet's layouts",
                    "the fallback extractor read them; the site's markup may have changed",
                )
            )
    last = db.execute("SELECT max(recorded_at) FROM versions").fetchone()[0]
    ran = (
        "crawl_runs" in names
        and db.execute(
            "SELECT count(*) FROM crawl_runs WHERE julianday(started_at) >= julianday(?)",
            [(now - config.silence).isoformat()],
        ).fetchone()[0]
    )
    if last and ran and datetime.fromisoformat(last) < now - config.silence:
        problems.append(
            Problem(
                "silence",
                "the archive",
                f"no article stored or changed for {format_duration(config.silence)}",
                f"last stored {last}",
            )
        )
    return problems


def health_targets(targets: list[Target], config: Config) -> list[Target]:
    return route(targets, (config.health_tag,)) or route(targets, ())


@dataclass
class HealthReport:
    opened: int = 0
    reminded: int = 0
    recovered: int = 0


def check(
    db: Database, config: Config, targets: list[Target], *, now: datetime | None = None
) -> HealthReport:
    """Compare the current problems with the open ones and queue the messages due."""
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    report = HealthReport()
    to = health_targets(targets, config)
    found = {p.key: p for p in current_problems(db, config, now)}
    open_rows = {
        r[0]: r
        for r in db.execute(
            "SELECT key, source, text, opened_at, last_alert_at, reminders FROM health"
            " WHERE closed_at IS NULL"
        ).fetchall()
    }
    with writing(db):
        for key, problem in found.items():
            row = open_rows.get(key)
            if row is None:
                db.execute(
                    "INSERT INTO health (key, source, text, detail, opened_at, last_alert_at,"
                    " reminders) VALUES (?, ?, ?, ?, ?, ?, 0)",
                    [key, problem.source, problem.text, problem.detail, stamp, stamp],
                )
                message = health_message(
                    problem.source, problem.text, problem.detail, recovered=False
                )
                add_message(db, "health", f"{key}:{stamp}", message, to)
                log.warning("health: %s %s", problem.source, problem.text)
                report.opened += 1
            elif datetime.fromisoformat(row[4]) + REMIND_EVERY <= now:
                reminders = int(row[5]) + 1
                db.execute(
                    "UPDATE health SET last_alert_at = ?, reminders = ?, text = ?, detail = ?"
                    " WHERE key = ? AND closed_at IS NULL",
                    [stamp, reminders, problem.text, problem.detail, key],
                )
                message = health_message(
                    problem.source, f"still: {problem.text}", problem.detail, recovered=False
                )
                add_message(db, "health", f"{key}:{row[3]}:reminder{reminders}", message, to)
                report.reminded += 1
        for key, row in open_rows.items():
            if key in found:
                continue
            db.execute(
                "UPDATE health SET closed_at = ? WHERE key = ? AND closed_at IS NULL", [stamp, key]
            )
            message = health_message(row[1], row[2], None, recovered=True)
            add_message(db, "health", f"{key}:{row[3]}:recovered", message, to)
            log.info("health: %s recovered", row[1])
            report.recovered += 1
    return report


def open_problems(db: Database) -> list[dict[str, object]]:
    rows = db.execute(
        "SELECT key, source, text, detail, opened_at FROM health WHERE closed_at IS NULL"
        " ORDER BY opened_at"
    ).fetchall()
    return [
        dict(zip(("key", "source", "text", "detail", "opened_at"), r, strict=True)) for r in rows
    ]
