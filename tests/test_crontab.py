"""Crontab expressions fire when cron(5) would (tests/data/crontab-cases.tsv), and bad ones are
refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.crontab import crontab_trigger
from tests.tables import read_tsv

CASES = read_tsv("crontab-cases.tsv")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("case", CASES, ids=[c["expression"] for c in CASES])
def test_next_runs_follow_cron(case: dict[str, str]) -> None:
    expression, after, expected = case["expression"], case["after"], case["next"]
    trigger = crontab_trigger(expression, UTC)
    runs, previous, now = [], None, _utc(after)
    for _ in range(3):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        runs.append(fire.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
        previous, now = fire, fire
    assert ",".join(runs) == expected


@pytest.mark.parametrize(
    "bad", ["0 9 * *", "61 * * * *", "0 9 * * 8", "0 9 * * 5-2", "0 9 * * xyz", "@sometimes"]
)
def test_bad_expressions_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        crontab_trigger(bad, UTC)
