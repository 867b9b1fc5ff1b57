"""Crontab expressions as a Unix user means them, for APScheduler 3.x.

APScheduler 3's ``CronTrigger.from_crontab`` differs from cron(5) in two ways that would move a
user's schedule silently: numeric days of the week count from Monday (cron: 0 and 7 are Sunday),
and a restricted day of month *and* day of week must both match (cron: either one). Here the
weekday field is rewritten to names and the two day fields are combined with OR.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def _day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise ValueError(f"no day of the week {token!r} (0-7, sun-sat)")
        return number % 7
    if token[:3] in CRON_DAYS:
        return CRON_DAYS.index(token[:3])
    raise ValueError(f"no day of the week {token!r} (0-7, sun-sat)")


def weekdays(field: str) -> str:
    """A cron day-of-week field as an explicit list of day names (``*`` stays ``*``)."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {item!r}")
        if part == "*":
            first, last = 0, 6
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _day(a), _day(b)
            if last == 0 and b.strip() != "0":
                last = 7  # "5-7", "fri-sun": up to Sunday at the end of the week
            if last < first:
                raise ValueError(f"a backwards range of days: {item!r}")
        else:
            first = _day(part)
            last = first if not step_text else 6
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(CRON_DAYS[d] for d in sorted(days))


def crontab_trigger(
    expression: str, timezone: tzinfo | str | None = None, jitter: int | None = None
) -> BaseTrigger:
    """The trigger that fires when cron(5) would run ``expression``."""
    text = MACROS.get(expression.strip().lower(), expression.strip())
    fields = re.split(r"\s+", text)
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, dow = fields
    dow = weekdays(dow)

    def cron(day: str, dow: str) -> CronTrigger:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=dow,
            timezone=timezone,
            jitter=jitter,
        )

    if day != "*" and dow != "*":
        # cron(5): a restricted day of month or day of week, either one.
        return OrTrigger([cron(day, "*"), cron("*", dow)], jitter=jitter)
    return cron(day, dow)
