"""One monitoring cycle's steps after a crawl: match new versions (queueing their alerts in the
same transaction), then deliver what is due."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from monitor.config import Config, Target, with_allowance
from monitor.matching import StepResult, VersionMatches, run_match_step
from monitor.notifier import deliver, targets_from_apprise_config
from monitor.outbox import add_match_alerts
from monitor.sender import Deliver, DrainReport, drain

log = logging.getLogger(__name__)


def all_targets(config: Config) -> list[Target]:
    """The configured targets, the environment's, and those of an apprise configuration file."""
    targets = list(config.targets)
    if config.apprise_config:
        found = tuple(targets_from_apprise_config(config.apprise_config))
        targets += with_allowance(found, config.allow_private)
    return targets


def zone(config: Config) -> tzinfo | None:
    return ZoneInfo(config.timezone) if config.timezone else None


def match_step(db: Database, targets: list[Target]) -> StepResult:
    """Match every new version; each version's alerts are written with its matches."""

    def queue(database: Database, found: VersionMatches) -> None:
        add_match_alerts(database, found, targets)

    return run_match_step(db, on_version=queue)


def notify_step(
    db: Database,
    config: Config,
    targets: list[Target],
    *,
    now: datetime | None = None,
    send: Deliver = deliver,
) -> DrainReport:
    return drain(
        db,
        targets,
        now=now,
        max_backoff=config.max_backoff,
        expire_after=config.expire_after,
        zone=zone(config),
        send=send,
    )


def health_step(db: Database, config: Config, targets: list[Target]) -> None:
    from monitor.health import check

    check(db, config, targets)
