"""Recording matched payments in the state file, and the owner's decisions on them.

Why a separate module: the matcher is pure, so everything that must survive — the payment
lines (never imported twice), their allocations to invoices (applied or merely suggested),
the queue items for people, and the events `history` shows — is written here, each batch
in one transaction so a crash never leaves half a statement recorded.

Effective balances (SPEC 2) are derived from `allocations` with `applied = 1`: a confident
match, an accepted suggestion or a manual `collectbot match`. Overpayments keep their excess
on the payment (amount − applied allocations) as the customer's credit; it is shown in
history and in the queue but never applied to other invoices automatically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _json_str  # json.dumps' own text encoder (ensure_ascii)
from typing import Any

from ..errors import CollectbotError
from ..gcpause import gc_paused
from ..models import BankLine
from ..state import State, iso, stored_amount
from ..sync import recorded_payments
from .matcher import LineMatch, MatchResult

ZERO = Decimal("0")


class RecordError(CollectbotError):
    """A reconcile decision that cannot be carried out (unknown payment, unknown invoice...)."""


# ---------------------------------------------------------------------------- line identity


def line_key(line: BankLine, position: int) -> str:
    """The bank's transaction id when it has one; else a hash of date, amount, text and position.

    `position` is the line's place in its file (its row when the reader knows it), so two
    identical transfers on the same day stay two payments, and the same file read twice
    gives the same keys.
    """
    if line.transaction_id and line.transaction_id.strip():
        return line.transaction_id.strip()
    where = line.row if line.row is not None else position
    amount = f"{line.amount.normalize():f}"
    text = f"{line.date.isoformat()}|{amount}|{line.description or ''}|{where}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_new_lines(state: State | None, lines: list[BankLine]) -> tuple[list[BankLine], list[BankLine]]:
    """(lines never imported, lines already imported) — also a key repeated inside the file counts once."""
    for i, ln in enumerate(lines):
        if ln.row is None:  # pin the position in the file, so the key never depends on what was skipped
            ln.row = i + 1
    keys = [line_key(ln, i) for i, ln in enumerate(lines)]
    known = _existing_keys(state.conn, keys) if state is not None else set()
    fresh, old = [], []
    for ln, key in zip(lines, keys):
        if key in known:
            old.append(ln)
        else:
            known.add(key)
            fresh.append(ln)
    return fresh, old


# ---------------------------------------------------------------------------- balances


def stored_balances(state: State, invoice_ids: list[str] | None = None) -> dict[str, Decimal]:
    """Effective balance (SPEC 2) of invoices as stored in the state: min(source balance, amount − applied)."""
    paid = recorded_payments(state)  # the applied allocations per invoice
    out: dict[str, Decimal] = {}
    rows = state.conn.execute("SELECT invoice_id, amount, source_balance FROM invoices")
    wanted = set(invoice_ids) if invoice_ids is not None else None
    for invoice_id, amount, balance in rows:
        if wanted is not None and invoice_id not in wanted:
            continue
        out[invoice_id] = min(stored_amount(balance, "invoices"), stored_amount(amount, "invoices")
                              - paid.get(invoice_id, ZERO))
    return out


# ---------------------------------------------------------------------------- recording a match result


@dataclass
class RecordSummary:
    payments: int = 0
    applied: int = 0  # confident matches recorded
    review: int = 0
    unmatched: int = 0
    payment_ids: dict[int, int] = field(default_factory=dict)  # LineMatch.position -> payments.id


def record_result(state: State, result: MatchResult, *, file: str, now: datetime,
                  run_id: int | None = None) -> RecordSummary:
    """Write every credit of `result` (one transaction): payments, allocations, queue items, events.

    Lines whose key is already in `payments` are skipped (callers normally filter them out first
    with `split_new_lines`, so the matcher never sees them). Rows are written with `executemany`
    and payment ids assigned here, under the transaction's write lock, so a 100k-line statement
    costs a few bulk statements rather than 400k round trips. The cyclic GC is paused meanwhile:
    the rows are hundreds of thousands of acyclic tuples, all alive until written.
    """
    with gc_paused():
        return _record(state, result, file=file, now=now, run_id=run_id)


def _record(state: State, result: MatchResult, *, file: str, now: datetime, run_id: int | None) -> RecordSummary:
    summary = RecordSummary()
    stamp = iso(now)
    verdicts = result.all()
    keys = [line_key(v.line, v.position) for v in verdicts]
    with state.transaction() as conn:
        known = _existing_keys(conn, keys)
        next_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM payments").fetchone()[0] or 0) + 1
        payments, allocations, tasks, events = [], [], [], []
        days: dict = {}  # date -> ISO text: a statement has few distinct dates
        for verdict, key in zip(verdicts, keys):
            if key in known:
                continue
            known.add(key)
            ln = verdict.line
            status = "matched" if verdict.applied else ("review" if verdict.confidence else "unmatched")
            payment_id = next_id
            next_id += 1
            day = days.get(ln.date)
            if day is None:
                day = days[ln.date] = ln.date.isoformat()
            amount = str(ln.amount)
            payments.append((payment_id, key, ln.transaction_id, ln.file or file, ln.row, day, amount, ln.currency,
                             ln.payer, ln.description, ln.reference, status, stamp, run_id))
            summary.payments += 1
            summary.payment_ids[verdict.position] = payment_id
            allocated = [(invoice_id, str(part)) for invoice_id, part in verdict.allocations.items()]
            confidence, applied = verdict.confidence or "low", 1 if verdict.applied else 0
            for invoice_id, part in allocated:
                allocations.append((payment_id, invoice_id, part, confidence, verdict.method, applied, stamp))
            if status == "matched":
                summary.applied += 1
            else:
                setattr(summary, status, getattr(summary, status) + 1)
                tasks.append(_task_row("review" if status == "review" else "unmatched_payment", verdict, key,
                                       payment_id, stamp))
            events.extend(_payment_events(verdict, payment_id, status, stamp, amount, allocated))
        conn.executemany(
            "INSERT INTO payments(id, line_key, transaction_id, file, row, date, amount, currency, payer, "
            "description, reference, status, imported_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            payments)
        conn.executemany(
            "INSERT INTO allocations(payment_id, invoice_id, amount, confidence, method, applied, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", allocations)
        conn.executemany(
            "INSERT INTO tasks(kind, customer_id, invoice_ids, assign, note, amount, data, status, created_at) "
            "VALUES (?, ?, ?, 'owner', ?, ?, ?, 'open', ?)", tasks)
        conn.executemany("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)", events)
    return summary


def _existing_keys(conn, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT line_key FROM payments WHERE line_key IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _describe(ln: BankLine) -> str:
    who = f" from {ln.payer}" if ln.payer else ""
    return f"{ln.amount} {ln.currency or ''} on {ln.date.isoformat()}{who}: {ln.description}".replace("  ", " ")


def _task_row(kind: str, verdict: LineMatch, key: str, payment_id: int, stamp: str) -> tuple:
    ln = verdict.line
    if kind == "review":
        suggestion = ", ".join(f"{k} {v}" for k, v in verdict.allocations.items()) or ", ".join(verdict.invoice_ids)
        note = (f"Payment {payment_id} — {_describe(ln)} — suggested: {suggestion} ({verdict.reason}). "
                f"Accept: collectbot reconcile --accept {payment_id}; reject: --reject {payment_id}")
    else:
        note = f"Payment {payment_id} — {_describe(ln)} — no invoice found. Link it: collectbot match {payment_id} INVOICE…"
    data = {"payment_id": payment_id, "line_key": key, "method": verdict.method,
            "confidence": verdict.confidence, "reason": verdict.reason,
            "allocations": {k: str(v) for k, v in verdict.allocations.items()}}
    return (kind, verdict.customer_id, json.dumps(verdict.invoice_ids), note, str(ln.amount), json.dumps(data), stamp)


_EVENT_KINDS = {"matched": "payment", "review": "payment_suggested", "unmatched": "payment_unmatched"}


def _payment_events(verdict: LineMatch, payment_id: int, status: str, stamp: str, amount: str,
                    allocated: list[tuple[str, str]]) -> list[tuple]:
    """One event per payment (its allocations in the data; `history` also lists each allocation),
    plus a `customer_credit` event for an overpayment's excess.

    The data says what happened to the payment; what the line said (date, payer, text, file,
    row) is in its `payments` row, found by `payment_id` — not copied here, because a 100k-line
    statement would otherwise write the same text twice (about 20 MB more to the state file).
    `amount` and `allocated` are the line's amount and its (invoice, amount) pairs as stored text."""
    data = payment_event_json(payment_id, amount, verdict.line.currency, verdict.method, verdict.confidence,
                              allocated)
    first = next(iter(verdict.allocations), verdict.invoice_ids[0] if verdict.invoice_ids else None)
    rows = [(stamp, _EVENT_KINDS[status], first, verdict.customer_id, data)]
    if verdict.applied and verdict.excess > 0:
        rows.append(_credit_row(payment_id, verdict.customer_id, verdict.excess, stamp))
    return rows


def payment_event_json(payment_id: int, amount: str, currency: str | None, method: str | None,
                       confidence: str | None, allocations: list[tuple[str, str]]) -> str:
    """`json.dumps({"payment_id": …, "amount": …, "currency": …, "method": …, "confidence": …,
    "allocations": {invoice_id: amount}})`, byte for byte, written directly.

    One of these is stored per statement line, and `json.dumps` sets up a new encoder for every
    call: for a 100k-line statement that set-up cost more than the encoding. Strings go through
    the very function `json.dumps` uses for them (ASCII-escaped), so the text is the same."""
    allocs = ", ".join(f"{_json_str(k)}: {_json_str(v)}" for k, v in allocations)
    return (f'{{"payment_id": {int(payment_id)}, "amount": {_json_text(amount)}, "currency": {_json_text(currency)}, '
            f'"method": {_json_text(method)}, "confidence": {_json_text(confidence)}, "allocations": {{{allocs}}}}}')


def _json_text(value: str | None) -> str:
    return "null" if value is None else _json_str(value)


def _credit_row(payment_id: int, customer_id: str | None, excess: Decimal, stamp: str) -> tuple:
    return (stamp, "customer_credit", None, customer_id,
            json.dumps({"payment_id": payment_id, "amount": str(excess),
                        "note": "overpayment kept as a credit; not applied automatically"}))


def _log_credit(conn, payment_id: int, customer_id: str | None, excess: Decimal, stamp: str) -> None:
    conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)",
                 _credit_row(payment_id, customer_id, excess, stamp))


# ---------------------------------------------------------------------------- owner decisions


def find_payment(state: State, ref: str) -> dict[str, Any]:
    """A payment by its id (`17`) or a unique prefix of its line key (bank id or `sha256:ab12…`)."""
    ref = ref.strip()
    row = None
    if ref.isdigit():
        row = state.conn.execute("SELECT * FROM payments WHERE id = ?", (int(ref),)).fetchone()
    if row is None:
        rows = state.conn.execute("SELECT * FROM payments WHERE line_key = ? OR line_key LIKE ? ESCAPE '\\' "
                                  "OR line_key LIKE ? ESCAPE '\\' LIMIT 3",
                                  (ref, _like_prefix(ref), _like_prefix("sha256:" + ref))).fetchall()
        exact = [r for r in rows if r["line_key"] == ref]
        if exact:
            rows = exact
        if len(rows) > 1:
            raise RecordError(f"{ref!r} matches several payments; give more of the key or the payment id")
        row = rows[0] if rows else None
    if row is None:
        raise RecordError(f"no recorded payment {ref!r} (use the id shown by `collectbot reconcile --review` "
                          "or `collectbot queue`)")
    return dict(row)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def pending_reviews(state: State) -> list[dict[str, Any]]:
    """Payments waiting for a decision (status review), each with its suggested allocations."""
    out = []
    for row in state.conn.execute("SELECT * FROM payments WHERE status = 'review' ORDER BY id").fetchall():
        allocs = state.conn.execute("SELECT invoice_id, amount, confidence, method FROM allocations "
                                    "WHERE payment_id = ? ORDER BY id", (row["id"],)).fetchall()
        out.append({**dict(row), "allocations": [dict(a) for a in allocs]})
    return out


def accept(state: State, ref: str, now: datetime) -> dict[str, Any]:
    """Apply a suggestion: its allocations become applied (capped at each invoice's current balance)."""
    payment = find_payment(state, ref)
    if payment["status"] != "review":
        raise RecordError(f"payment {payment['id']} is {payment['status']}, not waiting for review")
    allocs = state.conn.execute("SELECT invoice_id, amount FROM allocations WHERE payment_id = ? ORDER BY id",
                                (payment["id"],)).fetchall()
    if not allocs:
        raise RecordError(f"payment {payment['id']} has no suggested amounts (another currency, or invoices already "
                          f"paid); link it by hand: collectbot match {payment['id']} INVOICE=AMOUNT")
    return _apply(state, payment, [(a["invoice_id"], Decimal(a["amount"])) for a in allocs], now,
                  method=None, event="payment_accepted")


def reject(state: State, ref: str, now: datetime) -> dict[str, Any]:
    """Drop a suggestion: the payment becomes unmatched and waits in the queue to be linked by hand."""
    payment = find_payment(state, ref)
    if payment["status"] != "review":
        raise RecordError(f"payment {payment['id']} is {payment['status']}, not waiting for review")
    stamp = iso(now)
    with state.transaction() as conn:
        conn.execute("DELETE FROM allocations WHERE payment_id = ? AND applied = 0", (payment["id"],))
        conn.execute("UPDATE payments SET status = 'unmatched' WHERE id = ?", (payment["id"],))
        _close_tasks(conn, payment["id"], stamp, "rejected")
        conn.execute(
            "INSERT INTO tasks(kind, customer_id, invoice_ids, assign, note, amount, data, status, created_at) "
            "VALUES ('unmatched_payment', NULL, '[]', 'owner', ?, ?, ?, 'open', ?)",
            (f"Payment {payment['id']} — {payment['amount']} on {payment['date']}: {payment['description']} — "
             f"suggestion rejected. Link it: collectbot match {payment['id']} INVOICE…", payment["amount"],
             json.dumps({"payment_id": payment["id"], "line_key": payment["line_key"]}), stamp))
        conn.execute("INSERT INTO events(at, kind, data) VALUES (?, 'payment_rejected', ?)",
                     (stamp, json.dumps({"payment_id": payment["id"]})))
    return {"payment_id": payment["id"], "status": "unmatched"}


def link(state: State, ref: str, invoice_ids: list[str], now: datetime,
         amounts: dict[str, Decimal] | None = None) -> dict[str, Any]:
    """`collectbot match`: link a recorded payment to invoices by hand (method manual, applied).

    The payment's earlier allocations (applied or suggested) are replaced, so this also corrects
    a wrong automatic match. Without explicit amounts the payment is spread over the invoices in
    the order given, each up to its balance; what is left is the customer's credit.
    """
    payment = find_payment(state, ref)
    if Decimal(payment["amount"]) <= 0:
        raise RecordError(f"payment {payment['id']} is not incoming money")
    known = {r[0] for r in state.conn.execute(
        f"SELECT invoice_id FROM invoices WHERE invoice_id IN ({','.join('?' * len(invoice_ids))})", invoice_ids)}
    missing = [i for i in invoice_ids if i not in known]
    if missing:
        raise RecordError(f"unknown invoice {', '.join(missing)} (run `collectbot run` or `reconcile` to load sources)")
    plan = [(i, (amounts or {}).get(i)) for i in invoice_ids]
    return _apply(state, payment, plan, now, method="manual", event="payment_linked", replace=True)


def _apply(state: State, payment: dict[str, Any], plan: list[tuple[str, Decimal | None]], now: datetime, *,
           method: str | None, event: str, replace: bool = False) -> dict[str, Any]:
    stamp = iso(now)
    pid = payment["id"]
    with state.transaction() as conn:
        if replace:
            conn.execute("DELETE FROM allocations WHERE payment_id = ?", (pid,))
        balances = stored_balances(state, [i for i, _ in plan])
        left = Decimal(payment["amount"])
        applied: dict[str, Decimal] = {}
        short: dict[str, str] = {}  # invoice -> the amount asked for that could not all be applied
        for invoice_id, wanted in plan:
            cap = max(balances.get(invoice_id, ZERO), ZERO)
            take = min(left, cap if wanted is None else min(wanted, cap))
            if wanted is not None and take < wanted:
                short[invoice_id] = str(wanted)
            if take <= 0:
                conn.execute("DELETE FROM allocations WHERE payment_id = ? AND invoice_id = ?", (pid, invoice_id))
                continue
            applied[invoice_id] = take
            left -= take
            conn.execute(
                "INSERT INTO allocations(payment_id, invoice_id, amount, confidence, method, applied, created_at) "
                "VALUES (?, ?, ?, 'high', ?, 1, ?) ON CONFLICT(payment_id, invoice_id) DO UPDATE SET "
                "amount = excluded.amount, applied = 1, method = COALESCE(excluded.method, allocations.method), "
                "created_at = excluded.created_at",  # applied now: a suggestion accepted counts from today
                (pid, invoice_id, str(take), method, stamp))
        if not applied:
            raise RecordError(f"the invoices {', '.join(i for i, _ in plan)} have nothing left to pay")
        conn.execute("UPDATE payments SET status = 'matched' WHERE id = ?", (pid,))
        _close_tasks(conn, pid, stamp, "done")
        first = next(iter(applied))
        customer = conn.execute("SELECT customer_id FROM invoices WHERE invoice_id = ?", (first,)).fetchone()
        customer_id = customer[0] if customer else None
        conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)",
                     (stamp, event, first, customer_id,
                      json.dumps({"payment_id": pid, "amount": payment["amount"], "date": payment["date"],
                                  "description": payment["description"], "method": method or "accepted",
                                  "allocations": {k: str(v) for k, v in applied.items()}})))
        if left > 0:
            _log_credit(conn, pid, customer_id, left, stamp)
    return {"payment_id": pid, "status": "matched", "allocations": {k: str(v) for k, v in applied.items()},
            "credit": str(left) if left > 0 else None,
            "asked": {k: v for k, v in short.items()}}  # more than the payment or the balance allowed


def _close_tasks(conn, payment_id: int, stamp: str, status: str) -> None:
    """Close the open queue items about this payment (review / unmatched_payment)."""
    for task_id, data in conn.execute("SELECT id, data FROM tasks WHERE status = 'open' "
                                      "AND kind IN ('review', 'unmatched_payment')").fetchall():
        try:
            if json.loads(data or "{}").get("payment_id") == payment_id:
                conn.execute("UPDATE tasks SET status = ?, done_at = ? WHERE id = ?", (status, stamp, task_id))
        except ValueError:
            continue
