"""Running a workspace on its own (SPEC 6, `collectbot schedule`): the crontab line (Linux), a
launchd agent (macOS) and a Task Scheduler command (Windows), each with the absolute paths of
the installed `collectbot` and of the workspace, and `run --quiet` so that cron mails only when
something needs the owner. `install_cron` adds the line once: a line marked for this workspace
is replaced, never doubled."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .errors import UsageError

MARK = "# collectbot:"  # ends each line we write, followed by the workspace's config path


def parse_every(text: str) -> timedelta:
    """5m, 15m, 1h, 2h, 1d: what cron, launchd and Task Scheduler can all repeat on."""
    m = re.fullmatch(r"\s*(\d+)\s*(m|h|d)\s*", text or "")
    n = int(m.group(1)) if m else 0
    ok = m is not None and n > 0 and (
        (m.group(2) == "m" and 60 % n == 0 and n < 60) or (m.group(2) == "h" and 24 % n == 0 and n < 24)
        or (m.group(2) == "d" and n == 1))
    if not ok:
        raise UsageError(f"--every {text!r}: give minutes that divide an hour (5m, 15m, 30m), hours that divide a day "
                         "(1h, 2h, 6h) or 1d")
    return timedelta(minutes=n) if m.group(2) == "m" else timedelta(hours=n) if m.group(2) == "h" else timedelta(days=1)


def cron_times(every: timedelta, daily_hour: int = 9) -> str:
    minutes = int(every.total_seconds() // 60)
    if minutes < 60:
        return f"*/{minutes} * * * *"
    if minutes < 24 * 60:
        hours = minutes // 60
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    return f"0 {daily_hour} * * *"


def executable() -> list[str]:
    """How this collectbot is started, by absolute path: its console script, else `python -m collectbot`."""
    script = Path(sys.argv[0])
    if script.name in ("collectbot", "collectbot.exe") and script.exists():
        return [str(script.resolve())]
    found = shutil.which("collectbot")
    if found:
        return [str(Path(found).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "collectbot"]


@dataclass
class Entries:
    cron: str
    launchd_label: str
    launchd: str  # the plist's text
    windows: str  # a schtasks command

    def as_dict(self) -> dict[str, str]:
        return {"cron": self.cron, "launchd_label": self.launchd_label, "launchd": self.launchd,
                "windows": self.windows}


def entries(config_path: Path, every: timedelta, command: list[str] | None = None, daily_hour: int = 9) -> Entries:
    config_path = config_path.resolve()
    argv = [*(command or executable()), "--config", str(config_path), "run", "--quiet"]
    cron = f"{cron_times(every, daily_hour)} {' '.join(shlex.quote(a) for a in argv)} {MARK} {config_path}"
    label = "com.collectbot." + re.sub(r"[^a-z0-9]+", "-", config_path.parent.name.lower()).strip("-")
    args = "".join(f"\n    <string>{_xml(a)}</string>" for a in argv)
    interval = int(every.total_seconds())
    launchd = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{label}</string>
  <key>ProgramArguments</key>
  <array>{args}
  </array>
  <key>StartInterval</key>
  <integer>{interval}</integer>
  <key>StandardOutPath</key>
  <string>{_xml(str(config_path.parent / 'collectbot.log'))}</string>
  <key>StandardErrorPath</key>
  <string>{_xml(str(config_path.parent / 'collectbot.log'))}</string>
</dict>
</plist>
"""
    minutes = interval // 60
    schedule = (f"/SC MINUTE /MO {minutes}" if minutes < 60 else f"/SC HOURLY /MO {minutes // 60}" if minutes < 1440
                else f"/SC DAILY /ST {daily_hour:02d}:00")
    task = " ".join(f'\\"{a}\\"' if " " in a else a for a in argv)
    windows = f'schtasks /Create /TN "{label}" {schedule} /TR "{task}" /F'
    return Entries(cron, label, launchd, windows)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def install_cron(line: str, config_path: Path) -> bool:
    """Put `line` in the user's crontab, replacing a line this workspace put there before.
    True when the crontab changed. UsageError when there is no `crontab` command."""
    if shutil.which("crontab") is None:
        raise UsageError("there is no `crontab` command on this machine: install cron, or use the launchd or Task "
                         "Scheduler entry that `collectbot schedule` prints")
    listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    current = listed.stdout if listed.returncode == 0 else ""  # "no crontab for USER": start one
    mine = f"{MARK} {config_path.resolve()}"
    kept = [ln for ln in current.splitlines() if not ln.rstrip().endswith(mine)]
    if line in current.splitlines():
        return False
    wrote = subprocess.run(["crontab", "-"], input="\n".join([*kept, line]) + "\n", capture_output=True, text=True)
    if wrote.returncode != 0:
        raise UsageError(f"crontab refused the new line: {wrote.stderr.strip() or wrote.returncode}")
    return True
