"""`collectbot resend ID`: the owner decides that an uncertain or failed touch should go again.

A touch is `uncertain` when a run died between recording it and hearing back from the
provider; collectbot never guesses, so it waits for this command. The next `run` sends it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import ledger
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..state import State, WorkspaceLock


def register(app: typer.Typer) -> None:
    @app.command()
    def resend(
        ctx: typer.Context,
        ident: Annotated[int, typer.Argument(metavar="TOUCH", help="Touch id (as printed by run/history).")],
        message: Annotated[bool, typer.Option("--message", help="ID is a message id: re-queue all its touches.")] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Let the next run send an uncertain or failed touch (or message) again."""

        def body(env: Env) -> int:
            cfg = env.config()
            if not cfg.state_path.exists():
                raise UsageError("there is no state file yet, so nothing to resend")
            with WorkspaceLock(cfg.state_path), State.open(cfg.state_path, create=False) as state:
                ids = ledger.requeue(state, touch_id=None if message else ident,
                                     message_id=ident if message else None, now=env.now())
            if env.json:
                env.emit_json({"requeued": ids})
            else:
                env.console.print(f"Re-queued touch(es) {', '.join(map(str, ids))}: the next `collectbot run` "
                                  "sends them.")
            return ExitCode.OK

        execute(config, now, json_out, body, ctx)
