"""`collectbot schedule [--every 1h] [--install]`: what runs this workspace on its own — a crontab
line, a launchd agent and a Task Scheduler command (library: `collectbot/schedule.py`)."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import schedule as sched
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode


def register(app: typer.Typer) -> None:
    @app.command()
    def schedule(
        ctx: typer.Context,
        every: Annotated[str, typer.Option("--every", help="How often: 5m, 15m, 30m, 1h, 2h, … or 1d.")] = "1h",
        install: Annotated[bool, typer.Option("--install", help="Add the line to your crontab (once: running it "
                                              "again changes nothing).")] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Print how to run this workspace on a schedule (cron, launchd, Task Scheduler); --install adds the cron line."""
        execute(config, now, json_out, lambda env: _schedule(env, every, install), ctx)


def _schedule(env: Env, every: str, install: bool) -> int:
    cfg = env.config()
    made = sched.entries(cfg.path, sched.parse_every(every), daily_hour=cfg.business.working_hours.start.hour)
    changed = sched.install_cron(made.cron, cfg.path) if install else None
    if env.json:
        env.emit_json({**made.as_dict(), "installed": changed})
        return ExitCode.OK
    say = lambda text="": env.print(text, highlight=False, markup=False, soft_wrap=True)  # noqa: E731 - a copy-paste block
    say("Linux and other Unix (cron): `crontab -e` and add this line, or run `collectbot schedule --install`:")
    say(made.cron)
    say()
    say(f"macOS (launchd): save this as ~/Library/LaunchAgents/{made.launchd_label}.plist, then "
        f"`launchctl load ~/Library/LaunchAgents/{made.launchd_label}.plist`:")
    say(made.launchd.rstrip())
    say()
    say("Windows (Task Scheduler): run this in a command prompt:")
    say(made.windows)
    say()
    say("`run --quiet` prints nothing unless something needs you (a failure, an uncertain message, a new queue "
        "item, a new bad row), so cron mails you only then.")
    if install:
        say("The crontab line was added." if changed else "The crontab already has this line: nothing changed.")
    return ExitCode.OK
