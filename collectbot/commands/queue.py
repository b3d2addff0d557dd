"""`collectbot queue [done ID]`: the human queue, biggest problem first.

Escalation tasks from `channel: task` steps, and whatever other parts add (disputes,
replies, payments to review). Ordered by amount × days overdue, so the call worth most
money comes first.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer

from .. import ledger
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..pipeline import open_readonly
from ..reports import queue_table
from ..state import State, WorkspaceLock


def open_tasks(state: State, today: date) -> list[dict[str, Any]]:
    """Open tasks with `amount`, `days_overdue` and `score`, highest score first."""
    due: dict[str, tuple[date, Decimal]] = {}
    for r in state.conn.execute("SELECT invoice_id, due_date, source_balance FROM invoices"):
        try:
            due[r[0]] = (date.fromisoformat(r[1]), Decimal(r[2]))
        except (TypeError, ValueError, ArithmeticError):
            continue
    items = []
    for r in state.conn.execute("SELECT * FROM tasks WHERE status = 'open' ORDER BY id"):
        ids = json.loads(r["invoice_ids"] or "[]")
        known = [due[i] for i in ids if i in due]
        amount = ledger.decimal_or_zero(r["amount"]) or sum((b for _, b in known), Decimal(0))
        days = max(((today - d).days for d, _ in known), default=0)
        items.append({
            "id": r["id"], "kind": r["kind"], "customer_id": r["customer_id"], "invoice_ids": ids,
            "playbook": r["playbook"], "step": r["step"], "assign": r["assign"], "note": r["note"],
            "amount": amount, "days_overdue": max(days, 0), "score": amount * max(days, 0),
            "created_at": r["created_at"], "data": json.loads(r["data"]) if r["data"] else None,
        })
    items.sort(key=lambda t: (t["score"], t["amount"], -t["id"]), reverse=True)
    return items


def register(app: typer.Typer) -> None:
    @app.command()
    def queue(
        ctx: typer.Context,
        action: Annotated[str | None, typer.Argument(metavar="[done]", help="`done` closes a task.")] = None,
        task_id: Annotated[int | None, typer.Argument(metavar="[ID]", help="The task id to close.")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """The human queue: escalations, disputes, replies, payments to review."""

        def body(env: Env) -> int:
            cfg = env.config()
            moment: datetime = env.now()
            if action is not None:
                if action != "done" or task_id is None:
                    raise UsageError("usage: collectbot queue [done ID]")
                if not cfg.state_path.exists():
                    raise UsageError(f"there is no task {task_id} (no state file yet)")
                with WorkspaceLock(cfg.state_path), State.open(cfg.state_path, create=False) as state:
                    row = ledger.close_task(state, task_id, moment)
                if env.json:
                    env.emit_json({"done": task_id, "note": row["note"]})
                else:
                    env.console.print(f"Task {task_id} done.")
                return ExitCode.OK
            state = open_readonly(cfg)
            try:
                items = open_tasks(state, moment.astimezone(cfg.tz).date())
            finally:
                state.close()
            if env.json:
                env.emit_json({"tasks": items})
            elif items:
                env.console.print(queue_table(items, cfg.business.currency, cfg.business.locale))
            else:
                env.console.print("The queue is empty.")
            return ExitCode.OK

        execute(config, now, json_out, body, ctx)
