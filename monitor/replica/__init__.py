"""A replica of Al-Araby Al-Jadeed for tests and demos: a real HTTP server on 127.0.0.1 that
serves the outlet's structure (robots.txt, sitemaps, RSS feeds, listings, article pages) from
data files that may change while it runs. Standard library only; no Scrapy."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from monitor.replica.control import Replica
from monitor.replica.data import DataDir, ReplicaDataError, Snapshot
from monitor.replica.faults import Fault
from monitor.replica.server import Hit, route


def _shipped_data() -> Path:
    """seeds/replica: inside an installed wheel it is the package ``monitor.seeds``; in a
    source checkout (and an editable install) it is the repository's own directory."""
    spec = find_spec("monitor.seeds")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))) / "replica"
    return Path(__file__).resolve().parents[2] / "seeds" / "replica"


DEFAULT_DATA = _shipped_data()

__all__ = [
    "DEFAULT_DATA",
    "DataDir",
    "Fault",
    "Hit",
    "Replica",
    "ReplicaDataError",
    "Snapshot",
    "route",
]
