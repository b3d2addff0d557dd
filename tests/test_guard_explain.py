"""`explain INVOICE` tells the truth about each step: which playbook and why, the state of each
step of *this* invoice (not a sibling's), errors per step, and what happens next. Through the
real CLI on the default workspace (tests/conftest.py: NOW Tuesday 2026-03-10 10:00 IST).
"""

from __future__ import annotations

import copy

from conftest import DEFAULT_INVOICES, STANDARD_PLAYBOOK

BIG = """\
name: big
match: "invoice.balance >= 1000"
priority: 10
steps:
  - id: call
    at: due+1d
    channel: task
    assign: owner
    note: "Call {{ customer.name }}"
"""

BROKEN = """\
name: broken
match: "invoice.balance / 0 > 1"
priority: 20
steps:
  - id: never
    at: due
    channel: task
    note: "x"
"""


def plus(*extra: dict) -> list[dict]:
    rows = copy.deepcopy(DEFAULT_INVOICES)
    rows.extend(dict(rows[7], **e) for e in extra)
    return rows


def test_why_names_the_match_that_chose_the_playbook_and_the_lower_ones(make_workspace):
    # INV-003 owes 2000 >= 1000: `big` (priority 10) and `standard` (no match) both apply; big wins.
    ws = make_workspace(playbooks={"standard.yaml": STANDARD_PLAYBOOK, "big.yaml": BIG})
    code, doc = ws.json("explain", "INV-003")
    assert code == 0
    assert doc["playbook"] == "big"
    assert doc["why"] == ("big: match `invoice.balance >= 1000` is true, priority 10; "
                          "also matched but lower in priority/order: standard")
    # INV-004 owes 750: only `standard`, which has no match condition
    code, doc = ws.json("explain", "INV-004")
    assert doc["why"] == "standard: it has no match condition (applies to every invoice), priority 0"


def test_why_says_which_match_could_not_be_evaluated(make_workspace):
    # `broken` divides by zero for every invoice and is the only playbook: none applies, and the
    # explanation says which match failed rather than just "none is true"
    ws = make_workspace(playbooks={"broken.yaml": BROKEN})
    code, doc = ws.json("explain", "INV-003")
    assert doc["playbook"] is None
    assert doc["why"] == "no playbook's match is true for this invoice (broken could not be evaluated)"


def test_each_step_shows_this_invoices_state_not_a_sibling_invoices(make_workspace):
    # ACME has INV-001 (due 03-13) and INV-010 (due 03-05). At 20:00 Tuesday, after hours:
    # INV-001's heads-up (due-3d = 03-10 09:00) waits for Wednesday 09:00 IST (03:30 UTC);
    # INV-010's heads-up (03-02) was superseded by its day-3 (03-08), which waits too.
    ws = make_workspace(invoices=plus(dict(invoice_id="INV-010", customer_id="acme", customer_name="ACME Ltd",
                                           email="ap@acme.example", due_date="2026-03-05")))
    code, ten = ws.json("explain", "INV-010", now="2026-03-10T20:00:00")
    assert code == 0
    steps = {s["step"]: s for s in ten["steps"]}
    assert steps["heads-up"]["state"] == "superseded"
    assert (steps["day-3"]["state"], steps["day-3"]["until"]) == ("waiting", "2026-03-11T03:30:00+00:00")
    code, one = ws.json("explain", "INV-001", now="2026-03-10T20:00:00")
    steps = {s["step"]: s for s in one["steps"]}
    assert (steps["heads-up"]["state"], steps["heads-up"]["reason"]) == ("waiting", "outside_hours")


def test_a_step_whose_condition_fails_shows_the_error_on_that_step_only(make_workspace):
    playbook = STANDARD_PLAYBOOK.replace("    template: nudge\n", "    template: nudge\n    if: \"invoice.balance / 0 > 1\"\n")
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    code, doc = ws.json("explain", "INV-003")  # its day-3 (with the failing `if`) is due now
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["day-3"]["state"] == "error" and "division" in steps["day-3"]["detail"].lower()
    assert steps["day-7"]["state"] == "waiting" and steps["heads-up"]["state"] != "error"


def test_a_task_keeps_its_own_moment_but_a_message_waits_for_working_hours(make_workspace):
    # INV-009 due Saturday 2026-03-14: heads-up (due-3d) is Wednesday 03-11, a working day; day-3 is
    # Tuesday 03-17; day-14 (a task) is Saturday 03-28 09:00 IST (03:30 UTC). A task is for a
    # person and is not held to working hours: its `until` stays Saturday. A message due on a
    # Saturday would wait for Monday.
    ws = make_workspace(invoices=plus(dict(invoice_id="INV-009", due_date="2026-03-14")))
    code, doc = ws.json("explain", "INV-009")
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["day-14"]["due_at"] == steps["day-14"]["until"] == "2026-03-28T03:30:00+00:00"
    assert steps["heads-up"]["until"] == "2026-03-11T03:30:00+00:00"


def test_next_says_a_due_step_goes_out_in_this_run(workspace):
    code, doc = workspace.json("explain", "INV-003")
    assert doc["next"]["at"] == "2026-03-10T04:30:00+00:00"  # NOW, 10:00 IST
    assert doc["next"]["what"].startswith("step 'day-3' goes out in this run")


def test_next_looks_a_year_ahead_and_no_further(make_workspace):
    # NOW is 2026-03-10. INV-011 due 2027-03-14: heads-up on 2027-03-11 09:00 IST, 366 days after
    # 2026-03-10 (2027 is not a leap year: 2026-03-10 + 365 d = 2027-03-10) and 23 hours later -
    # within the 366-day horizon of `next`. INV-012, due a day later, is past it.
    ws = make_workspace(invoices=plus(dict(invoice_id="INV-011", due_date="2027-03-14"),
                                      dict(invoice_id="INV-012", due_date="2027-03-15")))
    code, doc = ws.json("explain", "INV-011")
    assert doc["next"]["at"] == "2027-03-11T03:30:00+00:00"
    code, doc = ws.json("explain", "INV-012")
    assert doc["next"]["at"] is None and doc["next"]["what"] == "nothing within 366 days if nobody pays"
