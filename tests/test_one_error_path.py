"""One error path (issue 14): every problem collectbot reports is a `CollectbotError` carrying its
exit code, raised by any layer and said once, by `env.execute` — and a bug that escapes anyway is
one sentence from the console script, never a traceback, unless COLLECTBOT_DEBUG asks for it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import collectbot
from collectbot.errors import CollectbotError, ExitCode

PACKAGE = Path(collectbot.__file__).parent


def test_every_error_class_of_the_package_is_a_collectbot_error():
    """A new exception class must join the one path (or be private control flow, `_Name`)."""
    import importlib

    outside = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(("collectbot", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                cls = getattr(importlib.import_module(module), node.name)
                if isinstance(cls, type) and issubclass(cls, BaseException) and not issubclass(cls, CollectbotError):
                    outside.append(f"{module}.{node.name}")
    # ValueProblem (and MixedDecimals) is a ValueError each reader turns into a bad row or a FileProblem
    assert outside == ["collectbot.values.ValueProblem", "collectbot.values.MixedDecimals"]


def test_the_lock_says_exit_3_and_the_rest_exit_2():
    from collectbot.config import ConfigError
    from collectbot.state import LockedError, StateError

    assert LockedError("x").exit_code == ExitCode.LOCKED == 3
    assert StateError("x").exit_code == ConfigError([]).exit_code == ExitCode.BAD_INPUT == 2


def test_a_library_error_rises_through_a_command_unwrapped(make_workspace):
    """`hold --release 99` (no such hold): holds.HoldError, said by execute, exit 2 — the command
    no longer catches and re-wraps it."""
    ws = make_workspace()
    code, doc = ws.json("hold", "--release", "99")
    assert code == 2 and "99" in doc["errors"][0]["message"], doc
    code, doc = ws.json("resend", "12345")
    assert code == 2 and doc["errors"][0]["message"], doc


def _boom(tmp_path: Path, debug: bool) -> subprocess.CompletedProcess:
    """A command that fails in a way nobody planned for (a ZeroDivisionError), run by the real
    console script `cli.main` in its own process."""
    probe = ("import collectbot.cli as cli\n"
             "@cli.app.command('boom')\n"
             "def boom():\n    1 / 0\n"
             "import sys; sys.argv = ['collectbot', 'boom']\n"
             "cli.main()\n")
    env = {k: v for k, v in os.environ.items() if k != "COLLECTBOT_DEBUG"}
    if debug:
        env["COLLECTBOT_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env,
                          cwd=tmp_path)


def test_an_unexpected_problem_is_one_sentence_not_a_traceback(tmp_path):
    done = _boom(tmp_path, debug=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: collectbot stopped on a problem it did not expect "
                                  "(ZeroDivisionError: division by zero)."), done.stderr


def test_collectbot_debug_shows_the_traceback(tmp_path):
    done = _boom(tmp_path, debug=True)
    assert done.returncode == 1 and "Traceback (most recent call last)" in done.stderr
    assert "ZeroDivisionError" in done.stderr
