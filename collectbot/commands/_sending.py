"""Shared by `preview` and `run`: call the pipeline and print its outcome (human or --json)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from ..gcpause import gc_paused
from ..env import Env
from ..errors import ExitCode
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


def pipeline_command(env: Env, options: Options) -> int:
    """Plan (and in a run, send), then report. Without sending, Python's cyclic garbage
    collector is paused throughout: the whole book stays alive until the report is printed,
    so its scans find nothing, and re-enabling it halfway would make it scan every object of
    the book once more. A run that sends keeps it on (HTTP clients do make garbage cycles)."""
    with nullcontext() if options.sends else gc_paused():
        return _plan_and_report(env, options)  # its book is freed before the collector is back on


def _plan_and_report(env: Env, options: Options) -> int:
    config = env.config()
    now = env.now()
    try:
        # a spinner while the book is read and planned; a run's sending has its own progress bar
        with nullcontext() if options.sends else env.working("reading the invoices and planning…"):
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
        with gc_paused():  # a run's document: hundreds of thousands of small dicts, all alive until written
            env.emit_json(outcome.as_dict(skips_as_json=True))
    elif not options.quiet or _news(config, outcome):
        print_outcome(env.console, env.err_console, outcome, config.tz)
    return outcome.exit_code


def _news(config, outcome: Outcome) -> bool:
    """`run --quiet`: whether this run has something the owner has not been told (cron mails only then)."""
    from .. import ledger
    from ..state import State, check_state_file

    keys = outcome.news()
    if not keys:
        return False
    if not check_state_file(config.state_path):
        return True
    with State.open(config.state_path, create=False) as state:
        return bool(ledger.not_said_before(state, keys))
