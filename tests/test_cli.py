"""The real ``newsmon`` command in a subprocess: load, export, search, and its errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from conftest import SEED, CliRunner, cli_env


def test_load_then_export_reproduces_the_sample(
    run_cli: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    loaded = run_cli("load", SEED, "--db", db_path)
    assert loaded.code == 0, loaded.err
    assert "new=1" in loaded.out
    out_dir = tmp_path / "export"
    exported = run_cli("export", "--db", db_path, "--format", "seed", "--out", out_dir)
    assert exported.code == 0, exported.err
    files = list(out_dir.glob("*.txt"))
    assert len(files) == 1
    assert files[0].read_bytes() == SEED.read_bytes()
    stdout = run_cli("export", "--db", db_path, "--format", "seed")
    assert stdout.out.encode("utf-8") == SEED.read_bytes()


def test_loading_twice_is_unchanged(run_cli: CliRunner, db_path: Path) -> None:
    run_cli("load", SEED, "--db", db_path)
    again = run_cli("load", SEED, "--db", db_path)
    assert "unchanged=1" in again.out and "new=0" in again.out


def test_load_from_stdin(run_cli: CliRunner, db_path: Path) -> None:
    result = run_cli("load", "-", "--db", db_path, stdin=SEED.read_bytes())
    assert result.code == 0, result.err
    assert "new=1" in result.out


def test_jsonl_and_csv(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    run_cli("load", SEED, "--db", db_path)
    jsonl = run_cli("export", "--db", db_path, "--format", "jsonl")
    assert jsonl.code == 0
    records = [json.loads(line) for line in jsonl.out.splitlines()]
    assert len(records) == 1
    rec = records[0]
    for key in (
        "id",
        "url",
        "section",
        "title",
        "published_at",
        "modified_at",
        "authors",
        "caption",
        "credit",
        "image_url",
        "summary",
        "body",
        "tags",
        "category",
    ):
        assert key in rec
    assert isinstance(rec["body"], list) and len(rec["body"]) == 9
    assert rec["credit"] == "علي مكرم غريب/الأناضول"
    assert "داعش" in jsonl.out  # Arabic unescaped
    out_file = tmp_path / "out" / "articles.csv"
    result = run_cli("export", "--db", db_path, "--format", "csv", "--out", out_file)
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert rows[0]["title"].startswith("آلية تنسيق") and rows[0]["body"].count("\n\n") == 8


def test_search_table_and_json(run_cli: CliRunner, db_path: Path) -> None:
    run_cli("load", SEED, "--db", db_path)
    # The sample writes "العراقيّة"-free text; the query is vocalised, the index is not.
    table = run_cli("search", "العَمَلِيّات المشتركة", "--db", db_path)
    assert table.code == 0, table.err
    assert "آلية تنسيق" in table.out and "2020-05-11" in table.out
    hits = [
        json.loads(line)
        for line in run_cli("search", "التحالف", "--db", db_path, "--json").out.splitlines()
    ]
    assert hits and hits[0]["title"].startswith("آلية")
    none = run_cli("search", "بيروت", "--db", db_path)
    assert none.code == 0 and none.out == "" and "no matching" in none.err


def test_bad_document_is_one_error_line_and_stores_nothing(
    run_cli: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    run_cli("load", SEED, "--db", db_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("عنوان\n\nليس تاريخا\n+ الخط -\n\nفقرة\nالمساهمون", encoding="utf-8")
    other = tmp_path / "good.txt"
    other.write_text("خبر\n\n2 يونيو 2021\n+ الخط -\n\nنص\nالمساهمون", encoding="utf-8")
    result = run_cli("load", other, bad, "--db", db_path)
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"Error: {bad}: line 3: expected a display date, found 'ليس تاريخا'"
    ]
    listing = run_cli("export", "--db", db_path, "--format", "jsonl")
    assert len(listing.out.splitlines()) == 1  # the good file was not stored either


def test_errors_are_one_line(run_cli: CliRunner, tmp_path: Path) -> None:
    not_db = tmp_path / "x.db"
    not_db.write_bytes(b"garbage" * 200)
    cases = [
        run_cli("load", tmp_path / "missing.txt", "--db", tmp_path / "a.db"),
        run_cli("search", "غزة", "--db", not_db),
        run_cli("export", "--db", tmp_path / "none.db"),
        run_cli("export", "--format", "pdf"),
        run_cli("export", "--since", "someday", "--db", tmp_path / "a.db"),
        run_cli("frobnicate"),
    ]
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    cases.append(run_cli("load", latin1, "--db", tmp_path / "a.db"))
    for result in cases:
        assert result.code == 1, result
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.err
        assert "Traceback" not in result.err
    assert not_db.read_bytes() == b"garbage" * 200


def test_db_location_from_environment_and_default(run_cli: CliRunner, tmp_path: Path) -> None:
    env_db = tmp_path / "env.db"
    assert run_cli("load", SEED, env={"NEWSMON_DB": str(env_db)}).code == 0
    assert env_db.exists()
    assert run_cli("load", SEED).code == 0
    assert (tmp_path / "home" / ".local" / "share" / "newsmon" / "newsmon.db").exists()


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    via_module = subprocess.run(
        [sys.executable, "-m", "monitor", "--help"], capture_output=True, env=env
    )
    script = Path(sys.executable).with_name("newsmon")
    via_script = subprocess.run([str(script), "--help"], capture_output=True, env=env)
    assert via_module.returncode == via_script.returncode == 0
    assert via_module.stdout == via_script.stdout
