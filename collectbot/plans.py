"""Payment plans (SPEC 9): one invoice turned into dated instalments.

`collectbot plan INVOICE --split 50,25,25 --every 30d` (or `--dates … [--amounts …]`) stores the
instalments: amounts in the invoice's currency that sum exactly to its balance (rounding goes to
the last). From then on the invoice is planned as its instalments: each is an invoice of its own
to the planner — id `INV-1#2`, due on the instalment's date, owing what is left of it — so its
playbook runs per instalment (the `due` anchor is the instalment's date), the touch ledger keeps
each instalment's steps once, the Pay Now link asks for the instalment's balance, and templates
see `i.instalment` (`number`, `of`, `amount`, `due_date`, `balance`). Payments still go to the
invoice; they settle its instalments oldest first. An instalment unpaid `limits.plan_grace`
(default 7d) after its date breaks the plan: a `plan_broken` item opens in the queue.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import UsageError
from .models import Invoice
from .state import State, iso

CENT = Decimal("0.01")


def make(balance: Decimal, *, split: list[Decimal] | None = None, every: timedelta | None = None,
         start: date, dates: list[date] | None = None, amounts: list[Decimal] | None = None) -> list[dict[str, Any]]:
    """The instalments: [{number, due_date, amount}] summing exactly to `balance`."""
    if balance <= 0:
        raise UsageError("the invoice owes nothing: there is nothing to put on a plan")
    if dates:
        if amounts and len(amounts) != len(dates):
            raise UsageError(f"{len(dates)} dates but {len(amounts)} amounts")
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise UsageError("the dates must be different and in order")
        parts = amounts or [balance / len(dates)] * len(dates)
        due = dates
    else:
        if not split or every is None:
            raise UsageError("give --split 50,25,25 with --every 30d, or --dates D1,D2,…")
        if any(p <= 0 for p in split) or sum(split) != 100:
            raise UsageError(f"--split must be positive shares adding up to 100 (these add up to {sum(split)})")
        parts = [balance * p / 100 for p in split]
        due = [start + every * n for n in range(len(split))]
    rounded = [p.quantize(CENT, ROUND_HALF_UP) for p in parts[:-1]]
    last = balance - sum(rounded, Decimal(0))  # rounding goes to the last instalment
    if amounts and last != amounts[-1].quantize(CENT):
        raise UsageError(f"the amounts add up to {sum(amounts)}, not the balance {balance}")
    if last <= 0:
        raise UsageError("the instalments leave nothing for the last one")
    return [{"number": n + 1, "due_date": d.isoformat(), "amount": str(a)}
            for n, (d, a) in enumerate(zip(due, [*rounded, last]))]


def add(state: State, invoice_id: str, instalments: list[dict[str, Any]], now: datetime) -> int:
    with state.transaction() as conn:
        if conn.execute("SELECT 1 FROM plans WHERE invoice_id = ? AND cancelled_at IS NULL", (invoice_id,)).fetchone():
            raise UsageError(f"{invoice_id} is already on a plan: `collectbot plan {invoice_id} --cancel` first")
        cur = conn.execute("INSERT INTO plans(invoice_id, instalments, created_at) VALUES (?, ?, ?)",
                           (invoice_id, json.dumps(instalments), iso(now)))
        conn.execute("INSERT INTO events(at, kind, invoice_id, data) VALUES (?, 'plan', ?, ?)",
                     (iso(now), invoice_id, json.dumps({"instalments": instalments})))
    return int(cur.lastrowid)


def cancel(state: State, invoice_id: str, now: datetime) -> None:
    with state.transaction() as conn:
        if not conn.execute("UPDATE plans SET cancelled_at = ? WHERE invoice_id = ? AND cancelled_at IS NULL",
                            (iso(now), invoice_id)).rowcount:
            raise UsageError(f"{invoice_id} is not on a plan")
        conn.execute("INSERT INTO events(at, kind, invoice_id, data) VALUES (?, 'plan_cancelled', ?, NULL)",
                     (iso(now), invoice_id))


def active(state: State) -> dict[str, dict[str, Any]]:
    """invoice_id -> {id, instalments, broken_at} of the plans in force."""
    return {r[0]: {"id": r[1], "instalments": json.loads(r[2]), "broken_at": r[3]} for r in state.conn.execute(
        "SELECT invoice_id, id, instalments, broken_at FROM plans WHERE cancelled_at IS NULL")}


def settled_oldest_first(instalments: list[dict[str, Any]], balance: Decimal) -> list[Decimal]:
    """What is left of each instalment when the invoice still owes `balance` (payments settle the
    oldest first)."""
    paid = sum((Decimal(i["amount"]) for i in instalments), Decimal(0)) - balance
    left = []
    for i in instalments:
        amount = Decimal(i["amount"])
        covered = min(max(paid, Decimal(0)), amount)
        paid -= covered
        left.append(amount - covered)
    return left


def expand(invoices: list[Invoice], balances: dict[str, Decimal], plans: dict[str, dict[str, Any]]
           ) -> tuple[list[Invoice], dict[str, Decimal]]:
    """The invoices as the planner sees them: one on a plan becomes its open instalments."""
    if not plans:
        return invoices, balances
    out: list[Invoice] = []
    new_balances = dict(balances)
    for inv in invoices:
        plan = plans.get(inv.invoice_id)
        if plan is None:
            out.append(inv)
            continue
        balance = balances.get(inv.invoice_id, inv.balance)
        left = settled_oldest_first(plan["instalments"], balance)
        of = len(plan["instalments"])
        for i, rest in zip(plan["instalments"], left):
            if rest <= 0 or inv.stopped_by_status:
                continue
            vid = f"{inv.invoice_id}#{i['number']}"
            extra = {**inv.extra, "instalment": {"number": i["number"], "of": of, "amount": Decimal(i["amount"]),
                                                 "due_date": date.fromisoformat(i["due_date"]), "balance": rest},
                     "plan_of": inv.invoice_id}
            out.append(replace(inv, invoice_id=vid, due_date=date.fromisoformat(i["due_date"]),
                               amount=Decimal(i["amount"]), balance=rest, extra=extra))
            new_balances[vid] = rest
    return out, new_balances


def break_plans(state: State, invoices: dict[str, Invoice], balances: dict[str, Decimal], today: date,
                grace: timedelta, now: datetime) -> list[int]:
    """A plan with an instalment still unpaid `grace` after its date is broken: a `plan_broken`
    item opens (once per plan). Returns the new items' ids."""
    from . import items

    opened = []
    for invoice_id, plan in active(state).items():
        inv = invoices.get(invoice_id)
        if plan["broken_at"] or inv is None:
            continue
        left = settled_oldest_first(plan["instalments"], balances.get(invoice_id, inv.balance))
        late = [i for i, rest in zip(plan["instalments"], left)
                if rest > 0 and date.fromisoformat(i["due_date"]) + grace < today]
        if not late:
            continue
        first = late[0]
        with state.transaction() as conn:
            conn.execute("UPDATE plans SET broken_at = ? WHERE id = ?", (iso(now), plan["id"]))
            opened.append(items.open_item(
                conn, kind="plan_broken", now=now, customer_id=inv.customer_id, invoice_ids=[invoice_id],
                note=f"instalment {first['number']} of {len(plan['instalments'])} of {invoice_id} "
                     f"({first['amount']}, due {first['due_date']}) is unpaid", data={"plan_id": plan["id"]}))
    return opened
