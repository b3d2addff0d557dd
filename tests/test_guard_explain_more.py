"""More of what `explain INVOICE` tells about each step, and about what happens next: the words of
a due step (its address, the invoices sharing its message, a retry), a step skipped for good
(from the plan and from the ledger), one without an issue date, one waiting on the step before
it, a failed one (retried now, not due yet, or held back), a due step that is not "not due yet",
a message due on a day off, and the next event (a task, after what is already sent, under the
daily cap). Through the real CLI (tests/conftest.py: NOW Tuesday 2026-03-10 10:00 IST, which is
04:30 UTC; working hours 09:00-18:00 Mon-Fri, so a day's start is 03:30 UTC).
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from conftest import DEFAULT_INVOICES, NOW_DT, STANDARD_PLAYBOOK

from collectbot.channels import base, load_providers
from collectbot.channels.base import SendResult

BROKEN_IF = '    if: "invoice.balance / 0 > 1"\n'  # a step `if` that cannot be evaluated


def rows(*ids: str, **changes: dict) -> list[dict]:
    """The default invoices with these ids (all when none is given), each with its changes."""
    out = [dict(r) for r in copy.deepcopy(DEFAULT_INVOICES) if not ids or r["invoice_id"] in ids]
    for r in out:
        r.update(changes.get(r["invoice_id"].replace("-", "_"), {}))
    return out


def steps_of(doc: dict) -> dict[str, dict]:
    return {s["step"]: s for s in doc["steps"]}


@pytest.fixture
def failing(monkeypatch):
    """Addresses the outbox refuses (a `failed` answer); every other message is really sent."""
    load_providers()
    real = base.PROVIDERS["outbox"]
    refused: set[str] = set()

    def factory(channel, config, environ):
        inner = real(channel, config, environ)

        class Refusing:
            provider = "outbox"

            def send(self, message):
                if message.to in refused:
                    return SendResult("failed", error="mailbox unavailable", error_code="550")
                return inner.send(message)

        return Refusing()

    monkeypatch.setitem(base.PROVIDERS, "outbox", factory)
    return refused


# ---------------------------------------------------------------------------- a due step's words


def test_a_due_message_names_its_address_and_the_invoices_sharing_it(workspace):
    # ACME's INV-001 and INV-002 both have heads-up due now: one email covers both, so each has
    # one other invoice in its message
    code, doc = workspace.json("explain", "INV-001")
    assert code == 0
    assert steps_of(doc)["heads-up"]["detail"] == (
        "would be sent now by email to ap@acme.example, in one message with 1 other invoice(s)")
    # Globex's day-3 email covers INV-003 alone: no word about other invoices, and no retry (no row)
    code, doc = workspace.json("explain", "INV-003")
    assert steps_of(doc)["day-3"]["detail"] == "would be sent now by email to pay@globex.example"


def test_the_errors_shown_are_this_invoices_only(make_workspace):
    # day-3 gets an `if` that cannot be evaluated: INV-003 and INV-006 (both due 03-07) are at
    # day-3 and both fail on it; each explanation lists its own error only. INV-004 is at day-7
    # (no `if`), so it has none.
    playbook = STANDARD_PLAYBOOK.replace("    template: nudge\n", "    template: nudge\n" + BROKEN_IF)
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    code, doc = ws.json("explain", "INV-003")
    assert [(e["invoice_id"], e["playbook"], e["step"]) for e in doc["errors"]] == [("INV-003", "standard", "day-3")]
    code, doc = ws.json("explain", "INV-004")
    assert doc["errors"] == []


def test_no_playbook_applies_and_none_failed(make_workspace):
    # the only playbook asks for a balance no invoice has, and its match evaluates fine: the
    # answer says so, without a "could not be evaluated" part
    big_only = STANDARD_PLAYBOOK.replace("name: standard\n", 'name: standard\nmatch: "invoice.balance >= 100000"\n')
    ws = make_workspace(playbooks={"standard.yaml": big_only})
    code, doc = ws.json("explain", "INV-003")
    assert doc["playbook"] is None
    assert doc["why"] == "no playbook's match is true for this invoice"
    assert [(p["name"], p["matched"], p["error"]) for p in doc["playbooks"]] == [("standard", False, None)]
    assert doc["next"]["what"] == "nothing: no playbook applies to this invoice"
    # Paid Co's INV-007 is paid as well: that is what stops it
    code, doc = ws.json("explain", "INV-007")
    assert doc["next"] == {"at": None, "what": "nothing: the invoice is stopped (paid)", "step": None, "channel": None}


# ---------------------------------------------------------------------------- settled or not applicable


def test_a_step_skipped_for_good_says_why_in_the_plan_and_from_the_ledger(make_workspace):
    # Hooli's INV-006 (due 03-07) now has neither email nor phone: day-3 (email, fallback sms)
    # reaches nobody, a permanent skip (no_address)
    ws = make_workspace(invoices=rows(INV_006={"phone": ""}))
    code, doc = ws.json("explain", "INV-006")
    day3 = steps_of(doc)["day-3"]
    assert (day3["state"], day3["reason"]) == ("skipped", "no_address")
    assert ws.json("run")[0] in (0, 1)
    # the run wrote the skip into the ledger; explain now reads it from there
    code, doc = ws.json("explain", "INV-006")
    day3 = steps_of(doc)["day-3"]
    assert (day3["state"], day3["detail"]) == ("skipped", "skipped for good: no_address")


def test_a_step_anchored_on_a_missing_issue_date_is_not_applicable(make_workspace):
    playbook = "name: standard\nsteps:\n  - id: month\n    at: issued+30d\n    channel: email\n    template: gentle\n"
    ws = make_workspace(invoices=rows("INV-008", INV_008={"issue_date": ""}), playbooks={"standard.yaml": playbook})
    code, doc = ws.json("explain", "INV-008")
    month = steps_of(doc)["month"]
    assert (month["state"], month["reason"], month["detail"]) == (
        "not_applicable", "no_issue_date", "the invoice has no issue date")


# ---------------------------------------------------------------------------- waiting, due, failed

CHAIN = """\
name: standard
steps:
  - id: first
    at: due-3d
    channel: email
    template: gentle
{middle}  - id: second
    at: previous+1d
    channel: email
    template: nudge
"""
MIDDLE = "  - id: middle\n    at: due+30d\n    channel: email\n    template: nudge\n"


def test_a_step_waiting_on_the_one_before_and_a_failed_one_that_waits_again(make_workspace, failing):
    # INV-001 (due 03-13) alone: `first` (due-3d) is due now; `second` counts from it
    ws = make_workspace(invoices=rows("INV-001"), playbooks={"standard.yaml": CHAIN.format(middle="")})
    code, doc = ws.json("explain", "INV-001")
    second = steps_of(doc)["second"]
    assert (second["state"], second["reason"], second["detail"]) == (
        "waiting", "waiting_on", "waits until the step before it is sent")
    assert ws.json("run")[0] == 0  # `first` sent Tue 03-10
    # `second` = previous+1d = Wed 03-11 09:00; at 10:00 it is sent and refused
    failing.add("ap@acme.example")
    assert ws.json("run", now="2026-03-11T10:00:00")[0] == 1
    # then the owner adds a step between them: `middle` (due+30d) was never sent, so `second`
    # waits on it again, and says that its own last attempt failed
    ws.write("playbooks/standard.yaml", CHAIN.format(middle=MIDDLE))
    code, doc = ws.json("explain", "INV-001", now="2026-03-11T11:00:00")
    second = steps_of(doc)["second"]
    assert (second["state"], second["reason"], second["detail"]) == (
        "failed", "waiting_on", "the last attempt failed; it is retried when due")
    assert second["sent_at"] == "2026-03-11T04:30:00+00:00"  # the attempt: 03-11 10:00 IST


def test_a_failed_send_is_retried_when_due_and_shown_failed_until_then(make_workspace, failing):
    ws = make_workspace()
    failing.add("pay@globex.example")
    assert ws.json("run")[0] == 1  # INV-003's day-3 (03-10 09:00) refused at 10:00
    # an hour later it is due again: retried in this run
    code, doc = ws.json("explain", "INV-003", now="2026-03-10T11:00:00")
    assert steps_of(doc)["day-3"]["detail"] == (
        "retrying a failed send: would be sent now by email to pay@globex.example")
    # the due date is moved to 03-09: day-3 is now Thu 03-12 09:00 IST (03:30 UTC), a working
    # moment; the step is not due yet, and still shows its failed attempt
    ws.write_invoices(rows(INV_003={"due_date": "2026-03-09"}))
    code, doc = ws.json("explain", "INV-003", now="2026-03-10T11:00:00")
    day3 = steps_of(doc)["day-3"]
    assert (day3["state"], day3["reason"], day3["until"], day3["detail"]) == (
        "failed", "not_due", "2026-03-12T03:30:00+00:00", "the last attempt failed; it is retried when due")


def test_a_failed_step_held_back_by_a_later_steps_error_stays_failed(make_workspace, failing):
    ws = make_workspace()
    failing.add("pay@globex.example")
    assert ws.json("run")[0] == 1  # INV-003's day-3 refused on 03-10
    # Mon 03-16 10:00: day-3 (03-10) and day-7 (Sat 03-14) are both due; day-7, the latest,
    # has an `if` that cannot be evaluated, so nothing is decided for INV-003: day-3 is neither
    # retried nor "not due", it is the failed step it was
    ws.write("playbooks/standard.yaml", STANDARD_PLAYBOOK.replace("    template: firm\n",
                                                                  "    template: firm\n" + BROKEN_IF))
    ws.write_invoices(rows(), mtime=NOW_DT + timedelta(days=6))  # a fresh export on 03-16
    code, doc = ws.json("explain", "INV-003", now="2026-03-16T10:00:00")
    steps = steps_of(doc)
    assert steps["day-7"]["state"] == "error"
    assert (steps["day-3"]["state"], steps["day-3"]["reason"], steps["day-3"]["detail"]) == (
        "failed", None, "the last attempt failed; it is retried when due")


SAME_MOMENT = """\
name: standard
steps:
  - id: first
    at: due
    channel: email
    template: gentle
  - id: second
    at: due
    channel: email
    template: nudge
""" + BROKEN_IF


def test_a_step_due_this_very_moment_is_not_reported_as_not_due(make_workspace):
    # INV-010 due today, 03-10: both steps are due at 09:00 IST, and it is 09:00. `second`
    # (the later in the playbook) cannot be evaluated, so nothing is decided for the invoice;
    # `first` is due (its moment has come), neither "not due yet" nor lacking an issue date:
    # a waiting step with no reason of its own
    ws = make_workspace(invoices=rows("INV-008", INV_008={"invoice_id": "INV-010", "due_date": "2026-03-10"}),
                        playbooks={"standard.yaml": SAME_MOMENT})
    code, doc = ws.json("explain", "INV-010", now="2026-03-10T09:00:00")
    steps = steps_of(doc)
    assert steps["second"]["state"] == "error"
    first = steps["first"]
    assert first["due_at"] == doc["now"] == "2026-03-10T03:30:00+00:00"
    assert (first["state"], first["reason"], first["until"], first["detail"]) == ("waiting", None, None, None)


# ---------------------------------------------------------------------------- working hours


def test_a_message_due_on_a_day_off_says_it_goes_at_the_next_working_moment(make_workspace):
    # INV-009 due Tue 03-17: heads-up (due-3d) falls on Sat 03-14 09:00 IST, a day off, so it goes
    # Mon 03-16 09:00 (03:30 UTC); day-3 is Fri 03-20 09:00, a working moment
    ws = make_workspace(invoices=rows("INV-008", INV_008={"invoice_id": "INV-009", "due_date": "2026-03-17"}))
    code, doc = ws.json("explain", "INV-009")
    steps = steps_of(doc)
    assert (steps["heads-up"]["due_at"], steps["heads-up"]["until"], steps["heads-up"]["detail"]) == (
        "2026-03-14T03:30:00+00:00", "2026-03-16T03:30:00+00:00",
        "not due yet; due outside working hours in Asia/Kolkata, so it goes at the next working moment")
    assert (steps["day-3"]["until"], steps["day-3"]["detail"]) == ("2026-03-20T03:30:00+00:00", "not due yet")


def test_with_no_working_day_in_reach_a_message_keeps_its_due_moment(make_workspace):
    # Mondays only, and every Monday for three years is a holiday: no moment is allowed within the
    # calendar's search (800 days). INV-008's heads-up (due 04-30 - 3d = Mon 04-27 09:00 IST,
    # 03:30 UTC) then shows its own due moment as `until`, not nothing.
    mondays = [str(date(2026, 3, 9) + timedelta(weeks=n)) for n in range(160)]
    ws = make_workspace(invoices=rows("INV-008"),
                        config={"business": {"working_hours": {"days": ["mon"]}, "holidays": mondays}})
    code, doc = ws.json("explain", "INV-008")
    heads_up = steps_of(doc)["heads-up"]
    assert (heads_up["due_at"], heads_up["until"], heads_up["detail"]) == (
        "2026-04-27T03:30:00+00:00", "2026-04-27T03:30:00+00:00", "not due yet")


# ---------------------------------------------------------------------------- what happens next


def test_next_comes_after_what_is_already_sent(workspace):
    assert workspace.json("run")[0] == 0  # INV-003's day-3 email goes out now
    # next for INV-003: day-7 (due+7d = Sat 03-14, a day off) by SMS at Mon 03-16 09:00 IST,
    # not day-3 again
    code, doc = workspace.json("explain", "INV-003", now="2026-03-10T11:00:00")
    assert steps_of(doc)["day-3"]["state"] == "sent"
    assert doc["next"] == {"at": "2026-03-16T03:30:00+00:00", "what": "step 'day-7' by sms to +919800000003",
                           "step": "day-7", "channel": "sms"}


def test_next_respects_the_daily_cap_of_what_this_customer_was_sent(make_workspace):
    ws = make_workspace(invoices=rows("INV-001", "INV-002", "INV-003"))
    assert ws.json("run")[0] == 0  # ACME's heads-up email (INV-001, INV-002) today
    # a new ACME invoice due 03-13: its heads-up is due now, but ACME had its one email today,
    # so it goes at the next working moment, Wed 03-11 09:00 IST (03:30 UTC)
    ws.write_invoices(rows("INV-001", "INV-002", "INV-003", "INV-008",
                           INV_008={"invoice_id": "INV-010", "customer_id": "acme", "customer_name": "ACME Ltd",
                                    "email": "ap@acme.example", "due_date": "2026-03-13"}))
    code, doc = ws.json("explain", "INV-010")
    assert steps_of(doc)["heads-up"]["reason"] == "daily_cap"
    assert (doc["next"]["at"], doc["next"]["step"]) == ("2026-03-11T03:30:00+00:00", "heads-up")


def test_next_names_a_task_to_come(make_workspace):
    # a playbook of one task, at due+14d: for INV-008 (due 04-30) that is 05-14 09:00 IST, 03:30 UTC
    calls = ("name: standard\nsteps:\n  - id: call\n    at: due+14d\n    channel: task\n"
             "    assign: owner\n    note: Call\n")
    ws = make_workspace(invoices=rows("INV-008"), playbooks={"standard.yaml": calls})
    code, doc = ws.json("explain", "INV-008")
    assert doc["next"] == {"at": "2026-05-14T03:30:00+00:00", "what": "step 'call': a task for owner",
                           "step": "call", "channel": "task"}
