"""Faults the replica injects on demand: an error status, a slow answer, a Retry-After, for
every request whose path matches, every time or a given number of times."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Fault:
    """An error, a slow answer or a Retry-After for requests whose path matches."""

    path: str  # exact path, or a prefix ending in "*"; "*" is every path
    status: int = 0  # 0: answer normally (after the delay)
    delay: float = 0.0
    retry_after: str = ""
    times: int = 0  # 0: every time

    def matches(self, path: str) -> bool:
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


@dataclass
class FaultState:
    """How many times each fault has fired (faults with ``times`` stop after that many)."""

    fired: dict[Fault, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, faults: tuple[Fault, ...], path: str) -> Fault | None:
        with self.lock:
            for fault in faults:
                if not fault.matches(path):
                    continue
                count = self.fired.get(fault, 0)
                if fault.times and count >= fault.times:
                    continue
                self.fired[fault] = count + 1
                return fault
        return None
