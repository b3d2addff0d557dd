"""`collectbot event NAME (--invoice ID | --customer ID) [--data JSON] [--id ID]` and
`collectbot event import FILE.jsonl`: record business events (a cart abandoned, a card declined)
that start the sequences of `trigger:` playbooks. Recording only: `run` sends. The library side
is `collectbot/triggers.py`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .. import triggers
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
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
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Record a business event that starts a `trigger:` playbook (or `event import FILE`)."""
        if name == "import":
            execute(config, now, json_out, lambda env: _import(env, file), ctx)
        else:
            execute(config, now, json_out, lambda env: _one(env, name, file, invoice, customer, data, event_id), ctx)


def _one(env: Env, name: str, file: Path | None, invoice: str | None, customer: str | None, data: str | None,
         event_id: str | None) -> int:
    if file is not None:
        raise UsageError(f"unexpected argument {str(file)!r}: write `collectbot event import FILE` to import a file")
    try:
        body = json.loads(data) if data is not None else {}
    except json.JSONDecodeError as exc:
        raise UsageError(f"--data is not JSON ({exc.msg} at column {exc.colno}); write it like "
                         "'{\"amount\": \"1499.00\"}'") from None
    try:
        ev = triggers.parse_event({"event": name, "invoice_id": invoice, "customer_id": customer, "data": body,
                                   "id": event_id})
    except triggers.EventError as exc:
        raise UsageError(str(exc).replace("an invoice_id or a customer_id", "--invoice or --customer")) from None
    cfg = env.config()
    with State.open(cfg.state_path) as state:
        got = triggers.record(state, ev, env.now())
    _warn_unused(env, cfg, {name})
    if env.json:
        env.emit_json({"recorded": got is not None, "id": got, "event": name})
    else:
        env.print(f"event {name} recorded (#{got})" if got is not None
                  else f"event {name} with id {event_id} was recorded before: nothing changed")
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
    recorded = duplicates = 0
    with State.open(cfg.state_path) as state:
        for _, ev in events:
            if triggers.record(state, ev, env.now()) is None:
                duplicates += 1
            else:
                recorded += 1
    _warn_unused(env, cfg, {ev.name for _, ev in events})
    problems = [{"file": str(file), "row": n, "column": None, "message": why} for n, why in errors]
    if env.json:
        env.emit_json({"recorded": recorded, "duplicates": duplicates, "errors": problems})
    else:
        env.print(f"{file}: {recorded} event(s) recorded, {duplicates} already known"
                  + (f", {len(errors)} line(s) not read" if errors else ""))
        for n, why in errors:
            env.err_console.print(f"[yellow]warning:[/] {file}, line {n}: {why}", highlight=False)
    return ExitCode.PARTIAL if errors else ExitCode.OK


def _warn_unused(env: Env, cfg, names: set[str]) -> None:
    """An event no playbook listens for is kept (a playbook may come later), but say so."""
    known = {pb.trigger for pb in cfg.playbooks if pb.trigger} | {u for pb in cfg.playbooks for u in pb.until}
    unused = sorted(names - known)
    if unused and not env.json:
        env.err_console.print(f"[yellow]note:[/] no playbook has `trigger: {{event: {unused[0]}}}`"
                              + (f" (nor for {', '.join(unused[1:])})" if len(unused) > 1 else "")
                              + ": recorded, but nothing will be sent for it", highlight=False)
