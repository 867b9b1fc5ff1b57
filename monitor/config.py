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

from crawler.addresses import Allowance, parse_allowance
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
        return _seconds(value, value)
    if not isinstance(value, str):
        raise ValueError(f"not a duration: {value!r}")
    text = value.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return _seconds(float(text), value)
    if not text or _DURATION.sub("", text):
        raise ValueError(f"not a duration: {value!r} (write it like 30s, 15m, 1h30m, 2d)")
    return _seconds(sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(text)), value)


def _seconds(seconds: float, value: object) -> timedelta:
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"too long a duration: {value!r}") from None


def parse_period(value: object) -> timedelta:
    """A duration something is repeated at (a schedule, a re-check): at least a second, or the
    daemon would spin."""
    period = parse_duration(value)
    if period < timedelta(seconds=1):
        raise ValueError(f"{value!r} is too short: a period must be at least 1s")
    return period


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


# Loading ---------------------------------------------------------------------------------------

_SCHEMA: dict[str, Any] = {
    "db": str,
    "site": {"base_url": str, "allow_private": "allowance"},
    "crawl": {
        "sections": list,
        "delay": "duration",
        "timeout": "period",
        "max_duration": "period",
    },
    "schedule": {"interval": "period", "jitter": "duration", "misfire_grace": "duration"},
    "source": [{"name": str, "sections": list, "interval": "period", "cron": "cron"}],
    "recheck": {"every": list},
    "notify": {
        "apprise_config": str,
        "expire_after": "duration",
        "max_backoff": "duration",
        "retry_every": "period",
        "timezone": str,
        "target": [
            {
                "url": str,
                "tags": list,
                "digest": "duration",
                "quiet_hours": "quiet",
                "allow_private": "allowance",
            }
        ],
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
    elif schema in ("duration", "period"):
        try:
            (parse_period if schema == "period" else parse_duration)(data)
        except ValueError as exc:
            raise file.error(path, str(exc)) from None
    elif schema == "cron":
        if not isinstance(data, str):
            raise file.error(path, "expected a cron expression in quotes")
        try:
            check_cron(data)
        except ValueError as exc:
            raise file.error(path, str(exc)) from None
    elif schema == "allowance":
        if not isinstance(data, bool | list):
            raise file.error(
                path,
                "expected bool (true or false) or a list of addresses like"
                ' ["192.168.1.20", "10.0.0.0/8"]',
            )
        try:
            parse_allowance(data)
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
        if not d["db"].strip():
            raise file.error(("db",), "the archive path is empty (leave db out for the default)")
        out["db_path"] = Path(d["db"]).expanduser()
    site = d.get("site", {})
    if "base_url" in site:
        out["site"] = _site(site["base_url"], file, ("site", "base_url"))
    if "allow_private" in site:
        out["allow_private"] = parse_allowance(site["allow_private"])
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
        _source_name(src["name"], file, ("source", i, "name"))
        if "interval" in src and "cron" in src:
            raise file.error(("source", i, "cron"), "give interval or cron, not both")
        sections = _sections(src.get("sections", []), file, ("source", i, "sections"))
        interval = parse_period(src["interval"]) if "interval" in src else None
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
        if not out["apprise_config"].is_file():
            raise file.error(
                ("notify", "apprise_config"),
                f"no such apprise configuration file: {out['apprise_config']}",
            )
    for key in ("expire_after", "max_backoff", "retry_every"):
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
        tags = t.get("tags", [])
        for tag in tags:
            if not isinstance(tag, str) or not _TAG.fullmatch(tag):
                raise file.error(
                    ("notify", "target", i, "tags"), f"bad tag {tag!r} (no spaces or commas)"
                )
        targets.append(
            Target(
                t["url"],
                tuple(tags),
                parse_duration(t["digest"]) if "digest" in t else None,
                parse_quiet_hours(t["quiet_hours"]) if "quiet_hours" in t else None,
                allowance=parse_allowance(t.get("allow_private", False)),
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


# Apprise splits tag lists on commas and spaces, so a tag is one run of anything else.
_TAG = re.compile(r"[^\s,]+")
# A source's name names its job, its state and its crawl log file (crawl-NAME.log).
_SOURCE_NAME = re.compile(r"[\w-]{1,64}")
RESERVED_SOURCE_NAMES = ("recheck", "outbox")  # the daemon's own jobs


def _site(value: str, file: TomlFile | None, path: KeyPath) -> str:
    text = value.strip()
    if not _is_site_url(text):
        message = f"not a site base URL: {value!r} (write it like https://www.alaraby.co.uk)"
        if file is None:
            raise ConfigError(message)
        raise file.error(path, message)
    return text.rstrip("/")


def _is_site_url(text: str) -> bool:
    from urllib.parse import urlsplit

    if not text or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _source_name(name: str, file: TomlFile, path: KeyPath) -> None:
    if not _SOURCE_NAME.fullmatch(name):
        raise file.error(
            path,
            f"a [[source]] needs a name of letters, digits, - and _ (got {name!r})"
            if name.strip()
            else "a [[source]] needs a name",
        )
    if name in RESERVED_SOURCE_NAMES:
        raise file.error(path, f"{name!r} is the name of one of the daemon's own jobs")


def _sections(value: list[Any], file: TomlFile | None, path: KeyPath) -> tuple[str, ...]:
    out = []
    for item in value:
        name = str(item).strip().strip("/")
        message = None
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            message = f"not a section name: {item!r} (sections look like politics, economy)"
        elif name not in ALARABY.sections:
            # The crawl refuses it too: better said once at start-up than at every crawl.
            message = f"unknown section {name!r} (known: {', '.join(ALARABY.sections)})"
        if message:
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
            steps.append((parse_duration(item[0]), parse_period(item[1])))
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
    # lexists: a broken or looping link is a file that cannot be read, not a missing one.
    if os.path.lexists(config_path):
        try:
            file = TomlFile.load(config_path)
            if not file.text.strip():
                # Most likely a write cut short: running on every default (another archive,
                # no targets) would be worse than stopping. A file of comments is fine.
                raise TomlError(
                    config_path,
                    None,
                    None,
                    "the file is empty (remove it to run on the defaults; newsmon config init"
                    " writes an example)",
                )
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
        try:
            values["allow_private"] = parse_allowance(env[ENV_ALLOW_PRIVATE])
        except ValueError as exc:
            raise ConfigError(f"{ENV_ALLOW_PRIVATE}: {exc}") from None
    if env.get(ENV_SECTIONS, "").strip():
        values["sections"] = _sections(re.split(r"[\s,]+", env[ENV_SECTIONS].strip()), None, ())
    if env.get(ENV_INTERVAL, "").strip():
        values["interval"] = _env_period(ENV_INTERVAL, env[ENV_INTERVAL])
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
    config = replace(config, targets=with_allowance(config.targets, config.allow_private))
    if not config.targets and not config.apprise_config:
        warnings.append(
            "no notification targets are configured: alerts will be stored but sent nowhere"
            f" (add [[notify.target]] to the configuration, or set {ENV_NOTIFY_URLS})"
        )
    return replace(config, warnings=tuple(warnings))


def with_allowance(targets: tuple[Target, ...], allowance: Allowance) -> tuple[Target, ...]:
    """The targets, each allowed what the whole configuration allows as well as its own."""
    return tuple(replace(t, allowance=t.allowance.union(allowance)) for t in targets)


def _every(sources: tuple[Source, ...], interval: timedelta) -> tuple[Source, ...]:
    return tuple(replace(s, interval=interval, cron=None) for s in sources)


def _env_period(name: str, value: str) -> timedelta:
    try:
        return parse_period(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
