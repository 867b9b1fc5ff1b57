"""Every command has help text and is documented in the README; the README's two set-up
commands are the ones CI runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner as ClickRunner
from conftest import ROOT

from monitor.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


COMMANDS = list(all_commands(cli))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help_and_is_in_the_readme(
    path: tuple[str, ...], command: click.Command
) -> None:
    assert (command.help or "").strip(), f"newsmon {' '.join(path)} has no help text"
    for flag in ("-h", "--help"):
        result = ClickRunner().invoke(cli, [*path, flag])
        assert result.exit_code == 0 and "Usage:" in result.output
    assert re.search(rf"newsmon {re.escape(' '.join(path))}\b", README), (
        f"'newsmon {' '.join(path)}' is not in README.md"
    )


def test_every_option_has_help() -> None:
    for path, command in COMMANDS:
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"newsmon {' '.join(path)} {param.opts[0]} has no help"


def test_ci_runs_the_readme_test_command() -> None:
    match = re.search(r"<!-- test-command -->\s*```(?:sh|bash|console)?\n(.+?)\n```", README, re.S)
    assert match, "README.md must mark its test command with <!-- test-command -->"
    command = match.group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci


def test_readme_names_the_run_command() -> None:
    assert "<!-- run-command -->" in README
