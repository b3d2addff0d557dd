"""`collectbot history INVOICE_OR_CUSTOMER`: everything that happened to it, in time order."""

from __future__ import annotations

from typing import Annotated

import typer

from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode
from ..history import collect_history
from ..pipeline import open_readonly
from ..reports import print_history


def register(app: typer.Typer) -> None:
    @app.command()
    def history(
        ctx: typer.Context,
        subject: Annotated[str, typer.Argument(metavar="INVOICE_OR_CUSTOMER", help="An invoice id or a customer id.")],
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Everything that happened to an invoice or a customer, in order."""

        def body(env: Env) -> int:
            cfg = env.config()
            state = open_readonly(cfg)
            try:
                kind, entries = collect_history(state, subject, tz=cfg.tz, money=env.money)
            finally:
                state.close()
            if env.json:
                env.emit_json({"subject": subject, "kind": kind, "entries": entries})
            else:
                print_history(env.console, entries, f"History of {kind} {subject}", cfg.tz)
            return ExitCode.OK

        execute(config, now, json_out, body, ctx)
