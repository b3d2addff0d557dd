"""`preview --days N`: the runs of the next N days, assuming nobody pays.

A cron job is simulated at `inp.now` and then at the start of working hours of every day, in
the business time zone and in each recipient time zone found in the book (so a customer in
another zone is caught in their morning). An event's sequence whose step counts minutes or
hours from the event (`event+15m`) is also planned at that moment — that sequence alone, so
the rest of the book looks the same with or without events. After each simulated run its
outcome is written into a copy of the input, as `run` would record it: messages and tasks as
sent, permanent skips as superseded/skipped, and sent messages feed the daily cap. The input
itself is never changed.
"""

from __future__ import annotations

import heapq
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..config import by_event
from ..models import Invoice
from .calendar import UTC, calendar_for
from .expressions import names_in
from .planner import PlanMemo, PlanSession, gc_paused, plan, reads_aggregates
from .schedule import step_delta
from .types import Plan, PlanInput, SentMessage, TouchRecord


def timeline(inp: PlanInput, renderer: Any, days: int) -> list[Plan]:
    """Plans of the simulated runs from inp.now to inp.now + `days` that have anything in them
    (a message, a task or a permanent skip).

    To stay cheap on a big book, a simulated run only looks at the invoices that can have
    something to do by then: each invoice's next due moment is computed once, and again only
    after a run touched it. (When a playbook's `match` reads more than the customer, the
    choice of playbook may change with time, so every invoice is looked at in every run.)"""
    with gc_paused():
        return _simulate(inp, renderer, days)


def _simulate(inp: PlanInput, renderer: Any, days: int) -> list[Plan]:
    memo = PlanMemo(inp, renderer)
    touches = {k: list(v) for k, v in inp.touches.items()}
    recent = list(inp.recent_messages)
    volatile = any(pb.match and (not names_in(pb.match) <= {"customer", "business"} or reads_aggregates(pb.match))
                   for pb in inp.config.playbooks)
    by_id = {i.invoice_id: i for i in inp.invoices}
    wake: dict[str, datetime | None] = {}  # invoice -> its next due moment (None: nothing will come due)
    sleeping: list[tuple[datetime, str]] = []  # heap of (wake, invoice) not yet awake; stale entries ignored
    awake: set[str] = set()  # invoices with something due: planned in every run until they settle
    out: list[Plan] = []
    # holds that end by themselves (a pause until a day, a promise and its grace), soonest first
    lapses = sorted([(end, "invoice", key) for key, end in inp.held_invoices_until.items()]
                    + [(end, "customer", key) for key, end in inp.held_customers_until.items()])
    held_invoices, held_customers = inp.held_invoices, inp.held_customers
    daily = run_moments(inp, days)
    events = event_moments(inp, days)
    daily_set = set(daily)
    for n, moment in enumerate(m.astimezone(inp.now.tzinfo) for m in sorted(daily_set | events.keys())):
        freed: set[str] = set()
        while lapses and lapses[0][0] <= moment:  # the hold ended: the chase resumes from here
            _, kind, key = lapses.pop(0)
            if kind == "invoice":
                held_invoices = {k: v for k, v in held_invoices.items() if k != key}
                freed.add(key)
            else:
                held_customers = {k: v for k, v in held_customers.items() if k != key}
                freed.update(i.invoice_id for i in inp.invoices if i.customer_id == key)
        awake |= freed & by_id.keys()
        if n > 0 and moment not in daily_set:  # an event's step: this run plans that event's sequences alone
            active = [by_id[iid] for iid in sorted(events[moment])]
        elif n == 0 or volatile:
            active = inp.invoices
        else:
            while sleeping and sleeping[0][0] <= moment:
                w, iid = heapq.heappop(sleeping)
                if wake.get(iid) == w:
                    awake.add(iid)
            active = [by_id[iid] for iid in awake]
        step_input = replace(inp, now=moment, invoices=active, touches=touches, recent_messages=recent,
                             held_invoices=held_invoices, held_customers=held_customers)
        p = plan(step_input, renderer, memo=memo)
        record(p, touches, recent)
        if p.messages or p.tasks or any(s.permanent for s in p.skips):
            out.append(p)
        if not volatile:
            probe = PlanSession(step_input, renderer, memo)
            changed = active if n == 0 else [by_id[iid] for iid in _recorded(p) | (freed & by_id.keys())]
            for inv in changed:
                iid = inv.invoice_id
                w = wake[iid] = next_due(probe, inv)
                if w is not None and w <= moment:
                    awake.add(iid)
                else:
                    awake.discard(iid)
                    if w is not None:
                        heapq.heappush(sleeping, (w, iid))
        # keep only what the daily cap can still see (the last two days)
        horizon = moment - timedelta(days=2)
        recent[:] = [m for m in recent if m.at >= horizon]
    return out


def next_due(session: PlanSession, inv: Invoice) -> datetime | None:
    """The earliest due moment among the invoice's steps not yet done (None: nothing will come due)."""
    if session.stop_reason(inv):
        return None
    cust = session.customer(inv)
    pb = session.playbook_for(inv, cust)
    if pb is None:
        return None
    moments = [t.due_at for t in session.timings(inv, cust, pb) if t.due_at is not None]
    return min(moments) if moments else None


def _recorded(p: Plan) -> set[str]:
    """Invoices whose ledger the run changed (their next due moment may have moved)."""
    ids = {t.invoice_id for m in p.messages for t in m.touches}
    ids.update(t.invoice_id for task in p.tasks for t in task.touches)
    ids.update(s.invoice_id for s in p.skips if s.permanent)
    return ids


def run_moments(inp: PlanInput, days: int) -> list[datetime]:
    """inp.now, then each day's working-hours start in the business zone (every day: tasks are
    not delayed) and, on working days, in every other recipient zone of the book."""
    cal = calendar_for(inp.config.business)
    zones = {cal.business_tz.key: cal.business_tz}
    for cid in {i.customer_id for i in inp.invoices}:
        cust = inp.customers.get(cid)
        if cust is not None and cust.timezone:
            z = cal.zone(cust.timezone)
            zones[z.key] = z
    start = inp.now.astimezone(UTC)
    end = start + timedelta(days=max(days, 0))
    moments = {start}
    # Zones differ from the business zone by up to 26 hours (UTC-12 to UTC+14), so another zone's
    # date can be two days off the business date: look two days beyond each end of the window.
    first = start.astimezone(cal.business_tz).date() - timedelta(days=2)
    for n in range(max(days, 0) + 5):
        d = first + timedelta(days=n)
        for z in zones.values():
            if z.key != cal.business_tz.key and not cal.is_working_day(d):
                continue  # another zone's morning matters only when messages may go out there
            m = cal.day_start(d, z)
            if start < m <= end:
                moments.add(m)
    return [m.astimezone(inp.now.tzinfo) for m in sorted(moments)]


def event_moments(inp: PlanInput, days: int) -> dict[datetime, set[str]]:
    """The moments after inp.now (within `days`) when a step of an event's sequence counted in
    minutes or hours (`event+15m`) comes due, each with those sequences: a cron every few minutes
    sends such a step at its moment, so the simulation runs then too — for those sequences only."""
    start = inp.now.astimezone(UTC)
    end = start + timedelta(days=max(days, 0))
    starts = by_event(inp.config.playbooks)
    out: dict[datetime, set[str]] = {}
    for inv in inp.invoices:
        if inv.trigger is None or inv.event_at is None:
            continue
        for pb in starts.get(inv.trigger, ()):
            for step in pb.steps:
                if step.at.anchor == "event" and step.at.unit in ("m", "h"):
                    m = inv.event_at + step_delta(step.at.offset, step.at.unit)
                    if start < m <= end:
                        out.setdefault(m.astimezone(UTC), set()).add(inv.invoice_id)
    return out


def record(p: Plan, touches: dict[str, list[TouchRecord]], recent: list[SentMessage]) -> None:
    """Write a simulated run's outcome into the (copied) ledger, the way `run` records it."""
    at = p.now
    for m in p.messages:
        recent.append(SentMessage(m.customer_id, m.channel, at))
        for t in m.touches:
            touches.setdefault(t.invoice_id, []).append(
                TouchRecord(t.invoice_id, t.playbook, t.step, t.channel, "sent", at))
    for task in p.tasks:
        for t in task.touches:
            touches.setdefault(t.invoice_id, []).append(
                TouchRecord(t.invoice_id, t.playbook, t.step, t.channel, "task", at))
    for s in p.skips:
        if s.permanent:
            touches.setdefault(s.invoice_id, []).append(
                TouchRecord(s.invoice_id, s.playbook, s.step, s.channel or "", s.status, at, reason=s.recorded_reason))
