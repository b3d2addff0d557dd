"""`collectbot --help` and each command's help at 80 columns (issue 16): no description cut with
"…" or "...", and `reconcile` says it takes several files."""

from __future__ import annotations

from typer.testing import CliRunner

from collectbot.cli import app


def test_command_descriptions_are_whole_at_80_columns():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"})
    listing = result.stdout.split("Commands:", 1)[1]
    assert "..." not in listing and "…" not in listing
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_reconcile_says_it_takes_several_files():
    result = CliRunner().invoke(app, ["reconcile", "--help"], env={"COLUMNS": "80"})
    assert "Usage: collectbot reconcile [OPTIONS] [FILE]..." in result.stdout
