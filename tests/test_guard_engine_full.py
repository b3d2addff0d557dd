"""Guards for small slips in the engine's timeline, schedule and ledger code that earlier tests let
through (benchmarks/mutation.py survivors): the run moments of `preview --days` for a customer far
west of the business, a book where an invoice matches no playbook, the `history` a later step's
template sees of superseded steps (in the preview and in the state file), minute offsets,
`previous` steps after a step skipped for good, the due moment stored with a touch, closing a
task, and the amount the queue shows for a reply.

Calendar (2026): Tue 03-10, Wed 03-11, ..., Sat 03-14, Sun 03-15, Mon 03-16. Asia/Kolkata is
UTC+05:30; Pacific/Auckland is UTC+13 (NZDT) and America/Los_Angeles UTC-7 (PDT, from 03-08).
"""

from __future__ import annotations

import json
from typing import Any

from conftest import DEFAULT_INVOICES, NOW_DT, STANDARD_PLAYBOOK

from collectbot import delivery
from collectbot.state import State
from tests.test_guard_timing import LONG_LIVED, one_invoice, timeline_moments



def timeline_bodies(doc: dict[str, Any]) -> dict[str, list[str]]:
    """step id -> body of every timeline message that carries it."""
    out: dict[str, list[str]] = {}
    for day in doc["timeline"]:
        for m in day["messages"]:
            for step in m["steps"]:
                out.setdefault(step, []).append(m["body"].strip())
    return out


# ---------------------------------------------------------------------------- timeline: run moments


def test_preview_runs_at_the_morning_of_a_customer_whose_working_day_began_the_day_before(make_workspace):
    # The business is in Auckland (UTC+13); NOW is Wednesday 03-11 03:00 there = Tuesday 03-10 14:00 UTC
    # = Tuesday 07:00 in Los Angeles (UTC-7). The LA customer's day-3 (due 03-07 + 3d = Tuesday 03-10)
    # is due at 09:00 LA = 16:00 UTC: a working-day morning that falls on the business's *previous*
    # date's LA morning. The simulated cron must run then (not only at Auckland's 09:00 = 20:00 UTC),
    # so day-3 goes at 16:00 UTC, and the overdue heads-up (outside LA hours at NOW) is superseded.
    ws = make_workspace(invoices=[one_invoice("2026-03-07", cid="la")],
                        customers=[{"customer_id": "la", "name": "LA Ltd", "timezone": "America/Los_Angeles"}],
                        config={"business": {"timezone": "Pacific/Auckland", "country": None}})
    code, doc = ws.json("preview", "--days", "2", now="2026-03-11T03:00:00")
    assert code == 0, doc
    assert timeline_moments(doc)["day-3"] == ["2026-03-10T16:00:00+00:00"]


def test_preview_of_a_book_where_an_invoice_matches_no_playbook(make_workspace):
    # Only ACME is chased (a customer-only match, so the preview wakes invoices lazily). Globex
    # matches no playbook: it has no next step, and the preview must neither fail nor chase it.
    # ACME's heads-up is due-3d = Tuesday 03-10 09:00 IST, already due at NOW.
    ws = make_workspace(playbooks={"standard.yaml": STANDARD_PLAYBOOK.replace(
        "name: standard\n", "name: standard\nmatch: \"customer.customer_id == 'acme'\"\n")})
    code, doc = ws.json("preview", "--days", "3")
    assert code == 0, doc
    customers = {m["customer_id"] for day in doc["timeline"] for m in day["messages"]}
    assert customers == {"acme"}


# ---------------------------------------------------------------------------- `history` of superseded steps

HISTORY_FIRM = ("{{ customer.name }}: please pay today. "
                "{% for h in history %}{{ h.step }}:{{ h.status }}:{{ h.channel }} {% endfor %}\n")


def test_a_later_step_sees_the_superseded_step_in_its_history_in_the_preview(make_workspace):
    # Globex INV-003 (due 03-07): at NOW day-3 (email) is sent and heads-up (email) superseded.
    # day-7 (03-14, a Saturday) goes Monday 03-16 by SMS; its history, oldest first and then by
    # step id, is: day-3 sent by email, heads-up superseded (its own channel, email).
    ws = make_workspace(invoices=[r for r in DEFAULT_INVOICES if r["invoice_id"] == "INV-003"],
                        templates={"firm.sms.j2": HISTORY_FIRM}, config=LONG_LIVED)
    code, doc = ws.json("preview", "--days", "7")
    assert code == 0, doc
    assert timeline_bodies(doc)["day-7"] == [
        "Globex: please pay today. day-3:sent:email heads-up:superseded:email"]


def test_history_in_the_state_file_keeps_the_channel_of_a_superseded_step(make_workspace):
    # The run at NOW sends Globex's day-3 email and supersedes its heads-up (an email step): the
    # ledger row of the skip names the step's channel, and `history` shows it ("by email", not "by -").
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0, doc
    code, doc = ws.json("history", "INV-003")
    assert code == 0, doc
    touches = {e["step"]: e for e in doc["entries"] if e["kind"].startswith("touch ")}
    assert touches["heads-up"]["kind"] == "touch superseded"
    assert touches["heads-up"]["detail"] == "standard/heads-up by email"


# ---------------------------------------------------------------------------- schedule


def test_a_minute_offset_counts_minutes_from_the_start_of_working_hours(make_workspace):
    # `due+90m`: the due date's working-hours start (09:00 IST on Friday 03-13) plus 90 minutes
    # = 10:30 IST = 05:00 UTC (not 90 days later).
    playbook = "name: standard\nsteps:\n  - {id: soon, at: due+90m, channel: email, template: gentle}\n"
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    code, doc = ws.json("explain", "INV-001")
    assert code == 0, doc
    [step] = doc["steps"]
    assert (step["step"], step["due_at"]) == ("soon", "2026-03-13T05:00:00+00:00")


CHAIN = """\
name: chain
steps:
  - id: first
    at: due
    channel: email
    template: gentle
  - id: maybe
    at: due+2d
    channel: email
    template: nudge
    if: "invoice.balance > 1000"
  - id: after
    at: previous+3d
    channel: email
    template: nudge
"""


def test_a_previous_step_after_a_step_skipped_for_good_counts_from_the_last_sent_one(make_workspace):
    # INV-100 (800.00) is due Wednesday 03-11: `first` goes 03-11 09:00 IST (03:30 UTC). `maybe`
    # (03-13) is skipped for good (800 is not > 1000). `after` looks back past it to `first`:
    # 03-11 + 3d = Saturday 03-14, not a working day, so it goes Monday 03-16 09:00 IST = 03:30 UTC.
    ws = make_workspace(invoices=[one_invoice("2026-03-11")], playbooks={"chain.yaml": CHAIN}, config=LONG_LIVED)
    code, doc = ws.json("preview", "--days", "10")
    assert code == 0, doc
    assert timeline_moments(doc) == {"first": ["2026-03-11T03:30:00+00:00"],
                                     "after": ["2026-03-16T03:30:00+00:00"]}


def test_a_previous_step_whose_earlier_steps_were_all_skipped_waits_on_them(make_workspace):
    # INV-100 has no email and no phone. The run on Friday 03-13 finds `first` and `maybe` due:
    # `maybe` is skipped (condition false), `first` has no address: both skipped for good, none
    # sent. `after` (previous+3d) then has nothing to count from: it waits on the step before it.
    ws = make_workspace(invoices=[one_invoice("2026-03-11", email="", phone="")], playbooks={"chain.yaml": CHAIN},
                        config=LONG_LIVED)
    code, doc = ws.json("run", now="2026-03-13T10:00:00")
    assert code == 0, doc
    assert {(s["step"], s["reason"]) for s in doc["skipped"]} >= {("first", "no_address"), ("maybe", "condition_false")}
    code, doc = ws.json("explain", "INV-100", now="2026-03-13T11:00:00")
    assert code == 0, doc
    after = {s["step"]: s for s in doc["steps"]}["after"]
    assert (after["state"], after["reason"], after["detail"]) == (
        "waiting", "waiting_on", "never comes due: it counts from the step before it, and every step before it "
        "was superseded or skipped, none sent (anchor it on `due` to send it anyway)")


# ---------------------------------------------------------------------------- ledger


def test_a_touch_records_the_moment_its_step_came_due(make_workspace):
    # Globex day-3 is due+3d = Tuesday 03-10 09:00 IST = 03:30 UTC (sent at NOW, 04:30 UTC).
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0, doc
    assert ws.touches()[("INV-003", "day-3")]["due_at"] == "2026-03-10T03:30:00+00:00"


def test_closing_a_task_is_in_the_history_of_its_invoice(make_workspace):
    # The run at NOW creates Umbrella's day-14 task for INV-005; `queue done` closes it, and the
    # invoice's history shows the item closed, by a person, with the note.
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0, doc
    [task_id] = [r["id"] for r in ws.rows("SELECT id FROM tasks WHERE kind = 'escalation'")]
    code, doc = ws.json("queue", "done", str(task_id), "--note", "called, pays Friday", now="2026-03-10T11:00:00")
    assert code == 0, doc
    code, doc = ws.json("history", "INV-005", now="2026-03-10T12:00:00")
    [done] = [e for e in doc["entries"] if e["kind"] == "item closed"]
    assert (done["task_id"], done["reason"], done["detail"]) == (
        task_id, "done", f"#{task_id} task: done by a person — called, pays Friday")


def test_the_queue_values_a_reply_by_the_balances_of_the_invoices_it_is_about(make_workspace):
    # The run at NOW texts Initech about INV-004 (day-7 SMS to +919800000004). Initech answers; the
    # reply becomes a queue item with no amount of its own, so the queue values it at what its
    # invoice still owes, 750.00 (INV-004 due 03-03: 7 days overdue on 03-10).
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0, doc
    with State.open(ws.db_path, create=False) as state:
        delivery._record_reply(state, "sms", {"from": "+919800000004", "body": "Paying on Friday", "sid": "SM-r1",
                                              "date_sent": None}, NOW_DT)
    code, doc = ws.json("queue")
    assert code == 0, doc
    [reply] = [t for t in doc["items"] if t["kind"] == "reply"]
    assert reply["invoice_ids"] == ["INV-004"]
    assert (str(reply["amount"]), reply["days_overdue"]) == ("750.00", 7)
