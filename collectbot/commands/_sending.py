"""Shared by `preview` and `run`: call the pipeline and print its outcome (human or --json)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..env import Env
from ..pipeline import Options, run_pipeline
from ..reports import print_outcome


def progress_for(env: Env) -> Callable[[int], object]:
    """A rich progress bar on stderr when it is a terminal and the output is not --json."""

    @contextmanager
    def bar(total: int) -> Iterator[Callable[[int], None]]:
        if env.json or total < 2 or not env.err_console.is_terminal:
            yield lambda n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=env.err_console, transient=True) as progress:
            task = progress.add_task("send", total=total)
            yield lambda n: progress.advance(task, n)

    return bar


def pipeline_command(env: Env, options: Options) -> int:
    config = env.config()
    now = env.now()
    outcome = run_pipeline(config, now, options, progress=progress_for(env))
    if env.json:
        env.emit_json(outcome.as_dict())
    else:
        print_outcome(env.console, env.err_console, outcome, config.tz)
    return outcome.exit_code
