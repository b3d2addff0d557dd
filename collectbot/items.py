"""The human queue: where a person takes over from the robot (SPEC 8).

An item is a row of the `tasks` table. Kinds: `task` (a playbook's task step), `reply` (a
customer answered), `dispute`, `promise_broken`, `plan_broken` and `review` (a payment line to
check). Items are listed most urgent first — the current effective balance of their invoices ×
days overdue, then age — each with a suggested next step from the rules below.

Closing an item has effects: a `dispute` item releases its dispute hold, a `reply` item the
customer's reply hold, so chasing resumes where it stopped (the planner's catch-up rule keeps it
from bursting). Work whose invoices are all settled (paid, void, written off, gone, effective
balance ≤ 0) closes itself with reason `settled`: nobody is sent to chase a customer who has paid.

Suggestions (docs/human-queue.md):
- a reply that says it was paid → look for the payment (reconcile the latest statement, or match);
- another reply → answer the customer, then close the item so reminders resume;
- a dispute → sort it out (credit note, corrected invoice, proof of delivery), then close it;
- a broken promise → call, and offer a payment plan;
- a task after three or more reminders without an answer → call;
- a payment to review → check it with `collectbot reconcile --review`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from .errors import UsageError
from .state import State, iso, parse_iso, stored_amount, stored_list

RECEIPTS = "receipts"  # receipts.PLAYBOOK (not imported: it pulls in the planner): thanks are not reminders

KINDS = ("task", "reply", "dispute", "promise_broken", "plan_broken", "review")
# kinds earlier versions stored under other names
_SHOWN = {"escalation": "task", "unmatched_payment": "review"}
SETTLED_STATUSES = ("paid", "void", "written_off")


def kind_of(stored: str) -> str:
    return _SHOWN.get(stored, stored)


def open_item(conn: Any, *, kind: str, now: datetime, customer_id: str | None, invoice_ids: list[str], note: str,
              data: dict[str, Any] | None = None, assign: str | None = None) -> int:
    """Open an item (inside the caller's transaction) and log it for `history`."""
    cur = conn.execute("INSERT INTO tasks(kind, customer_id, invoice_ids, assign, note, data, status, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
                       (kind, customer_id, json.dumps(invoice_ids), assign, note, json.dumps(data) if data else None,
                        iso(now)))
    item_id = int(cur.lastrowid)
    _log(conn, now, "item_opened", item_id, customer_id, invoice_ids, {"kind": kind, "note": note})
    return item_id


def _log(conn: Any, now: datetime, kind: str, item_id: int, customer_id: str | None, invoice_ids: list[str],
         data: dict[str, Any]) -> None:
    conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)",
                 (iso(now), kind, invoice_ids[0] if invoice_ids else None, customer_id,
                  json.dumps({"item_id": item_id, "invoice_ids": invoice_ids, **data})))


# ---------------------------------------------------------------------------- what the invoices owe now


@dataclass
class Owed:
    balance: Decimal  # effective: min(source balance, amount − payments collectbot recorded)
    currency: str
    due: date | None
    settled: bool
    name: str | None


def owed(state: State, invoice_ids: Iterable[str] | None = None) -> dict[str, Owed]:
    """Each invoice's effective balance and whether it is settled, from the state as it is now."""
    from .sync import recorded_payments

    paid = recorded_payments(state)
    out: dict[str, Owed] = {}
    wanted = set(invoice_ids) if invoice_ids is not None else None
    for r in state.conn.execute("SELECT invoice_id, customer_name, due_date, amount, source_balance, currency, "
                                "source_status, state FROM invoices"):
        if wanted is not None and r[0] not in wanted:
            continue
        try:
            amount, source = Decimal(r[3]), Decimal(r[4])
            due = date.fromisoformat(r[2]) if r[2] else None
        except (ArithmeticError, TypeError, ValueError):
            continue
        balance = min(source, amount - paid.get(r[0], Decimal(0)))
        settled = balance <= 0 or r[6] in SETTLED_STATUSES or r[7] == "gone"
        out[r[0]] = Owed(max(balance, Decimal(0)) if settled else balance, r[5], due, settled, r[1])
    return out


# ---------------------------------------------------------------------------- listing


def listing(state: State, today: date) -> list[dict[str, Any]]:
    """Open items, most urgent first (amount × days overdue, then the oldest), in SPEC 8's shape."""
    rows = state.conn.execute("SELECT * FROM tasks WHERE status = 'open' ORDER BY id").fetchall()
    money = owed(state, {i for r in rows for i in stored_list(r["invoice_ids"], "tasks")})
    unanswered = _reminders_without_answer(state)
    items = []
    for r in rows:
        ids = stored_list(r["invoice_ids"], "tasks")
        known = [money[i] for i in ids if i in money]
        if known:
            amount: Decimal | None = sum((o.balance for o in known), Decimal(0))
        else:  # a payment line to review: the line's own amount
            amount = stored_amount(r["amount"], "tasks") if r["amount"] else None
        days = max([(today - o.due).days for o in known if o.due] or [0])
        data = json.loads(r["data"]) if r["data"] else {}
        item = {
            "id": r["id"], "kind": kind_of(r["kind"]), "customer_id": r["customer_id"],
            "customer_name": next((o.name for o in known if o.name), None) or r["customer_id"],
            "invoice_ids": ids, "amount": amount, "currency": known[0].currency if known else data.get("currency"),
            "days_overdue": max(days, 0), "assign": r["assign"], "note": r["note"], "created_at": r["created_at"],
            "playbook": r["playbook"], "step": r["step"],
        }
        item["suggested"] = suggest(item, data, len(set().union(*(unanswered.get(i, ()) for i in ids))))
        items.append(item)
    items.sort(key=lambda t: (-(t["amount"] or 0) * t["days_overdue"], t["created_at"], t["id"]))
    return items


def _reminders_without_answer(state: State) -> dict[str, set[int]]:
    """Per invoice: the reminder messages that went out about it (not receipts, not steps only
    superseded or skipped) since its customer last answered — a reply or a dispute."""
    answered = {r[0]: r[1] for r in state.conn.execute(  # a dispute on an invoice names the invoice, not its customer
        "SELECT coalesce(e.customer_id, i.customer_id) AS who, max(e.at) FROM events e "
        "LEFT JOIN invoices i ON i.invoice_id = e.invoice_id WHERE (e.kind LIKE 'reply%' OR e.kind = 'hold_dispute') "
        "GROUP BY who HAVING who IS NOT NULL")}
    out: dict[str, set[int]] = {}
    for invoice_id, message_id, customer, sent_at in state.conn.execute(
            "SELECT t.invoice_id, m.id, m.customer_id, coalesce(m.sent_at, m.created_at) FROM touches t "
            "JOIN messages m ON m.id = t.message_id WHERE m.status IN ('sent', 'uncertain') AND t.playbook != ?",
            (RECEIPTS,)):
        if customer not in answered or (sent_at or "") > answered[customer]:
            out.setdefault(invoice_id, set()).add(message_id)
    return out


def suggest(item: dict[str, Any], data: dict[str, Any], unanswered: int) -> str:
    kind = item["kind"]
    if kind == "reply":
        if data.get("says") == "paid":
            return ("look for the payment: reconcile the latest statement (`collectbot reconcile FILE`) or link it "
                    "by hand (`collectbot match`)")
        return (f"read the reply and answer the customer; `collectbot queue done {item['id']}` lets the reminders "
                "resume")
    if kind == "dispute":
        return ("sort out the dispute with the customer (a credit note, a corrected invoice, or proof of delivery); "
                f"`collectbot queue done {item['id']}` resumes chasing")
    if kind == "promise_broken":
        return "call; offer a payment plan"
    if kind == "plan_broken":
        return "call; agree new dates for the instalments"
    if kind == "review":
        return "check the payment: `collectbot reconcile --review`, then --accept or --reject"
    if unanswered >= 3:
        return f"call: {unanswered} reminders have had no answer"
    return "follow the step's note, then close the item"


# ---------------------------------------------------------------------------- closing


def close(state: State, item_id: int, now: datetime, *, note: str | None = None, reason: str = "done") -> dict[str, Any]:
    """Close an item, with its effects: a dispute's hold released, a reply's hold released."""
    with state.transaction() as conn:
        row = conn.execute("SELECT * FROM tasks WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise UsageError(f"there is no queue item {item_id}")
        if row["status"] != "open":
            raise UsageError(f"queue item {item_id} is already closed ({row['reason'] or row['status']})")
        _close(conn, row, now, note, reason)
    return {"id": item_id, "kind": kind_of(row["kind"]), "reason": reason, "note": note}


def _close(conn: Any, row: Any, now: datetime, note: str | None, reason: str) -> None:
    ids = stored_list(row["invoice_ids"], "tasks")
    conn.execute("UPDATE tasks SET status = 'done', done_at = ?, reason = ?, closed_note = ? WHERE id = ?",
                 (iso(now), reason, note, row["id"]))
    data = json.loads(row["data"]) if row["data"] else {}
    released = []
    if row["kind"] in ("dispute", "reply"):
        hold_ids = [data["hold_id"]] if data.get("hold_id") else []
        for hold_id in hold_ids:
            if conn.execute("UPDATE holds SET released_at = ? WHERE id = ? AND released_at IS NULL",
                            (iso(now), hold_id)).rowcount:
                released.append(hold_id)
    _log(conn, now, "item_closed", row["id"], row["customer_id"], ids,
         {"kind": kind_of(row["kind"]), "reason": reason, "note": note, "released_holds": released})


def close_for_hold(conn: Any, hold_id: int, now: datetime) -> None:
    """The hold was released by hand (`hold --release`): its open dispute or reply item is done."""
    for row in conn.execute("SELECT * FROM tasks WHERE status = 'open' AND kind IN ('dispute', 'reply')").fetchall():
        data = json.loads(row["data"]) if row["data"] else {}
        if data.get("hold_id") == hold_id:
            _close(conn, row, now, "the hold was released", "done")


def settle(state: State, now: datetime) -> list[int]:
    """Close every open item whose invoices are all settled (reason `settled`). Returns their ids."""
    rows = state.conn.execute("SELECT * FROM tasks WHERE status = 'open'").fetchall()
    with_invoices = [(r, stored_list(r["invoice_ids"], "tasks")) for r in rows]
    with_invoices = [(r, ids) for r, ids in with_invoices if ids]
    if not with_invoices:
        return []
    money = owed(state, {i for _, ids in with_invoices for i in ids})
    done = [r for r, ids in with_invoices if all(i in money and money[i].settled for i in ids)]
    if done:
        with state.transaction() as conn:
            for r in done:
                _close(conn, r, now, None, "settled")
    return [r["id"] for r in done]


# ---------------------------------------------------------------------------- promises


def break_promises(state: State, now: datetime, grace: timedelta, tz: tzinfo) -> list[int]:
    """Promises whose day (+ `grace`) has passed with the invoice still open are broken: the hold
    ends, chasing resumes, and a `promise_broken` item opens. Returns the new items' ids."""
    rows = state.conn.execute("SELECT * FROM holds WHERE kind = 'promise' AND released_at IS NULL AND until IS NOT NULL"
                              ).fetchall()
    late = [r for r in rows if parse_iso(r["until"]) + grace <= now]
    if not late:
        return []
    money = owed(state, {r["invoice_id"] for r in late if r["invoice_id"]})
    opened = []
    with state.transaction() as conn:
        for r in late:
            kept = r["invoice_id"] in money and money[r["invoice_id"]].settled
            conn.execute("UPDATE holds SET released_at = ? WHERE id = ?", (iso(now), r["id"]))
            conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)",
                         (iso(now), "promise_kept" if kept else "promise_broken", r["invoice_id"], r["customer_id"],
                          json.dumps({"hold_id": r["id"], "until": r["until"]})))
            if kept:
                continue
            customer = r["customer_id"] or (conn.execute("SELECT customer_id FROM invoices WHERE invoice_id = ?",
                                                         (r["invoice_id"],)).fetchone() or [None])[0]
            day = (parse_iso(r["until"]) - timedelta(seconds=1)).astimezone(tz).date()  # the promised day
            opened.append(open_item(conn, kind="promise_broken", now=now, customer_id=customer,
                                    invoice_ids=[r["invoice_id"]], data={"hold_id": r["id"], "promised": r["until"]},
                                    note=f"the promise to pay {r['invoice_id']} by {day} was not kept"))
    return opened
