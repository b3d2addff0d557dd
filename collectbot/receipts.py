"""Thank-you receipts (SPEC 9): when money arrives, the customer hears so — once.

With `receipts: {channel: email, template: thanks}` in collectbot.yaml, every payment recorded by
`reconcile` or `match` (and every invoice the export newly shows as paid, when no recorded
payment already explains it) gets one message on the next `run`: what was received and, when
something is left, the balance and a Pay Now link. A receipt is a message like any other — it
is claimed in the touch ledger before it leaves (playbook `receipts`, one step per payment), so
it goes at most once, whatever happens to the run — and polite hours and opt-outs apply (a
receipt that cannot go now waits for the next run).

Only money that arrives after receipts were turned on is thanked for: the first run with
`receipts:` notes the moment (state meta `receipts_since`), so an old ledger of payments does not
all get receipts at once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from .engine.calendar import calendar_for
from .engine.planner import address
from .engine.types import PlanInput, PlannedMessage, PlannedTouch, Skip
from .items import RECEIPTS
from .models import Customer, Invoice
from .state import State, iso, stored_amount

PLAYBOOK = RECEIPTS  # the ledger's playbook name of thank-you messages


def due(state: State, inp: PlanInput, renderer: Any, now: datetime, *, record_start: bool) -> tuple[
        list[PlannedMessage], list[Skip], list[dict[str, Any]]]:
    """The receipts to send now; those that never can (no address, opted out: skips `run` records
    for good, so they are said once, like a reminder's); and the problems of those that cannot be
    made now (a template error). `record_start`: note `receipts_since` on the first run that sends."""
    spec = inp.config.receipts
    if not spec:
        return [], [], []
    since = state.get_meta("receipts_since")
    if since is None:
        if record_start:
            with state.transaction():
                state.set_meta("receipts_since", iso(now))
        return [], [], []
    done = {r[0] for r in state.conn.execute("SELECT DISTINCT step FROM touches WHERE playbook = ?", (PLAYBOOK,))}
    by_id = {i.invoice_id: i for i in inp.invoices}
    channel, template = spec["channel"], spec["template"]
    cal = calendar_for(inp.config.business)
    messages: list[PlannedMessage] = []
    skips: list[Skip] = []
    problems: list[dict[str, Any]] = []
    for key, payment, invoice_ids in _money_in(state, since):
        if key in done:
            continue
        invoices = [by_id[i] for i in invoice_ids if i in by_id]
        if not invoices:
            continue  # the invoice left the export: nobody to thank in its name
        lead = invoices[0]
        cust = inp.customers.get(lead.customer_id) or Customer(lead.customer_id, lead.customer_name, lead.email,
                                                               lead.phone, lead.whatsapp)
        to = address(lead, cust, channel)
        if not to or inp.suppressed.get((cust.customer_id, channel)):
            reason, why = (("opted_out", f"opted out of {channel}") if to else
                           ("no_address", f"has no usable {channel} address"))
            skips.append(Skip(lead.invoice_id, PLAYBOOK, key, reason, channel, None,
                              f"no receipt: {cust.customer_id} {why}"))
            continue
        if cal.blocked(now, cal.zone(cust.timezone)) is not None:
            continue  # outside polite hours: the next run sends it
        try:
            message = _render(renderer, inp, now, channel, template, to, cust, invoices, payment, key)
        except Exception as exc:  # noqa: BLE001 - this receipt only
            problems.append({"invoice_id": lead.invoice_id, "message": f"receipt not sent: {exc}"})
            continue
        messages.append(message)
    return messages, skips, problems


def _money_in(state: State, since: str) -> list[tuple[str, dict[str, Any], list[str]]]:
    """(ledger step, payment for the template, invoice ids) of money that came in since `since`."""
    out = []
    rows = state.conn.execute(
        "SELECT p.id, p.date, p.amount, p.reference, p.currency, a.invoice_id, a.amount FROM payments p "
        "JOIN allocations a ON a.payment_id = p.id AND a.applied = 1 WHERE a.created_at >= ? "
        "ORDER BY p.id, a.invoice_id", (since,)).fetchall()
    payments: dict[int, tuple[dict[str, Any], list[str]]] = {}
    for pid, day, amount, reference, currency, invoice_id, allocated in rows:
        payment, ids = payments.setdefault(pid, ({"amount": stored_amount(amount, "payments"), "date": day,
                                                 "reference": reference, "currency": currency, "allocated": {}}, []))
        payment["allocated"][invoice_id] = stored_amount(allocated, "allocations")
        ids.append(invoice_id)
    out += [(f"receipt-{pid}", payment, ids) for pid, (payment, ids) in payments.items()]
    # invoices the export newly shows as paid, without a payment collectbot recorded for them
    for invoice_id, at, before in state.conn.execute(
            "SELECT b.invoice_id, b.at, b.before FROM balance_changes b WHERE b.at >= ? AND CAST(b.after AS REAL) <= 0 "
            "AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.invoice_id = b.invoice_id AND a.applied = 1) "
            "ORDER BY b.id", (since,)):
        out.append((f"receipt-paid-{invoice_id}", {"amount": Decimal(before), "date": at[:10], "reference": None,
                                                  "currency": None, "allocated": {invoice_id: Decimal(before)}},
                    [invoice_id]))
    return out


def _render(renderer: Any, inp: PlanInput, now: datetime, channel: str, template: str, to: str, cust: Customer,
            invoices: list[Invoice], payment: dict[str, Any], key: str) -> PlannedMessage:
    today = now.astimezone(inp.config.tz).date()
    customer = renderer.customer_view(cust)
    views = [renderer.invoice_view(i, inp.balances.get(i.invoice_id, i.balance), today=today, customer=customer)
             for i in invoices]
    context = renderer.context(views[0], customer, today=today, invoices=views)
    context["payment"] = {"amount": payment["amount"], "date": payment["date"], "reference": payment["reference"]}
    rendered = renderer.message(template, channel, context)
    touches = [PlannedTouch(i.invoice_id, PLAYBOOK, key, channel, now) for i in invoices]
    return PlannedMessage(customer_id=cust.customer_id, channel=channel, to=to, touches=touches, scheduled_at=now,
                          body=rendered.body, subject=rendered.subject, html=rendered.html)
