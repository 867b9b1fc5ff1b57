"""``newsmon watch …`` through the real CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED, CliRunner

from crawler.database import open_db


@pytest.fixture
def loaded(run_cli: CliRunner, db_path: Path) -> Path:
    result = run_cli("load", SEED, "--db", db_path)
    assert result.code == 0, result.err
    return db_path


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_test_text_matches_without_a_database(run_cli: CliRunner, tmp_path: Path) -> None:
    result = run_cli("watch", "test", "عراق", "--text", "قالت القوات إن «والعراق» بلد")
    assert result.code == 0, result.err
    assert result.out == "16\tوالعراق\tقالت القوات إن «[[والعراق]]» بلد\n"
    assert "1 match(es)" in result.err
    assert not (tmp_path / "home").exists() or not list((tmp_path / "home").rglob("*.db"))


def test_test_text_without_a_match_exits_1(run_cli: CliRunner) -> None:
    result = run_cli("watch", "test", "عراق", "--text", "العراقيل كثيرة")
    assert (result.code, result.out) == (1, "")
    assert "no match" in result.err
    stem = run_cli("watch", "test", "عراق", "--mode", "stem", "--text", "القوات العراقية")
    assert stem.code == 0 and "[[القوات العراقية]]" not in stem.out and "[[العراقية]]" in stem.out


def test_test_text_from_stdin(run_cli: CliRunner) -> None:
    text = "سطر أول\n\nقال مُحَمَّد إن".encode()
    result = run_cli("watch", "test", "محمد", "--text", "-", stdin=text)
    assert result.code == 0 and "\tمُحَمَّد\t" in result.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["watch", "test", "داعش"], "exactly one of"),
        (["watch", "test", "داعش", "--text", "x", "--db-scan"], "exactly one of"),
        (["watch", "test", "داعش", "--mode", "fuzzy", "--text", "x"], "--mode"),
        (["watch", "test", "،،", "--text", "x"], "no letters or digits"),
        (["watch", "test", "--text", "x"], "TERM"),
        (["watch", "test", "داعش", "--examples", "-1", "--db-scan"], "--examples"),
    ],
)
def test_test_errors_exit_2(run_cli: CliRunner, args: list[str], says: str) -> None:
    result = run_cli(*args)
    assert result.code == 2, (result.out, result.err)
    assert says in one_error_line(result.err)


def test_test_article_needs_a_database_and_the_article(
    run_cli: CliRunner, loaded: Path, tmp_path: Path
) -> None:
    missing = run_cli("watch", "test", "داعش", "--article", "1", "--db", tmp_path / "none.db")
    assert missing.code == 2 and "no database" in one_error_line(missing.err)
    unknown = run_cli("watch", "test", "داعش", "--article", "999", "--db", loaded)
    assert unknown.code == 2 and "999" in one_error_line(unknown.err)


def test_test_article_by_id_node_or_url(run_cli: CliRunner, loaded: Path) -> None:
    db = open_db(loaded)
    node, url = db.execute("SELECT node_id, url FROM articles WHERE id = 1").fetchone()
    db.close()
    refs = ["1", *(r for r in (node, url) if r)]
    for ref in refs:
        result = run_cli("watch", "test", "التحالف الدولي", "--article", ref, "--db", loaded)
        assert result.code == 0, result.err
        lines = result.out.splitlines()
        assert lines[0].startswith("title:26\tالتحالف الدولي\t")
        assert all("[[" in line for line in lines) and len(lines) == 9
    none = run_cli("watch", "test", "غزة", "--article", "1", "--db", loaded)
    assert none.code == 1


def test_test_db_scan(run_cli: CliRunner, loaded: Path) -> None:
    result = run_cli("watch", "test", "داعش", "--db-scan", "--db", loaded)
    assert result.code == 0, result.err
    assert "would have matched 1 of 1 stored article(s) (13 mention(s))" in result.out
    assert result.out.startswith("#1\tآلية تنسيق عراقية")
    nothing = run_cli("watch", "test", "غزة", "--db-scan", "--db", loaded)
    assert nothing.code == 1 and "matched 0 of 1" in nothing.out


def test_add_list_remove(run_cli: CliRunner, db_path: Path) -> None:
    added = run_cli(
        "watch", "add", "العراق", "العراق", "التحالف الدولي",
        "--all", "بغداد", "--none", "كرة القدم", "--field", "title",
        "--section", "politics", "--tag", "desk", "--db", db_path,
    )  # fmt: skip
    assert added.code == 0, added.err
    assert "added watch 'العراق'" in added.out
    again = run_cli("watch", "add", "العراق", "غزة", "--db", db_path)
    assert again.code == 1 and "exists" in one_error_line(again.err)
    listed = run_cli("watch", "list", "--json", "--db", db_path)
    (record,) = [json.loads(line) for line in listed.out.splitlines()]
    assert record["terms"] == [
        {"text": "العراق", "mode": "standard"},
        {"text": "التحالف الدولي", "mode": "standard"},
    ]
    assert (record["all"][0]["text"], record["none"][0]["text"]) == ("بغداد", "كرة القدم")
    assert (record["fields"], record["sections"], record["tags"]) == (
        "title",
        ["politics"],
        ["desk"],
    )
    table = run_cli("watch", "list", "--db", db_path)
    assert table.out.startswith("العراق\tالعراق, التحالف الدولي\tبغداد\tكرة القدم\ttitle\t")
    removed = run_cli("watch", "remove", "العراق", "--db", db_path)
    assert removed.code == 0 and "removed" in removed.out
    gone = run_cli("watch", "remove", "العراق", "--db", db_path)
    assert gone.code == 1 and "no watch named" in one_error_line(gone.err)
    empty = run_cli("watch", "list", "--db", db_path)
    assert empty.out == "" and "no watches" in empty.err


def test_add_lint_needs_force(run_cli: CliRunner, db_path: Path) -> None:
    refused = run_cli("watch", "add", "w", "غزة", "في", "--db", db_path)
    assert refused.code == 1
    line = one_error_line(refused.err)
    assert "'في' is the function word" in line and "--force" in line
    assert run_cli("watch", "list", "--db", db_path).out == ""
    name = run_cli("watch", "add", "ali", "علي", "--db", db_path)
    assert name.code == 1 and "--mode exact" in name.err
    assert run_cli("watch", "add", "ali", "علي", "--mode", "exact", "--db", db_path).code == 0
    forced = run_cli("watch", "add", "w", "غزة", "في", "--force", "--db", db_path)
    assert forced.code == 0 and "warning:" in forced.err
    exported = run_cli("watch", "export", "--db", db_path).out
    assert '{ text = "في", force = true }' in exported


def test_add_bad_values(run_cli: CliRunner, db_path: Path) -> None:
    bad = run_cli("watch", "add", "w", "#", "--db", db_path)
    assert bad.code == 1 and "no letters or digits" in one_error_line(bad.err)
    tag = run_cli("watch", "add", "w", "غزة", "--tag", "a b", "--db", db_path)
    assert tag.code == 1 and "tag" in one_error_line(tag.err)
    field = run_cli("watch", "add", "w", "غزة", "--field", "body", "--db", db_path)
    assert field.code == 1 and "--field" in one_error_line(field.err)
    section = run_cli("watch", "add", "w", "غزة", "--section", "politic", "--db", db_path)
    assert section.code == 0 and "note: section 'politic'" in section.err


WATCHLIST = """\
[[watch]]
name = "gaza"
terms = ["غزة", "رفح"]
tags = ["desk"]

[[watch]]
name = "names"
mode = "exact"
terms = ["علي", { text = "داعش", mode = "standard" }]
fields = "title"
"""


def test_import_export_round_trip(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "watches.toml"
    source.write_text(WATCHLIST, encoding="utf-8")
    imported = run_cli("watch", "import", source, "--db", db_path)
    assert imported.code == 0, imported.err
    assert "imported 2 watch(es)" in imported.out and "added 2" in imported.out
    out = tmp_path / "out" / "list.toml"
    exported = run_cli("watch", "export", out, "--db", db_path)
    assert exported.code == 0 and "wrote 2 watch(es)" in exported.err
    stdout = run_cli("watch", "export", "--db", db_path).out
    assert stdout == out.read_text(encoding="utf-8")
    other = tmp_path / "other.db"
    assert run_cli("watch", "import", out, "--db", other).code == 0
    assert run_cli("watch", "export", "--db", other).out == stdout
    again = run_cli("watch", "import", out, "--db", db_path)
    assert "unchanged 2" in again.out


def test_import_prune(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    run_cli("watch", "add", "old", "بغداد", "--db", db_path)
    source = tmp_path / "watches.toml"
    source.write_text(WATCHLIST, encoding="utf-8")
    kept = run_cli("watch", "import", source, "--db", db_path)
    assert "old" in run_cli("watch", "list", "--db", db_path).out and kept.code == 0
    pruned = run_cli("watch", "import", source, "--prune", "--db", db_path)
    assert "removed 1" in pruned.out
    names = [
        line.split("\t")[0] for line in run_cli("watch", "list", "--db", db_path).out.splitlines()
    ]
    assert names == ["gaza", "names"]


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('[[watch]]\nname = "w"\nterms = ["غزة"]\ncolour = "red"\n', 4, "colour"),
        ('[[watch]]\nname = "w"\nterms = ["غزة"]\nmode = "fuzzy"\n', 4, "mode"),
        ('[[watch]]\nname = "w"\nterms = []\n', 3, "terms"),
        ('[[watch]]\nname = "w"\nterms = ["غزة"\n', 3, "terms"),
    ],
)
def test_import_bad_file_stores_nothing(
    run_cli: CliRunner, db_path: Path, tmp_path: Path, text: str, line: int, key: str
) -> None:
    source = tmp_path / "bad.toml"
    source.write_text(WATCHLIST + "\n" + text, encoding="utf-8")
    result = run_cli("watch", "import", source, "--db", db_path)
    assert result.code == 1
    error = one_error_line(result.err)
    assert f"{source}:{WATCHLIST.count(chr(10)) + 1 + line}:" in error and f'key "{key}"' in error
    assert run_cli("watch", "list", "--db", db_path).out == ""


def test_import_lint_needs_force(run_cli: CliRunner, db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "lint.toml"
    source.write_text('[[watch]]\nname = "w"\nterms = [\n  "غزة",\n  "من",\n]\n', encoding="utf-8")
    refused = run_cli("watch", "import", source, "--db", db_path)
    assert refused.code == 1
    assert f'{source}:5: watch "w", key "terms"' in one_error_line(refused.err)
    forced = run_cli("watch", "import", source, "--force", "--db", db_path)
    assert forced.code == 0 and "warning:" in forced.err
    missing = run_cli("watch", "import", tmp_path / "nope.toml", "--db", db_path)
    assert missing.code == 1 and "nope.toml" in one_error_line(missing.err)
