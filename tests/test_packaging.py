"""The package list in pyproject.toml is written out (so seeds/ can ship as monitor.seeds):
every Python package in the tree must be on it, and the demo's data must be found."""

from __future__ import annotations

import tomllib
from pathlib import Path

from monitor.replica import DEFAULT_DATA

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_in_the_tree_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("crawler", "monitor")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert config["setuptools"]["package-dir"]["monitor.seeds"] == "seeds"
    assert listed - found == {"monitor.seeds"}


def test_the_replica_data_ships_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    patterns = config["setuptools"]["package-data"]["monitor.seeds"]
    shipped = {p for pattern in patterns for p in (ROOT / "seeds").glob(pattern)}
    on_disk = {p for p in (ROOT / "seeds").rglob("*") if p.is_file()}
    assert on_disk <= shipped, sorted(str(p) for p in on_disk - shipped)
    assert (DEFAULT_DATA / "site.toml").is_file()
    assert len(list((DEFAULT_DATA / "articles").glob("*.toml"))) >= 14
