"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps the messages it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpReceiver:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def url(self) -> str:
        """An apprise mailto:// URL delivering here, without TLS or login."""
        return (
            f"mailto://127.0.0.1:{self.port}?from=newsmon@example.org&to=desk@example.org"
            "&secure=no&format=text"
        )

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.mailbox.messages) < count:
            time.sleep(0.05)
        return list(self.mailbox.messages)
