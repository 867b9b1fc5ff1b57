"""Delivery through apprise to real receivers on 127.0.0.1: a JSON webhook (answering 200, or
500, or not at all) and an SMTP server; Arabic arrives intact and secrets never leak."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alerting import local_target
from smtp_receiver import SmtpReceiver

from monitor.alerttext import AlertInfo, Mention, alert_message
from monitor.config import Target
from monitor.notifier import Message, TargetError, deliver, route, targets_from_apprise_config
from monitor.receiver import Receiver

CANARY = "CANARY-91c4e7"
INFO = AlertInfo(
    watch="غزة",
    kind="new",
    title="غزة: شهيد وجرحى بنيران الاحتلال",
    url="https://www.alaraby.co.uk/politics/%D8%BA%D8%B2%D8%A9",
    section="politics",
    published_at=datetime(2026, 8, 15, 18, 56, 19, tzinfo=UTC),
    mentions=(Mention("غزة", "body", "في مناطق متفرقة من قطاع [[غزة]]، بالتزامن مع غارات"),),
)


@pytest.fixture
def receiver() -> Receiver:
    r = Receiver().start()
    yield r  # type: ignore[misc]
    r.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_webhook_receives_the_alert_in_arabic(receiver: Receiver) -> None:
    message = alert_message(INFO)
    result = deliver(local_target(receiver.url()), message)
    assert result.ok and result.error is None
    (got,) = receiver.wait_for(1)
    assert got.title == "[newsmon] غزة: غزة: شهيد وجرحى بنيران الاحتلال"
    assert "قطاع «غزة»، بالتزامن" in got.message
    assert "2026-08-15 21:56 (+03:00, outlet time)" in got.message
    assert got.message.splitlines()[0] == INFO.title


def test_a_failing_target_reports_why_without_the_secret(receiver: Receiver) -> None:
    receiver.status = 500
    url = receiver.url(f"/hook?-X-Token={CANARY}")
    result = deliver(local_target(url), Message("t", "نص", "نص"))
    assert not result.ok
    assert result.error and "500" in result.error
    assert CANARY not in result.error
    assert receiver.attempts == 1


def test_a_closed_target_is_a_failure_not_an_exception() -> None:
    url = f"json://127.0.0.1:{closed_port()}/hook?token={CANARY}"
    result = deliver(local_target(url), Message("t", "نص", "نص"))
    assert not result.ok
    assert result.error and "onnection" in result.error
    assert CANARY not in result.error


def test_an_unusable_target_is_a_failure_with_a_masked_url() -> None:
    result = deliver(Target(f"nosuchservice://{CANARY}"), Message("t", "x", "x"))
    assert not result.ok and result.error == "apprise cannot use the target nosuchservice://***"


def test_email_keeps_arabic_and_line_breaks() -> None:
    with SmtpReceiver() as smtp:
        result = deliver(local_target(smtp.url()), alert_message(INFO))
        assert result.ok, result.error
        (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == "[newsmon] غزة: غزة: شهيد وجرحى بنيران الاحتلال"
    body = mail.get_body(preferencelist=("plain", "html"))
    assert body is not None
    text = body.get_content()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == INFO.title
    assert "watch: غزة" in lines
    assert any("قطاع «غزة»" in line for line in lines)


def test_routing_by_tags() -> None:
    default = Target("json://a/x")
    gaza = Target("json://b/x", tags=("gaza",))
    both = Target("json://c/x", tags=("gaza", "health"))
    targets = [default, gaza, both]
    assert route(targets, ()) == [default]
    assert route(targets, ("gaza",)) == [gaza, both]
    assert route(targets, ("health",)) == [both]
    assert route(targets, ("sport",)) == []


def test_targets_from_an_apprise_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "apprise.yml"
    path.write_text(
        "urls:\n  - json://127.0.0.1:9/a:\n    - tag: gaza, health\n  - json://127.0.0.1:9/b\n",
        encoding="utf-8",
    )
    targets = targets_from_apprise_config(path)
    assert [(t.tags, t.origin) for t in targets] == [
        (("gaza", "health"), "apprise-config"),
        ((), "apprise-config"),
    ]
    with pytest.raises(TargetError, match="no such apprise configuration file"):
        targets_from_apprise_config(tmp_path / "absent.yml")
    empty = tmp_path / "empty.yml"
    empty.write_text("urls: []\n", encoding="utf-8")
    with pytest.raises(TargetError):
        targets_from_apprise_config(empty)
