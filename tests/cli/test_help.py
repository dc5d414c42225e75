"""Every command teaches: it has help text, and the group's help lists it."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from headlines.cli import main

COMMANDS = sorted(main.commands)


def test_the_contract_commands_exist() -> None:
    assert {"crawl", "classify", "train", "evaluate", "export", "retag", "demo", "status", "models"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(name: str) -> None:
    command = main.commands[name]
    assert command.help and len(command.help.split()) >= 5, f"`headlines {name}` has no real help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"`headlines {name} {param.opts[0]}` has no help text"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage: main " in result.output or "Usage: headlines " in result.output


def test_global_options_and_envvars_are_documented() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for text in ("--db", "HEADLINES_DB", "--models-dir", "HEADLINES_MODELS", "headlines demo"):
        assert text in result.output


def test_unknown_source_is_a_one_line_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "h.sqlite3"), "crawl", "no-such-source"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: unknown source 'no-such-source'")
    assert len(result.output.strip().splitlines()) == 1


def test_readme_and_crawl_help_list_every_status_and_exit_code() -> None:
    from crawler.status import STATUSES
    from headlines.errors import ExitCode
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    crawl_help = CliRunner().invoke(main, ["crawl", "--help"]).output
    for name in STATUSES:
        assert f"| `{name}` |" in readme, f"README does not list the status {name}"
        assert name in crawl_help, f"`crawl --help` does not list the status {name}"
    for code in ExitCode:
        assert f"| {int(code)} |" in readme, f"README does not explain exit code {int(code)}"
        assert f"  {int(code)}  " in crawl_help or f"  {int(code)} " in crawl_help, int(code)
