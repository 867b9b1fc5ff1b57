"""newsmon's configuration: one frozen ``Config``, built once from the TOML file, then the
environment, then command-line flags (each overriding the one before), and passed explicitly.

A missing file means the defaults (crawl the outlet's feeds, no notification targets). A bad
file stops the start-up with one error naming the file, the line and the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from crawler.addresses import Allowance
from crawler.outlets import ALARABY
from monitor.tomlfile import KeyPath, TomlError, TomlFile

ENV_CONFIG = "NEWSMON_CONFIG"
ENV_DB = "NEWSMON_DB"
ENV_SITE = "NEWSMON_SITE"
ENV_ALLOW_PRIVATE = "NEWSMON_ALLOW_PRIVATE"
ENV_SECTIONS = "NEWSMON_SECTIONS"
ENV_INTERVAL = "NEWSMON_INTERVAL"
ENV_NOTIFY_URLS = "NEWSMON_NOTIFY_URLS"

# Empty: the full feed, every section's feed and the sitemaps (as `newsmon crawl` does).
DEFAULT_SECTIONS: tuple[str, ...] = ()


class ConfigError(ValueError):
    """A configuration problem, worded for the user (file, line and key when there is one)."""


def default_db_path() -> Path:
    """The per-user archive: ``$XDG_DATA_HOME/newsmon/newsmon.db`` (``~/.local/share/...``)."""
    return user_data_path("newsmon", appauthor=False) / "newsmon.db"


def default_config_path() -> Path:
    """The per-user configuration: ``$XDG_CONFIG_HOME/newsmon/config.toml``."""
    return user_config_path("newsmon", appauthor=False) / "config.toml"


def resolve_db_path(flag: str | os.PathLike[str] | None) -> Path:
    """``--db`` wins over ``NEWSMON_DB``, which wins over the per-user default."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    return default_db_path()


# Records ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A notification target: an apprise URL (a secret: never stored, logged or shown in full)."""

    url: str
    tags: tuple[str, ...] = ()
    digest: timedelta | None = None  # None: each alert at once
    quiet_hours: tuple[time, time] | None = None
    origin: str = "config"  # config | env | apprise-config
    # The private addresses delivery may connect to: the target's own ``allow_private`` and
    # the configuration's (``[site] allow_private`` / NEWSMON_ALLOW_PRIVATE). None by default.
    allowance: Allowance = field(default_factory=Allowance)


@dataclass(frozen=True, slots=True)
class Source:
    """A crawl on its own schedule: some sections, or all of them."""

    name: str
    sections: tuple[str, ...] = ()
    interval: timedelta | None = None
    cron: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None  # the file it came from, if any
    db_path: Path = field(default_factory=default_db_path)
    site: str = ALARABY.base_url
    # Loopback and private addresses the crawl and the notifications may reach (none by default).
    allow_private: Allowance = field(default_factory=Allowance)
    sections: tuple[str, ...] = DEFAULT_SECTIONS
    delay: timedelta = timedelta(seconds=2)
    timeout: timedelta = timedelta(seconds=30)
    max_duration: timedelta = timedelta(minutes=20)
    interval: timedelta = timedelta(minutes=15)
    jitter: timedelta = timedelta(seconds=30)
    misfire_grace: timedelta = timedelta(minutes=5)
    sources: tuple[Source, ...] = ()
    # While an article is younger than the first value, re-fetch it every second value.
    recheck: tuple[tuple[timedelta, timedelta], ...] = (
        (timedelta(hours=3), timedelta(minutes=15)),
        (timedelta(days=1), timedelta(hours=1)),
        (timedelta(days=7), timedelta(hours=3)),
        (timedelta(days=30), timedelta(days=1)),
    )
    targets: tuple[Target, ...] = ()
    apprise_config: Path | None = None
    expire_after: timedelta = timedelta(days=2)
    max_backoff: timedelta = timedelta(hours=1)
    retry_every: timedelta = timedelta(seconds=30)  # the daemon's outbox runs between crawls
    timezone: str | None = None  # for quiet hours; None: this machine's zone
    fetch_failures: int = 3
    extraction_failures: int = 6
    silence: timedelta = timedelta(hours=6)
    health_tag: str = "health"
    warnings: tuple[str, ...] = ()

    def effective_sources(self) -> tuple[Source, ...]:
        """The configured sources, or one source crawling every configured section."""
        if self.sources:
            return self.sources
        return (Source("outlet", self.sections, self.interval),)


def located_error(config: Config, path: KeyPath, message: str) -> ConfigError:
    """An error about the value at ``path`` of the file ``config`` came from, naming its line
    (for checks made after loading, such as asking apprise about a target)."""
    if config.path is None:
        return ConfigError(message)
    try:
        file = TomlFile.load(Path(config.path))
    except TomlError:
        return ConfigError(f"{config.path}: {message}")
    return ConfigError(str(file.error(path, message)))


def with_allowance(targets: tuple[Target, ...], allowance: Allowance) -> tuple[Target, ...]:
    """The targets, each allowed what the whole configuration allows as well as its own."""
    return tuple(replace(t, allowance=t.allowance.union(allowance)) for t in targets)
