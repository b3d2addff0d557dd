"""The planner: what a run at `inp.now` would do (SPEC 3), as a pure function.

`plan(inp, renderer)` reads nothing but its arguments: no clock, no files, no database. The
pipeline builds `PlanInput` from the sources and the state file; `run` sends and records the
`Plan`, `preview` prints it. Identical input gives an identical (sorted) plan.

How one plan is made:

1. Per invoice (in invoice_id order): stop rules (status, balance, holds); the playbook
   (highest priority whose `match` holds; ties by order in collectbot.yaml); each step's due
   moment (`schedule.py`); among the steps due and never done, the latest one is the candidate
   and the earlier ones are superseded; a false `if` skips a step for good and lets the next
   earlier due step be the candidate; the candidate's channel is resolved (address, opt-outs,
   `fallback:`).
2. Message touches are merged per (customer, channel, address) into one message. Each message
   then passes polite hours (recipient's zone), the per-customer daily cap and the per-run
   safety cap, most overdue first, and only the ones that pass are rendered.
3. Task touches become tasks (one per customer and step): never delayed, never capped.

A broken condition or template affects only its invoice or message: it lands in `plan.errors`
and the rest of the plan goes on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..config import Playbook, Step, by_event
from ..currencies import totals_of
from ..gcpause import gc_paused
from ..models import STOP_STATUSES, Customer, Invoice
from .calendar import UTC, WorkCalendar, calendar_for
from .expressions import memo_key, names_in, text_reads
from .lazy import LazyContext
from .schedule import DONE_STATUSES, SETTLED_UNSENT, Scheduler, StepTiming
from .types import Plan, PlanInput, PlannedMessage, PlannedTask, PlannedTouch, Skip, TouchRecord

_NO_ROWS: dict[str, TouchRecord] = {}
# Suppression reasons meaning "this address does not work" rather than "do not contact me".
_DEAD_ADDRESS = frozenset({"bounced", "bounce", "invalid", "dropped", "undeliverable"})
_CUSTOMER_NAMES = frozenset({"customer", "business"})
# The customer as a whole (SPEC 9), computed from the book as of the session's day: a condition
# that reads one depends on time and balances, so it is never memoised across sessions.
AGGREGATES = ("open_total", "overdue_total", "open_invoices", "oldest_days_overdue", "avg_days_late",
              "on_time_ratio", "last_payment_date", "score")


def reads_aggregates(text: str | None) -> bool:
    return bool(text) and any(name in text for name in AGGREGATES)
_MOST_OVERDUE = attrgetter("invoice.due_date", "invoice.invoice_id")  # a candidate's place in its message or task


@dataclass(slots=True)
class Candidate:
    """A step chosen for an invoice in this run, with the channel and address it will use."""

    invoice: Invoice
    customer: Customer
    playbook: Playbook
    timing: StepTiming
    channel: str
    to: str | None = None
    template: str | None = None  # a `choose:` branch's template, else the step's

    def touch(self) -> PlannedTouch:
        return PlannedTouch(self.invoice.invoice_id, self.playbook.name, self.timing.step.id, self.channel,
                            self.timing.due_at)  # type: ignore[arg-type]


@dataclass(slots=True)
class DueSteps:
    """The steps of a playbook that are due (latest first) and that cannot be dated, for an
    invoice. Invoices without ledger rows and with the same dates and zone share one (never
    modified).

    When the latest due step has no `if`, what happens is the same for each such invoice: that
    step (`lead`) is the candidate and the earlier ones (`superseded`: (step id, channel), with
    the skip `detail`) are superseded by it. Otherwise `lead` is None and `pick` decides."""

    due: list[StepTiming]
    undated: list[StepTiming]
    lead: StepTiming | None = None
    superseded: tuple[tuple[str, str], ...] = ()
    detail: str = ""

    @classmethod
    def of(cls, due: list[StepTiming], undated: list[StepTiming], detail_of: Callable[[Step], str]) -> DueSteps:
        if not due or due[0].step.condition:
            return cls(due, undated)
        lead = due[0]
        return cls(due, undated, lead, tuple((t.step.id, t.step.channel) for t in due[1:]), detail_of(lead.step))


def plan(inp: PlanInput, renderer: Any, *, memo: PlanMemo | None = None) -> Plan:
    """What a run at `inp.now` would do. `memo` lets a caller planning many moments over the
    same book (the timeline) reuse what does not depend on the moment."""
    with gc_paused():
        return PlanSession(inp, renderer, memo).run()


class PlanMemo:
    """What stays true between plans of one book at different moments: due moments per
    (step, date, zone), customer views, customer-level `match` results, and expression and
    task-text results keyed by exactly the values they read. Valid for one (config, renderer,
    customers)."""

    def __init__(self, inp: PlanInput, renderer: Any):
        self.of = (inp.config, renderer, inp.customers)  # held, so identity checks stay meaningful
        self.whole_customer = mentions_aggregates(inp.config)  # customer views carry the aggregates
        self.cal: WorkCalendar = calendar_for(inp.config.business)
        self.scheduler = Scheduler(self.cal, inp.promises)
        self.customer_views: dict[str, dict] = {}
        self.customer_matches: dict[tuple[str, str], bool | str] = {}
        self.expressions: dict[tuple, bool] = {}
        self.texts: dict[tuple, str] = {}
        self.choices: dict[tuple, Playbook | None] = {}  # see PlanSession.choice_fields

    def fits(self, inp: PlanInput, renderer: Any) -> bool:
        config, rend, customers = self.of
        return config is inp.config and rend is renderer and customers is inp.customers


def variant_of(step: Step, playbook: str, customer_id: str) -> tuple[str, str, int, str | None] | None:
    """The arm of `step.variants` this customer gets: stable (a hash of customer, playbook and
    step, not of the run), in proportion to the weights."""
    if not step.variants:
        return None
    import hashlib

    total = sum(arm[2] for arm in step.variants)
    point = int.from_bytes(hashlib.sha256(f"{customer_id}|{playbook}|{step.id}".encode()).digest()[:8], "big") % total
    for arm in step.variants:
        point -= arm[2]
        if point < 0:
            return arm
    return step.variants[-1]


def copies(to: str, extras: list[dict]) -> list[str]:
    """The addresses of `cc` columns (customers file or invoices; `;` or `,` between them), each
    once, in the order met, never the `to` address."""
    seen = {to.strip().lower()}
    out = []
    for extra in extras:
        for value in (extra.get("cc"), extra.get("CC"), extra.get("Cc")) if extra else ():
            if not value:
                continue
            for address in str(value).replace(";", ",").split(","):
                address = address.strip()
                if "@" in address and address.lower() not in seen:
                    seen.add(address.lower())
                    out.append(address)
    return out


class PlanSession:
    """One planning pass: the input, the renderer and every memo (views, contexts, matches)."""

    def __init__(self, inp: PlanInput, renderer: Any, memo: PlanMemo | None = None):
        self.inp = inp
        self.r = renderer
        self.config = inp.config
        if memo is None or not memo.fits(inp, renderer):
            memo = PlanMemo(inp, renderer)
        self.memo = memo
        self.cal: WorkCalendar = memo.cal
        self.sched: Scheduler = memo.scheduler
        self.now: datetime = inp.now.astimezone(UTC)
        self.today: date = inp.now.astimezone(self.cal.business_tz).date()
        self.by_name = {pb.name: pb for pb in inp.config.playbooks}
        self.by_event = by_event(inp.config.playbooks)  # event -> its `trigger:` playbooks, first first
        # the playbooks an invoice may match; a `trigger:` playbook takes only its events' sequences
        self.playbooks = sorted((pb for pb in inp.config.playbooks if not pb.trigger),
                                key=lambda p: (-p.priority, p.order))
        # invoice -> the playbook a `goto:` moved it to, and when (none without `goto:` steps)
        self.jumps: dict[str, tuple[Playbook, datetime]] = self.jumps_of(inp.touches)
        self._hops: dict[str, set[str]] = {}  # invoice -> the playbooks this pass planned it in (jumps)
        self.by_customer = {pb.name: bool(pb.match) and names_in(pb.match) <= _CUSTOMER_NAMES
                            and not reads_aggregates(pb.match) for pb in inp.config.playbooks}
        self._aggregates: dict[str, dict[str, Any]] | None = None  # customer -> the customer as a whole
        self._whole_views: dict[str, dict] = {}  # customer views with the aggregates, this session only
        self._chosen: dict[str, Playbook | None] | None = (
            {} if all(self.by_customer[pb.name] or not pb.match for pb in self.playbooks) else None)
        self._choice_fields = self.choice_fields()
        self._choice_values = attrgetter(*self._choice_fields) if self._choice_fields else None
        self._choices = memo.choices
        self.plan = Plan(now=inp.now)
        self.candidates: list[Candidate] = []
        self.task_candidates: list[Candidate] = []
        self._customers: dict[str, Customer] = {}
        self._customer_views = memo.customer_views
        self._invoice_views: dict[str, dict] = {}
        self._contexts: dict[str, dict] = {}
        self._matches = memo.customer_matches
        self._due_memo: dict[tuple, DueSteps] = {}
        self._expr_memo = memo.expressions
        self._text_memo = memo.texts
        self._plain_texts: dict[str, bool] = {}  # text -> the renderer fills it without Jinja
        self._simple_exprs: dict[str, bool] = {}  # expression -> the renderer compares without Jinja
        self._superseded_by: dict[str, str] = {}  # step id -> the detail of the skips it supersedes
        self._business = getattr(renderer, "business_view", None) or {
            "name": inp.config.business.name, "currency": inp.config.business.currency,
            "locale": inp.config.business.locale, "timezone": inp.config.business.timezone,
        }

    # ------------------------------------------------------------------ the pass

    def run(self) -> Plan:
        self.plan_invoices(sorted(self.inp.invoices, key=attrgetter("invoice_id")))
        self.plan_messages()
        self.plan_tasks()
        p = self.plan
        p.skips.sort(key=attrgetter("invoice_id", "playbook", "step"))
        # `stopped` and `playbook_of` are filled in invoice id order above: sorted already
        return p

    def plan_invoices(self, invoices: list[Invoice]) -> None:
        """Plan each invoice: stop rules, playbook, then its steps. This loop runs once per
        invoice of the book (100k), and most invoices stop at a lookup (settled, held) or take
        the shared `DueSteps` of their dates, so the first rules are inlined. Same decisions as
        the plain reference in tests/test_engine_fastpath.py, which runs books through both."""
        customers = self.inp.customers
        balances = self.inp.balances
        held_invoices, held_customers = self.inp.held_invoices, self.inp.held_customers
        stopped, playbook_of = self.plan.stopped, self.plan.playbook_of
        chosen = self._chosen
        for inv in invoices:
            iid = inv.invoice_id
            cust = customers.get(inv.customer_id)
            if cust is None:
                cust = self.customer(inv)
            # stop_reason, inlined for the usual "nothing stops it" answer
            b = balances.get(iid)
            if (inv.status in STOP_STATUSES or (inv.balance if b is None else b) <= 0
                    or iid in held_invoices or inv.customer_id in held_customers):
                stop = self.stop_reason(inv)
                if stop:
                    stopped[iid] = stop
                    continue
            # choose_playbook: usually one answer per customer
            if inv.trigger is not None:
                pb = self.triggered(inv, cust)
            elif chosen is not None and cust.customer_id in chosen:
                pb = chosen[cust.customer_id]
            else:
                pb = self.choose_playbook(inv, cust)
            if self.jumps and iid in self.jumps:
                pb = self.jumps[iid][0]
            if pb is None:
                continue
            playbook_of[iid] = pb.name
            self.plan_steps(inv, cust, pb)

    def jumps_of(self, touches: dict[str, list[TouchRecord]]) -> dict[str, tuple[Playbook, datetime]]:
        """Where each invoice's `goto:` jumps (ledger rows `jumped`) took it: the chain is followed
        from the playbook it started in, so A -> B -> C recorded in one run ends in C."""
        gotos = {(pb.name, s.id): s.goto for pb in self.playbooks for s in pb.steps if s.goto}
        if not gotos:  # no `goto:` left in the playbooks: every invoice is back in the playbook it matches
            return {}
        out: dict[str, tuple[Playbook, datetime]] = {}
        for iid, records in touches.items():
            # the ledger keeps where the jump went ("moved to playbook X"): an edited `goto:` does not undo it
            moves = {r.playbook: (_jump_target(r.reason) or gotos.get((r.playbook, r.step)), r.at)
                     for r in records if r.status == "jumped"}
            if not moves:
                continue
            targets = {t for t, _ in moves.values()}
            cur = min((p for p in moves if p not in targets), key=lambda p: moves[p][1], default=None)
            seen, at = {cur}, None
            while cur in moves:
                target, when = moves[cur]
                if target not in self.by_name or target in seen:
                    break
                cur, at = target, when
                seen.add(cur)
            if at is not None:
                out[iid] = (self.by_name[cur], at)  # type: ignore[index]
        return out

    def playbook_for(self, inv: Invoice, cust: Customer) -> Playbook | None:
        """The playbook the invoice is in: where a `goto:` moved it, else the first that matches."""
        if inv.trigger is not None:
            return self.triggered(inv, cust)
        jump = self.jumps.get(inv.invoice_id) if self.jumps else None
        return jump[0] if jump is not None else self.choose_playbook(inv, cust)

    def triggered(self, inv: Invoice, cust: Customer) -> Playbook | None:
        """The playbook of an event's sequence: the first (by priority, then order) of the
        playbooks with `trigger:` on that event whose `match` (if any) holds."""
        for pb in self.by_event.get(inv.trigger or "", ()):
            if not pb.match or self.matches(pb, inv, cust) is True:
                return pb
        return None

    def start_of(self, iid: str, pb: Playbook) -> datetime | None:
        """When a `goto:` moved the invoice into `pb` (its first `previous` counts from it), or None."""
        jump = self.jumps.get(iid) if self.jumps else None
        return jump[1] if jump is not None and jump[0] is pb else None

    def plan_steps(self, inv: Invoice, cust: Customer, pb: Playbook) -> None:
        """The invoice's steps under `pb`: undated ones are skipped, the due ones go to `pick`."""
        ds = self.due_steps(inv, cust, pb)
        for t in ds.undated:
            self.skip(inv, pb, t.step, "no_issue_date", detail="the invoice has no issue date")
        if ds.lead is not None:
            self.take_lead(inv, cust, pb, ds)
        elif ds.due:
            self.pick(inv, cust, pb, ds.due)

    def due_steps(self, inv: Invoice, cust: Customer, pb: Playbook) -> DueSteps:
        """The invoice's steps due now and never done (latest due first), and those without an
        issue date to anchor on.

        An invoice without ledger rows for the playbook has the same answer as every other such
        invoice with the same dates and zone, so that answer is computed once (most of a big book)."""
        rows = self.rows(inv.invoice_id, pb.name)
        tz = self.cal.zone(cust.timezone)
        key = None
        start = self.start_of(inv.invoice_id, pb)
        if rows is _NO_ROWS and start is None and inv.event_at is None:
            promises = self.inp.promises
            key = (pb.name, inv.due_date, inv.issue_date, tz.key, promises.get(inv.invoice_id) if promises else None)
            got = self._due_memo.get(key)
            if got is not None:
                return got
        now = self.now
        due: list[StepTiming] = []
        undated: list[StepTiming] = []
        for t in self.sched.timings(pb, inv, rows, tz, start):
            if t.due_at is not None:
                if t.due_at <= now:
                    due.append(t)
            elif t.why == "no_issue_date":
                undated.append(t)
        due.sort(key=lambda t: (t.due_at, t.index), reverse=True)
        got = DueSteps.of(due, undated, self.superseded_detail)
        if key is not None:
            self._due_memo[key] = got
        return got

    def superseded_detail(self, step: Step) -> str:
        """The detail of the skips that `step` supersedes (one string per step, shared)."""
        detail = self._superseded_by.get(step.id)
        if detail is None:
            detail = self._superseded_by[step.id] = f"superseded by step {step.id!r}"
        return detail

    def take_lead(self, inv: Invoice, cust: Customer, pb: Playbook, ds: DueSteps) -> None:
        """`pick` when the latest due step has no `if`: it is the candidate, whatever the
        invoice, and every earlier due step is superseded by it (no condition to evaluate)."""
        iid, name, detail = inv.invoice_id, pb.name, ds.detail
        append = self.plan.skips.append
        for step_id, channel in ds.superseded:
            append(Skip(iid, name, step_id, "superseded", channel, None, detail))
        self.candidate(inv, cust, pb, ds.lead)  # type: ignore[arg-type]

    def pick(self, inv: Invoice, cust: Customer, pb: Playbook, due: list[StepTiming]) -> None:
        """Catch-up: the latest due step whose `if` holds is the candidate; earlier ones are superseded.
        `due` is sorted latest first (and may be shared between invoices: never modified)."""
        chosen: StepTiming | None = None
        superseded_by = ""  # the detail of the skips of earlier steps, once a step is chosen
        for t in due:
            step = t.step
            if chosen is not None:
                self.plan.skips.append(Skip(inv.invoice_id, pb.name, step.id, "superseded", step.channel, None,
                                            superseded_by))
                continue
            if step.condition:
                ok = self.condition(step.condition, inv, cust, pb, step)
                if ok is None:
                    return  # the error is recorded; decide nothing else for this invoice now
                if not ok:
                    self.skip(inv, pb, step, "condition_false", channel=step.channel,
                              detail=f"if: {step.condition}")
                    continue
            chosen = t
            superseded_by = self.superseded_detail(step)
        if chosen is not None:
            self.candidate(inv, cust, pb, chosen)

    def candidate(self, inv: Invoice, cust: Customer, pb: Playbook, chosen: StepTiming) -> None:
        """The chosen step goes to the tasks, or to the messages on the channel it can reach."""
        step = chosen.step
        if step.channel == "task":
            self.task_candidates.append(Candidate(inv, cust, pb, chosen, "task"))
            return
        if step.goto:
            self.jump(inv, cust, pb, step)
            return
        arm = variant_of(step, pb.name, cust.customer_id)
        if arm is not None and arm[3] and arm[3] != step.channel:  # this customer's arm uses another channel
            step = replace(step, channel=arm[3])
        template = None
        if step.choose:
            branch = self.branch(inv, cust, pb, step)
            if branch is None:
                return
            step, template = replace(step, channel=branch[1], fallback=None), branch[2]
        channel, to, why = self.route(inv, cust, step)
        if channel is None:
            self.skip(inv, pb, step, why[0], channel=step.channel, detail=why[1])
            return
        self.candidates.append(Candidate(inv, cust, pb, chosen, channel, to, template))

    def jump(self, inv: Invoice, cust: Customer, pb: Playbook, step: Step) -> None:
        """`goto:` — the invoice moves to another playbook now (a `jumped` row in the ledger), and
        that playbook's steps are planned at once, its first `previous` counting from this moment."""
        iid = inv.invoice_id
        self.plan.skips.append(Skip(iid, pb.name, step.id, "jumped", "goto", None, f"moved to playbook {step.goto}"))
        target = self.by_name.get(step.goto or "")
        hops = self._hops.setdefault(iid, {pb.name})
        if target is None or target.name in hops:
            return  # `check` refuses unknown targets and loops; never plan a playbook twice in a pass
        hops.add(target.name)
        self.jumps[iid] = (target, self.now)
        self.plan.playbook_of[iid] = target.name
        self.plan_steps(inv, cust, target)

    def branch(self, inv: Invoice, cust: Customer, pb: Playbook, step: Step) -> tuple[str | None, str, str] | None:
        """The first `choose:` branch whose `if` holds, with `previous.status` the provider's delivery
        status of the last message (sent, delivered, read, failed, opened…); None: none holds."""
        context = dict(self.context(inv, cust))
        previous = context.get("previous")
        if previous:
            context["previous"] = {**previous, "status": previous.get("delivery_status") or previous.get("status")}
        for branch in step.choose:
            if branch[0] is None:
                return branch
            try:
                if self.r.condition(branch[0], context):
                    return branch
            except Exception as exc:  # noqa: BLE001 - recorded like any condition's error
                self.error(inv, pb, step, exc)
                return None
        self.skip(inv, pb, step, "condition_false", channel=step.channel, detail="no `choose:` branch holds")
        return None

    # ------------------------------------------------------------------ messages

    def plan_messages(self) -> None:
        """Merge per (customer, channel, address); then polite hours, daily cap, run cap; render."""
        groups: dict[tuple[str, str, str], list[Candidate]] = defaultdict(list)
        for c in self.candidates:
            # an event's sequence is a message of its own, never merged with the invoices' reminders
            seq = c.invoice.invoice_id if c.invoice.trigger else ""
            groups[(c.customer.customer_id, c.channel, c.to or "", seq)].append(c)
        for members in groups.values():
            if len(members) > 1:  # most messages cover one invoice
                members.sort(key=_MOST_OVERDUE)
        # most overdue first: a group's first member has its earliest due date
        ordered = sorted(groups.items(), key=lambda kv: (kv[1][0].invoice.due_date, kv[0]))
        limits = self.config.limits
        sent_today = self.sent_today()
        cap = limits.max_messages_per_run
        if self.inp.max_messages is not None:
            cap = min(cap, self.inp.max_messages)
        blocked_memo: dict[str, Any] = {}
        sent = 0
        for (cid, channel, to, _seq), members in ordered:
            tz = self.cal.zone(members[0].customer.timezone)
            if tz.key not in blocked_memo:
                blocked_memo[tz.key] = self.cal.blocked(self.now, tz)
            blocked = blocked_memo[tz.key]
            if blocked is not None:
                reason, until = blocked
                where = f"in {tz.key}" if tz.key != self.cal.business_tz.key else "in the business time zone"
                what = "a holiday" if reason == "holiday" else "outside working hours"
                self.skip_all(members, reason, until, f"{what} {where}")
                continue
            key = (cid, channel)
            if sent_today.get(key, 0) >= limits.per_customer_per_day:
                local_day = self.now.astimezone(tz).date()
                self.skip_all(members, "daily_cap", self.cal.next_day_start(local_day, tz),
                              f"{limits.per_customer_per_day} {channel} message(s) a day per customer")
                continue
            if sent >= cap:
                self.skip_all(members, "cap", None, f"the run's message cap ({cap}) is reached")
                self.plan.capped += 1
                continue
            message = self.render_message(cid, channel, to, members)
            if message is None:
                continue
            self.plan.messages.append(message)
            sent_today[key] = sent_today.get(key, 0) + 1
            sent += 1

    def render_message(self, cid: str, channel: str, to: str, members: list[Candidate]) -> PlannedMessage | None:
        """One message for all `members` (one customer, one channel, one address).

        It is rendered with the template of the touch whose step came due last (the most
        advanced step of the sequence speaks for the whole message); `invoices` lists every
        invoice covered, most overdue first, and `invoice` is that touch's invoice."""
        lead = max(members, key=lambda c: (c.timing.due_at, c.timing.index, c.invoice.invoice_id))
        try:
            context = dict(self.context(lead.invoice, lead.customer))
            context["invoices"] = [self.invoice_view(c.invoice, c.customer) for c in members]
            context["totals"] = totals_of(context["invoices"])
            arm = variant_of(lead.timing.step, lead.playbook.name, cid)
            rendered = self.r.message(arm[1] if arm else (lead.template or lead.timing.step.template), channel, context)
        except Exception as exc:  # noqa: BLE001 - a RenderError or a data problem: this message only
            for c in members:
                self.error(c.invoice, c.playbook, c.timing.step, exc)
            return None
        return PlannedMessage(
            customer_id=cid, channel=channel, to=to, touches=[c.touch() for c in members],
            scheduled_at=self.inp.now, body=rendered.body, subject=rendered.subject, html=rendered.html,
            whatsapp_content_sid=rendered.whatsapp_content_sid, content_variables=rendered.content_variables,
            cc=copies(to, [lead.customer.extra, *(c.invoice.extra for c in members)]) if channel == "email" else [],
            variant=arm[0] if arm else None,
        )

    def sent_today(self) -> dict[tuple[str, str], int]:
        """Messages already sent per (customer, channel) on today's date in the recipient's zone."""
        counts: dict[tuple[str, str], int] = {}
        local_today: dict[str, date] = {}
        for m in self.inp.recent_messages:
            cust = self.inp.customers.get(m.customer_id)
            tz = self.cal.zone(cust.timezone if cust else None)
            today = local_today.get(tz.key)
            if today is None:
                today = local_today[tz.key] = self.now.astimezone(tz).date()
            if m.at.astimezone(tz).date() == today and m.at <= self.inp.now:
                counts[(m.customer_id, m.channel)] = counts.get((m.customer_id, m.channel), 0) + 1
        return counts

    # ------------------------------------------------------------------ tasks

    def plan_tasks(self) -> None:
        """One task per (customer, playbook, step). Its `assign`/`note` are rendered with the
        context of its most overdue invoice (`invoices` = every invoice it covers); a text is
        rendered once per distinct set of values it reads (thousands of tasks share an owner)."""
        # grouped per customer, then per (playbook, step): sorting 16k customer ids is much
        # cheaper than sorting (customer, playbook, step) tuples, and gives the same order
        groups: dict[str, dict[tuple[str, str], list[Candidate]]] = {}
        for c in self.task_candidates:
            groups.setdefault(c.customer.customer_id, {}).setdefault((c.playbook.name, c.timing.step.id), []).append(c)
        balances = self.inp.balances
        for cid in sorted(groups):
            steps = groups[cid]
            for key in sorted(steps) if len(steps) > 1 else steps:
                self.plan_task(cid, steps[key], balances)

    def plan_task(self, cid: str, members: list[Candidate], balances: dict[str, Decimal]) -> None:
        """The task of one customer for one (playbook, step), covering `members`."""
        if len(members) > 1:  # most tasks cover one invoice
            members.sort(key=_MOST_OVERDUE)
        lead = members[0]
        step = lead.timing.step
        scope = self.task_scope(lead, members)
        try:
            assign = self.text(step.assign, scope) if step.assign else (lead.customer.owner or "owner")
            note = self.text(step.note, scope) if step.note else ""
        except Exception as exc:  # noqa: BLE001
            for c in members:
                self.error(c.invoice, c.playbook, step, exc)
            return
        amount = Decimal(0)
        for c in members:  # self.balance, inlined
            b = balances.get(c.invoice.invoice_id)
            amount += c.invoice.balance if b is None else b
        self.plan.tasks.append(PlannedTask(customer_id=cid, touches=[c.touch() for c in members],
                                           assign=assign, note=note, scheduled_at=self.inp.now, amount=amount))

    def task_scope(self, lead: Candidate, members: list[Candidate]) -> LazyContext:
        """A task's template context (its most overdue invoice's, with `invoices` = all it covers),
        built only as far as its texts read it."""
        return TaskScope(self, lead, members)

    def text(self, source: str, scope: LazyContext) -> str:
        """renderer.text, memoised on exactly the values the text reads (raises as it does).
        A plain text (`Call {{ customer.name }}: {{ invoices|length }} invoice(s)`) is filled
        directly: filling it costs less than its memo key, which is new for nearly every task."""
        plain = self._plain_texts.get(source)
        if plain is None:
            is_plain = getattr(self.r, "is_plain", None)
            plain = self._plain_texts[source] = bool(is_plain and is_plain(source))
        if plain:
            return self.r.text(source, scope.for_render(text_reads(source)))
        return _memoised(self._text_memo, memo_key(source, scope, text=True),
                         lambda: self.r.text(source, scope.for_render(text_reads(source))))

    # ------------------------------------------------------------------ rules

    def stop_reason(self, inv: Invoice) -> str | None:
        """Why nothing more goes to this invoice (SPEC 3 rule 1), or None."""
        if inv.stopped_by_status:
            return inv.status
        if self.balance(inv) <= 0:
            return "settled"
        held = self.inp.held_invoices.get(inv.invoice_id)
        if held:
            return held
        held = self.inp.held_customers.get(inv.customer_id)
        if held:
            return f"customer {held}"
        return None

    def choose_playbook(self, inv: Invoice, cust: Customer) -> Playbook | None:
        """The first playbook (by priority) whose `match` holds. When every `match` reads only
        the customer, the answer is the same for all of a customer's invoices: kept per customer
        (unless a `match` failed, whose error is recorded for each invoice). When every `match`
        is a comparison of a customer field, customers with the same values of those fields
        share one answer (`choice_fields`)."""
        if self._chosen is not None and cust.customer_id in self._chosen:
            return self._chosen[cust.customer_id]
        key = None
        if self._choice_values is not None:
            values = self._choice_values(cust)
            key = tuple([(type(v), v) for v in values]) if len(self._choice_fields) > 1 else (type(values), values)
            try:
                if key in self._choices:
                    chosen = self._chosen[cust.customer_id] = self._choices[key]  # type: ignore[index]
                    return chosen
            except TypeError:  # an unhashable value: decide the long way
                key = None
        chosen, clean = None, True
        for pb in self.playbooks:
            got = self.matches(pb, inv, cust)
            if got is True:
                chosen = pb
                break
            clean = clean and got is False
        if self._chosen is not None and clean:
            self._chosen[cust.customer_id] = chosen
            if key is not None:
                self._choices[key] = chosen
        return chosen

    def choice_fields(self) -> tuple[str, ...] | None:
        """The customer fields the playbook choice reads, when every `match` is absent or a simple
        comparison of one of the customer's own fields (`customer.tier == 'vip'`). The answer of
        such a comparison (the renderer's or Jinja's, or its error) depends on that field's value
        only, and the view holds the field as it is on the Customer. None otherwise."""
        reads = getattr(self.r, "simple_reads", None)
        own = getattr(self.r, "CUSTOMER_FIELDS", frozenset())
        if self._chosen is None or reads is None:
            return None
        fields: list[str] = []
        for pb in self.playbooks:
            if pb.match:
                got = reads(pb.match)
                if got is None or got[0] != "customer" or got[1] not in own:
                    return None
                fields.append(got[1])
        return tuple(dict.fromkeys(fields)) or None

    def matches(self, pb: Playbook, inv: Invoice, cust: Customer) -> bool | str:
        """True / False, or the error text when `match` cannot be evaluated (recorded in errors)."""
        if not pb.match:
            return True
        key = (pb.name, cust.customer_id) if self.by_customer[pb.name] else None
        if key is not None and key in self._matches:
            got = self._matches[key]
            if got is True or got is False:
                return got
        else:
            try:
                if key is not None:
                    ctx = {"customer": self.customer_view(cust), "business": self._business, "today": self.today}
                else:
                    ctx = self.context(inv, cust)
                got = self.evaluate(pb.match, ctx)
            except Exception as exc:  # noqa: BLE001
                got = _message(exc)
            if key is not None:
                self._matches[key] = got
        if got is not True and got is not False:
            self.plan.errors.append({"invoice_id": inv.invoice_id, "playbook": pb.name, "step": None,
                                     "message": f"match: {got}"})
        return got

    def condition(self, expr: str, inv: Invoice, cust: Customer, pb: Playbook, step: Step) -> bool | None:
        """A step's `if`; None (and an error recorded) when it cannot be evaluated."""
        try:
            return self.evaluate(expr, self.context(inv, cust))
        except Exception as exc:  # noqa: BLE001
            self.error(inv, pb, step, exc)
            return None

    def evaluate(self, expr: str, context: dict[str, Any]) -> bool:
        """renderer.condition, memoised on exactly the values the expression reads (raises as it does).
        A simple comparison (`invoice.balance >= 1000`) is evaluated directly: that costs less than
        its memo key, and balances are all different anyway."""
        simple = self._simple_exprs.get(expr)
        if simple is None:
            is_simple = getattr(self.r, "is_simple", None)
            simple = self._simple_exprs[expr] = bool(is_simple and is_simple(expr))
        if simple:
            return bool(self.r.condition(expr, context))
        return _memoised(self._expr_memo, memo_key(expr, context), lambda: bool(self.r.condition(expr, context)))

    def route(self, inv: Invoice, cust: Customer, step: Step) -> tuple[str | None, str | None, tuple[str, str]]:
        """(channel, address, _) for the step's channel, else its `fallback:`; else (None, None, (reason, detail))."""
        first: tuple[str, str] | None = None
        for channel in (step.channel, step.fallback):
            if not channel or channel == "task":
                continue
            to, why = self.reach(inv, cust, channel)
            if to is not None:
                return channel, to, ("", "")
            if first is None:
                first = why
        if step.fallback and step.fallback != step.channel and first is not None:
            first = (first[0], f"{first[1]}; fallback {step.fallback} not reachable either")
        return None, None, first or ("no_address", "no channel")

    def reach(self, inv: Invoice, cust: Customer, channel: str) -> tuple[str | None, tuple[str, str]]:
        """The address to use on `channel`, or (None, (reason, detail)) when it cannot be used."""
        cfg = self.config.channels.get(channel)
        if cfg is not None and not cfg.enabled:
            return None, ("no_address", f"the {channel} channel is disabled")
        to = address(inv, cust, channel)
        if not to:
            what = "email address" if channel == "email" else "phone number"
            return None, ("no_address", f"no {what} for {channel}")
        why = self.inp.suppressed.get((cust.customer_id, channel))
        if why is None:
            why = self.inp.suppressed_addresses.get((channel, to))
            if why is None and channel == "email":
                why = self.inp.suppressed_addresses.get((channel, to.lower()))
        if why is not None:
            reason = "no_address" if str(why).lower() in _DEAD_ADDRESS else "opted_out"
            return None, (reason, f"{channel} {to} suppressed: {why}")
        return to, ("", "")

    # ------------------------------------------------------------------ data and memos

    def customer(self, inv: Invoice) -> Customer:
        cust = self.inp.customers.get(inv.customer_id)
        if cust is None:
            cust = self._customers.get(inv.customer_id)
            if cust is None:
                cust = self._customers[inv.customer_id] = Customer(
                    inv.customer_id, name=inv.customer_name, email=inv.email, phone=inv.phone, whatsapp=inv.whatsapp)
        return cust

    def balance(self, inv: Invoice) -> Decimal:
        b = self.inp.balances.get(inv.invoice_id)
        return inv.balance if b is None else b

    def rows(self, iid: str, playbook: str) -> dict[str, TouchRecord]:
        """Ledger rows of (invoice, playbook) by step id; a done row wins over a failed one."""
        records = self.inp.touches.get(iid)
        if not records:
            return _NO_ROWS
        out: dict[str, TouchRecord] = {}
        for r in records:
            if r.playbook == playbook:
                old = out.get(r.step)
                if old is None or old.status not in DONE_STATUSES:
                    out[r.step] = r
        return out

    def timings(self, inv: Invoice, cust: Customer, pb: Playbook) -> list[StepTiming]:
        return self.sched.timings(pb, inv, self.rows(inv.invoice_id, pb.name), self.cal.zone(cust.timezone),
                                  self.start_of(inv.invoice_id, pb))

    def customer_view(self, cust: Customer) -> dict:
        v = self._customer_views.get(cust.customer_id)
        if v is None:
            v = self._customer_views[cust.customer_id] = self.r.customer_view(cust)
        if not self.memo.whole_customer:
            return v
        whole = self._whole_views.get(cust.customer_id)
        if whole is None:
            whole = self._whole_views[cust.customer_id] = type(v)(v)
            whole.update(self.aggregates().get(cust.customer_id) or EMPTY_AGGREGATES)
            history = self.inp.payment_history.get(cust.customer_id) or {}
            whole.update(avg_days_late=history.get("avg_days_late"), on_time_ratio=history.get("on_time_ratio"),
                         last_payment_date=history.get("last_payment_date"))
            whole["score"] = score(whole)
        return whole

    def aggregates(self) -> dict[str, dict[str, Any]]:
        """Per customer, over its open invoices in the business currency: `open_total`,
        `overdue_total` (past due on the session's day), `open_invoices`, `oldest_days_overdue`."""
        if self._aggregates is None:
            out: dict[str, dict[str, Any]] = {}
            currency = self.config.business.currency
            for inv in self.inp.invoices:
                balance = self.balance(inv)
                if (inv.status in STOP_STATUSES or balance <= 0 or (inv.currency or currency) != currency
                        or inv.trigger is not None):  # an event's sequence owes nothing beside its invoice
                    continue
                a = out.get(inv.customer_id)
                if a is None:
                    a = out[inv.customer_id] = dict(EMPTY_AGGREGATES)
                days = (self.today - inv.due_date).days
                a["open_total"] += balance
                a["open_invoices"] += 1
                if days > 0:
                    a["overdue_total"] += balance
                    a["oldest_days_overdue"] = max(a["oldest_days_overdue"], days)
            self._aggregates = out
        return self._aggregates

    def invoice_view(self, inv: Invoice, cust: Customer) -> dict:
        v = self._invoice_views.get(inv.invoice_id)
        if v is None:
            v = self._invoice_views[inv.invoice_id] = self.r.invoice_view(
                inv, self.balance(inv), today=self.today, customer=self.customer_view(cust))
        return v

    def context(self, inv: Invoice, cust: Customer) -> dict[str, Any]:
        """invoice, customer, today, previous, history, invoices (just this one), business."""
        c = self._contexts.get(inv.invoice_id)
        if c is None:
            iv = self.invoice_view(inv, cust)
            records = self.inp.touches.get(inv.invoice_id)
            history = history_of(records) if records else []  # most invoices have no ledger rows yet
            # `previous` is the last real touch: not a superseded/skipped record, nor a `goto:` jump
            touched = [h for h in history if h["status"] not in SETTLED_UNSENT and h["status"] != "jumped"]
            c = self._contexts[inv.invoice_id] = {
                "invoice": iv, "customer": self.customer_view(cust), "today": self.today,
                "previous": touched[-1] if touched else None, "history": history, "invoices": [iv],
                "business": self._business, "event": inv.extra.get("event") if inv.trigger else None,
            }
        return c

    # ------------------------------------------------------------------ recording

    def skip(self, inv: Invoice, pb: Playbook, step: Step, reason: str, *, channel: str | None = None,
             until: datetime | None = None, detail: str | None = None) -> None:
        self.plan.skips.append(Skip(inv.invoice_id, pb.name, step.id, reason, channel=channel or step.channel,
                                    until=until, detail=detail))

    def skip_all(self, members: list[Candidate], reason: str, until: datetime | None, detail: str) -> None:
        for c in members:
            self.skip(c.invoice, c.playbook, c.timing.step, reason, channel=c.channel, until=until, detail=detail)

    def error(self, inv: Invoice, pb: Playbook, step: Step | None, exc: BaseException) -> None:
        self.plan.errors.append({"invoice_id": inv.invoice_id, "playbook": pb.name,
                                 "step": step.id if step else None, "message": _message(exc)})


class TaskScope(LazyContext):
    """`LazyContext` of one task: `customer`, `today` and `business` at once; `invoice`,
    `previous`, `history` and `invoices` made from the session when first read. The makers are
    one shared table of functions of the scope (a planner makes one scope per task: 16k of them
    for a 100k book, and four closures each were most of the cost of a task)."""

    _makers: dict[str, Callable[[TaskScope], Any]] = {
        "invoice": lambda sc: sc.session.invoice_view(sc.lead.invoice, sc.lead.customer),
        "previous": lambda sc: sc.session.context(sc.lead.invoice, sc.lead.customer)["previous"],
        "history": lambda sc: sc.session.context(sc.lead.invoice, sc.lead.customer)["history"],
        "invoices": lambda sc: [sc.session.invoice_view(c.invoice, c.customer) for c in sc.members],
        "totals": lambda sc: totals_of(sc["invoices"]),
        "event": lambda sc: sc.lead.invoice.extra.get("event") if sc.lead.invoice.trigger else None,
    }

    def __init__(self, session: PlanSession, lead: Candidate, members: list[Candidate]):
        dict.__init__(self, customer=session.customer_view(lead.customer), today=session.today,
                      business=session._business)
        self.session, self.lead, self.members = session, lead, members
        self.lengths = {"invoices": len(members)}


def mentions_aggregates(config: Any) -> bool:
    """Whether any match, condition, task text or template reads the customer as a whole."""
    texts = [pb.match for pb in config.playbooks]
    texts += [t for pb in config.playbooks for s in pb.steps for t in (s.condition, s.assign, s.note)]
    if any(reads_aggregates(t) for t in texts):
        return True
    folder = Path(config.templates_dir)
    try:
        return folder.is_dir() and any(reads_aggregates(p.read_text(encoding="utf-8", errors="replace"))
                                       for p in folder.rglob("*.j2"))
    except OSError:
        return False


def score(c: dict[str, Any]) -> int:
    """0-100, higher pays better: 100, less the average days late (at most 40), less 30 × the share
    of payments made late (when there is a history), less a third of the oldest invoice's days
    overdue (at most 30)."""
    late = min(float(c.get("avg_days_late") or 0), 40)
    ratio = c.get("on_time_ratio")
    late_share = 30 * (1 - float(ratio)) if ratio is not None else 0
    oldest = min(c.get("oldest_days_overdue", 0) / 3, 30)
    return max(0, round(100 - late - late_share - oldest))


EMPTY_AGGREGATES: dict[str, Any] = {"open_total": Decimal(0), "overdue_total": Decimal(0), "open_invoices": 0,
                                    "oldest_days_overdue": 0}


def address(inv: Invoice, cust: Customer, channel: str) -> str | None:
    """The address for `channel`: the invoice's own contact overrides the customer's.
    WhatsApp uses a WhatsApp number (invoice, then customer), else the phone number."""
    if channel == "email":
        return inv.email or cust.email
    if channel == "sms":
        return inv.phone or cust.phone
    if channel == "whatsapp":
        return inv.whatsapp or cust.whatsapp or inv.phone or cust.phone
    return None


def history_of(records: Any) -> list[dict[str, Any]]:
    """Ledger rows of one invoice as template data, oldest first (`history`; `previous` is the
    last one that was a real touch, not a superseded/skipped record)."""
    rows = sorted(records, key=lambda r: (r.at, r.playbook, r.step))
    return [{"channel": r.channel, "step": r.step, "playbook": r.playbook, "status": r.status, "sent_at": r.at,
             "delivery_status": r.delivery_status} for r in rows]


def _jump_target(reason: str | None) -> str | None:
    """The playbook in a `jumped` row's reason ("moved to playbook X"), else None."""
    prefix = "moved to playbook "
    return reason[len(prefix):] if reason and reason.startswith(prefix) else None


def _message(exc: BaseException) -> str:
    """An expression's failure in words (decimal's own errors print as a list of classes)."""
    import decimal

    if isinstance(exc, (ZeroDivisionError, decimal.DivisionByZero, decimal.DivisionUndefined)):
        return "a division by zero"
    if isinstance(exc, decimal.InvalidOperation):
        return "an arithmetic operation on something that is not a number"
    return str(exc) or type(exc).__name__


def _memoised(memo: dict, key: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`, remembered under `key` (None: not memoisable). Raises as `compute` does."""
    if key is not None:
        try:
            got = memo.get(key)
        except TypeError:  # an unhashable value (a list in a column): just compute
            key = got = None
        if got is not None:
            return got
    got = compute()
    if key is not None:
        memo[key] = got
    return got
