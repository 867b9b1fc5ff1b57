"""newsmon's configuration: one frozen ``Config``, built once from the TOML file, then the
environment, then command-line flags (each overriding the one before), and passed explicitly.

A missing file means the defaults (crawl the outlet's feeds, no notification targets). A bad
file stops the start-up with one error naming the file, the line and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from platformdirs import user_config_path, user_data_path

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


# Values ----------------------------------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> timedelta:
    """``30s``, ``15m``, ``1h30m``, ``2d``, or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value!r}")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError(f"not a duration: {value!r}")
    text = value.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return timedelta(seconds=float(text))
    if not text or _DURATION.sub("", text):
        raise ValueError(f"not a duration: {value!r} (write it like 30s, 15m, 1h30m, 2d)")
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(text)))


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out)


def check_cron(expression: str) -> str:
    """A 5-field crontab expression, checked by APScheduler's parser."""
    from monitor.crontab import crontab_trigger

    try:
        crontab_trigger(expression)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a cron expression: {expression!r} ({exc})") from None
    return expression


def parse_quiet_hours(value: str) -> tuple[time, time]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if not m:
        raise ValueError(f"not a time range: {value!r} (write it like 23:00-07:00)")
    h1, m1, h2, m2 = map(int, m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"not a time range: {value!r}")
    return time(h1, m1), time(h2, m2)


def truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


# Records ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A notification target: an apprise URL (a secret: never stored, logged or shown in full)."""

    url: str
    tags: tuple[str, ...] = ()
    digest: timedelta | None = None  # None: each alert at once
    quiet_hours: tuple[time, time] | None = None
    origin: str = "config"  # config | env | apprise-config


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
    allow_private: bool = False
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


# Loading ---------------------------------------------------------------------------------------

_SCHEMA: dict[str, Any] = {
    "db": str,
    "site": {"base_url": str, "allow_private": bool},
    "crawl": {
        "sections": list,
        "delay": "duration",
        "timeout": "duration",
        "max_duration": "duration",
    },
    "schedule": {"interval": "duration", "jitter": "duration", "misfire_grace": "duration"},
    "source": [{"name": str, "sections": list, "interval": "duration", "cron": "cron"}],
    "recheck": {"every": list},
    "notify": {
        "apprise_config": str,
        "expire_after": "duration",
        "max_backoff": "duration",
        "timezone": str,
        "target": [{"url": str, "tags": list, "digest": "duration", "quiet_hours": "quiet"}],
    },
    "health": {
        "fetch_failures": int,
        "extraction_failures": int,
        "silence": "duration",
        "tag": str,
    },
}


def _check(file: TomlFile, data: Any, schema: Any, path: KeyPath) -> None:
    """Unknown keys and wrongly typed values are errors naming their line."""
    if isinstance(schema, dict):
        if not isinstance(data, dict):
            raise file.error(path, "expected a table")
        for key, value in data.items():
            if key not in schema:
                known = ", ".join(sorted(schema))
                raise file.error((*path, key), f"unknown key (known here: {known})")
            _check(file, value, schema[key], (*path, key))
    elif isinstance(schema, list):
        if not isinstance(data, list):
            raise file.error(path, "expected an array of tables ([[...]])")
        for i, item in enumerate(data):
            _check(file, item, schema[0], (*path, i))
    elif schema == "duration":
        try:
            parse_duration(data)
        except ValueError as exc:
            raise file.error(path, str(exc)) from None
    elif schema == "cron":
        if not isinstance(data, str):
            raise file.error(path, "expected a cron expression in quotes")
        try:
            check_cron(data)
        except ValueError as exc:
            raise file.error(path, str(exc)) from None
    elif schema == "quiet":
        try:
            parse_quiet_hours(str(data))
        except ValueError as exc:
            raise file.error(path, str(exc)) from None
    elif schema is int:
        if isinstance(data, bool) or not isinstance(data, int) or data < 0:
            raise file.error(path, "expected a whole number (0 or more)")
    elif not isinstance(data, schema) or (schema is int and isinstance(data, bool)):
        raise file.error(
            path, f"expected {schema.__name__ if schema is not list else 'a list'}, got {data!r}"
        )


def _from_file(file: TomlFile) -> dict[str, Any]:
    """The file's values as Config fields (already checked against the schema)."""
    d = file.data
    out: dict[str, Any] = {"path": Path(file.source)}
    if "db" in d:
        out["db_path"] = Path(d["db"]).expanduser()
    site = d.get("site", {})
    if "base_url" in site:
        out["site"] = _site(site["base_url"], file, ("site", "base_url"))
    if "allow_private" in site:
        out["allow_private"] = site["allow_private"]
    crawl = d.get("crawl", {})
    if "sections" in crawl:
        out["sections"] = _sections(crawl["sections"], file, ("crawl", "sections"))
    for key in ("delay", "timeout", "max_duration"):
        if key in crawl:
            out[key] = parse_duration(crawl[key])
    schedule = d.get("schedule", {})
    for key in ("interval", "jitter", "misfire_grace"):
        if key in schedule:
            out[key] = parse_duration(schedule[key])
    sources = []
    for i, src in enumerate(d.get("source", [])):
        if "name" not in src:
            raise file.error(("source", i), "a [[source]] needs a name")
        if "interval" in src and "cron" in src:
            raise file.error(("source", i, "cron"), "give interval or cron, not both")
        sections = _sections(src.get("sections", []), file, ("source", i, "sections"))
        interval = parse_duration(src["interval"]) if "interval" in src else None
        sources.append(Source(src["name"], sections, interval, src.get("cron")))
    names = [s.name for s in sources]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise file.error(("source", i, "name"), f"two sources are called {name!r}")
    out["sources"] = tuple(sources)
    if "every" in d.get("recheck", {}):
        out["recheck"] = _recheck(d["recheck"]["every"], file)
    notify = d.get("notify", {})
    if "apprise_config" in notify:
        out["apprise_config"] = Path(notify["apprise_config"]).expanduser()
    for key in ("expire_after", "max_backoff"):
        if key in notify:
            out[key] = parse_duration(notify[key])
    if "timezone" in notify:
        out["timezone"] = _zone(notify["timezone"], file)
    targets = []
    for i, t in enumerate(notify.get("target", [])):
        if "url" not in t:
            raise file.error(("notify", "target", i), "a [[notify.target]] needs a url")
        if "://" not in t["url"]:
            raise file.error(("notify", "target", i, "url"), "not an apprise URL (scheme://...)")
        targets.append(
            Target(
                t["url"],
                tuple(str(tag) for tag in t.get("tags", [])),
                parse_duration(t["digest"]) if "digest" in t else None,
                parse_quiet_hours(t["quiet_hours"]) if "quiet_hours" in t else None,
            )
        )
    out["targets"] = tuple(targets)
    health = d.get("health", {})
    for key in ("fetch_failures", "extraction_failures"):
        if key in health:
            out[key] = health[key]
    if "silence" in health:
        out["silence"] = parse_duration(health["silence"])
    if "tag" in health:
        out["health_tag"] = health["tag"]
    return out


def _site(value: str, file: TomlFile | None, path: KeyPath) -> str:
    if not re.match(r"^https?://[^/\s]+", value.strip()):
        message = f"not a site base URL: {value!r} (write it like https://www.alaraby.co.uk)"
        if file is None:
            raise ConfigError(message)
        raise file.error(path, message)
    return value.strip().rstrip("/")


def _sections(value: list[Any], file: TomlFile | None, path: KeyPath) -> tuple[str, ...]:
    out = []
    for item in value:
        name = str(item).strip().strip("/")
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            message = f"not a section name: {item!r} (sections look like politics, economy)"
            if file is None:
                raise ConfigError(message)
            raise file.error(path, message)
        out.append(name)
    return tuple(dict.fromkeys(out))


def _recheck(value: list[Any], file: TomlFile) -> tuple[tuple[timedelta, timedelta], ...]:
    path: KeyPath = ("recheck", "every")
    steps = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2):
            raise file.error(
                path, 'expected pairs like ["3h", "15m"]: while younger than 3h, every 15m'
            )
        try:
            steps.append((parse_duration(item[0]), parse_duration(item[1])))
        except ValueError as exc:
            raise file.error(path, str(exc)) from None
    if [s[0] for s in steps] != sorted(s[0] for s in steps):
        raise file.error(path, "the ages must grow from one pair to the next")
    return tuple(steps)


def _zone(name: str, file: TomlFile) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise file.error(("notify", "timezone"), f"unknown time zone {name!r}") from None
    return name


def split_urls(value: str) -> list[str]:
    """``NEWSMON_NOTIFY_URLS``: apprise URLs separated by spaces or commas."""
    return [u for u in re.split(r"[\s,]+", value.strip()) if u]


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """The effective configuration: the file (``path``, else ``NEWSMON_CONFIG``, else the
    per-user default if it exists), then the environment, then ``overrides`` (flags)."""
    env = os.environ if env is None else env
    explicit = path or (Path(env[ENV_CONFIG]).expanduser() if env.get(ENV_CONFIG) else None)
    config_path = explicit or default_config_path()
    values: dict[str, Any] = {}
    warnings: list[str] = []
    if config_path.exists():
        try:
            file = TomlFile.load(config_path)
            _check(file, file.data, _SCHEMA, ())
            values.update(_from_file(file))
        except TomlError as exc:
            raise ConfigError(str(exc)) from None
    elif explicit:
        raise ConfigError(f"{config_path}: no such configuration file")
    # Environment.
    if env.get(ENV_DB, "").strip():
        values["db_path"] = Path(env[ENV_DB].strip()).expanduser()
    if env.get(ENV_SITE, "").strip():
        values["site"] = _site(env[ENV_SITE], None, ())
    if ENV_ALLOW_PRIVATE in env:
        values["allow_private"] = truthy(env[ENV_ALLOW_PRIVATE])
    if env.get(ENV_SECTIONS, "").strip():
        values["sections"] = _sections(re.split(r"[\s,]+", env[ENV_SECTIONS].strip()), None, ())
    if env.get(ENV_INTERVAL, "").strip():
        values["interval"] = _env_duration(ENV_INTERVAL, env[ENV_INTERVAL])
        values["sources"] = _every(values.get("sources", ()), values["interval"])
    env_targets = tuple(Target(u, origin="env") for u in split_urls(env.get(ENV_NOTIFY_URLS, "")))
    values["targets"] = tuple(values.get("targets", ())) + env_targets
    # Flags.
    for key, value in (overrides or {}).items():
        if value is None or value == ():
            continue
        if key == "site":
            value = _site(value, None, ())
        elif key == "sections":
            value = _sections(list(value), None, ())
            # --section crawls just those sections, as one source.
            values["sources"] = ()
        elif key == "interval":
            # --interval overrides every source's schedule, for a quick try.
            values["sources"] = _every(values.get("sources", ()), value)
        values[key] = value
    config = Config(**values)
    if not config.targets and not config.apprise_config:
        warnings.append(
            "no notification targets are configured: alerts will be stored but sent nowhere"
            f" (add [[notify.target]] to the configuration, or set {ENV_NOTIFY_URLS})"
        )
    return replace(config, warnings=tuple(warnings))


def _every(sources: tuple[Source, ...], interval: timedelta) -> tuple[Source, ...]:
    return tuple(replace(s, interval=interval, cron=None) for s in sources)


def _env_duration(name: str, value: str) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
