"""`collectbot preview [--days N]`: what `run` would do now, or day by day; changes nothing."""

from __future__ import annotations

from typing import Annotated

import typer

from ..env import ConfigOpt, JsonOpt, NowOpt, execute
from ..pipeline import Options
from ._sending import pipeline_command


def register(app: typer.Typer) -> None:
    @app.command()
    def preview(
        ctx: typer.Context,
        days: Annotated[int | None, typer.Option("--days", min=1, help="Show the timeline of the next N days "
                                                 "(assuming nobody pays).")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Show what `run` would send now (or over the next N days). Sends nothing, writes nothing."""
        execute(config, now, json_out, lambda env: pipeline_command(env, Options(mode="preview", days=days)), ctx)
