"""The one pipeline behind `preview` and `run` (STYLE habit 3): only the last step differs.

    load sources -> checks (strict, stale data, time moving forward) -> state
      -> (run: lock, uncertain sweep, sync) -> PlanInput -> engine.plan
      -> preview: report | run: record skips and tasks, claim, send, confirm, record the run

`preview` never creates or changes the state file: it reads it through a read-only
connection (or plans against an empty in-memory state when there is none yet).
`run --dry-run` is `preview` with the checks of `run` (stale data, time, credentials).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from . import backups, items, jsondoc, ledger, plans, receipts, triggers
from .engine import plan as make_plan
from .engine import timeline as make_timeline
from .errors import UsageError
from .render import Renderer, compile_problems
from .sources import load_sources
from .sync import TooManyGone, check_gone, effective_balances, sync_invoices
from .channels.base import Channel, MissingCredentials, OutgoingMessage, SendResult, make_channel
from .channels.dispatch import send_all
from .config import Config
from .engine.planner import mentions_aggregates
from .engine.types import Plan, PlanInput, PlannedMessage, PlannedTask
from .models import LoadResult, SourceFile
from .state import (MIGRATIONS, State, StateError, StateMismatch, WorkspaceLock, check_state_file, iso,
                    migrate)

CONFIRM_BATCH = 50  # provider answers recorded per transaction (a crash only makes them `uncertain`)


@dataclass
class Options:
    mode: str = "preview"  # preview | run
    dry_run: bool = False
    limit: int | None = None
    force: bool = False
    strict: bool = False
    days: int | None = None  # preview: timeline of the next N days
    new_state: bool = False  # run --new-state: adopt the state as it is, or set aside one that cannot be used
    send: tuple[str, str] | None = None  # `collectbot send INVOICE --step STEP`: that step, now
    anytime: bool = False  # send --anytime: outside working hours and holidays too
    quiet: bool = False  # run --quiet: print only what needs the owner and was not said before

    @property
    def sends(self) -> bool:
        return self.mode == "run" and not self.dry_run


@dataclass
class MessageOutcome:
    planned: PlannedMessage
    status: str = "planned"  # planned | sent | failed | uncertain | not_sent
    message_id: int | None = None
    provider_id: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        m = self.planned
        d: dict[str, Any] = {
            "customer_id": m.customer_id, "channel": m.channel, "to": m.to, "invoice_ids": m.invoice_ids,
            "playbook": m.playbook, "steps": m.steps, "scheduled_at": jsondoc.utc_text(m.scheduled_at),
            "status": self.status,
            "subject": m.subject, "body": m.body,
        }
        if m.cc:
            d["cc"] = m.cc
        if m.variant:
            d["variant"] = m.variant
        instalments = [int(i.rsplit("#", 1)[1]) for i in m.invoice_ids if "#" in i]  # plans.expand's ids
        if instalments:
            d["instalment"] = instalments[0]
        if self.message_id is not None:
            d["message_id"] = self.message_id
        if self.provider_id:
            d["provider_id"] = self.provider_id
        if self.error:
            d["error"] = self.error
        return d


def task_dict(task: PlannedTask, task_id: int | None = None) -> dict[str, Any]:
    """A task as the JSON document shows it (moments and money already as their JSON text)."""
    d: dict[str, Any] = {"invoice_ids": task.invoice_ids, "playbook": task.playbook, "step": task.step,
                         "assign": task.assign, "note": task.note, "customer_id": task.customer_id,
                         "scheduled_at": jsondoc.utc_text(task.scheduled_at), "amount": str(task.amount)}
    if task_id is not None:
        d["task_id"] = task_id
    return d


@dataclass
class Outcome:
    """Everything a command needs to report; `as_dict()` is the `--json` document (SPEC 6)."""

    now: datetime
    options: Options
    plan: Plan | None = None
    timeline: list[Plan] = field(default_factory=list)
    messages: list[MessageOutcome] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    uncertain: list[ledger.UncertainTouch] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    refused: str | None = None  # why nothing was done (exit 2)
    stopped_early: str | None = None  # a fatal provider answer stopped the sends
    run_id: int | None = None
    backup: Path | None = None  # the copy of the state taken before sending
    queue: dict[str, list[int]] | None = None  # queue items this run opened or closed by itself
    names: dict[str, str] = field(default_factory=dict)  # customer id -> name, for human output
    invoices: int = 0
    sync: dict[str, Any] | None = None  # run: what syncing the state with the sources changed

    @property
    def mode(self) -> str:
        if self.options.mode == "run":
            return "dry-run" if self.options.dry_run else "run"
        return "preview"

    def count(self, status: str) -> int:
        return sum(1 for m in self.messages if m.status == status)

    @property
    def exit_code(self) -> int:
        if self.refused or self.stopped_early:
            return 2
        if self.errors or self.uncertain or any(m.status in ("failed", "uncertain") for m in self.messages):
            return 1
        return 0

    def summary(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "invoices": self.invoices,
            "messages": len(self.messages),
            "planned": self.count("planned"), "sent": self.count("sent"), "failed": self.count("failed"),
            "uncertain": self.count("uncertain"), "not_sent": self.count("not_sent"),
            "tasks": len(self.tasks),
            "skipped": len(plan.skips) if plan else 0,
            "capped": plan.capped if plan else 0,
            "stopped": len(plan.stopped) if plan else 0,
            "errors": len(self.errors),
        }

    def news(self) -> list[str]:
        """What needs the owner in this outcome, as stable keys (`run --quiet` says each once):
        a refusal, a failed or uncertain message, an uncertain touch, a queue item, a bad row."""
        keys = [f"refused:{self.refused}"] if self.refused else []
        keys += [f"stopped:{self.stopped_early}"] if self.stopped_early else []
        keys += [f"{m.status}:{m.message_id}" for m in self.messages if m.status in ("failed", "uncertain")]
        keys += [f"uncertain-touch:{u.touch_id}" for u in self.uncertain]
        keys += [f"item:{t['task_id']}" for t in self.tasks if t.get("task_id") is not None]
        keys += [f"item:{i}" for k in ("promise_broken", "plan_broken") for i in (self.queue or {}).get(k, [])]
        keys += [f"bad:{e.get('file')}:{e.get('row')}:{e.get('column')}:{e.get('message')}" for e in self.errors]
        return keys

    def days(self) -> list[tuple[Any, list[PlannedMessage], list[PlannedTask]]]:
        """The timeline grouped by day in the business time zone (a day may hold several run moments)."""
        grouped: dict[Any, tuple[list[PlannedMessage], list[PlannedTask]]] = {}
        for p in self.timeline:
            messages, tasks = grouped.setdefault(p.now.astimezone(self.now.tzinfo).date(), ([], []))
            messages.extend(p.messages)
            tasks.extend(p.tasks)
        return [(day, m, t) for day, (m, t) in grouped.items()]

    def as_dict(self, skips_as_json: bool = False) -> dict[str, Any]:
        """The document; with `skips_as_json`, `skipped` is already JSON text (`jsondoc.RawParts`, for
        `Env.emit_json`): a big book has a hundred thousand skips, and dicts for them cost time."""
        skips = self.plan.skips if self.plan else []
        doc: dict[str, Any] = {
            "command": self.mode,
            "now": self.now,
            "messages": [m.as_dict() for m in self.messages if m.status != "not_sent"],
            "tasks": self.tasks,
            "skipped": jsondoc.skips_json(skips) if skips_as_json else [s.as_dict() for s in skips],
            "errors": self.errors,
            "summary": self.summary(),
            "uncertain": [u.as_dict() for u in self.uncertain],
            "warnings": self.warnings,
        }
        if self.run_id is not None:
            doc["run_id"] = self.run_id
        if self.backup is not None:
            doc["backup"] = str(self.backup)
        if self.queue is not None:
            doc["queue"] = self.queue
        if self.sync is not None:
            doc["sync"] = self.sync
        if self.refused:
            doc["refused"] = self.refused
        if self.stopped_early:
            doc["stopped"] = self.stopped_early
        not_sent = [m.as_dict() for m in self.messages if m.status == "not_sent"]
        if not_sent:  # planned, but neither sent nor recorded (already taken, or the run stopped)
            doc["not_sent"] = not_sent
        if self.timeline:
            doc["timeline"] = [
                {"date": day, "messages": [MessageOutcome(m).as_dict() for m in messages],
                 "tasks": [task_dict(t) for t in tasks]}
                for day, messages, tasks in self.days()
            ]
        return doc


# ---------------------------------------------------------------------------- stages


class UnreadableSource(UsageError):
    """A source file that cannot be read at all: no command works on part of the book (SPEC 2)."""

    def __init__(self, errors: list):
        self.errors = errors
        parts = [e.message if Path(e.file).name in e.message else f"{Path(e.file).name}: {e.message}" for e in errors]
        super().__init__("cannot read " + ("a source file" if len(errors) == 1 else f"{len(errors)} source files")
                         + ": " + "; ".join(parts) + ". Nothing was done: collectbot never works on part of "
                         "the book (`collectbot check` shows every problem)")


def load(config: Config) -> LoadResult:
    """The sources, whole: UnreadableSource when any file cannot be read at all."""
    loaded = load_sources(config)
    broken = [e for e in loaded.errors if e.kind == "file"]
    if broken:
        raise UnreadableSource(broken)
    return loaded


def too_many_gone_message(exc: TooManyGone, config: Config, loaded: LoadResult,
                          override: str = "run again with --force") -> str:
    files = ", ".join(Path(f.path).name for f in loaded.files if f.role == "invoices") or "the invoice sources"
    return (f"{files} would close {exc.gone} of the {exc.open_before} invoices collectbot knows at once, as if "
            f"paid or deleted (more than limits.max_gone, {config.limits.max_gone:.0%}). Is the export complete? "
            f"Nothing was sent or recorded; if they really are all gone, {override}")


def stale_files(files: list[SourceFile], config: Config, now: datetime) -> list[SourceFile]:
    """Invoice files older than limits.max_source_age at `now` (SPEC 3 rule 7)."""
    limit = config.limits.max_source_age
    return [f for f in files if f.role == "invoices" and now - f.mtime > limit]


def _stale_message(files: list[SourceFile], config: Config, now: datetime) -> str:
    parts = [f"{_shown(f.path, config.root)} was last changed {iso(f.mtime)}, {_age(now - f.mtime)} before now" for f in files]
    return ("stale invoice data: " + "; ".join(parts) + f" (limits.max_source_age is {_age(config.limits.max_source_age)}). "
            "Export the invoices again, or pass --force to send anyway.")


def _shown(path: str, root: Path) -> str:
    """A path as the user wrote it in collectbot.yaml: relative to the workspace when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _age(delta: Any) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h"


def open_readonly(config: Config, *, new_state: bool = False) -> State:
    """The state as it is, without creating or changing it (an empty in-memory one if absent).
    `new_state`: as `run --new-state` would take it (see State.open), without setting anything aside."""
    path = Path(config.state_path)
    try:
        usable = check_state_file(path)
    except StateMismatch:
        if not new_state:
            raise
        usable = True
    except StateError:
        if not new_state:
            raise
        usable = False
    if usable:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        if conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
            return State(path, conn)
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.backup(memory)
        conn.close()
        conn = memory
    else:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    migrate(conn)
    return State(path, conn)


def build_input(config: Config, loaded: LoadResult, state: State, now: datetime, limit: int | None) -> PlanInput:
    facts = ledger.planner_facts(state, now, promise_grace=config.limits.promise_grace)
    cap = config.limits.max_messages_per_run
    # an invoice on a payment plan is planned as its open instalments (plans.py)
    effective = effective_balances(state, loaded.invoices, changed_only=True)
    invoices, balances = plans.expand(loaded.invoices, effective, plans.active(state))
    # events' sequences (`trigger:` playbooks): an invoice of their own, following their invoice's holds
    seqs = triggers.sequences(state, config, loaded.invoices, effective, loaded.customers, now)
    customers, held, held_until = loaded.customers, facts.held_invoices, facts.held_invoices_until
    if seqs.invoices:
        invoices, balances = [*invoices, *seqs.invoices], {**balances, **seqs.balances}
        customers = {**seqs.customers, **customers}
        held, held_until = dict(held), dict(held_until)
        for sid, iid in seqs.linked.items():
            if iid in facts.held_invoices:
                held[sid] = facts.held_invoices[iid]
            if iid in facts.held_invoices_until:
                held_until[sid] = facts.held_invoices_until[iid]
    return PlanInput(
        now=now, config=config, invoices=invoices, customers=customers,
        balances=balances, touches=facts.touches,
        recent_messages=facts.recent_messages, held_invoices=held,
        held_customers=facts.held_customers, suppressed=facts.suppressed,
        held_invoices_until=held_until, held_customers_until=facts.held_customers_until,
        warnings=seqs.warnings,
        promises={i: (end - timedelta(seconds=1)).astimezone(config.tz).date() for i, end in facts.promised.items()},
        payment_history=ledger.payment_history(state) if mentions_aggregates(config) else {},
        suppressed_addresses=facts.suppressed_addresses,
        max_messages=min(limit, cap) if limit is not None else cap,
    )


def make_channels(config: Config, plan: Plan, environ: Mapping[str, str]) -> dict[str, Channel]:
    """The providers the plan needs; MissingCredentials before anything is sent."""
    return {name: make_channel(config.channels[name], config, environ)
            for name in sorted({m.channel for m in plan.messages})}


# ---------------------------------------------------------------------------- the pipeline


@contextmanager
def _no_progress(total: int) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


def run_pipeline(config: Config, now: datetime, options: Options, *, environ: Mapping[str, str] | None = None,
                 progress: Callable[[int], Any] = _no_progress) -> Outcome:
    """Preview or run, per `options`. Never raises for a refusal: see `Outcome.refused`."""
    environ = os.environ if environ is None else environ
    out = Outcome(now=now, options=options)
    try:
        loaded = load(config)
    except UnreadableSource as exc:
        out.errors.extend(e.as_dict() for e in exc.errors)
        out.refused = str(exc)
        return out
    out.invoices = len(loaded.invoices)
    out.names = {cid: c.name for cid, c in loaded.customers.items() if c.name}
    out.errors.extend(e.as_dict() for e in loaded.errors)
    for w in config.warnings:
        out.warnings.append(str(w))
    if options.strict and loaded.errors:
        out.refused = f"--strict: {len(loaded.errors)} bad source row(s); nothing was sent"
        return out
    if options.mode != "run" and (broken := [p for p in compile_problems(config) if p.severity == "error"]):
        out.warnings.append(f"`run` would refuse to send any of this: the configuration is not usable ({broken[0]}"
                            f"{f'; {len(broken) - 1} more problem(s)' if len(broken) > 1 else ''}); "
                            "`collectbot check` lists every problem")
    if options.mode == "run" and (broken := [p for p in compile_problems(config) if p.severity == "error"]):
        # one judgement of the configuration: what `check` calls unusable is never half-sent (SPEC 2)
        out.refused = (f"the configuration is not usable: {broken[0]}"
                       f"{f' (and {len(broken) - 1} more problem(s))' if len(broken) > 1 else ''}. "
                       "Nothing was sent; `collectbot check` lists every problem")
        return out
    stale = stale_files(loaded.files, config, now)
    out.stale = [f.path for f in stale]
    if stale:
        message = _stale_message(stale, config, now)
        if options.mode == "run" and not options.force:
            out.refused = message
            return out
        out.warnings.append(message + (" (sending anyway: --force)" if options.mode == "run" else ""))

    renderer = Renderer(config)
    if not options.sends:
        with _closing(open_readonly(config, new_state=options.new_state)) as state:
            if options.mode == "run" and (refusal := _cannot_run(state, now, options)):
                out.refused = refusal
                return out
            if options.mode == "run" and not options.force:
                try:
                    check_gone(state, loaded, config.limits.max_gone)
                except TooManyGone as exc:
                    out.refused = too_many_gone_message(exc, config, loaded)
                    return out
            inp = build_input(config, loaded, state, now, options.limit)
            waiting = ledger.uncertain_touches(state)
            thanks, unthanked, problems = receipts.due(state, inp, renderer, now, record_start=False) \
                if not options.days else ([], [], [])
        if waiting:
            out.warnings.append(f"{len(waiting)} earlier message(s) may or may not have gone out and wait for your "
                                f"decision ({', '.join(str(u) for u in waiting[:5])}"
                                f"{', …' if len(waiting) > 5 else ''}); `collectbot resend TOUCH` sends one again")
        out.warnings.extend(inp.warnings)
        out.names.update({cid: c.name for cid, c in inp.customers.items() if c.name and cid not in out.names})
        out.plan = make_plan(inp, renderer)
        out.errors.extend(out.plan.errors)
        out.plan.messages.extend(thanks)
        out.plan.skips.extend(unthanked)
        out.errors.extend(problems)
        if options.mode == "run":
            try:
                make_channels(config, out.plan, environ)
            except MissingCredentials as exc:
                out.refused = str(exc)
                return out
        if options.days:
            out.timeline = make_timeline(inp, renderer, options.days)
            out.messages = [MessageOutcome(m) for p in out.timeline for m in p.messages]
            out.tasks = [task_dict(t) for p in out.timeline for t in p.tasks]
        else:
            out.messages = [MessageOutcome(m) for m in out.plan.messages]
            out.tasks = [task_dict(t) for t in out.plan.tasks]
        return out

    with WorkspaceLock(config.state_path), \
            _closing(State.open(config.state_path, new_state=options.new_state)) as state:
        if refusal := _cannot_run(state, now, options):
            out.refused = refusal
            return out
        out.uncertain = ledger.mark_uncertain(state, now)
        try:
            sync_report = sync_invoices(state, loaded, now, None if options.force else config.limits.max_gone)
        except TooManyGone as exc:
            out.refused = too_many_gone_message(exc, config, loaded)
            return out
        out.sync = sync_report.as_dict()
        # the queue follows the book: broken promises open items, paid work closes its items
        broken = items.break_promises(state, now, config.limits.promise_grace, config.tz)
        plan_broken = plans.break_plans(state, {i.invoice_id: i for i in loaded.invoices},
                                        effective_balances(state, loaded.invoices), now.astimezone(config.tz).date(),
                                        config.limits.plan_grace, now)
        settled = items.settle(state, now)
        if broken or settled or plan_broken:
            out.queue = {"promise_broken": broken, "settled": settled, "plan_broken": plan_broken}
        if sync_report.gone_suspended:
            out.warnings.append("an invoice file could not be read, so no invoice was closed as gone this run")
        inp = build_input(config, loaded, state, now, options.limit)
        if options.send:
            inp = send_now_input(inp, renderer, *options.send, anytime=options.anytime)
        out.warnings.extend(inp.warnings)
        out.names.update({cid: c.name for cid, c in inp.customers.items() if c.name and cid not in out.names})
        plan = out.plan = make_plan(inp, renderer)
        out.errors.extend(plan.errors)
        if not options.send:  # thank-you receipts for money that arrived (SPEC 9)
            thanks, unthanked, problems = receipts.due(state, inp, renderer, now, record_start=True)
            plan.messages.extend(thanks)
            plan.skips.extend(unthanked)  # recorded for good below: said once, as a reminder's would be
            out.errors.extend(problems)
        try:
            channels = make_channels(config, plan, environ)
        except MissingCredentials as exc:
            out.refused = str(exc)
            return out
        if plan.messages and config.backups_keep:  # a copy of the record before anything new goes out
            out.backup = backups.take(state, config.backups_dir or config.root / "backups", config.backups_keep, now)
        out.run_id = ledger.begin_run(state, now, os.getpid())
        status = "failed"
        try:
            ledger.record_plan_skips(state, plan, out.run_id, now)
            task_ids = ledger.record_tasks(state, plan.tasks, out.run_id, now)
            out.tasks = [task_dict(t, i) for t, i in zip(plan.tasks, task_ids)]
            _send(config, state, plan, channels, out, now, progress)
            status = "done"
        finally:
            ledger.finish_run(state, out.run_id, now, status, out.summary())
    return out


def _send(config: Config, state: State, plan: Plan, channels: dict[str, Channel], out: Outcome, now: datetime,
          progress: Callable[[int], Any]) -> None:
    outcomes: dict[int, MessageOutcome] = {}
    outgoing: list[OutgoingMessage] = []
    for pm in plan.messages:
        om = OutgoingMessage(message_id=0, channel=pm.channel, to=pm.to, body=pm.body, customer_id=pm.customer_id,
                             invoice_ids=pm.invoice_ids, subject=pm.subject, html=pm.html,
                             whatsapp_content_sid=pm.whatsapp_content_sid, content_variables=pm.content_variables,
                             at=now, cc=pm.cc)
        mo = MessageOutcome(pm, status="not_sent")
        outcomes[id(om)] = mo
        outgoing.append(om)
        out.messages.append(mo)
    pending: list[tuple[int, SendResult]] = []

    def claim(om: OutgoingMessage) -> bool:
        mo = outcomes[id(om)]
        message_id = ledger.claim(state, mo.planned, channels[om.channel].provider, out.run_id, now)
        if message_id is None:
            mo.error = "already in the ledger (another run recorded it); not sent again"
            return False
        om.message_id = mo.message_id = message_id
        return True

    def on_result(om: OutgoingMessage, result: SendResult) -> None:
        mo = outcomes[id(om)]
        mo.status = result.status if result.status in ("sent", "failed", "uncertain") else "failed"
        mo.provider_id, mo.error = result.provider_id, result.error
        pending.append((om.message_id, result))
        if len(pending) >= CONFIRM_BATCH:
            ledger.confirm(state, pending, now)
            pending.clear()
        if result.fatal and not out.stopped_early:
            out.stopped_early = result.error or "the provider refused the credentials"

    limits = config.limits
    try:
        with progress(len(outgoing)) as advance:
            send_all(outgoing, channels, concurrency=limits.concurrency,
                     rates={n: c.rate for n, c in config.channels.items()},
                     max_tries={n: c.max_tries for n, c in config.channels.items()},
                     on_result=lambda om, r: (on_result(om, r), advance(1)), claim=claim)
    finally:
        if pending:
            ledger.confirm(state, pending, now)
    for mo in out.messages:
        if mo.status in ("failed", "uncertain"):
            out.errors.append({"file": None, "row": None, "column": None, "kind": "send",
                               "message": f"{mo.planned.channel} to {mo.planned.customer_id} ({mo.planned.to}) for "
                                          f"{', '.join(mo.planned.invoice_ids)}: {mo.error or mo.status}",
                               "message_id": mo.message_id, "invoice_ids": mo.planned.invoice_ids})


def send_now_input(inp: PlanInput, renderer: Renderer, invoice_id: str, step_id: str, *, anytime: bool) -> PlanInput:
    """The plan input of `collectbot send INVOICE --step STEP`: that invoice alone, under the
    playbook that applies to it, with that one step due now. Every other rule still holds: the
    ledger (a step happens once), holds, opt-outs, the daily cap, an `if:`, and working hours and
    holidays unless `anytime`."""
    from dataclasses import replace

    from .config import At, WorkingHours
    from .engine.planner import PlanMemo, PlanSession

    inv = next((i for i in inp.invoices if i.invoice_id == invoice_id), None)
    if inv is None:
        raise UsageError(f"invoice {invoice_id!r} is not among the open invoices of the sources")
    session = PlanSession(inp, renderer, PlanMemo(inp, renderer))
    stop = session.stop_reason(inv)
    if stop:  # said, not a silent "nothing to send": every rule but the date still holds
        why = ("is settled (nothing is left to pay), so nothing was sent" if stop == "settled" else
               f"is {stop} in the invoice export, so nothing was sent" if inv.stopped_by_status else
               f"is on hold ({stop}), so nothing was sent: release the hold or close its queue item first "
               "(`collectbot hold` lists the holds)")
        raise UsageError(f"{invoice_id} {why}")
    playbook = session.playbook_for(inv, session.customer(inv))
    if playbook is None:
        raise UsageError(f"no playbook applies to {invoice_id}, so it has no step {step_id!r}")
    step = next((s for s in playbook.steps if s.id == step_id), None)
    if step is None:
        raise UsageError(f"playbook {playbook.name!r} (the one that applies to {invoice_id}) has no step {step_id!r}; "
                         f"its steps: {', '.join(s.id for s in playbook.steps)}")
    done = next((t for t in inp.touches.get(invoice_id, []) if t.playbook == playbook.name and t.step == step_id
                 and t.status != ledger.RETRYABLE_TOUCH), None)
    if done is not None:
        raise UsageError(f"step {step_id!r} of {invoice_id} is already in the record ({done.status}, "
                         f"{done.at.astimezone(inp.config.tz):%Y-%m-%d %H:%M}): a step happens once. "
                         "`collectbot resend TOUCH` lets the next run send an uncertain or failed one again")
    today = inp.now.astimezone(inp.config.tz).date()
    forced = replace(playbook, steps=[replace(step, at=At("due", (today - inv.due_date).days, "d"))])  # due today
    # the other playbooks stay: a `goto:` that moved the invoice here, or an event's other playbooks, still count
    config = replace(inp.config, playbooks=[forced if p is playbook else p for p in inp.config.playbooks])
    if anytime:
        config = replace(config, business=replace(config.business, holiday_country=None, holiday_dates=frozenset(),
                                                  working_hours=WorkingHours(time(0, 0), time(23, 59, 59),
                                                                             tuple(range(7)))))
    return replace(inp, config=config, invoices=[inv])


def _cannot_run(state: State, now: datetime, options: Options) -> str | None:
    """Why a run must not start on this state: time going backwards, or a record that lost the
    steps of messages it says went out (they would go again)."""
    last = ledger.last_run_now(state)
    if last is not None and now < last:
        before = last.astimezone(now.tzinfo)
        return (f"--now {now:%Y-%m-%d %H:%M} is earlier than the last recorded run ({before:%Y-%m-%d %H:%M}); "
                "time only moves forward, so this run was refused")
    lost = ledger.messages_without_touches(state)
    if lost and not options.new_state:
        return (f"the state file lost part of its record: {lost} message(s) it says went out no longer have their "
                "reminder steps, so the next run would send them again. Put it back with `collectbot restore`, or "
                "go on anyway with `collectbot run --new-state`")
    return None


@contextmanager
def _closing(state: State) -> Iterator[State]:
    try:
        yield state
    finally:
        state.close()



def readonly_input(config: Config, now: datetime) -> tuple[PlanInput, LoadResult]:
    """The PlanInput `preview` would plan on (for `explain`): sources + the state, read only."""
    loaded = load(config)
    with _closing(open_readonly(config)) as state:
        return build_input(config, loaded, state, now, None), loaded
