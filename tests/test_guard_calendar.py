"""When a message may go: working hours (start inclusive, end exclusive), the recipient's time
zone, business days, and the next working moment shown by `explain`. Through the real CLI.

Hand calendar: 2026-03-10 is a Tuesday; Asia/Kolkata is UTC+05:30 all year, so 09:00 there is
03:30 UTC. New York moved to daylight time (UTC-4) on Sunday 2026-03-08 (the second Sunday of
March), so 09:00 there on 2026-03-10 is 13:00 UTC.
"""

from __future__ import annotations

import copy

import pytest
from conftest import DEFAULT_INVOICES

BD_PLAYBOOK = """\
name: standard
steps:
  - id: early
    at: due-2bd
    channel: email
    template: gentle
  - id: late
    at: due+1bd
    channel: email
    template: gentle
"""


def invoices_plus(**row) -> list[dict]:
    """The default book plus one invoice of Future Ltd (`row` over INV-008's fields)."""
    rows = copy.deepcopy(DEFAULT_INVOICES)
    rows.append(dict(rows[7], **row))
    return rows


def planned(doc: dict, invoice_id: str) -> list[tuple[str, str]]:
    return [(s, m["scheduled_at"]) for m in doc["messages"] if invoice_id in m["invoice_ids"] for s in m["steps"]]


@pytest.mark.parametrize("now, due", [
    ("2026-03-10T09:00:00", True),   # 09:00 sharp: hours have begun
    ("2026-03-10T17:59:00", True),
    ("2026-03-10T18:00:00", False),  # 18:00 sharp: hours are over
    ("2026-03-10T08:59:00", False),
])
def test_working_hours_include_their_start_and_exclude_their_end(workspace, now, due):
    code, doc = workspace.json("preview", now=now)
    assert code == 0
    sends = {m["to"] for m in doc["messages"]}
    assert ("pay@globex.example" in sends) is due  # Globex's day-3 (due 03-07 + 3d = today)


def test_a_blocked_message_waits_for_the_next_working_morning_not_one_that_has_passed(make_workspace):
    # INV-009 is due Thursday 2026-03-05: its day-3 step came due Sunday 03-08 09:00 IST (a day off)
    # and day-7 comes due Thursday 03-12, so on Tuesday day-3 is the step waiting to go.
    ws = make_workspace(invoices=invoices_plus(invoice_id="INV-009", due_date="2026-03-05"))
    # 07:00 Tuesday is before 09:00: it goes this morning, 2026-03-10 03:30 UTC
    code, doc = ws.json("preview", now="2026-03-10T07:00:00")
    [skip] = [s for s in doc["skipped"] if (s["invoice_id"], s["step"]) == ("INV-009", "day-3")]
    assert (skip["reason"], skip["until"]) == ("outside_hours", "2026-03-10T03:30:00+00:00")
    # 20:00 Tuesday is past 18:00: Wednesday 09:00 IST = 2026-03-11 03:30 UTC, not Tuesday 09:00
    code, doc = ws.json("preview", now="2026-03-10T20:00:00")
    [skip] = [s for s in doc["skipped"] if (s["invoice_id"], s["step"]) == ("INV-009", "day-3")]
    assert (skip["reason"], skip["until"]) == ("outside_hours", "2026-03-11T03:30:00+00:00")


def test_a_customer_in_another_time_zone_is_written_to_in_their_working_hours(make_workspace):
    # ACME's heads-up (due 03-13 - 3d = Tuesday 03-10) is due at 09:00 in ACME's zone, New York:
    # 13:00 UTC. Globex, in the business zone, has its day-3 email at 09:00 IST = 03:30 UTC, so at
    # NOW (10:00 IST = 04:30 UTC, 00:30 in New York) Globex is written to and ACME is not yet.
    customers = [{"customer_id": "acme", "name": "ACME Ltd", "timezone": "America/New_York"},
                 {"customer_id": "globex", "name": "Globex", "timezone": ""}]
    ws = make_workspace(customers=customers)
    code, doc = ws.json("preview")
    assert code == 0
    assert "pay@globex.example" in {m["to"] for m in doc["messages"]}
    assert "ap@acme.example" not in {m["to"] for m in doc["messages"]}
    code, doc = ws.json("preview", "--days", "1")
    assert planned(doc, "INV-001") == [("heads-up", "2026-03-10T13:00:00+00:00")]
    assert planned(doc, "INV-003")[0] == ("day-3", "2026-03-10T04:30:00+00:00")  # due already: goes now


def test_business_days_skip_the_weekend_both_ways_and_the_holidays(make_workspace):
    # INV-009 is due Monday 2026-03-16. due-2bd: Friday 13th is one business day back, Thursday 12th
    # two. due+1bd: Tuesday 17th. With Thursday 12th a holiday, due-2bd is Wednesday 11th.
    ws = make_workspace(invoices=invoices_plus(invoice_id="INV-009", due_date="2026-03-16"),
                        playbooks={"standard.yaml": BD_PLAYBOOK})
    code, doc = ws.json("preview", "--days", "10")
    assert code == 0, doc
    assert planned(doc, "INV-009") == [("early", "2026-03-12T03:30:00+00:00"), ("late", "2026-03-17T03:30:00+00:00")]
    ws = make_workspace(invoices=invoices_plus(invoice_id="INV-009", due_date="2026-03-16"),
                        playbooks={"standard.yaml": BD_PLAYBOOK}, config={"business": {"holidays": {"dates": ["2026-03-12"]}}})
    code, doc = ws.json("preview", "--days", "10")
    assert code == 0, doc
    assert planned(doc, "INV-009")[0] == ("early", "2026-03-11T03:30:00+00:00")


def test_explain_shows_a_weekend_step_going_on_monday_morning(make_workspace):
    # INV-009 due Tuesday 2026-03-17: heads-up (due-3d) falls on Saturday 14th 09:00 IST (03:30 UTC);
    # Saturday is not a working day, so it goes Monday 16th 09:00 IST.
    ws = make_workspace(invoices=invoices_plus(invoice_id="INV-009", due_date="2026-03-17"))
    code, doc = ws.json("explain", "INV-009")
    assert code == 0
    heads_up = doc["steps"][0]
    assert (heads_up["step"], heads_up["due_at"], heads_up["until"]) == (
        "heads-up", "2026-03-14T03:30:00+00:00", "2026-03-16T03:30:00+00:00")
    assert doc["next"]["at"] == "2026-03-16T03:30:00+00:00"
    # day-3 (Friday 20th 09:00) is inside working hours: it goes at its own moment
    assert doc["steps"][1]["due_at"] == doc["steps"][1]["until"] == "2026-03-20T03:30:00+00:00"
