"""The replica's Python API: start the server in a background thread, read its request log,
inject faults, stop it (or let it stop by itself after its lifetime)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from monitor.replica.data import DataDir
from monitor.replica.faults import Fault
from monitor.replica.server import Hit, ReplicaServer


class Replica:
    """The replica outlet on 127.0.0.1, in a background thread of this process.

    ``with Replica(data_dir) as site: ... site.url ... site.hits`` — it stops when the block
    ends, or after ``lifetime`` seconds at the latest.
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        port: int = 0,
        lifetime: float | None = 600.0,
        log_path: str | Path | None = None,
    ) -> None:
        # Kept open for the server's life and closed in stop().
        self._log = Path(log_path).open("a", encoding="utf-8") if log_path else None  # noqa: SIM115
        self.server = ReplicaServer(port, DataDir(Path(data_dir)), self._log)
        self.lifetime = lifetime
        self._thread = threading.Thread(target=self._run, name="replica", daemon=True)
        self._stopped = threading.Event()
        self._timer: threading.Timer | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def hits(self) -> list[Hit]:
        with self.server._hits_lock:
            return list(self.server.hits)

    def paths(self) -> Iterator[str]:
        return (hit.path for hit in self.hits)

    def clear_hits(self) -> None:
        with self.server._hits_lock:
            self.server.hits.clear()

    def add_fault(self, fault: Fault) -> None:
        self.server.runtime_faults.append(fault)

    def clear_faults(self) -> None:
        self.server.runtime_faults.clear()

    def start(self) -> Replica:
        self._thread.start()
        if self.lifetime:
            self._timer = threading.Timer(self.lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _run(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._timer:
            self._timer.cancel()
        self.server.shutdown()
        self.server.server_close()
        if self._log:
            self._log.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped (or ``timeout`` passes); True if it stopped."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
