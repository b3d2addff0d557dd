"""`collectbot queue [done ID [--note TEXT]]`: the human queue, most urgent first (SPEC 8).

The library side is `collectbot/items.py`; this command settles what was paid, lists the rest
(cards that read at 80 columns, or `--json`), and closes an item with its effects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import typer

from .. import items
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..human import card
from ..pipeline import open_readonly
from ..state import LockedError, State, WorkspaceLock, check_state_file


def register(app: typer.Typer) -> None:
    @app.command()
    def queue(
        ctx: typer.Context,
        action: Annotated[str | None, typer.Argument(metavar="[done]", help="`done` closes an item.")] = None,
        item_id: Annotated[int | None, typer.Argument(metavar="[ID]", help="The item to close.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="What was done (kept in the history).")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """The human queue: tasks, replies, disputes, broken promises, payments to review."""
        execute(config, now, json_out, lambda env: _queue(env, action, item_id, note), ctx)


def _queue(env: Env, action: str | None, item_id: int | None, note: str | None) -> int:
    cfg = env.config()
    moment: datetime = env.now()
    if action is not None:
        if action != "done" or item_id is None:
            raise UsageError("usage: collectbot queue [done ID [--note TEXT]]")
        if not check_state_file(cfg.state_path):
            raise UsageError(f"there is no queue item {item_id} (no state file yet)")
        with WorkspaceLock(cfg.state_path), State.open(cfg.state_path, create=False) as state:
            done = items.close(state, item_id, moment, note=note)
        if env.json:
            env.emit_json({"done": done})
        else:
            env.print(f"Item {item_id} ({done['kind']}) done."
                      + (" Chasing resumes with the next run." if done["kind"] in ("reply", "dispute") else ""),
                      highlight=False, markup=False)
        return ExitCode.OK
    settled: list[int] = []
    if check_state_file(cfg.state_path):
        try:  # settled work closes itself; when a run holds the lock, it will do it
            with WorkspaceLock(cfg.state_path), State.open(cfg.state_path, create=False) as state:
                settled = items.settle(state, moment)
        except LockedError:
            pass
    state = open_readonly(cfg)
    try:
        listed = items.listing(state, moment.astimezone(cfg.tz).date())
    finally:
        state.close()
    if env.json:
        env.emit_json({"items": listed, "settled": settled})
        return ExitCode.OK
    if settled:
        env.print(f"Closed {len(settled)} item(s) whose invoices are paid: {', '.join(map(str, settled))}.",
                  highlight=False, markup=False)
    if not listed:
        env.print("The queue is empty.")
        return ExitCode.OK
    env.print(f"[bold]{len(listed)} open item(s), most urgent first[/]")
    for item in listed:
        head, body = _card(item, env.money)
        card(env.console, head, body)  # wrapped at spaces under a hanging indent, at any width
    env.print("Close one: collectbot queue done ID [--note TEXT]", highlight=False, markup=False)
    return ExitCode.OK


def _card(item: dict[str, Any], money: Callable[[Any, str | None], str]) -> tuple[str, list[str]]:
    """The heading of an item (id, kind, who, invoices, amount, days overdue) and its lines."""
    who = item["customer_name"] or "unknown customer"
    if item["customer_id"] and item["customer_id"] != who:
        who += f" ({item['customer_id']})"
    head = [f"#{item['id']} {item['kind']}", who]
    if item["invoice_ids"]:
        head.append(", ".join(item["invoice_ids"]))
    if item["amount"] is not None:
        head.append(money(item["amount"], item["currency"]))
    if item["days_overdue"]:
        head.append(f"{item['days_overdue']}\u00a0days overdue")  # a no-break space: the number stays with "days"
    body = [f"note: {item['note']}"] if item["note"] else []
    body.append(f"next: {item['suggested']}")
    if item["assign"]:
        body.append(f"assigned to {item['assign']}")
    return " · ".join(head), body
