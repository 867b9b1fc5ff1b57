"""`newsmon history` and `newsmon diff` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEED, CliRunner


def two_versions(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    edited = tmp_path / "edited.txt"
    edited.write_text(text.replace("بعد يوم واحد من تقرير", "بعد يومين من تقرير"), encoding="utf-8")
    assert run_cli("load", SEED, "--db", db_path).code == 0
    assert run_cli("load", edited, "--db", db_path).code == 0


def test_history_lists_versions_with_what_changed(
    run_cli: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    two_versions(run_cli, db_path, tmp_path)
    result = run_cli("history", "1", "--db", db_path)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("#1 آلية تنسيق")
    assert lines[-2].split("\t")[::2] == ["1", "first"]
    assert lines[-1].split("\t")[0] == "2" and lines[-1].endswith("edit\tparagraph: 1 changed")
    doc = json.loads(run_cli("history", "1", "--db", db_path, "--json").out)
    assert [v["number"] for v in doc["versions"]] == [1, 2]


def test_diff_marks_whole_words(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    two_versions(run_cli, db_path, tmp_path)
    result = run_cli("diff", "1", "--db", db_path)
    assert result.code == 0, result.err
    assert "paragraph 2 (changed)" in result.out
    assert "[-يوم واحد-] {+يومين+}" in result.out
    doc = json.loads(
        run_cli("diff", "1", "--from", "1", "--to", "2", "--format", "json", "--db", db_path).out
    )
    assert doc["summary"] == "paragraph: 1 changed"
    assert doc["changes"]["paragraphs"][0]["old_index"] == 1


def test_errors(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    assert run_cli("load", SEED, "--db", db_path).code == 0
    for args, message in [
        (("history", "nope"), "no stored article matches 'nope'"),
        (("diff", "1"), "has only one version"),
        (("diff", "https://www.alaraby.co.uk/unknown"), "no stored article matches"),
    ]:
        result = run_cli(*args, "--db", db_path)
        assert result.code == 1
        assert result.err.strip().splitlines() == [result.err.strip()]
        assert message in result.err
    two_versions(run_cli, db_path, tmp_path)
    bad = run_cli("diff", "1", "--to", "7", "--db", db_path)
    assert bad.code == 1 and "has versions 1–2" in bad.err
