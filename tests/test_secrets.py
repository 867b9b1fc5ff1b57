"""Notification URLs stay secret: masked for display, redacted from logs, even where apprise
and urllib3 repeat them in their own messages."""

from __future__ import annotations

import logging
import socket

import pytest

from monitor.secrets import MASK, Redactor, install, mask_url, secret_fragments

CANARY = "CANARY-5e1f0d2b"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        f"json://user:{CANARY}@localhost:9/hook",
        f"json://localhost:9/hook?-X-Token={CANARY}",
        f"json://localhost:9/hook?token={CANARY}",
        f"tgram://123456:{CANARY}/987",
        f"mailto://user:{CANARY}@localhost:2525?to=x@example.com&format=text",
        f"bogus-scheme://{CANARY}",
        f"slack://T1/{CANARY}/C3",
    ],
)
def test_masked_forms_never_show_the_secret(url: str) -> None:
    shown = mask_url(url)
    assert CANARY not in shown
    assert CANARY in secret_fragments(url) or CANARY not in shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /x?api_key=abc123&format=text", f"GET /x?api_key={MASK}&format=text"),
        ("Authorization: token=abcd", f"Authorization: token={MASK}"),
        ("https://user:pw@host/x", f"https://user:{MASK}@host/x"),
        ("nothing to hide here", "nothing to hide here"),
    ],
)
def test_generic_redaction(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_apprise_and_urllib3_log_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """A real delivery to a closed port: apprise and urllib3 log the URL, with the canary in a
    query parameter apprise does not mask; the filter must catch it in every record."""
    import apprise

    url = f"json://127.0.0.1:{closed_port()}/hook?-X-Token={CANARY}&+X-Key={CANARY}"
    handler = logging.StreamHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install([url])
        records: list[str] = []

        class Capture(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(self.format(record))

        capture = Capture()
        root.addHandler(capture)
        install([url])
        with caplog.at_level(logging.DEBUG):
            notifier = apprise.Apprise()
            notifier.add(url)
            assert not notifier.notify(body="تجربة", title="اختبار")
        root.removeHandler(capture)
    finally:
        root.removeHandler(handler)
    assert records, "apprise logged nothing"
    assert any("127.0.0.1" in r for r in records)
    leaked = [r for r in records if CANARY in r]
    assert leaked == []
