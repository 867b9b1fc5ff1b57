"""Configuration: file < environment < flags; every bad file names its file, line and key."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest
from conftest import CliRunner
from tables import read_tsv, unescape

from monitor.config import ConfigError
from monitor.configfile import load_config, split_urls
from monitor.durations import format_duration, parse_duration

BAD = read_tsv("bad-configs.tsv")


@pytest.mark.parametrize("case", BAD, ids=[c["id"] for c in BAD])
def test_bad_files_name_file_line_and_key(case: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(unescape(case["toml"]), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    prefix = f"{path}:{case['line']}: " + (f'key "{case["key"]}": ' if case["key"] else "")
    assert message.startswith(prefix), message
    assert case["message"] in message
    assert "\n" not in message


def test_missing_file_means_defaults_and_a_warning(tmp_path: Path) -> None:
    cfg = load_config(None, env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert cfg.path is None or not cfg.path.exists()
    assert cfg.site == "https://www.alaraby.co.uk"
    assert cfg.targets == ()
    assert any("no notification targets" in w for w in cfg.warnings)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml", env={})


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'db = "from-file.db"\n[site]\nbase_url = "https://aajeg.com"\n'
        '[schedule]\ninterval = "10m"\n'
        '[[source]]\nname = "fast"\nsections = ["politics"]\ninterval = "2m"\n'
        '[[notify.target]]\nurl = "json://localhost:1/a"\ntags = ["gaza"]\ndigest = "30m"\n',
        encoding="utf-8",
    )
    from_file = load_config(path, env={})
    assert from_file.db_path == Path("from-file.db")
    assert from_file.site == "https://aajeg.com"
    assert [s.name for s in from_file.effective_sources()] == ["fast"]
    assert from_file.targets[0].digest == timedelta(minutes=30)
    env = {
        "NEWSMON_DB": "from-env.db",
        "NEWSMON_SITE": "https://aajsa.com/",
        "NEWSMON_NOTIFY_URLS": "json://localhost:2/b, json://localhost:3/c",
        "NEWSMON_SECTIONS": "economy society",
    }
    from_env = load_config(path, env=env)
    assert from_env.db_path == Path("from-env.db")
    assert from_env.site == "https://aajsa.com"
    assert from_env.sections == ("economy", "society")
    assert [t.origin for t in from_env.targets] == ["config", "env", "env"]
    assert from_env.warnings == ()
    flags = load_config(
        path, env=env, overrides={"db_path": Path("flag.db"), "interval": timedelta(seconds=30)}
    )
    assert flags.db_path == Path("flag.db")
    # --interval replaces every source's schedule, for a quick try.
    assert [(s.name, s.sections, s.interval) for s in flags.effective_sources()] == [
        ("fast", ("politics",), timedelta(seconds=30))
    ]
    # --section crawls just those sections, as one source.
    only = load_config(path, env=env, overrides={"sections": ("culture",)})
    assert [(s.name, s.sections) for s in only.effective_sources()] == [("outlet", ("culture",))]


def test_config_env_var_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('[crawl]\nsections = ["sport"]\n', encoding="utf-8")
    assert load_config(None, env={"NEWSMON_CONFIG": str(path)}).sections == ("sport",)


def test_the_shipped_example_loads_and_matches_the_defaults(tmp_path: Path) -> None:
    text = resources.files("monitor").joinpath("config.example.toml").read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    example = load_config(path, env={})
    assert example.interval == timedelta(minutes=15)
    assert example.sections == ()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1w", 604800),
        ("90", 90),
        (45, 45),
        ("500ms", 0.5),
    ],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("bad", ["", "ten", "15 minutes", "1h-30m", "-5", True, None, [1]])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_format_duration_round_trips() -> None:
    for text in ("30s", "15m", "1h30m", "2d", "1d2h3m4s"):
        assert format_duration(parse_duration(text)) == text


def test_split_urls() -> None:
    assert split_urls(" json://a/x,json://b/y  mailto://c ") == [
        "json://a/x",
        "json://b/y",
        "mailto://c",
    ]


def test_init_writes_an_owner_only_file_and_show_masks_secrets(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "cfg" / "config.toml"
    result = run_cli("config", "init", "--config", path)
    assert result.code == 0, result.err
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = run_cli("config", "init", "--config", path)
    assert again.code == 1 and "exists already" in again.err
    canary = "CANARY-7f3a9c"
    shown = run_cli(
        "config",
        "show",
        "--config",
        path,
        env={"NEWSMON_NOTIFY_URLS": f"json://user:{canary}@localhost:9/hook?-X-Token={canary}"},
    )
    assert shown.code == 0, shown.err
    assert canary not in shown.out + shown.err
    assert "json://***:***@localhost:9/hook" in shown.out
    bad = tmp_path / "bad.toml"
    bad.write_text('[schedule]\ninterval = "soon"\n', encoding="utf-8")
    failed = run_cli("config", "show", "--config", bad)
    assert failed.code == 1
    expected = (
        "key \"schedule.interval\": not a duration: 'soon' (write it like 30s, 15m, 1h30m, 2d)"
    )
    assert failed.err.strip() == f"Error: {bad}:2: {expected}"
