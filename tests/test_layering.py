"""The layers stay apart: crawler/ never imports monitor/, monitor/ never imports Scrapy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "__import__"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".", 1)[0]


@pytest.mark.parametrize("path", package_files("crawler"), ids=lambda p: str(p.relative_to(ROOT)))
def test_crawler_never_imports_monitor(path: Path) -> None:
    assert "monitor" not in {_top(n) for n in imported_modules(path)}


@pytest.mark.parametrize("path", package_files("monitor"), ids=lambda p: str(p.relative_to(ROOT)))
def test_monitor_never_imports_scrapy(path: Path) -> None:
    assert not {"scrapy", "twisted"} & {_top(n) for n in imported_modules(path)}


def test_the_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    import scrapy.http\n    from monitor import cli\n")
    assert imported_modules(sample) == {"scrapy.http", "monitor"}


def test_no_monitor_module_loads_scrapy_at_run_time() -> None:
    """What monitor imports from crawler must not pull Scrapy in either."""
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in package_files("monitor")
        if p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""
