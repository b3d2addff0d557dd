"""`collectbot restore [COPY]`: list the copies of the state taken before each run that sends,
or put one back in place of the state (the replaced state is set aside, never deleted)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from .. import backups
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode


def register(app: typer.Typer) -> None:
    @app.command()
    def restore(
        ctx: typer.Context,
        name: Annotated[str | None, typer.Argument(metavar="[COPY]", help="A copy's file name (as listed), or "
                                                   "`latest`. Without it: list the copies.")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """List the copies of the state file, or put one back in its place."""
        execute(config, now, json_out, lambda env: _restore(env, name), ctx)


def _folder(env: Env):
    cfg = env.config()
    return cfg, cfg.backups_dir or cfg.root / "backups"


def _restore(env: Env, name: str | None) -> int:
    cfg, folder = _folder(env)
    if name is None:
        copies = [backups.inspect(c.path) for c in backups.listing(folder)]
        if env.json:
            env.emit_json({"folder": str(folder), "backups": [c.as_dict() for c in copies]})
        elif not copies:
            env.print(f"No copy of the state yet in {folder} (one is taken before each run that sends).",
                      highlight=False, markup=False)
        else:
            table = Table(title=f"Copies of the state in {folder}", title_justify="left")
            for column in ("copy", "taken", "latest run", "sent"):
                table.add_column(column, no_wrap=column != "copy", overflow="fold")
            for c in copies:
                taken = _local(c.taken_at, cfg.tz)
                table.add_row(c.path.name, taken, c.problem or (f"#{c.last_run} {_local(c.last_run_at, cfg.tz)}"
                                                                if c.last_run else "none"), str(c.sent))
            env.print(table)
            env.print("Put one back: collectbot restore COPY (or `latest`)", highlight=False, markup=False)
        return ExitCode.OK
    done = backups.restore(cfg.state_path, backups.find(folder, name))
    if env.json:
        env.emit_json(done.as_dict())
        return ExitCode.OK
    b = done.backup
    env.print(f"Restored {cfg.state_path.name} from {b.path.name} (its latest run: "
              f"{f'#{b.last_run} at {_local(b.last_run_at, cfg.tz)}' if b.last_run else 'none'}).",
              highlight=False, markup=False)
    if done.set_aside:
        env.print(f"The state it replaced is kept as {done.set_aside.name}.", highlight=False, markup=False)
    if done.lost_messages:
        env.print(f"That state recorded {done.lost_messages} message(s) after this copy was taken: the next run "
                  "may send them again. `collectbot preview` shows what it would send.", highlight=False, markup=False)
    return ExitCode.OK


def _local(text: str | None, tz) -> str:
    return datetime.fromisoformat(text).astimezone(tz).strftime("%Y-%m-%d %H:%M") if text else "—"
