"""The console script's way out (`cli.main` ends with os._exit): every byte of output is
flushed first, the command's exit code is the process's, and an output that cannot be written
is never reported as success. Real processes, because os._exit is what is tested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NOW = "2026-11-23T10:00"


def collectbot(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "collectbot", *args], capture_output=True, text=True, timeout=120,
                          **kwargs)


def test_a_big_json_document_arrives_whole_and_the_exit_code_is_the_commands(tmp_path: Path):
    assert collectbot("init", str(tmp_path / "demo"), "--now", NOW).returncode == 0
    done = collectbot("-c", str(tmp_path / "demo"), "preview", "--days", "30", "--json", "--now", NOW)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)  # the whole document: a cut-off write would not parse
    assert doc["command"] == "preview" and doc["timeline"] and done.stdout.endswith("}\n")
    bad = collectbot("-c", str(tmp_path / "nowhere"), "preview", "--json")
    assert bad.returncode == 2 and json.loads(bad.stdout)["errors"]


def test_output_that_cannot_be_written_is_not_success(tmp_path: Path):
    assert collectbot("init", str(tmp_path / "demo"), "--now", NOW).returncode == 0
    # stdout is a pipe whose reader has gone: the flush fails, and the exit code says so
    proc = subprocess.Popen([sys.executable, "-m", "collectbot", "-c", str(tmp_path / "demo"), "preview", "--days",
                             "30", "--json", "--now", NOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert b"Traceback" not in err


def test_a_command_does_not_import_pydantic(tmp_path: Path):
    """typer 0.29 builds a pydantic TypeAdapter for every option when a command runs (about 0.1 s
    of CPU on every cron run, more than planning a small book); pyproject.toml keeps typer below
    it. A typer that brings pydantic back fails here rather than silently slowing every command."""
    assert collectbot("init", str(tmp_path / "demo"), "--now", NOW).returncode == 0
    probe = ("import sys\nfrom collectbot.cli import app\n"
             f"try: app(['-c', {str(tmp_path / 'demo')!r}, 'preview', '--json', '--now', {NOW!r}])\n"
             "except SystemExit as exit: assert exit.code == 0, exit.code\n"
             "print('pydantic' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
