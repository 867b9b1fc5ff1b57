"""A replica of Al-Araby Al-Jadeed for tests and demos: a real HTTP server on 127.0.0.1 that
serves the outlet's structure (robots.txt, sitemaps, RSS feeds, listings, article pages) from
data files that may change while it runs. Standard library only; no Scrapy."""

from __future__ import annotations

from pathlib import Path

from monitor.replica.control import Replica
from monitor.replica.data import DataDir, ReplicaDataError, Snapshot
from monitor.replica.faults import Fault
from monitor.replica.server import Hit, route

# The data shipped in the repository (seeds/replica).
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "seeds" / "replica"

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
