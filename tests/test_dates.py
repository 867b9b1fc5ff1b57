"""Display and machine dates, including the forms dateparser alone misses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tables import read_tsv

from crawler.dates import OUTLET_TZ, format_display_date, parse_display_date, parse_machine_date

CASES = read_tsv("date-cases.tsv")
NOW = datetime(2026, 8, 15, 21, 0, tzinfo=OUTLET_TZ)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_display_date(case: dict[str, str]) -> None:
    result = parse_display_date(case["text"], now=NOW)
    if case["expected"] == "none":
        assert result is None
    else:
        assert result is not None and result.tzinfo is not None
        assert result.isoformat() == case["expected"]


def test_relative_dates_use_the_fetch_time_in_any_zone() -> None:
    utc_now = NOW.astimezone(UTC)
    assert parse_display_date("منذ ساعتين", now=utc_now) == NOW - timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sat, 15 Aug 2026 21:56:19 +0300", "2026-08-15T21:56:19+03:00"),
        ("2026-08-15T21:56:19+03:00", "2026-08-15T21:56:19+03:00"),
        ("2026-08-15T18:56:19Z", "2026-08-15T18:56:19+00:00"),
        ("2026-08-15 21:56", "2026-08-15T21:56:00+03:00"),  # no offset: the outlet's zone
        ("2026-08-15", "2026-08-15T00:00:00+03:00"),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_machine_date(text: str | None, expected: str | None) -> None:
    result = parse_machine_date(text)
    assert (result.isoformat() if result else None) == expected


def test_format_display_date_round_trips() -> None:
    moment = datetime(2020, 5, 11, 23, 30, tzinfo=UTC)  # already 12 May in +03:00
    assert format_display_date(moment) == "12 مايو 2020"
    assert parse_display_date(format_display_date(moment)) == datetime(
        2020, 5, 12, tzinfo=OUTLET_TZ
    )


LINES = read_tsv("date-lines.tsv")


@pytest.mark.parametrize("case", LINES, ids=[c["id"] for c in LINES])
def test_date_line_as_printed_and_update_part(case: dict[str, str]) -> None:
    from crawler.dates import date_span, split_updated
    from crawler.outlets import ALARABY

    assert ALARABY.markers is not None
    printed, updated = split_updated(case["line"], ALARABY.markers.updated_labels)
    assert (date_span(printed) or "") == case["date_line"]
    assert (updated or "") == case["updated"]
