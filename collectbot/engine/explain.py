"""`explain INVOICE`: why the planner does what it does for one invoice.

The answer is assembled from the same pieces the planner uses, so it cannot disagree with
`preview`: the whole plan at `now` (which also settles consolidation, polite hours and caps),
each playbook's `match`, each step's ledger row and due moment, and for "what happens next"
a short timeline of this customer's invoices (a year ahead, assuming nobody pays).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..errors import CollectbotError
from ..models import Customer
from ..gcpause import gc_paused
from .planner import PlanMemo, PlanSession
from .schedule import StepTiming
from .timeline import timeline
from .types import Plan, PlanInput, TouchRecord

NEXT_HORIZON_DAYS = 366


class UnknownInvoice(CollectbotError, LookupError):
    """The invoice is not among the planner's invoices (not in the sources, or gone)."""


@dataclass
class PlaybookCheck:
    name: str
    priority: int
    order: int
    match: str | None
    matched: bool  # False also when the match could not be evaluated (see error)
    error: str | None = None


@dataclass
class StepState:
    step: str
    channel: str
    at: str  # the step's `at:` as written (due+3d)
    state: str  # sent | task | sending | uncertain | failed | superseded | skipped | condition_false |
    #             due | waiting | not_applicable | stopped | error
    due_at: datetime | None = None
    until: datetime | None = None  # waiting: the earliest moment it may go
    sent_at: datetime | None = None  # when the ledger recorded it
    reason: str | None = None  # skipped / waiting: why (no_address, outside_hours, not_due, waiting_on...)
    detail: str | None = None  # human words


@dataclass
class NextEvent:
    at: datetime | None
    what: str
    step: str | None = None
    channel: str | None = None


@dataclass
class Explanation:
    invoice_id: str
    customer_id: str
    now: datetime
    balance: Decimal
    status: str
    playbook: str | None
    why: str
    playbooks: list[PlaybookCheck] = field(default_factory=list)
    stopped: str | None = None
    steps: list[StepState] = field(default_factory=list)
    next: NextEvent | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain(inp: PlanInput, renderer: Any, invoice_id: str) -> Explanation:
    """Playbook chosen and why, each step's state, and the next thing that will happen."""
    with gc_paused():
        return _explain(inp, renderer, invoice_id)


def _explain(inp: PlanInput, renderer: Any, invoice_id: str) -> Explanation:
    inv = next((i for i in inp.invoices if i.invoice_id == invoice_id), None)
    if inv is None:
        raise UnknownInvoice(f"invoice {invoice_id!r} is not among the open invoices of the sources")
    memo = PlanMemo(inp, renderer)
    full = PlanSession(inp, renderer, memo).run()
    probe = PlanSession(inp, renderer, memo)  # a fresh session: evaluating every `match` records nothing in `full`
    cust = probe.customer(inv)
    stop = full.stopped.get(invoice_id)

    checks = []
    chosen = None
    for pb in probe.playbooks if inv.trigger is None else ():  # an event's sequence follows its `trigger:` playbook
        got = probe.matches(pb, inv, cust)
        checks.append(PlaybookCheck(pb.name, pb.priority, pb.order, pb.match, got is True,
                                    None if isinstance(got, bool) else got))
        if got is True and chosen is None:
            chosen = pb
    why = _why(checks, chosen)
    if inv.trigger is not None:
        chosen = probe.triggered(inv, cust)
        ev = inv.extra.get("event") or {}
        when = ev["at"].astimezone(inp.now.tzinfo).strftime("%Y-%m-%d %H:%M") if ev.get("at") else "?"
        starts = " or ".join(pb.name for pb in probe.by_event.get(inv.trigger, ()))
        why = (f"{chosen.name}: started by the event {ev.get('name')} #{ev.get('id')} at {when}" if chosen else
               f"the event {ev.get('name')} #{ev.get('id')} starts {starts or 'no playbook'}, and no `match` of "
               "those is true for it")
    jump = _jump(inp, probe, full, invoice_id)
    if jump is not None:
        chosen, why = jump
    ex = Explanation(invoice_id=invoice_id, customer_id=inv.customer_id, now=inp.now, balance=probe.balance(inv),
                     status=inv.status, playbook=chosen.name if chosen else None, why=why,
                     playbooks=checks, stopped=stop,
                     errors=[e for e in full.errors if e.get("invoice_id") == invoice_id])
    if chosen is None:
        ex.next = NextEvent(None, f"nothing: the invoice is stopped ({stop})" if stop
                            else "nothing: no playbook applies to this invoice")
        return ex
    timings = probe.timings(inv, cust, chosen)
    ex.steps = [_state(t, invoice_id, chosen.name, full, probe, cust, stop, ex.errors) for t in timings]
    ex.next = _next(inp, renderer, ex, stop)
    return ex


def _jump(inp: PlanInput, probe: PlanSession, full: Plan, invoice_id: str) -> tuple[Any, str] | None:
    """The playbook a `goto:` moved the invoice to (recorded, or happening in this run), and why."""
    moved = probe.jumps.get(invoice_id)
    if moved is not None:
        target, at = moved
        row = next((r for r in reversed(inp.touches.get(invoice_id, [])) if r.status == "jumped"), None)
        by = f"step {row.step!r} of {row.playbook}" if row is not None else "a step"
        local = at.astimezone(inp.now.tzinfo)
        return target, f"{target.name}: moved here by `goto:` ({by}) on {local:%Y-%m-%d %H:%M}"
    name = full.playbook_of.get(invoice_id)
    sk = next((s for s in full.skips if s.invoice_id == invoice_id and s.reason == "jumped"), None)
    if sk is None or name not in probe.by_name:
        return None
    target = probe.by_name[name]
    probe.jumps[invoice_id] = (target, probe.now)  # its steps count from this run, as `run` would record
    return target, f"{target.name}: moves here in this run by `goto:` (step {sk.step!r} of {sk.playbook})"


def _why(checks: list[PlaybookCheck], chosen: Any) -> str:
    if chosen is None:
        failed = [c.name for c in checks if c.error]
        extra = f" ({', '.join(failed)} could not be evaluated)" if failed else ""
        return f"no playbook's match is true for this invoice{extra}"
    cond = f"match `{chosen.match}` is true" if chosen.match else "it has no match condition (applies to every invoice)"
    others = [c.name for c in checks if c.matched and c.name != chosen.name]
    tail = f"; also matched but lower in priority/order: {', '.join(others)}" if others else ""
    return f"{chosen.name}: {cond}, priority {chosen.priority}{tail}"


def _state(t: StepTiming, invoice_id: str, playbook: str, full: Plan, probe: PlanSession, cust: Customer,
           stop: str | None, errors: list[dict[str, Any]]) -> StepState:
    now = probe.now
    step = t.step
    channel = "/".join(dict.fromkeys(b[1] for b in step.choose)) if step.choose else step.channel  # `choose`: each
    s = StepState(step=step.id, channel=channel, at=str(step.at), state="", due_at=t.due_at)
    row: TouchRecord | None = t.row
    if row is not None and row.status != "failed":
        s.state, s.sent_at, s.reason = row.status, row.at, row.reason
        s.detail = {
            "sent": f"sent by {row.channel}",
            "task": "handed to a person as a task",
            "sending": "being sent by another run",
            "uncertain": "the process died while sending: outcome unknown; not sent again unless you ask",
            "superseded": "superseded by a later step (catch-up)",
            "skipped": f"skipped for good: {row.reason or 'see history'}",
            "jumped": row.reason or f"moved the invoice to playbook {step.goto}",
        }.get(row.status)
        return s
    if stop:
        s.state, s.detail = "stopped", f"nothing more is sent: {stop}"
        return s
    for m in full.messages:
        for touch in m.touches:
            if touch.invoice_id == invoice_id and touch.playbook == playbook and touch.step == step.id:
                others = len(m.touches) - 1
                s.state = "due"
                s.detail = (("retrying a failed send: " if row is not None else "")
                            + f"would be sent now by {m.channel} to {m.to}"
                            + (f", in one message with {others} other invoice(s)" if others else ""))
                return s
    for task in full.tasks:
        for touch in task.touches:
            if touch.invoice_id == invoice_id and touch.playbook == playbook and touch.step == step.id:
                s.state, s.detail = "due", f"a task for {task.assign} would be created now"
                return s
    for sk in full.skips:
        if sk.invoice_id == invoice_id and sk.playbook == playbook and sk.step == step.id:
            s.reason, s.detail, s.until = sk.reason, sk.detail, sk.until
            if sk.reason in ("superseded", "condition_false"):
                s.state = sk.reason
            elif sk.permanent:
                s.state = "skipped"
            elif sk.reason == "no_issue_date":
                s.state = "not_applicable"
            else:
                s.state = "waiting"
            return s
    for e in errors:
        if e.get("playbook") == playbook and e.get("step") == step.id:
            s.state, s.detail = "error", e.get("message")
            return s
    if row is not None:  # failed, and not retried in this run
        s.state, s.sent_at, s.detail = "failed", row.at, "the last attempt failed; it is retried when due"
    if t.due_at is not None and t.due_at > now:
        s.state = s.state or "waiting"
        s.reason, s.until = "not_due", t.due_at
        s.detail = s.detail or "not due yet"
        if step.channel not in ("task", "goto"):  # a message due at night or on a day off goes at the next working moment
            tz = probe.cal.zone(cust.timezone)
            s.until = probe.cal.next_allowed(t.due_at, tz) or t.due_at
            if s.until != t.due_at:
                s.detail = f"not due yet; due outside working hours in {tz.key}, so it goes at the next working moment"
    elif t.due_at is None:
        s.state = s.state or "waiting"
        s.reason = t.why
        s.detail = s.detail or (_waiting_on(t, probe, full, invoice_id, playbook) if t.why == "waiting_on"
                                else "only after a promise to pay is broken" if t.why == "no_promise"
                                else "the invoice has no issue date")
        if t.why == "no_issue_date":
            s.state = "not_applicable"
    else:
        s.state = s.state or "waiting"
    return s


def _waiting_on(t: StepTiming, probe: PlanSession, full: Plan, invoice_id: str, playbook: str) -> str:
    """Why a `previous`-anchored step is not due: the step before is not sent yet, or every step
    before it was superseded or skipped for good, so there is no sending to count from (never)."""
    pb = probe.by_name.get(playbook)
    earlier = pb.steps[:t.index] if pb is not None else []
    rows = probe.rows(invoice_id, playbook)
    skipped_now = {sk.step for sk in full.skips if sk.invoice_id == invoice_id and sk.playbook == playbook
                   and sk.permanent}
    if earlier and all((rows.get(st.id) is not None and rows[st.id].status in ("superseded", "skipped"))
                       or st.id in skipped_now for st in earlier):
        return ("never comes due: it counts from the step before it, and every step before it was superseded or "
                "skipped, none sent (anchor it on `due` to send it anyway)")
    return "waits until the step before it is sent"


def hold_end(inp: PlanInput, invoice_id: str, customer_id: str) -> datetime | None:
    """When the hold that stops this invoice ends by itself (None: it does not, or none stops it)."""
    if invoice_id in inp.held_invoices:
        return inp.held_invoices_until.get(invoice_id)
    if customer_id in inp.held_customers:
        return inp.held_customers_until.get(customer_id)
    return None


def _next(inp: PlanInput, renderer: Any, ex: Explanation, stop: str | None) -> NextEvent:
    end = hold_end(inp, ex.invoice_id, ex.customer_id) if stop else None
    if stop and end is None:
        return NextEvent(None, f"nothing: the invoice is stopped ({stop})")
    if end is not None:  # held for now: what follows once the hold ends
        found = _first_in_timeline(inp, renderer, ex)
        until = f"held ({stop}) until {end.astimezone(inp.now.tzinfo):%Y-%m-%d %H:%M}"
        if found is None:
            return NextEvent(end, f"{until}; then nothing within {NEXT_HORIZON_DAYS} days if nobody pays")
        return NextEvent(found.at, f"{until}; then {found.what}", found.step, found.channel)
    for s in ex.steps:
        if s.state == "due":
            return NextEvent(inp.now, f"step {s.step!r} goes out in this run ({s.detail})", s.step, s.channel)
    if all(s.state in ("sent", "task", "superseded", "skipped", "condition_false", "uncertain") for s in ex.steps):
        return NextEvent(None, "nothing: every step of the playbook is done")
    found = _first_in_timeline(inp, renderer, ex)
    return found or NextEvent(None, f"nothing within {NEXT_HORIZON_DAYS} days if nobody pays")


def _first_in_timeline(inp: PlanInput, renderer: Any, ex: Explanation) -> NextEvent | None:
    """The first message or task of this invoice in the simulated runs ahead (the customer's
    invoices only: the rest of the book cannot change them)."""
    mine = [i for i in inp.invoices if i.customer_id == ex.customer_id]
    ids = {i.invoice_id for i in mine}
    small = PlanInput(
        now=inp.now, config=inp.config, invoices=mine, customers=inp.customers, balances=inp.balances,
        touches={k: v for k, v in inp.touches.items() if k in ids},
        recent_messages=[m for m in inp.recent_messages if m.customer_id == ex.customer_id],
        held_invoices=inp.held_invoices, held_customers=inp.held_customers, suppressed=inp.suppressed,
        suppressed_addresses=inp.suppressed_addresses, held_invoices_until=inp.held_invoices_until,
        held_customers_until=inp.held_customers_until,
    )
    for p in timeline(small, renderer, NEXT_HORIZON_DAYS):
        for m in p.messages:
            for t in m.touches:
                if t.invoice_id == ex.invoice_id:
                    return NextEvent(p.now, f"step {t.step!r} by {m.channel} to {m.to}", t.step, m.channel)
        for task in p.tasks:
            for t in task.touches:
                if t.invoice_id == ex.invoice_id:
                    return NextEvent(p.now, f"step {t.step!r}: a task for {task.assign}", t.step, "task")
    return None
