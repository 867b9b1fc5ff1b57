"""Bad configuration and watchlist files meet the commands that read them (RELIABILITY.md row 19):
one ``Error:`` line naming the file, the line and the key, exit status 1, no traceback, and the
archive untouched, byte for byte.

The catalogue is tests/data/bad-files.tsv, plus every case of bad-configs.tsv and
watchfile-errors.tsv (which test the parsers directly) put through the commands as well. The
commands run in this process through ``monitor.cli.main`` — the entry point the ``newsmon``
script calls, with its own error handling — because four commands times a hundred files as
subprocesses would take minutes; a sample also runs as real subprocesses.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alerting import archive, publish
from conftest import CliRunner
from guards import forbid_work
from tables import read_tsv, unescape

from monitor.config import Target
from monitor.runner import match_step

CONFIG_COMMANDS = {
    "daemon": ["daemon", "--config", "{file}"],
    "run": ["run", "--config", "{file}"],
    "config show": ["config", "show", "--config", "{file}"],
}
WATCH_COMMAND = ["watch", "import", "--prune", "{file}"]


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # config | watchlist
    content: str
    line: str
    key: str
    says: str


def _cases() -> list[Case]:
    cases = [Case(**row) for row in read_tsv("bad-files.tsv")]
    for row in read_tsv("bad-configs.tsv"):
        cases.append(
            Case(f"cfg-{row['id']}", "config", row["toml"], row["line"], row["key"], row["message"])
        )
    for row in read_tsv("watchfile-errors.tsv"):
        cases.append(
            Case(f"wl-{row['id']}", "watchlist", row["toml"], row["line"], "", row["says"])
        )
    return cases


CASES = _cases()
RUNS = [
    (case, command)
    for case in CASES
    for command in (CONFIG_COMMANDS if case.kind == "config" else ["watch import"])
]


def content_bytes(content: str) -> bytes:
    r"""The table's escapes, and ``\xNN`` as a raw byte (for files that are not UTF-8)."""
    parts = re.split(r"\\x([0-9a-fA-F]{2})", content)
    out = b""
    for i, part in enumerate(parts):
        out += bytes([int(part, 16)]) if i % 2 else unescape(part).encode("utf-8")
    return out


def make_file(case: Case, where: Path) -> Path:
    path = where / ("config.toml" if case.kind == "config" else "list.toml")
    if case.content == "<dir>":
        path.mkdir()
    elif case.content == "<unreadable>":
        if os.geteuid() == 0:
            pytest.skip("root reads a file whatever its mode (cfg-loop takes the same path)")
        path.write_text('[[watch]]\nname = "w"\nterms = ["غزة"]\n', encoding="utf-8")
        path.chmod(0)
    elif case.content == "<loop>":
        path.symlink_to(path.name)
    elif case.content != "<missing>":
        path.write_bytes(content_bytes(case.content))
    return path


def snapshot(db_path: Path) -> tuple[str, list[str]]:
    """The archive's bytes (hashed) and rows: what "untouched" means."""
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        rows = list(conn.iterdump())
    finally:
        conn.close()
    return digest, rows


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with articles, a watch, matches and pending alerts, closed (WAL folded in)."""
    path = tmp_path_factory.mktemp("archive") / "newsmon.db"
    db = archive(path)
    publish(db, "1", "2", "3")
    match_step(db, [Target("json://127.0.0.1:9/hook")])
    db.conn.close()
    return path


@pytest.fixture
def cli_in_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stored: Path
) -> Iterator[object]:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("NEWSMON_DB", str(stored))
    for name in ("NEWSMON_CONFIG", "NEWSMON_NOTIFY_URLS", "NEWSMON_SITE", "NEWSMON_SECTIONS"):
        monkeypatch.delenv(name, raising=False)

    forbid_work(monkeypatch, "a bad file")
    yield None


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from monitor.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.mark.parametrize(
    ("case", "command"), RUNS, ids=[f"{case.id}:{command}" for case, command in RUNS]
)
def test_a_bad_file_is_one_error_and_touches_nothing(
    case: Case,
    command: str,
    tmp_path: Path,
    stored: Path,
    cli_in_process: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = make_file(case, tmp_path)
    template = CONFIG_COMMANDS[command] if case.kind == "config" else WATCH_COMMAND
    before = snapshot(stored)
    code, _out, err = run_main([a.format(file=path) for a in template], capsys)
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    (line,) = lines
    where = f"{path}:{case.line}: " if case.line else f"{path}: "
    # A watchlist error names the watch too: `watch "w", key "terms": `.
    about = rf'(watch "[^"]*", )?key "{re.escape(case.key)}": ' if case.key else ""
    assert re.match(f"Error: {re.escape(where)}{about}", line) or (
        # click refuses a directory as FILE or --config itself, naming it.
        case.content == "<dir>" and f"'{path}' is a directory" in line
    ), line
    assert case.says in line, line
    assert "Traceback" not in err
    assert snapshot(stored) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case_id", "command"),
    [
        ("cfg-zero-interval", "daemon"),
        ("cfg-not-utf8", "run"),
        ("cfg-target-unknown-scheme", "config show"),
        ("wl-empty", "watch import"),
    ],
)
def test_the_real_command_says_the_same(
    case_id: str, command: str, tmp_path: Path, stored: Path, run_cli: CliRunner
) -> None:
    (case,) = [c for c in CASES if c.id == case_id]
    path = make_file(case, tmp_path)
    template = CONFIG_COMMANDS[command] if case.kind == "config" else WATCH_COMMAND
    before = snapshot(stored)
    result = run_cli(*[a.format(file=path) for a in template], env={"NEWSMON_DB": str(stored)})
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    where = f"{path}:{case.line}: " if case.line else f"{path}: "
    assert line.startswith(f"Error: {where}") and case.says in line, line
    assert snapshot(stored) == before
