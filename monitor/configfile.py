"""Building newsmon's ``Config``: the TOML file (checked against its schema, each error naming
the file, line and key), then the environment, then command-line flags."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from crawler.addresses import parse_allowance
from crawler.outlets import ALARABY
from monitor.config import (
    ENV_ALLOW_PRIVATE,
    ENV_CONFIG,
    ENV_DB,
    ENV_INTERVAL,
    ENV_NOTIFY_URLS,
    ENV_SECTIONS,
    ENV_SITE,
    Config,
    ConfigError,
    Source,
    Target,
    default_config_path,
    with_allowance,
)
from monitor.configschema import SCHEMA, check
from monitor.durations import parse_duration, parse_period, parse_quiet_hours
from monitor.tomlfile import KeyPath, TomlError, TomlFile


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
            check(file, file.data, SCHEMA, ())
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


def _every(sources: tuple[Source, ...], interval: timedelta) -> tuple[Source, ...]:
    return tuple(replace(s, interval=interval, cron=None) for s in sources)


def _env_period(name: str, value: str) -> timedelta:
    try:
        return parse_period(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
