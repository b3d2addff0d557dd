"""Running on its own (issue 16, SPEC 6): `collectbot schedule` prints a crontab line, a launchd
agent and a Task Scheduler command with absolute paths; `--install` puts the line in the real
crontab once; `run --quiet` prints only what needs the owner and was not said before."""

from __future__ import annotations

import plistlib
import shutil
import subprocess

import pytest


def test_the_three_entries_name_the_installed_collectbot_and_the_workspace(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("schedule", "--every", "15m")
    config = str(ws.config_path.resolve())
    assert code == 0
    assert doc["cron"].startswith("*/15 * * * * /") and f"--config {config} run --quiet" in doc["cron"]
    plist = plistlib.loads(doc["launchd"].encode())  # a real plist, as launchd reads it
    assert plist["StartInterval"] == 900 and plist["ProgramArguments"][-4:] == ["--config", config, "run", "--quiet"]
    assert plist["ProgramArguments"][0].startswith("/")
    assert doc["windows"].startswith(f'schtasks /Create /TN "{doc["launchd_label"]}" /SC MINUTE /MO 15 /TR "')
    assert ws.json("schedule", "--every", "1d")[1]["cron"].startswith("0 9 * * * ")  # working hours start at 9
    code, doc = ws.json("schedule", "--every", "7m")
    assert code == 2 and doc["errors"][0]["message"].startswith("--every '7m': give minutes that divide an hour")


@pytest.fixture
def crontab():
    if shutil.which("crontab") is None:
        pytest.skip("no crontab on this machine (.ci/run installs Debian's cron)")
    saved = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    subprocess.run(["crontab", "-"], input="# someone else's line\n0 3 * * * /bin/true\n", text=True, check=True)
    yield
    if saved.returncode == 0:
        subprocess.run(["crontab", "-"], input=saved.stdout, text=True, check=True)
    else:
        subprocess.run(["crontab", "-r"], capture_output=True)


def test_install_twice_leaves_one_line_and_keeps_the_others(make_workspace, crontab):
    ws = make_workspace()
    code, doc = ws.json("schedule", "--install")
    assert code == 0 and doc["installed"] is True
    code, doc = ws.json("schedule", "--install")
    assert code == 0 and doc["installed"] is False
    lines = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert lines == ["# someone else's line", "0 3 * * * /bin/true", doc["cron"]]
    code, doc = ws.json("schedule", "--install", "--every", "30m")  # a new interval replaces the line
    lines = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert doc["installed"] is True and lines[-1] == doc["cron"] and len(lines) == 3


def test_run_quiet_says_only_what_is_new(make_workspace):
    ws = make_workspace()
    result = ws.cli("run", "--quiet")  # the day-14 task for Umbrella: a new queue item
    assert result.exit_code == 0 and "Umbrella" in result.stdout
    result = ws.cli("run", "--quiet", now="2026-03-10T11:00:00")  # nothing new an hour later
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
