"""The README is part of the product: its set-up commands run, and every command is documented."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import typer
from typer.testing import CliRunner

from collectbot.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted((ROOT / "docs").glob("*.md"))
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in PAGES)  # the front page and the reference


def _setup_commands() -> list[str]:
    """The shell commands of the README's 'Set up on a fresh machine' section, in order."""
    section = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_starts_with_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    demo, tests = commands
    assert "collectbot init demo" in demo and "collectbot -c demo run" in demo
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _setup_commands()[1]
    assert test_command in ci.splitlines(), f".ci/run must run the README's test command: {test_command}"


def test_every_command_is_in_the_readme_and_documented_in_docs():
    names = set(typer.main.get_command(app).commands)
    assert names >= {"init", "check", "preview", "run", "reconcile", "history", "explain", "queue"}
    missing = sorted(n for n in names if f"collectbot {n}" not in README)
    assert not missing, f"commands missing from README.md's table: {missing}"
    reference = "".join(p.read_text(encoding="utf-8") for p in PAGES)
    missing = sorted(n for n in names if f"collectbot {n}" not in reference)
    assert not missing, f"commands missing from docs/: {missing}"


def test_the_readme_is_a_front_page_and_its_map_of_the_docs_is_whole():
    assert README.count("\n") <= 250
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", README))
    assert linked == {p.name for p in PAGES}  # every page is on the map, and every link has its page
    for page in PAGES:  # links between the pages lead somewhere
        for target in re.findall(r"\]\(([\w-]+\.md)\)", page.read_text(encoding="utf-8")):
            assert (ROOT / "docs" / target).exists(), (page.name, target)


def test_the_readme_demo_runs(tmp_path, monkeypatch):
    """The collectbot part of the first set-up command, as written, in a fresh folder — at a fixed
    moment (Monday 2026-11-23 10:00, inside the demo's working hours), so that something is due
    and every assertion below runs whatever the hour of the test."""
    monkeypatch.chdir(tmp_path)
    demo = _setup_commands()[0]
    steps = [shlex.split(part.strip()) for part in demo.split("&&") if part.strip().startswith("collectbot")]
    assert [s[:2] for s in steps] == [["collectbot", "init"], ["collectbot", "-c"], ["collectbot", "-c"]]
    runner = CliRunner()
    outputs = []
    for step in steps:
        result = runner.invoke(app, ["--now", "2026-11-23T10:00", *step[1:]])
        assert result.exit_code == 0, f"{' '.join(step)} exited {result.exit_code}:\n{result.output}"
        outputs.append(result.output)
    lines = (tmp_path / "demo" / "outbox" / "messages.jsonl").read_text().splitlines()
    sent = re.search(r"run: sent (\d+) message", outputs[-1])
    assert sent and int(sent.group(1)) == len(lines) > 0  # what the run says it sent is what went out
    for line in lines:
        entry = json.loads(line)
        assert entry["to"] and entry["body"] and entry["invoice_ids"]
