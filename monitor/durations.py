"""Durations, periods and times of day as the configuration and the command line write them
(``30s``, ``1h30m``, ``23:00-07:00``), and cron expressions checked before a schedule uses them."""

from __future__ import annotations

import re
from datetime import time, timedelta

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
