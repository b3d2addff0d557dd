"""Everything that happened to an invoice or a customer, in time order, from the state: what was
imported, every touch and message, queue items opened and closed, payments, holds and events.
`collectbot history` prints it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from . import triggers
from .errors import UsageError
from .human import when
from .items import kind_of
from .state import State, StateError, parse_iso, stored_list


Money = Callable[[Any, Any], str]


def plain_money(amount: Any, currency: Any) -> str:
    return f"{amount} {currency or ''}".strip()


def collect_history(state: State, subject: str, *, tz: Any = None, money: Money = plain_money
                    ) -> tuple[str, list[dict[str, Any]]]:
    """('invoice'|'customer', entries sorted by time) for an invoice id or a customer id. Each
    entry's `detail` is said in words: times in `tz` (the business zone), amounts by `money`."""
    c = state.conn
    started_by = triggers.event_id_of(subject)  # `NAME@ID` / `INV@ID`: the sequence an event started (triggers.py)
    is_invoice = c.execute("SELECT 1 FROM invoices WHERE invoice_id = ? UNION SELECT 1 FROM touches WHERE "
                           "invoice_id = ? UNION SELECT 1 FROM events WHERE id = ? AND kind = 'event'",
                           (subject, subject, started_by)).fetchone() is not None
    if is_invoice:
        invoice_ids = [subject]
        customer_id = None
    else:
        rows = c.execute("SELECT invoice_id FROM invoices WHERE customer_id = ?", (subject,)).fetchall()
        known = rows or c.execute("SELECT 1 FROM customers WHERE customer_id = ? UNION SELECT 1 FROM messages "
                                  "WHERE customer_id = ? UNION SELECT 1 FROM events WHERE customer_id = ?",
                                  (subject, subject, subject)).fetchone()
        if not known:
            raise UsageError(f"no invoice or customer {subject!r} in the state file")
        invoice_ids = [r[0] for r in rows]
        customer_id = subject
    # the sequences events started (triggers.py): `INV@ID` for an invoice's, any a message to the customer touched
    sequences = c.execute("SELECT DISTINCT invoice_id FROM touches WHERE substr(invoice_id, 1, length(?) + 1) = ? || '@'",
                          (subject, subject)).fetchall() if is_invoice else c.execute(
        "SELECT DISTINCT t.invoice_id FROM touches t JOIN messages m ON m.id = t.message_id WHERE m.customer_id = ? "
        "AND t.invoice_id LIKE '%@%'", (subject,)).fetchall()
    invoice_ids += [r[0] for r in sequences if r[0] not in invoice_ids]
    marks = ",".join("?" * len(invoice_ids)) or "NULL"
    out: list[dict[str, Any]] = []

    def add(at: str | None, kind: str, invoice_id: str | None, detail: str, **data: Any) -> None:
        if at:
            # a broken character an older version stored (half a UTF-16 pair) is shown escaped, not a crash
            detail = detail.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(detail, str) else detail
            out.append({"at": parse_iso(at) if "T" in at else at, "kind": kind, "invoice_id": invoice_id,
                        "detail": detail, **data})

    for r in c.execute(f"SELECT * FROM invoices WHERE invoice_id IN ({marks})", invoice_ids):
        add(r["first_seen"], "imported", r["invoice_id"], f"{money(r['amount'], r['currency'])} due {r['due_date']} "
            f"from {r['source']}")
        if r["gone_at"]:
            add(r["gone_at"], "gone", r["invoice_id"], "no longer in the invoice export: collection stopped")
    message_ids: set[int] = set()
    for r in c.execute(f"SELECT * FROM touches WHERE invoice_id IN ({marks}) ORDER BY id", invoice_ids):
        reason = f" ({r['reason']})" if r["reason"] and r["reason"] != r["status"] else ""
        said = (f"{r['playbook']}/{r['step']}: {r['reason'] or 'moved to another playbook'} (`goto:`)"
                if r["status"] == "jumped"
                else f"{r['playbook']}/{r['step']} by {r['channel'] or '-'}{reason}")
        add(r["created_at"], f"touch {r['status']}", r["invoice_id"], said, touch_id=r["id"],
            playbook=r["playbook"], step=r["step"], status=r["status"], message_id=r["message_id"],
            task_id=r["task_id"])
        if isinstance(r["message_id"], int):
            message_ids.add(r["message_id"])
    for r in c.execute(f"SELECT message_id FROM events WHERE invoice_id IN ({marks}) AND message_id IS NOT NULL",
                       invoice_ids):  # earlier attempts (a retried step's touch points at the latest message)
        if isinstance(r[0], int):
            message_ids.add(r[0])
    msg_query = "SELECT * FROM messages WHERE id IN (%s)" % (",".join(str(int(i)) for i in message_ids) or "NULL")
    if customer_id:
        msg_query += " OR customer_id = ?"
    for r in c.execute(msg_query, (customer_id,) if customer_id else ()):
        message_ids.add(r["id"])
        extra = f" id {r['provider_id']}" if r["provider_id"] else ""
        error = f": {r['error']}" if r["error"] else ""
        delivery = f", delivery {r['delivery_status']}" if r["delivery_status"] else ""
        delivery += f", variant {r['variant']}" if "variant" in r.keys() and r["variant"] else ""
        add(r["sent_at"] or r["updated_at"] or r["created_at"], f"message {r['status']}", None,
            f"#{r['id']} {r['channel']} to {r['to_addr']} via {r['provider']}{extra}{delivery}"
            f"{' — ' + r['subject'] if r['subject'] else ''}{error}", message_id=r["id"], status=r["status"])
    for r in c.execute("SELECT * FROM tasks ORDER BY id"):
        ids = stored_list(r["invoice_ids"], "tasks")
        if not (set(ids) & set(invoice_ids) or (customer_id and r["customer_id"] == customer_id)):
            continue
        inv = ids[0] if len(ids) == 1 else None
        kind = kind_of(r["kind"])
        who = f" for {r['assign']}" if r["assign"] else ""
        add(r["created_at"], "item opened", inv, f"#{r['id']} {kind}{who}: {r['note'] or ''}", task_id=r["id"],
            item_kind=kind)
        if r["done_at"]:
            why = r["reason"] or r["status"]
            said = {"settled": "its invoices are paid", "done": "done by a person"}.get(why, why)
            add(r["done_at"], "item closed", inv, f"#{r['id']} {kind}: {said}"
                + (f" — {r['closed_note']}" if r["closed_note"] else ""), task_id=r["id"], item_kind=kind,
                reason=why)
    for r in c.execute(f"SELECT a.*, p.date, p.imported_at, p.payer, p.description, p.file, p.currency "
                       f"FROM allocations a JOIN payments p ON p.id = a.payment_id WHERE a.invoice_id IN ({marks})",
                       invoice_ids):
        # when it was applied (a suggestion accepted later is applied then, not at import) or suggested
        state_word = "applied" if r["applied"] else "suggested"
        waits = "" if r["applied"] else " — not applied until you accept it"
        add(r["created_at"] or r["imported_at"], f"payment {state_word}", r["invoice_id"],
            f"{money(r['amount'], r['currency'])} of payment #{r['payment_id']}, paid {r['date']} by "
            f"{r['payer'] or 'an unknown payer'} ({r['method'] or 'by hand'}, {r['confidence']}){waits}: "
            f"{r['description'] or ''}", payment_id=r["payment_id"])
    for r in c.execute(f"SELECT * FROM holds WHERE invoice_id IN ({marks}) OR customer_id = ?",
                       (*invoice_ids, customer_id)):
        until = ("until released" if not r["until"] else f"promised to pay by {_promised_day(r['until'], tz)}"
                 if r["kind"] == "promise" else f"until {when(parse_iso(r['until']), tz)}")
        add(r["created_at"], f"hold {r['kind']}", r["invoice_id"], f"{until}{': ' + r['note'] if r['note'] else ''}")
    ev_query = f"SELECT * FROM events WHERE invoice_id IN ({marks}) OR (id = ? AND kind = 'event')"
    params: list[Any] = [*invoice_ids, started_by]
    if customer_id:
        ev_query += " OR customer_id = ?"
        params.append(customer_id)
    if message_ids:
        ev_query += " OR message_id IN (%s)" % ",".join(str(int(i)) for i in message_ids)
    for r in c.execute(ev_query + " ORDER BY id", params):
        if r["kind"] in ("item_opened", "item_closed", "task_done", "payment", "payment_suggested") \
                or (r["kind"].startswith("hold_") and r["kind"] != "hold_released"):
            continue  # said above, from the queue, the allocations and the holds themselves
        if r["kind"] == "event":  # a business event (triggers.py): its name and what it carried
            add(r["at"], "event", r["invoice_id"], _event_said(r["id"], r["data"]))
            continue
        add(r["at"], r["kind"], r["invoice_id"], _said(r["kind"], r["data"], tz, money), message_id=r["message_id"])
    # at the same moment, cause before effect: what arrived, the hold it made, a payment, then the
    # queue items opened and closed because of them
    rank = {"hold": 1, "payment": 2, "item opened": 3, "item closed": 4}
    out.sort(key=lambda e: (str(e["at"]) if not hasattr(e["at"], "isoformat") else e["at"].isoformat(),
                            next((n for k, n in rank.items() if e["kind"].startswith(k)), 0)))
    return ("invoice" if is_invoice else "customer"), out


def _promised_day(until: str, tz: Any) -> str:
    """The day a promise was made for: its hold lasts until the end of that day (the next midnight)."""
    end = parse_iso(until)
    try:
        return str(((end.astimezone(tz) if tz else end) - timedelta(seconds=1)).date())
    except (OverflowError, ValueError):
        return until


def _stored(data: Any) -> tuple[str, Any]:
    """An event's stored data as text, and parsed when it is a JSON object (else None)."""
    if isinstance(data, bytes):  # damaged: a blob where text belongs
        data = data.decode("utf-8", "replace")
    try:
        parsed = json.loads(data) if data and data.lstrip()[:1] == "{" else None
    except ValueError:
        parsed = None
    return data or "", parsed if isinstance(parsed, dict) else None


def _event_said(event_id: int, data: Any) -> str:
    """`cart_abandoned #4: amount 1499.00, name Asha`: a business event's name and what it carried."""
    text, body = _stored(data)
    if body is None:  # damaged: shown as stored
        return f"{text[:60]} #{event_id}"
    carried = body.get("data") if isinstance(body.get("data"), dict) else {}
    said = ", ".join(f"{k} {v}" for k, v in list(carried.items())[:6])
    return f"{body.get('event')} #{event_id}{': ' + said if said else ''}"


def _said(kind: str, data: Any, tz: Any, money: Money) -> str:
    """An event's stored data in words (a kind not listed here: as stored, `words` prints it)."""
    data, d = _stored(data)
    if d is None:
        return data
    try:
        cur = d.get("currency")
        parts = ", ".join(f"{k} {money(v, cur)}" for k, v in (d.get("allocations") or {}).items())
        if kind in ("payment_accepted", "payment_linked"):
            how = "accepted" if kind == "payment_accepted" else "linked by hand"
            return f"payment #{d['payment_id']} of {money(d['amount'], cur)} (paid {d.get('date')}) {how}: {parts}"
        if kind == "payment_unmatched":
            return f"payment #{d['payment_id']} of {money(d['amount'], cur)}: no invoice found"
        if kind == "payment_rejected":
            return f"payment #{d['payment_id']}: the suggestion was rejected"
        if kind == "customer_credit":
            return (f"{money(d['amount'], cur)} of payment #{d['payment_id']} kept as the customer's credit "
                    "(not applied to other invoices automatically)")
        if kind in ("promise_broken", "promise_kept"):
            by = _promised_day(d["until"], tz) if d.get("until") else "its date"
            return (f"the promise to pay by {by} was kept" if kind == "promise_kept"
                    else f"the promise to pay by {by} was not kept: the chase resumes")
        if kind == "plan":
            return "payment plan: " + ", ".join(f"#{i['number']} {money(i['amount'], cur)} due {i['due_date']}"
                                                for i in d.get("instalments") or [])
    except (KeyError, TypeError, ValueError, StateError):
        pass  # an older or damaged record: as stored
    return data or ""


def gone_since(state: State, invoice_id: str) -> str | None:
    """When the invoice dropped out of the sources (None: it did not, or was never seen)."""
    row = state.conn.execute("SELECT state, gone_at FROM invoices WHERE invoice_id = ?", (invoice_id,)).fetchone()
    return row["gone_at"] if row is not None and row["state"] == "gone" else None


def invoice_payments(state: State, invoice_id: str) -> list[dict[str, Any]]:
    """The money `reconcile`/`match` tied to this invoice, oldest first: applied ones count in its
    effective balance (SPEC 2: min(source balance, amount − applied payments)); suggestions waiting
    for review are listed too, so the owner sees why a payment did not stop the chase yet (a
    rejected suggestion leaves no allocation, so it is not listed)."""
    rows = state.conn.execute(
        "SELECT a.payment_id, a.amount AS allocated, a.confidence, a.method, a.applied, p.date, p.amount, "
        "p.currency, p.payer, p.description, p.file, p.row FROM allocations a "
        "JOIN payments p ON p.id = a.payment_id WHERE a.invoice_id = ? ORDER BY p.date, a.payment_id",
        (invoice_id,)).fetchall()
    return [{"payment_id": r["payment_id"], "date": r["date"], "allocated": r["allocated"],
             "payment_amount": r["amount"], "currency": r["currency"], "payer": r["payer"],
             "description": r["description"], "file": r["file"], "row": r["row"],
             "how": f"{r['method'] or 'manual'} · {r['confidence']}",
             "state": "applied" if r["applied"] else "for review"}
            for r in rows]
