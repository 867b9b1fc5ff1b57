"""The outbox against real receivers: alerts written with their matches, delivered once,
retried with backoff while a target is down, expired when too old, gathered into digests,
held in quiet hours; secrets never stored or shown."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alerting import archive, local_target, publish, story
from smtp_receiver import SmtpReceiver

from crawler.store import record_article
from monitor.config import Config, Target
from monitor.outbox import list_alerts, status_counts, target_key
from monitor.receiver import Receiver
from monitor.runner import match_step, notify_step
from monitor.sender import backoff, quiet_until

CANARY = "CANARY-0b7d55e1"
T0 = datetime(2026, 8, 15, 19, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.close()


def alerts(db) -> list[dict]:  # type: ignore[no-untyped-def]
    return list(db.table("alerts").rows_where(order_by="id"))


def test_a_match_is_delivered_once_with_its_arabic(db_path: Path, receiver: Receiver) -> None:
    db = archive(db_path)
    publish(db, "1")
    target = local_target(receiver.url())
    step = match_step(db, [target])
    assert step.matches >= 1
    (row,) = alerts(db)
    assert (row["status"], row["kind"], row["target_key"]) == (
        "pending",
        "match",
        target_key(target),
    )
    report = notify_step(db, Config(), [target], now=T0)
    assert (report.sent, report.failed) == (1, 0)
    (got,) = receiver.wait_for(1)
    assert got.title == "[newsmon] غزة: غزة: شهيد وجرحى بنيران الاحتلال (1)"
    assert "قطاع «غزة»، بالتزامن" in got.message
    assert "2026-08-15 21:56 (+03:00, outlet time)" in got.message
    assert "https://www.alaraby.co.uk/politics/1" in got.message
    # Again, and after more crawls of the same version: nothing more is sent.
    match_step(db, [target])
    notify_step(db, Config(), [target], now=T0 + timedelta(minutes=5))
    assert len(receiver.wait_for(2, timeout=0.5)) == 1
    assert alerts(db)[0]["status"] == "sent"


def test_alerts_are_written_with_their_matches(db_path: Path, receiver: Receiver) -> None:
    db = archive(db_path)
    publish(db, "1", "2")
    match_step(db, [local_target(receiver.url())])
    matched_versions = {r["version_id"] for r in db.table("matches").rows}
    alerted_versions = {r["version_id"] for r in alerts(db)}
    assert matched_versions == alerted_versions and len(matched_versions) == 2


def test_an_edit_alert_says_what_changed(db_path: Path, receiver: Receiver) -> None:
    db = archive(db_path)
    record_article(db, story("1", title="قصف على مناطق متفرقة", body=("خبر عن لبنان فقط.",)))
    target = local_target(receiver.url())
    match_step(db, [target])
    assert alerts(db) == []  # no mention yet
    record_article(db, story("1", title="غزة: شهيدان بنيران الاحتلال"))
    match_step(db, [target])
    notify_step(db, Config(), [target], now=T0)
    (got,) = receiver.wait_for(1)
    assert "edited (v2)" in got.message
    assert "- headline changed: قصف على مناطق متفرقة → غزة: شهيدان بنيران الاحتلال" in got.message
    assert "- 1 paragraph added" in got.message


def test_routing_by_tags(db_path: Path) -> None:
    db = archive(db_path, tags=("gaza-desk",))
    publish(db, "1")
    default = Target("json://127.0.0.1:9/default")
    desk = Target("json://127.0.0.1:9/desk", tags=("gaza-desk",))
    other = Target("json://127.0.0.1:9/other", tags=("sport",))
    match_step(db, [default, desk, other])
    assert [r["target_key"] for r in alerts(db)] == [target_key(desk)]


def test_no_target_for_the_tags_is_unrouted_not_lost(db_path: Path) -> None:
    db = archive(db_path, tags=("nobody",))
    publish(db, "1")
    match_step(db, [Target("json://127.0.0.1:9/x")])
    assert [r["status"] for r in alerts(db)] == ["unrouted"]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_target_down_for_a_while_gets_the_alert_once_it_recovers(db_path: Path) -> None:
    port = closed_port()
    target = local_target(f"json://127.0.0.1:{port}/hook")
    db = archive(db_path)
    publish(db, "1")
    match_step(db, [target])
    config = Config()
    first = notify_step(db, config, [target], now=T0)
    assert (first.sent, first.failed) == (0, 1)
    row = alerts(db)[0]
    assert row["status"] == "failed" and row["tries"] == 1
    assert "onnection" in row["last_error"]
    assert row["next_attempt_at"] == (T0 + timedelta(seconds=30)).isoformat(timespec="seconds")
    # Not due yet: nothing is tried.
    assert notify_step(db, config, [target], now=T0 + timedelta(seconds=10)).failed == 0
    second = notify_step(db, config, [target], now=T0 + timedelta(seconds=31))
    assert second.failed == 1 and alerts(db)[0]["tries"] == 2
    assert alerts(db)[0]["next_attempt_at"] == (T0 + timedelta(seconds=91)).isoformat(
        timespec="seconds"
    )
    receiver = Receiver().start(port=port)
    try:
        third = notify_step(db, config, [target], now=T0 + timedelta(seconds=200))
        assert third.sent == 1
        assert len(receiver.wait_for(1)) == 1
        notify_step(db, config, [target], now=T0 + timedelta(seconds=500))
        assert len(receiver.wait_for(2, timeout=0.5)) == 1
    finally:
        receiver.close()
    assert alerts(db)[0]["status"] == "sent"


def test_a_target_answering_500_then_200(db_path: Path, receiver: Receiver) -> None:
    receiver.status = 500
    target = local_target(receiver.url())
    db = archive(db_path)
    publish(db, "1")
    match_step(db, [target])
    report = notify_step(db, Config(), [target], now=T0)
    assert report.failed == 1 and "500" in (alerts(db)[0]["last_error"] or "")
    receiver.status = 200
    assert notify_step(db, Config(), [target], now=T0 + timedelta(minutes=1)).sent == 1
    assert len(receiver.wait_for(1)) == 1 and receiver.attempts == 2


def test_a_slow_target_is_waited_for(db_path: Path, receiver: Receiver) -> None:
    receiver.delay = 1.0
    target = local_target(receiver.url())
    db = archive(db_path)
    publish(db, "1")
    match_step(db, [target])
    assert notify_step(db, Config(), [target], now=T0).sent == 1


def test_backoff_grows_and_is_capped() -> None:
    cap = timedelta(minutes=10)
    assert [backoff(n, cap).total_seconds() for n in range(1, 8)] == [
        30,
        60,
        120,
        240,
        480,
        600,
        600,
    ]


def test_alerts_expire_after_their_age_and_are_reported(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = local_target(f"json://127.0.0.1:{closed_port()}/hook")
    db = archive(db_path)
    publish(db, "1")
    match_step(db, [target])
    config = Config(expire_after=timedelta(hours=1))
    created = datetime.fromisoformat(alerts(db)[0]["created_at"])
    with caplog.at_level(logging.WARNING):
        report = notify_step(db, config, [target], now=created + timedelta(hours=2))
    assert report.expired == 1
    assert status_counts(db)["expired"] == 1
    assert any("expired" in r.getMessage() for r in caplog.records)


def test_digest_gathers_alerts_at_most_once_per_period(db_path: Path, receiver: Receiver) -> None:
    target = local_target(receiver.url(), digest=timedelta(minutes=30))
    db = archive(db_path)
    publish(db, "1", "2")
    match_step(db, [target])
    first = notify_step(db, Config(), [target], now=T0)
    assert (first.sent, first.messages) == (2, 1)
    (digest,) = receiver.wait_for(1)
    assert digest.title == "[newsmon] 2 alerts (every 30m)"
    assert "(1)" in digest.message and "(2)" in digest.message
    publish(db, "3")
    match_step(db, [target])
    held = notify_step(db, Config(), [target], now=T0 + timedelta(minutes=10))
    assert (held.sent, held.held) == (0, 1)
    assert alerts(db)[-1]["next_attempt_at"] == (T0 + timedelta(minutes=30)).isoformat(
        timespec="seconds"
    )
    later = notify_step(db, Config(), [target], now=T0 + timedelta(minutes=31))
    assert later.sent == 1
    assert receiver.wait_for(2)[1].title == "[newsmon] 1 alert (every 30m)"


def test_quiet_hours_hold_alerts_until_they_end(db_path: Path, receiver: Receiver) -> None:
    zone = ZoneInfo("Asia/Beirut")  # +03:00 in August
    target = local_target(receiver.url(), quiet_hours=(time(23, 0), time(7, 0)))
    db = archive(db_path)
    publish(db, "1")
    match_step(db, [target])
    config = Config(timezone="Asia/Beirut")
    night = datetime(2026, 8, 16, 2, 0, tzinfo=zone)
    report = notify_step(db, config, [target], now=night)
    assert (report.sent, report.held) == (0, 1)
    assert alerts(db)[0]["next_attempt_at"] == "2026-08-16T04:00:00+00:00"  # 07:00 in Beirut
    morning = datetime(2026, 8, 16, 7, 1, tzinfo=zone)
    assert notify_step(db, config, [target], now=morning).sent == 1


@pytest.mark.parametrize(
    ("clock", "quiet", "until"),
    [
        ("02:00", ("23:00", "07:00"), "07:00"),
        ("23:30", ("23:00", "07:00"), "07:00+1"),
        ("12:00", ("23:00", "07:00"), None),
        ("13:00", ("12:00", "14:00"), "14:00"),
        ("14:00", ("12:00", "14:00"), None),
    ],
)
def test_quiet_until(clock: str, quiet: tuple[str, str], until: str | None) -> None:
    zone = ZoneInfo("UTC")
    day = datetime(2026, 8, 16, tzinfo=zone)
    h, m = map(int, clock.split(":"))
    now = day.replace(hour=h, minute=m)
    hours = tuple(time(*map(int, q.split(":"))) for q in quiet)
    result = quiet_until(now, hours, zone)  # type: ignore[arg-type]
    if until is None:
        assert result is None
    else:
        plus = until.endswith("+1")
        hh, mm = map(int, until.removesuffix("+1").split(":"))
        assert result == day.replace(hour=hh, minute=mm) + timedelta(days=1 if plus else 0)


def test_secrets_never_reach_the_archive_or_the_logs(
    db_path: Path, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.status = 500
    target = local_target(receiver.url(f"/hook?-X-Token={CANARY}"))
    db = archive(db_path)
    publish(db, "1")
    with caplog.at_level(logging.DEBUG):
        match_step(db, [target])
        notify_step(db, Config(), [target], now=T0)
    dump = "\n".join(db.iterdump())
    assert CANARY not in dump
    assert "127.0.0.1:" + str(receiver.port) not in dump  # not even the host of the target
    assert all(CANARY not in str(v) for row in alerts(db) for v in row.values())


def test_email_through_the_outbox_keeps_arabic_and_line_breaks(db_path: Path) -> None:
    with SmtpReceiver() as smtp:
        target = local_target(smtp.url())
        db = archive(db_path)
        publish(db, "1")
        match_step(db, [target])
        assert notify_step(db, Config(), [target], now=T0).sent == 1
        (mail,) = smtp.wait_for(1)
    body = mail.get_body(preferencelist=("plain", "html"))
    assert body is not None
    lines = [line for line in body.get_content().splitlines() if line.strip()]
    assert lines[0] == "غزة: شهيد وجرحى بنيران الاحتلال (1)"
    assert "watch: غزة" in lines


def test_listing_and_retry(db_path: Path) -> None:
    target = local_target(f"json://127.0.0.1:{closed_port()}/hook")
    db = archive(db_path)
    publish(db, "1")
    match_step(db, [target])
    notify_step(db, Config(), [target], now=T0)
    (row,) = list_alerts(db, status="failed")
    assert row.watch == "غزة" and row.tries == 1
    from monitor.outbox import retry

    assert retry(db, row.id) == 1
    assert list_alerts(db, status="pending")[0].id == row.id
    assert retry(db, row.id) == 0  # pending now: nothing to retry
