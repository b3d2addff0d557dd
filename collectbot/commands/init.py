"""`collectbot init [DIR]`: write a workspace that runs at once, offline.

The files come from `collectbot/workspace/` (shipped as package data). The sample invoice
book there writes its dates as `today+3` / `today-30`; `init` turns them into real dates
counted from `--now` (or today in the workspace's time zone), so `preview` always has
something to show however long after installation it is tried.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import yaml

from ..config import CONFIG_FILENAME
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode

_RELATIVE_DATE = re.compile(r"\btoday(?:([+-])(\d+))?\b")
_DATED_FILES = ("invoices.csv", "bank.csv")  # files whose `today±N` tokens become dates


def relative_dates(text: str, today: date) -> str:
    """Replace every `today`, `today+N`, `today-N` (days) in `text` with an ISO date."""

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(2) or 0) * (-1 if m.group(1) == "-" else 1)
        return (today + timedelta(days=n)).isoformat()

    return _RELATIVE_DATE.sub(repl, text)


def write_workspace(target: Path, today: date, *, force: bool = False) -> list[Path]:
    """Copy the example workspace into `target` with the invoice dates made relative to `today`.

    Refuses (FileExistsError) when `target/collectbot.yaml` exists, unless `force`; even then
    only the shipped files are overwritten (the state file and outbox are left alone)."""
    if (target / CONFIG_FILENAME).exists() and not force:
        raise FileExistsError(target / CONFIG_FILENAME)
    written: list[Path] = []
    with as_file(files("collectbot") / "workspace") as source:
        for src in sorted(Path(source).rglob("*")):
            if not src.is_file() or "__pycache__" in src.parts:
                continue
            rel = src.relative_to(source)
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = src.read_text(encoding="utf-8")
            if rel.as_posix() in _DATED_FILES:
                text = relative_dates(text, today)
            dest.write_text(text, encoding="utf-8")
            written.append(dest)
    return written


def workspace_timezone() -> ZoneInfo:
    """The time zone the shipped collectbot.yaml declares (dates are counted in it)."""
    data = yaml.safe_load((files("collectbot") / "workspace" / CONFIG_FILENAME).read_text(encoding="utf-8"))
    return ZoneInfo(((data or {}).get("business") or {}).get("timezone") or "UTC")


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_command(
        ctx: typer.Context,
        directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")] = Path("."),
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing collectbot.yaml "
                                            "(and the other sample files).")] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Write a runnable example workspace: config, playbooks, templates, a sample invoice book
        and a bank statement that pays some of it."""

        def body(env: Env) -> int:
            target = directory.expanduser().resolve()
            today = env.now(workspace_timezone()).date()
            try:
                written = write_workspace(target, today, force=force)
            except FileExistsError as exc:
                message = f"{exc.args[0]} already exists; use --force to overwrite it"
                if env.json:
                    env.emit_json({"ok": False, "errors": [{"message": message}]})
                else:
                    env.err_console.print(f"[bold red]error:[/] {message}", highlight=False)
                return ExitCode.BAD_INPUT
            shown = _shown(target)
            cfg = f"{shown}/{CONFIG_FILENAME}" if shown != "." else CONFIG_FILENAME
            statement = f"{shown}/bank.csv" if shown != "." else "bank.csv"  # a file argument: from here
            next_steps = [
                f"collectbot -c {cfg} check",
                f"collectbot -c {cfg} preview --days 30",
                f"collectbot -c {cfg} run",
                f"collectbot -c {cfg} reconcile {statement}",
                f"collectbot -c {cfg} explain INV-1007",
                f"collectbot -c {cfg} queue",
            ]
            if env.json:
                env.emit_json({"ok": True, "path": str(target), "today": today,
                               "files": [str(p.relative_to(target)) for p in written], "next": next_steps})
                return ExitCode.OK
            env.print(f"[green]Created a collectbot workspace in[/] {shown} "
                      f"({len(written)} files, invoices dated from {today.isoformat()}).", highlight=False)
            env.print("Every channel uses the offline [bold]outbox[/] provider: nothing leaves this machine.")
            env.print("\nNext, try:")
            for line in next_steps:
                env.print(f"  {line}", markup=False, highlight=False)
            return ExitCode.OK

        execute(config, now, json_out, body, ctx)


def _shown(target: Path) -> str:
    """The folder as the user would type it: relative to the current directory when inside it."""
    try:
        rel = target.relative_to(Path.cwd())
        return rel.as_posix() or "."
    except ValueError:
        return str(target)
