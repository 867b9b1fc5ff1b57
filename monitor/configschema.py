"""The shape of newsmon's configuration file: which keys each table may hold and what each
value must be. Unknown keys and wrongly typed values are errors naming their line."""

from __future__ import annotations

from typing import Any

from crawler.addresses import parse_allowance
from monitor.durations import check_cron, parse_duration, parse_period, parse_quiet_hours
from monitor.tomlfile import KeyPath, TomlFile

SCHEMA: dict[str, Any] = {
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


def check(file: TomlFile, data: Any, schema: Any, path: KeyPath) -> None:
    """Unknown keys and wrongly typed values are errors naming their line."""
    if isinstance(schema, dict):
        if not isinstance(data, dict):
            raise file.error(path, "expected a table")
        for key, value in data.items():
            if key not in schema:
                known = ", ".join(sorted(schema))
                raise file.error((*path, key), f"unknown key (known here: {known})")
            check(file, value, schema[key], (*path, key))
    elif isinstance(schema, list):
        if not isinstance(data, list):
            raise file.error(path, "expected an array of tables ([[...]])")
        for i, item in enumerate(data):
            check(file, item, schema[0], (*path, i))
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
