"""Bad input through every command: archives that are not archives (a directory, text, a PNG, a
truncated file, one from a newer newsmon, one in a directory that does not exist), bad
arguments, bad files and standard input, bad environment variables (RELIABILITY.md row 19).

The rule: one ``Error:`` line on stderr saying what is wrong, exit status 1 (2 for ``watch
test``), no traceback, and the archive's bytes unchanged — a writing command that fails writes
nothing, a reading command reads a newer or locked archive. The cases are
tests/data/bad-inputs.tsv, run in this process through ``monitor.cli.main`` (the ``newsmon``
script's entry point with its error handling); the ones that need a real process (a pipe that
closes, a closed stdout, a lock held by another process) run as subprocesses.
"""

from __future__ import annotations

import hashlib
import io
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alerting import archive, publish
from conftest import CliRunner, cli_env
from guards import forbid_work
from tables import read_tsv

from monitor.config import Target
from monitor.runner import match_step

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_2927584d004e3424.txt"
PAGE = ROOT / "tests" / "data" / "golden"
CASES = read_tsv("bad-inputs.tsv")
NOT_UTF8 = os.fsdecode(b"\xff\xfe")
WATCHLIST = '[[watch]]\nname = "w"\nterms = ["غزة"]\n'


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of --db the table names, made once; each case checks its bytes."""
    where = tmp_path_factory.mktemp("archives")
    good = where / "good.db"
    db = archive(good)
    publish(db, "1", "2", "3")
    match_step(db, [Target("json://127.0.0.1:9/hook")])
    db.conn.close()
    newer = where / "newer.db"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('crawler', 'm999_from_the_future', '2030-01-01')"
    )
    conn.execute("ALTER TABLE articles ADD COLUMN future TEXT")
    conn.commit()
    conn.close()
    (where / "dir.db").mkdir()
    (where / "text.db").write_text("not a database\n", encoding="utf-8")
    (where / "empty.db").write_bytes(b"")
    (where / "trunc.db").write_bytes(good.read_bytes()[:3000])
    (where / "png.db").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64))
    return {
        "good": good,
        "newer": newer,
        **{k: where / f"{k}.db" for k in ("dir", "text", "empty", "trunc", "png")},
    }


def make_file(name: str, where: Path) -> Path:
    path = where / name
    seed = SEED.read_text(encoding="utf-8")
    if name == "dir":
        path.mkdir(exist_ok=True)
    elif name == "fifo":
        os.mkfifo(path)
    elif name == "loop":
        path.symlink_to(path.name)
    else:
        data = {
            "empty": b"",
            "text": "نص\n".encode(),
            "binary": bytes(range(256)) * 8,
            "hugeline": b"x" * 2_000_000 + b"\n",
            "watchlist": WATCHLIST.encode(),
            "utf16seed": seed.encode("utf-16"),
            "cp1256seed": seed.encode("cp1256", errors="replace"),
            "utf16watchlist": WATCHLIST.encode("utf-16"),
            "cp1256watchlist": WATCHLIST.encode("cp1256"),
        }[name]
        path.write_bytes(data)
    return path


def words(case: dict[str, str], files: Path) -> list[str]:
    args = []
    for word in shlex.split(case["command"]):
        if word.startswith("{f:"):
            name, _, rest = word[3:].partition("}")
            word = str(make_file(name, files)) + rest
        word = word.replace("{seed}", str(SEED)).replace("{nonutf8}", NOT_UTF8)
        word = word.replace("{seedpage}", str(next(PAGE.glob("*.html"), SEED)))
        args.append(word)
    return args


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in (
        "NEWSMON_DB",
        "NEWSMON_CONFIG",
        "NEWSMON_NOTIFY_URLS",
        "NEWSMON_SITE",
        "NEWSMON_SECTIONS",
        "NEWSMON_ALLOW_PRIVATE",
        "NEWSMON_INTERVAL",
    ):
        monkeypatch.delenv(name, raising=False)

    forbid_work(monkeypatch, "bad input")
    yield home


def _alarm(_signum: int, _frame: object) -> None:
    raise TimeoutError("the command blocked (on a FIFO?)")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_one_error_and_touches_nothing(
    case: dict[str, str],
    archives: dict[str, Path],
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from monitor.cli import main

    kind = case["db"]
    db_args: list[str] = []
    watched: Path | None = None
    if kind.startswith("env:"):
        name, _, value = kind[4:].partition("=")
        monkeypatch.setenv(name, value)
        if name != "NEWSMON_DB":
            monkeypatch.setenv("NEWSMON_DB", str(archives["good"]))
            watched = archives["good"]
    elif kind == "missing":
        watched = tmp_path / "no-such-dir" / "sub" / "newsmon.db"
        monkeypatch.setenv("NEWSMON_DB", str(watched))
    elif kind != "none":
        watched = archives[kind]
        db_args = ["--db", str(watched)]
    (tmp_path / "files").mkdir()
    args = words(case, tmp_path / "files")
    if db_args and not {"config", "extract", "demo", "serve"} & set(args[:1]):
        at = args.index("--") if "--" in args else len(args)
        args[at:at] = db_args
    if case["stdin"]:
        data = b"" if case["stdin"] == "empty" else bytes(range(256)) * 4
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    before = _digest(watched) if watched else None
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    out, err = capsys.readouterr()
    code = exit_info.value.code or 0
    assert code == int(case["code"]), (out, err)
    assert "Traceback" not in err and "unexpected" not in err, err
    if code:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
        assert lines[0].startswith("Error: "), err
        assert case["says"] in lines[0], lines[0]
    else:
        assert case["says"] in out + err
    if watched is not None:
        assert _digest(watched) == before, "the archive's bytes changed"
    if kind == "missing":
        assert not watched.parent.parent.exists(), "a reading command created the archive"


# Real processes: what only a process shows (its exit status through a pipe, a closed stdout,
# another process holding the lock).


@pytest.fixture
def stored(archives: dict[str, Path], tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    path.write_bytes(archives["good"].read_bytes())
    return path


def _newsmon(tmp_path: Path, db: Path) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "monitor"], cli_env(tmp_path, NEWSMON_DB=str(db))


@pytest.mark.parametrize("fmt", ["seed", "jsonl", "csv"])
def test_export_into_a_pipe_that_closes_exits_quietly(
    fmt: str, stored: Path, tmp_path: Path
) -> None:
    cmd, env = _newsmon(tmp_path, stored)
    shell = f"{shlex.join([*cmd, 'export', '--format', fmt])} | head -c 1 >/dev/null"
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {shell}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_a_closed_stdout_is_one_error(stored: Path, tmp_path: Path) -> None:
    cmd, env = _newsmon(tmp_path, stored)
    proc = subprocess.run(
        [*cmd, "export", "--format", "jsonl"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "Error: standard output is closed; redirect it to a file or /dev/null"
    )


def test_a_non_utf8_argument_is_one_error_in_a_real_process(
    run_cli: CliRunner, stored: Path
) -> None:
    result = run_cli("history", NOT_UTF8, env={"NEWSMON_DB": str(stored)})
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert "not valid UTF-8" in line and "\\xff\\xfe" in line, line


@pytest.mark.slow
def test_a_locked_archive_is_read_but_not_written(stored: Path, tmp_path: Path) -> None:
    """Another process holds the write lock for longer than the busy timeout (10 s): readers
    go on (WAL), a writer gives up with one line, and nothing is lost."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(stored)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        cmd, env = _newsmon(tmp_path, stored)
        read = subprocess.run(
            [*cmd, "search", "غزة"], env=env, capture_output=True, text=True, timeout=60
        )
        assert read.returncode == 0 and "غزة" in read.stdout, read.stderr
        write = subprocess.run(
            [*cmd, "watch", "add", "w2", "سوريا"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert write.returncode == 1
        (line,) = write.stderr.strip().splitlines()
        assert line.startswith("Error: ") and "locked" in line, line
    finally:
        holder.kill()
        holder.wait()
    conn = sqlite3.connect(stored)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM watches").fetchone()[0] == 1
    conn.close()
