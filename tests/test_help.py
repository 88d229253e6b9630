"""The help as users reach for it: ``-h`` and ``--help`` on every command, choices and value
kinds instead of ``<str>``, examples printed as written, shell completion, ``--version``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter import _native
from converter._version import __version__
from converter.adapters import ADAPTERS
from converter.cli import app

from .conftest import ROOT, run_cli

COMMANDS = [name for name, adapter in ADAPTERS.items() if adapter.command] + ["export"]


def help_of(*args: str, columns: int = 80) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_dash_h_is_help_on_every_command(command: str) -> None:
    short = help_of(command, "-h")
    assert short == help_of(command, "--help")
    assert short.startswith(f"Usage: converter {command} [OPTIONS] {{INPUT}}...")
    assert "-h, --help" in short


def test_dash_h_on_the_program() -> None:
    text = help_of("-h")
    assert text == help_of("--help") and "Commands:" in text
    assert all(re.search(rf"^  {re.escape(c)}\s", text, re.MULTILINE) for c in COMMANDS)


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("rss", "--paywall [summary|full|exclude]"),
        ("atom", "--split-by [category]"),
        ("epub", "--group-by [section|date|none]"),
        ("ninjs", "--ninjs-version [3.1|2.1]"),
        ("export", "--ninjs-version [3.1|2.1]"),
        ("rss", "--feed-url URL"),
        ("html", "--base-url URL"),
        ("html", "--language TAG"),
        ("html", "--timezone ZONE"),
        ("rss", "--limit N"),
        ("html", "--css FILE"),
        ("export", "--shard I/N|auto|auto/N"),
        ("markdown", "-o, --output DIR|-"),
        ("rss", "-o, --output FILE|-|DIR"),
        ("sitemap", "-o, --output DIR "),
    ],
)
def test_values_are_shown_by_kind_and_choices_listed(command: str, shown: str) -> None:
    text = help_of(command, "-h", columns=120)
    assert shown in text
    options = text.split("Options:", 1)[1]
    assert "<str>" not in options and "<int>" not in options and "<path>" not in options


@pytest.mark.parametrize("command", COMMANDS)
def test_examples_are_printed_as_written_in_a_narrow_terminal(command: str) -> None:
    text = help_of(command, "-h", columns=40)
    examples = [line.strip() for line in text.splitlines() if "converter " in line
                and not line.startswith("Usage")]  # fmt: skip
    assert examples, text
    doc = app.registered_commands[COMMANDS.index(command)].callback.__doc__ or ""
    for line in examples:  # each example line is one line of the docstring, unbroken
        assert line in [d.strip() for d in doc.splitlines()], line


def test_the_export_help_shows_the_job_array_example_whole() -> None:
    text = help_of("export", "-h", columns=40)
    assert "  converter export archive/ -o out/shard-$JOB_COMPLETION_INDEX --shard auto/4\n" in text


def test_version_and_usage_errors_exit_codes() -> None:
    proc = run_cli("--version")
    assert (proc.returncode, proc.stdout) == (0, f"converter {__version__} ({_native.status()})\n")
    proc = run_cli("rss", "--no-such-flag")
    assert proc.returncode == 2 and "No such option" in proc.stderr


def test_the_completion_script_is_shown_for_bash() -> None:
    proc = run_cli("--show-completion", "bash")
    assert proc.returncode == 0, proc.stderr
    assert "_CONVERTER_COMPLETE=complete_bash" in proc.stdout
    assert "complete -o default -F _converter_completion converter" in proc.stdout


def _complete(words: str) -> list[str]:
    """What the completion script asks `converter` for, as bash does when TAB is pressed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_CONVERTER_COMPLETE": "complete_bash",
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}  # fmt: skip
    proc = subprocess.run([sys.executable, "-m", "converter"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_completion_offers_commands_flags_and_choices() -> None:
    assert {"rss", "epub", "export"} <= set(_complete("converter "))
    assert {"--paywall", "--pretty"} <= set(_complete("converter rss --p"))
    assert _complete("converter rss --paywall ") == ["summary", "full", "exclude"]
    assert _complete("converter rss --paywall f") == ["full"]


def test_completion_installs_into_a_home_for_bash(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    proc = subprocess.run([sys.executable, "-m", "converter", "--install-completion", "bash"],
                          env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    installed = list(tmp_path.rglob("converter*"))
    assert installed, proc.stdout
    assert "_CONVERTER_COMPLETE" in installed[0].read_text("utf-8")
    assert str(installed[0]) in (tmp_path / ".bashrc").read_text("utf-8")
