"""`collectbot send INVOICE --step STEP [--anytime]`: send one playbook step now, outside its
schedule — the customer asked for the invoice again — under every other rule (SPEC 8): the step
still happens at most once, holds and opt-outs still stop it, the daily cap still counts, and
working hours and holidays still apply unless `--anytime`. `--json` prints the document `run` does.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..env import ConfigOpt, JsonOpt, NowOpt, execute
from ..pipeline import Options
from ._sending import pipeline_command


def register(app: typer.Typer) -> None:
    @app.command()
    def send(
        ctx: typer.Context,
        invoice: Annotated[str, typer.Argument(metavar="INVOICE", help="The invoice to send a step of.")],
        step: Annotated[str, typer.Option("--step", help="The step's id in the playbook that applies to it.")],
        anytime: Annotated[bool, typer.Option("--anytime", help="Send outside working hours and on holidays too.")
                           ] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Send one step of an invoice's playbook now (once, under every other rule)."""
        options = Options(mode="run", send=(invoice, step), anytime=anytime)
        execute(config, now, json_out, lambda env: pipeline_command(env, options), ctx)
