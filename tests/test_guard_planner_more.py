"""More of what the planner decides and says: the words of a held-back step (closed hours, a
holiday, in whose time zone), who a task is assigned to without an `assign:`, day offsets across
a daylight-saving change, and a step that failed once and then went out is never sent again.
Through the real CLI (tests/conftest.py: NOW Tuesday 2026-03-10 10:00 IST = 04:30 UTC).
"""

from __future__ import annotations

import copy

from conftest import DEFAULT_INVOICES, STANDARD_PLAYBOOK
from test_guard_explain_more import failing  # noqa: F401 - the fixture


def skip_of(doc: dict, invoice_id: str, step: str) -> dict:
    [skip] = [s for s in doc["skipped"] if (s["invoice_id"], s["step"]) == (invoice_id, step)]
    return skip


def test_a_held_back_step_says_why_and_in_whose_time_zone(make_workspace):
    # 20:00 IST: Globex's day-3 (due now) waits, closed hours in the business zone
    ws = make_workspace()
    code, doc = ws.json("preview", now="2026-03-10T20:00:00")
    assert skip_of(doc, "INV-003", "day-3")["detail"] == "outside working hours in the business time zone"
    # Tuesday 2026-03-10 a holiday of the business: the same step waits for Wednesday, "a holiday"
    ws = make_workspace(config={"business": {"holidays": {"dates": ["2026-03-10"]}}})
    code, doc = ws.json("preview")
    skip = skip_of(doc, "INV-003", "day-3")
    assert (skip["reason"], skip["detail"]) == ("holiday", "a holiday in the business time zone")
    # ACME in New York, with INV-001 due 03-12: heads-up came due Monday 03-09 09:00 New York time;
    # at NOW it is 00:30 on Tuesday there, before hours, in the customer's zone
    rows = copy.deepcopy(DEFAULT_INVOICES)
    rows[0]["due_date"] = "2026-03-12"
    ws = make_workspace(invoices=rows, customers=[{"customer_id": "acme", "name": "ACME Ltd",
                                                   "timezone": "America/New_York"}])
    code, doc = ws.json("preview")
    assert skip_of(doc, "INV-001", "heads-up")["detail"] == "outside working hours in America/New_York"


def test_a_task_without_assign_goes_to_the_customers_owner_or_the_owner(make_workspace):
    # Umbrella's day-14 task at NOW, from a step with no `assign:`: to Umbrella's owner (customers
    # file) when it has one, else to "owner"
    playbook = STANDARD_PLAYBOOK.replace("    assign: \"{{ customer.owner or 'owner' }}\"\n", "")
    assert "assign" not in playbook
    ws = make_workspace(playbooks={"standard.yaml": playbook},
                        customers=[{"customer_id": "umbrella", "name": "Umbrella Corp", "owner": "priya"}])
    code, doc = ws.json("preview")
    [task] = [t for t in doc["tasks"] if t["invoice_ids"] == ["INV-005"]]
    assert task["assign"] == "priya"
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    code, doc = ws.json("preview")
    [task] = [t for t in doc["tasks"] if t["invoice_ids"] == ["INV-005"]]
    assert task["assign"] == "owner"


def test_days_are_counted_on_the_calendar_across_a_daylight_saving_change(make_workspace):
    # ACME in New York, INV-001 due Sunday 2026-03-01 (EST, UTC-5). day-14 (due+14d) is Sunday
    # 03-15, after the change to EDT (UTC-4) on 03-08: 09:00 EDT = 13:00 UTC (not 14:00, which is
    # 09:00 EST plus 14 x 24 hours).
    rows = copy.deepcopy(DEFAULT_INVOICES)
    rows[0]["due_date"] = "2026-03-01"
    ws = make_workspace(invoices=rows, customers=[{"customer_id": "acme", "name": "ACME Ltd",
                                                   "timezone": "America/New_York"}])
    code, doc = ws.json("explain", "INV-001")
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["day-14"]["due_at"] == "2026-03-15T13:00:00+00:00"


def test_a_step_that_failed_and_then_went_out_is_never_sent_again(make_workspace, failing):
    # Globex's day-3 email is refused by the provider at 10:00 (failed), goes out at 11:00, and a
    # run at 12:00 sends nothing more to Globex: the sent row settles the step, whatever the
    # failed row before it says.
    ws = make_workspace()
    failing.add("pay@globex.example")
    code, doc = ws.json("run")
    assert [m["status"] for m in doc["messages"] if m["to"] == "pay@globex.example"] == ["failed"]
    failing.clear()
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert [m["status"] for m in doc["messages"] if m["to"] == "pay@globex.example"] == ["sent"]
    code, doc = ws.json("run", now="2026-03-10T12:00:00")
    assert [m for m in doc["messages"] if m["to"] == "pay@globex.example"] == []
    assert len([m for m in ws.sent() if m["to"] == "pay@globex.example"]) == 1


def test_a_failed_send_keeps_its_reason_and_no_sent_time(make_workspace, failing):
    # the provider refuses Globex's day-3 email: the touch keeps the provider's words as its
    # reason, and the message has no sent time; Initech's SMS went out and has one, with no reason
    ws = make_workspace()
    failing.add("pay@globex.example")
    code, doc = ws.json("run")
    globex = ws.rows("SELECT t.status, t.reason, m.sent_at FROM touches t JOIN messages m ON m.id = t.message_id "
                     "WHERE t.invoice_id = 'INV-003' AND t.step = 'day-3'")
    assert [(r["status"], r["reason"], r["sent_at"]) for r in globex] == [("failed", "mailbox unavailable", None)]
    initech = ws.rows("SELECT t.status, t.reason, m.sent_at FROM touches t JOIN messages m ON m.id = t.message_id "
                      "WHERE t.invoice_id = 'INV-004' AND t.step = 'day-7'")
    assert [(r["status"], r["reason"]) for r in initech] == [("sent", None)] and initech[0]["sent_at"]
