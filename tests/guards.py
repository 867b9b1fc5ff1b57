"""Guards, not mocks, for the bad-input tests: input wrongly accepted must fail the test, not
start a daemon or a crawl of the real outlet."""

from __future__ import annotations

import pytest


def forbid_work(monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    """Make the daemon's loop and a crawl cycle fail the test if they ever start."""

    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError(f"{what} was accepted: the work started")

    monkeypatch.setattr("monitor.scheduler.Daemon.run", started)
    monkeypatch.setattr("monitor.cycle.run_source", started)
