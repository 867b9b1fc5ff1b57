"""Fixtures shared by every test layer: the seed, a scratch archive, and the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_2927584d004e3424.txt"
DATA = Path(__file__).resolve().parent / "data"

# Scrapy's cookie middleware would otherwise try to download the public suffix list.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow tests first (in their own order otherwise): the test workers hand
    out whole files in collection order, and a two-minute file started last would keep one
    worker busy long after the other ran out of work."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_bytes().decode("utf-8")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


CliRunner = Callable[..., Result]


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # A private home and data dir, so no test reads or writes the developer's own archive.
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="",
        PYTHONIOENCODING="utf-8",
    )
    env.pop("NEWSMON_DB", None)
    env.update(extra)
    return env


@pytest.fixture
def run_cli(tmp_path: Path) -> CliRunner:
    """Run the real ``newsmon`` command (as ``python -m monitor``) in a subprocess."""

    def run(
        *args: str | Path,
        stdin: bytes | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
        cwd: Path | None = None,
    ) -> Result:
        cmd: Sequence[str] = [sys.executable, "-m", "monitor", *map(str, args)]
        proc = subprocess.run(
            cmd,
            input=stdin,
            capture_output=True,
            env={**cli_env(tmp_path), **(env or {})},
            timeout=timeout,
            cwd=cwd or ROOT,
        )
        return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))

    return run


# The replica outlet ------------------------------------------------------------------------

REPLICA_DATA = SEEDS / "replica"


@dataclass
class ReplicaSite:
    """A running replica over a private copy of seeds/replica that the test may edit."""

    server: Any
    data: Path

    @property
    def url(self) -> str:
        return str(self.server.url)

    def article_file(self, prefix: str) -> Path:
        [path] = sorted((self.data / "articles").glob(f"{prefix}*.toml"))
        return path

    def edit_article(self, prefix: str, **changes: Any) -> None:
        path = self.article_file(prefix)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data.update(changes)
        _write_atomically(path, tomli_w.dumps(data))

    def edit_site(self, **changes: Any) -> None:
        path = self.data / "site.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data.update(changes)
        _write_atomically(path, tomli_w.dumps(data))

    def hits(self) -> list[Any]:
        return list(self.server.hits)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.server.hits]


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[ReplicaSite]:
    from monitor.replica import Replica

    data = tmp_path / "replica"
    shutil.copytree(REPLICA_DATA, data)
    with Replica(data, lifetime=240) as server:
        yield ReplicaSite(server, data)
