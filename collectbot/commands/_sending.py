"""Shared by `preview` and `run`: call the pipeline and print its outcome (human or --json)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..env import Env, ExitCode, _json_default
from ..pipeline import Options, Outcome, run_pipeline
from ..state import LockedError
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


BIG_DOCUMENT = 2000  # entries; above it the JSON is compact (3x faster to write, same content)


def emit(env: Env, doc: dict[str, Any]) -> None:
    """The one JSON document: indented when a person may read it, compact for large books."""
    if sum(len(doc.get(k) or []) for k in ("messages", "tasks", "skipped")) <= BIG_DOCUMENT:
        env.emit_json(doc)
        return
    env.stdout.write(json.dumps(doc, default=_json_default, ensure_ascii=False) + "\n")
    env.stdout.flush()


def pipeline_command(env: Env, options: Options) -> int:
    config = env.config()
    now = env.now()
    try:
        outcome = run_pipeline(config, now, options, progress=progress_for(env))
    except LockedError as exc:
        if not env.json:
            raise  # env.execute prints it and exits 3
        doc = Outcome(now=now, options=options).as_dict()  # the usual shape, so scripts need no special case
        doc["errors"] = [{"file": None, "row": None, "column": None, "message": str(exc)}]
        doc["locked"] = True
        env.emit_json(doc)
        return ExitCode.LOCKED
    if env.json:
        emit(env, outcome.as_dict())
    else:
        print_outcome(env.console, env.err_console, outcome, config.tz)
    return outcome.exit_code
