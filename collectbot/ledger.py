"""Reads and writes of the touch ledger: the memory that makes every step happen at most once.

The planner never sees SQL: `planner_facts` turns the state file into the plain values of
`PlanInput` (touches, recent messages, holds, suppressions). Everything `run` records goes
through the write functions below, and the order of writes is the at-most-once guarantee
(SPEC 3 rule 2):

1. `claim` commits, in one transaction and BEFORE the request leaves, the `messages`
   row and its `touches` rows in status `sending`. UNIQUE(invoice_id, playbook, step) makes a
   second claim of the same step fail, so it is never sent twice. A `failed` touch is the only
   one a claim may take over (the retry of a failed send).
2. `confirm` records the provider's answer (`sent` + provider id, or `failed` + reason).
   Confirmations are batched: losing one to a crash only turns a sent message into an
   `uncertain` one, never into a resend.
3. `mark_uncertain` runs at the start of every run, under the workspace lock: whatever is
   still `sending` belongs to a process that died, so its outcome is unknown.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .errors import CollectbotError
from .channels.base import SendResult
from .engine.types import Plan, PlannedMessage, PlannedTask, SentMessage, TouchRecord
from .gcpause import gc_paused
from .state import State, iso, parse_iso

HOLD_REASONS = {"pause": "paused", "dispute": "disputed", "promise": "promise to pay", "reply": "replied"}
RETRYABLE_TOUCH = "failed"  # the only touch status a new claim may take over


@dataclass
class PlannerFacts:
    """What the ledger tells the planner (the history part of PlanInput)."""

    touches: dict[str, list[TouchRecord]] = field(default_factory=dict)
    recent_messages: list[SentMessage] = field(default_factory=list)
    held_invoices: dict[str, str] = field(default_factory=dict)
    held_customers: dict[str, str] = field(default_factory=dict)
    suppressed: dict[tuple[str, str], str] = field(default_factory=dict)
    suppressed_addresses: dict[tuple[str, str], str] = field(default_factory=dict)
    held_invoices_until: dict[str, datetime] = field(default_factory=dict)  # holds that end by themselves
    held_customers_until: dict[str, datetime] = field(default_factory=dict)
    promised: dict[str, datetime] = field(default_factory=dict)  # invoice -> end of the promised day (the latest)


# ---------------------------------------------------------------------------- reads


# Every touch with the moment the planner counts from: when a sent message went out, else when
# the touch was last written.
_TOUCH_FACTS = (
    "SELECT t.invoice_id, t.playbook, t.step, t.channel, t.status, "
    "CASE WHEN t.status = 'sent' AND m.sent_at <> '' THEN m.sent_at "
    "ELSE COALESCE(NULLIF(t.updated_at, ''), t.created_at) END, "
    "t.message_id, m.delivery_status, t.reason FROM touches t LEFT JOIN messages m ON m.id = t.message_id "
    "ORDER BY t.id"
)


def planner_facts(state: State, now: datetime, *, recent_days: int = 2,
                  promise_grace: timedelta = timedelta(days=1)) -> PlannerFacts:
    """One query per table, so a large ledger costs a scan, not a query per invoice.

    The ledger grows by every touch of every run (a 100k book has ~180k rows after one run), so
    its rows are read as plain tuples and each distinct timestamp is parsed once: a run writes
    all its touches with the same `--now`."""
    with gc_paused():  # hundreds of thousands of acyclic records: the collector would rescan them in vain
        return _planner_facts(state, now, recent_days, promise_grace)


def _planner_facts(state: State, now: datetime, recent_days: int, promise_grace: timedelta) -> PlannerFacts:
    facts = PlannerFacts()
    cursor = state.conn.cursor()
    cursor.row_factory = None
    moments: dict[str, datetime | None] = {}
    touches = facts.touches
    for invoice_id, playbook, step, channel, status, stamp, message_id, delivery, reason in cursor.execute(
            _TOUCH_FACTS):
        at = moments.get(stamp)
        if at is None:
            at = moments[stamp] = parse_iso(stamp)
        record = TouchRecord(invoice_id, playbook, step, channel, status, at, message_id, delivery, reason)
        found = touches.get(invoice_id)
        if found is None:
            touches[invoice_id] = [record]
        else:
            found.append(record)
    since = iso(now - timedelta(days=recent_days))
    for r in state.conn.execute(
        "SELECT customer_id, channel, COALESCE(sent_at, created_at) AS at FROM messages "
        "WHERE status IN ('sending', 'sent', 'uncertain') AND COALESCE(sent_at, created_at) >= ?", (since,)
    ):
        facts.recent_messages.append(SentMessage(r["customer_id"], r["channel"], parse_iso(r["at"])))
    for r in state.conn.execute(
        "SELECT invoice_id, customer_id, kind, until FROM holds WHERE released_at IS NULL "
        "AND (until IS NULL OR until > ?)", (iso(now - promise_grace),)
    ):
        if r["until"] and r["kind"] != "promise" and parse_iso(r["until"]) <= now:
            continue  # only a promise is kept in force for its grace (limits.promise_grace) after its day
        reason = HOLD_REASONS.get(r["kind"], r["kind"])
        end = parse_iso(r["until"]) + (promise_grace if r["kind"] == "promise" else timedelta(0)) if r["until"] \
            else None
        held, ends, key = ((facts.held_invoices, facts.held_invoices_until, r["invoice_id"]) if r["invoice_id"]
                           else (facts.held_customers, facts.held_customers_until, r["customer_id"]))
        if not key:
            continue
        if key in held and (key not in ends or (end is not None and end < ends[key])):
            continue  # held already, as long or longer (one hold until released, or a later end)
        held[key] = reason
        if end is None:
            ends.pop(key, None)
        else:
            ends[key] = end
    for r in state.conn.execute(  # promises in force or broken (not released by hand): the `promise` anchor
        "SELECT h.invoice_id, max(h.until) FROM holds h WHERE h.kind = 'promise' AND h.invoice_id IS NOT NULL "
        "AND h.until IS NOT NULL AND (h.released_at IS NULL OR EXISTS (SELECT 1 FROM events e WHERE "
        "e.kind = 'promise_broken' AND e.invoice_id = h.invoice_id)) GROUP BY h.invoice_id"
    ):
        facts.promised[r[0]] = parse_iso(r[1])
    for r in state.conn.execute(
        "SELECT customer_id, channel, address, reason FROM suppressions WHERE released_at IS NULL"
    ):
        if r["address"]:
            facts.suppressed_addresses[(r["channel"], r["address"])] = r["reason"]
        if r["customer_id"] and (not r["address"] or r["reason"] in ("opted_out", "unsubscribed")):
            facts.suppressed[(r["customer_id"], r["channel"])] = r["reason"]
    return facts


def last_run_now(state: State) -> datetime | None:
    """The latest `--now` a run acted at (time only moves forward, SPEC 3 rule 7)."""
    rows = state.conn.execute("SELECT now FROM runs WHERE command = 'run'").fetchall()
    moments = [parse_iso(r[0]) for r in rows if r[0]]
    return max(moments) if moments else None


def messages_without_touches(state: State) -> int:
    """Messages recorded as gone out (or maybe) that no touch points to any more: only a state
    changed outside collectbot has them (every message is written with its touches)."""
    return state.conn.execute(
        "SELECT count(*) FROM messages m WHERE m.status IN ('sent', 'uncertain', 'sending') "
        "AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.message_id = m.id)").fetchone()[0]


# ---------------------------------------------------------------------------- runs


def begin_run(state: State, now: datetime, pid: int, command: str = "run") -> int:
    cur = state.conn.execute("INSERT INTO runs(command, now, pid, status) VALUES (?, ?, ?, 'running')",
                             (command, iso(now), pid))
    state.remember_run()  # outside the file too: a copy older than this run is then noticed
    return int(cur.lastrowid)


def finish_run(state: State, run_id: int, now: datetime, status: str, summary: dict[str, Any]) -> None:
    state.conn.execute("UPDATE runs SET status = ?, finished_now = ?, summary = ? WHERE id = ?",
                       (status, iso(now), json.dumps(summary, default=str), run_id))


@dataclass
class UncertainTouch:
    touch_id: int
    message_id: int | None
    invoice_id: str
    playbook: str
    step: str
    channel: str
    customer_id: str | None
    to: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"touch_id": self.touch_id, "message_id": self.message_id, "invoice_id": self.invoice_id,
                "playbook": self.playbook, "step": self.step, "channel": self.channel,
                "customer_id": self.customer_id, "to": self.to}

    def __str__(self) -> str:
        return (f"touch {self.touch_id}: {self.invoice_id} {self.playbook}/{self.step} by {self.channel}"
                f"{f' to {self.to}' if self.to else ''}")


_UNCERTAIN_SELECT = (
    "SELECT t.id, t.message_id, t.invoice_id, t.playbook, t.step, t.channel, m.customer_id, m.to_addr "
    "FROM touches t LEFT JOIN messages m ON m.id = t.message_id WHERE t.status = ? ORDER BY t.id"
)


def uncertain_touches(state: State) -> list[UncertainTouch]:
    """Touches already marked `uncertain`, waiting for the owner's `resend` (for preview's warning)."""
    return [UncertainTouch(*r) for r in state.conn.execute(_UNCERTAIN_SELECT, ("uncertain",))]


def mark_uncertain(state: State, now: datetime) -> list[UncertainTouch]:
    """Turn every `sending` message and touch (left by a dead process) into `uncertain`.

    Call only while holding the workspace lock: then nobody else can be mid-send.
    """
    with state.transaction() as conn:
        rows = conn.execute(_UNCERTAIN_SELECT, ("sending",)).fetchall()
        stamp = iso(now)
        conn.execute("UPDATE touches SET status = 'uncertain', reason = 'the sending process stopped before the "
                     "provider answered', updated_at = ? WHERE status = 'sending'", (stamp,))
        conn.execute("UPDATE messages SET status = 'uncertain', updated_at = ? WHERE status = 'sending'", (stamp,))
        found = [UncertainTouch(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]
        for u in found:
            conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, message_id, data) VALUES (?, ?, ?, ?, ?, ?)",
                         (stamp, "uncertain", u.invoice_id, u.customer_id, u.message_id, json.dumps(u.as_dict())))
    return found


# ---------------------------------------------------------------------------- writes from a plan


def _upsert_touch(values: str) -> str:
    return (
        "INSERT INTO touches(invoice_id, playbook, step, channel, status, reason, message_id, task_id, due_at, "
        f"created_at, updated_at, run_id) VALUES ({values}) "
        "ON CONFLICT(invoice_id, playbook, step) DO UPDATE SET channel = excluded.channel, status = excluded.status, "
        "reason = excluded.reason, message_id = excluded.message_id, task_id = excluded.task_id, "
        "due_at = excluded.due_at, updated_at = excluded.updated_at, run_id = excluded.run_id "
        f"WHERE touches.status = '{RETRYABLE_TOUCH}'"
    )


_UPSERT_TOUCH = _upsert_touch("?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?")
# A skip has no message, task or due time. NULL is written in the statement, not bound: sqlite3
# sends each None it binds through its adapter protocol, and a first run writes ~100k skips.
_UPSERT_SKIP = _upsert_touch("?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?")


def _put_touch(conn: sqlite3.Connection, *, invoice_id: str, playbook: str, step: str, channel: str, status: str,
               reason: str | None, message_id: int | None, task_id: int | None, due_at: datetime | None,
               now: datetime, run_id: int | None) -> bool:
    """Insert a touch, or take over a `failed` one; False when the step is already taken."""
    stamp = iso(now)
    cur = conn.execute(_UPSERT_TOUCH, (invoice_id, playbook, step, channel, status, reason, message_id, task_id,
                                       iso(due_at) if due_at else None, stamp, stamp, run_id))
    return cur.rowcount == 1


def record_plan_skips(state: State, plan: Plan, run_id: int | None, now: datetime) -> int:
    """Write the permanent skips (superseded, no address, opted out, condition false) in one
    transaction; waiting skips are not written because the next run decides them again."""
    stamp = iso(now)
    rows = [(s.invoice_id, s.playbook, s.step, s.channel or "", s.status, s.recorded_reason, stamp, stamp, run_id)
            for s in plan.skips if s.permanent]
    if not rows:
        return 0
    with state.transaction() as conn:
        before = conn.total_changes
        conn.executemany(_UPSERT_SKIP, rows)
        return conn.total_changes - before


def record_tasks(state: State, tasks: list[PlannedTask], run_id: int | None, now: datetime) -> list[int]:
    """Create a queue item per planned task and mark its touches `task` (one transaction).

    A task whose steps are already in the ledger is not created again."""
    ids: list[int] = []
    with state.transaction() as conn:
        for task in tasks:
            conn.execute("SAVEPOINT task")
            cur = conn.execute(
                "INSERT INTO tasks(kind, customer_id, invoice_ids, playbook, step, assign, note, amount, status, "
                "created_at) VALUES ('escalation', ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (task.customer_id, json.dumps(task.invoice_ids), task.playbook, task.step, task.assign, task.note,
                 str(task.amount), iso(now)),
            )
            task_id = int(cur.lastrowid)
            ok = all(_put_touch(conn, invoice_id=t.invoice_id, playbook=t.playbook, step=t.step, channel="task",
                                status="task", reason=None, message_id=None, task_id=task_id, due_at=t.due_at,
                                now=now, run_id=run_id) for t in task.touches)
            if ok:
                conn.execute("RELEASE task")
                ids.append(task_id)
            else:
                conn.execute("ROLLBACK TO task")
                conn.execute("RELEASE task")
    return ids


def _claim_message(state: State, message: PlannedMessage, provider: str, run_id: int | None,
                  now: datetime) -> int | None:
    """One transaction: the message row and its touches; raises _Taken (rolling back) on a conflict."""
    stamp = iso(now)
    with state.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO messages(run_id, customer_id, channel, provider, to_addr, subject, body, html, status, "
            "attempts, scheduled_at, created_at, updated_at, variant) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sending', 0, ?, ?, ?, ?)",
            (run_id, message.customer_id, message.channel, provider, message.to, message.subject, message.body,
             message.html, iso(message.scheduled_at), stamp, stamp, message.variant),
        )
        message_id = int(cur.lastrowid)
        previous = {(r[0], r[1], r[2]): r[3] for r in conn.execute(
            "SELECT invoice_id, playbook, step, message_id FROM touches WHERE status = ? AND invoice_id IN (%s)"
            % ",".join("?" * len(message.touches)), (RETRYABLE_TOUCH, *message.invoice_ids))}
        for t in message.touches:
            if not _put_touch(conn, invoice_id=t.invoice_id, playbook=t.playbook, step=t.step, channel=message.channel,
                              status="sending", reason=None, message_id=message_id, task_id=None, due_at=t.due_at,
                              now=now, run_id=run_id):
                raise _Taken()
            old = previous.get((t.invoice_id, t.playbook, t.step))
            if old is not None:  # keep the trail of the failed attempt for `history`
                conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, message_id, data) "
                             "VALUES (?, 'retry', ?, ?, ?, ?)",
                             (stamp, t.invoice_id, message.customer_id, old,
                              json.dumps({"retried_by_message_id": message_id, "step": t.step,
                                          "playbook": t.playbook})))
        return message_id


class _Taken(Exception):
    pass


def claim(state: State, message: PlannedMessage, provider: str, run_id: int | None, now: datetime) -> int | None:
    """Commit the message and its touches as `sending`: call it just before the request leaves.

    Returns the new messages.id, or None when one of its steps is already in the ledger
    (another run got there first): then nothing is written and nothing must be sent.
    """
    try:
        return _claim_message(state, message, provider, run_id, now)
    except _Taken:
        return None


def confirm(state: State, results: list[tuple[int, SendResult]], now: datetime) -> None:
    """Record a batch of provider answers (message id, result) in one transaction.

    Status `sent`, `failed`, or `uncertain` when the provider raised something unexpected
    after the request may have left. The try count is in `result.details["attempts"]`.
    """
    stamp = iso(now)
    with state.transaction() as conn:
        for message_id, result in results:
            status = result.status if result.status in ("sent", "failed", "uncertain") else "failed"
            error = result.error
            conn.execute(
                "UPDATE messages SET status = ?, provider_id = ?, error = ?, error_code = ?, attempts = ?, "
                "sent_at = ?, updated_at = ? WHERE id = ?",
                (status, result.provider_id, error, result.error_code, int(result.details.get("attempts", 1)),
                 stamp if status == "sent" else None, stamp, message_id),
            )
            conn.execute("UPDATE touches SET status = ?, reason = ?, updated_at = ? WHERE message_id = ? "
                         "AND status = 'sending'", (status, None if status == "sent" else error, stamp, message_id))
            if result.suppress:
                row = conn.execute("SELECT customer_id, channel, to_addr FROM messages WHERE id = ?",
                                   (message_id,)).fetchone()
                conn.execute("INSERT INTO suppressions(customer_id, channel, address, reason, created_at) "
                             "VALUES (?, ?, ?, ?, ?)", (row[0], row[1], row[2], result.suppress, stamp))


def resolve_sent(conn: sqlite3.Connection, message_id: int, provider_id: str | None, now: datetime,
                 proof: str) -> bool:
    """The provider proved an `uncertain` message went out: it becomes `sent`, with its touches
    (and the provider's id when we had none). False when it was not uncertain any more."""
    stamp = iso(now)
    done = conn.execute("UPDATE messages SET status = 'sent', provider_id = coalesce(provider_id, ?), "
                        "sent_at = coalesce(sent_at, created_at), error = NULL, updated_at = ? "
                        "WHERE id = ? AND status = 'uncertain'", (provider_id, stamp, message_id)).rowcount
    if done:
        conn.execute("UPDATE touches SET status = 'sent', reason = NULL, updated_at = ? WHERE message_id = ? "
                     "AND status = 'uncertain'", (stamp, message_id))
        conn.execute("INSERT INTO events(at, kind, message_id, customer_id, data) SELECT ?, 'resolved_sent', id, "
                     "customer_id, ? FROM messages WHERE id = ?", (stamp, json.dumps({"proof": proof}), message_id))
    return bool(done)


# ---------------------------------------------------------------------------- owner actions


class NotResendable(CollectbotError):
    pass


def requeue(state: State, *, touch_id: int | None = None, message_id: int | None = None,
            now: datetime) -> list[int]:
    """Let the next run send an `uncertain` or `failed` touch again (the owner's decision).

    The touch goes back to `failed`, the status the planner re-plans and a claim may take over;
    an `uncertain` message becomes `failed` so it no longer counts against the daily cap.
    Returns the touch ids re-queued; raises NotResendable when there is nothing to re-queue.
    """
    with state.transaction() as conn:
        if touch_id is not None:
            rows = conn.execute("SELECT id, status, invoice_id, message_id FROM touches WHERE id = ?",
                                (touch_id,)).fetchall()
            what = f"touch {touch_id}"
        else:
            rows = conn.execute("SELECT id, status, invoice_id, message_id FROM touches WHERE message_id = ?",
                                (message_id,)).fetchall()
            what = f"message {message_id}"
        if not rows:
            raise NotResendable(f"there is no {what} in the ledger")
        bad = [r for r in rows if r["status"] not in ("uncertain", "failed")]
        if bad:
            raise NotResendable(f"{what} is {bad[0]['status']!r}; only an uncertain or failed touch can be sent again")
        stamp = iso(now)
        for r in rows:
            conn.execute("UPDATE touches SET status = 'failed', reason = 'resend requested', updated_at = ? "
                         "WHERE id = ?", (stamp, r["id"]))
            if r["message_id"] is not None:  # the owner says it did not arrive: it no longer counts for the daily cap
                conn.execute("UPDATE messages SET status = 'failed', error = COALESCE(error, 'outcome unknown; the owner "
                             "asked to send it again'), updated_at = ? WHERE id = ? AND status = 'uncertain'",
                             (stamp, r["message_id"]))
            conn.execute("INSERT INTO events(at, kind, invoice_id, message_id, data) VALUES (?, 'resend', ?, ?, ?)",
                         (stamp, r["invoice_id"], r["message_id"],
                          json.dumps({"touch_id": r["id"], "was": r["status"]})))
        return [int(r["id"]) for r in rows]


def payment_history(state: State) -> dict[str, dict[str, Any]]:
    """Per customer, from the payments collectbot applied: how late it pays on average (days after
    the due date, 0 when on time), the share of its payments made by the due date, and its last
    payment's date."""
    out: dict[str, dict[str, Any]] = {}
    for customer, late, on_time, last in state.conn.execute(
            "SELECT i.customer_id, avg(max(julianday(p.date) - julianday(i.due_date), 0)), "
            "avg(julianday(p.date) <= julianday(i.due_date)), max(p.date) FROM allocations a "
            "JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.invoice_id = a.invoice_id "
            "WHERE a.applied = 1 GROUP BY i.customer_id"):
        out[customer] = {"avg_days_late": round(float(late or 0), 1), "on_time_ratio": round(float(on_time or 0), 2),
                         "last_payment_date": last}
    return out


def not_said_before(state: State, keys: list[str]) -> list[str]:
    """Of `keys` (things `run --quiet` would tell the owner), those not told before; remembers them."""
    said = set(json.loads(state.get_meta("quiet_said") or "[]"))
    new = [k for k in keys if k not in said]
    if new:
        with state.transaction():
            state.set_meta("quiet_said", json.dumps(sorted(said | set(new))[-5000:]))
    return new


def decimal_or_zero(text: str | None) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except Exception:
        return Decimal(0)
