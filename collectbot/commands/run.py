"""`collectbot run`: load sources, sync state, send what is due, record everything."""

from __future__ import annotations

from typing import Annotated

import typer

from ..env import ConfigOpt, JsonOpt, NowOpt, execute
from ..pipeline import Options
from ._sending import pipeline_command


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        ctx: typer.Context,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan and report with the checks of a run; "
                                              "send and record nothing.")] = False,
        limit: Annotated[int | None, typer.Option("--limit", min=0, help="Send at most N messages this run.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Send even when an invoice file is older than "
                                            "limits.max_source_age, or closes more than limits.max_gone "
                                            "of the invoices at once.")] = False,
        strict: Annotated[bool, typer.Option("--strict", help="Any bad source row stops the run (exit 2) "
                                             "before anything is sent.")] = False,
        new_state: Annotated[bool, typer.Option("--new-state", help="Go on with the state file as it is (an older "
                                                "copy, another workspace's), or set aside one that cannot be used "
                                                "and start a new one. Reminders already sent may go again.")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", help="Print nothing unless something needs you that was not "
                                            "said before (for cron, which mails any output).")] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Send every reminder that is due now, at most once, and record it in the state file."""
        options = Options(mode="run", dry_run=dry_run, limit=limit, force=force, strict=strict, new_state=new_state,
                          quiet=quiet)
        execute(config, now, json_out, lambda env: pipeline_command(env, options), ctx)
