"""`collectbot event NAME (--invoice ID | --customer ID) [--data JSON] [--id ID]` and
`collectbot event import FILE.jsonl`: record business events (a cart abandoned, a card declined)
that start the sequences of `trigger:` playbooks. Recording only: `run` sends. The library side
is `collectbot/triggers.py`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .. import jsondoc, triggers
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute, parse_now
from ..errors import ExitCode, UsageError
from ..state import State


def register(app: typer.Typer) -> None:
    @app.command()
    def event(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(metavar="NAME", help="The event (cart_abandoned), or `import`.")],
        file: Annotated[Path | None, typer.Argument(metavar="[FILE]", help="With `import`: a JSON-lines file, one "
                                                    "event per line.", show_default=False)] = None,
        invoice: Annotated[str | None, typer.Option("--invoice", help="The invoice it is about.")] = None,
        customer: Annotated[str | None, typer.Option("--customer", help="The customer it is about.")] = None,
        data: Annotated[str | None, typer.Option("--data", help="A JSON object: amount, currency, links, "
                                                 "contact details…")] = None,
        event_id: Annotated[str | None, typer.Option("--id", help="The sender's id for it: recorded once.")] = None,
        at: Annotated[str | None, typer.Option("--at", help="When it happened (ISO 8601; default: now).")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Record a business event that starts a `trigger:` playbook (or `event import FILE`)."""
        if name == "import":
            execute(config, now, json_out, lambda env: _import(env, file), ctx)
        else:
            execute(config, now, json_out, lambda env: _one(env, name, file, invoice, customer, data, event_id, at),
                    ctx)


def _one(env: Env, name: str, file: Path | None, invoice: str | None, customer: str | None, data: str | None,
         event_id: str | None, at: str | None) -> int:
    if file is not None:
        raise UsageError(f"unexpected argument {str(file)!r}: write `collectbot event import FILE` to import a file")
    try:
        body = jsondoc.loads(data) if data is not None else None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--data is not JSON ({exc.msg} at column {exc.colno}); write it like "
                         "'{\"amount\": \"1499.00\"}'") from None
    except ValueError as exc:
        raise UsageError(f"--data: {exc}") from None
    cfg = env.config()
    moment = env.now()
    try:
        when = parse_now(at, cfg.tz).isoformat() if at is not None else None
    except UsageError as exc:
        raise UsageError(str(exc).replace("--now", "--at", 1)) from None
    try:
        ev = triggers.parse_event({"event": name, "invoice_id": invoice, "customer_id": customer, "data": body,
                                   "id": event_id, "at": when})
    except triggers.EventError as exc:
        raise UsageError(str(exc).replace("an invoice_id or a customer_id", "--invoice or --customer")) from None
    with State.open(cfg.state_path) as state:
        got = triggers.record(state, ev, moment, cfg)
        said = triggers.notes(state, cfg, ev, got, moment) if got is not None else []
    if env.json:
        env.emit_json({"recorded": got is not None, "id": got, "event": name, "notes": said})
        return ExitCode.OK
    env.print(f"event {name} recorded (#{got})" if got is not None
              else f"event {name} was recorded before (the same id, the same event at the same moment, or "
                   "the same event with the same data earlier today without --id or --at): nothing changed",
              highlight=False)
    _say(env, said)
    return ExitCode.OK


def _import(env: Env, file: Path | None) -> int:
    if file is None:
        raise UsageError("say which file: collectbot event import FILE.jsonl")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file} is not UTF-8 text (save it as UTF-8 JSON lines)") from None
    events, errors = triggers.read_jsonl(text)
    cfg = env.config()
    moment = env.now()
    recorded = duplicates = 0
    new: list[tuple[int, triggers.Event, int]] = []
    with State.open(cfg.state_path) as state:
        for (n, ev), got in zip(events, triggers.record_all(state, [ev for _, ev in events], moment, cfg)):
            if isinstance(got, triggers.EventError):
                errors.append((n, str(got)))
            elif got is None:
                duplicates += 1
            else:
                recorded += 1
                new.append((n, ev, got))
        # said once the whole file is in: a later line may end an earlier one's sequence (`until`)
        said = [f"line {n}: {note}" for n, ev, got in new for note in triggers.notes(state, cfg, ev, got, moment)]
    started = [n for n in said if ": starts " in n]
    errors.sort()
    problems = [{"file": str(file), "row": n, "column": None, "message": why} for n, why in errors]
    if env.json:
        env.emit_json({"recorded": recorded, "duplicates": duplicates, "errors": problems, "notes": said})
    else:
        env.print(f"{file}: {recorded} event(s) recorded, {duplicates} already known"
                  + (f", {len(errors)} line(s) not read" if errors else ""), highlight=False)
        for n, why in errors:
            env.warn(f"{file}, line {n}: {why}")
        if started:  # one line for the usual case; each other note (why nothing starts) on its own
            env.print(f"{len(started)} sequence(s) started; `collectbot preview --days 1` shows their first steps",
                      highlight=False)
        others = [n for n in said if ": starts " not in n]
        _say(env, others[:MAX_NOTES])
        if len(others) > MAX_NOTES:
            env.err_console.print(f"… and {len(others) - MAX_NOTES} more note(s): `--json` lists them all",
                                  highlight=False, markup=False)
    return ExitCode.PARTIAL if errors else ExitCode.OK


MAX_NOTES = 20  # notes an import prints (its --json has them all)


def _say(env: Env, notes: list[str]) -> None:
    for note in notes:
        env.err_console.print("[yellow]note:[/] " + escape(note), highlight=False)
