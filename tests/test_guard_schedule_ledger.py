"""Guards for the preview timeline's run moments and daily cap, `previous` day anchors, and what
the ledger feeds back (address suppressions, the queue's task amounts, `queue done` of a task
that does not exist).

Each test pins a behaviour that a small slip in collectbot/engine/schedule.py, timeline.py or
ledger.py would break (found by killing mutants of benchmarks/mutation.py). Calendar used
(worked out by hand): 2026-03-10 is a Tuesday, so Sat 03-14 and Sun 03-15 are the weekend.
Working hours are 09:00-18:00 Mon-Fri. Asia/Kolkata is UTC+05:30 (09:00 = 03:30 UTC),
Asia/Dubai is UTC+04:00 (09:00 = 05:00 UTC = 10:30 Kolkata).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from conftest import DEFAULT_INVOICES, NOW_DT


def invoice(iid: str, cid: str, due: str, email: str) -> dict[str, Any]:
    return {"invoice_id": iid, "customer_id": cid, "customer_name": f"{cid.title()} Ltd", "email": email,
            "phone": "+919800000100", "issue_date": "2026-02-01", "due_date": due, "amount": "800.00",
            "balance": "800.00", "status": "open"}


def timeline(doc: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]], list[tuple[str, str, str]]]]:
    """Each timeline day: (date, [(to, scheduled_at)], [(customer, step, scheduled_at)])."""
    return [(str(day["date"]), [(m["to"], m["scheduled_at"]) for m in day["messages"]],
             [(t["customer_id"], t["step"], t["scheduled_at"]) for t in day["tasks"]]) for day in doc["timeline"]]


# ---------------------------------------------------------------------------- the timeline's run moments

NUDGE_THEN_CALL = """\
name: nudge-then-call
steps:
  - id: nudge
    at: due+3d
    channel: email
    template: nudge
  - id: call
    at: due+14d
    channel: task
    note: "Call {{ customer.name }}"
"""


def test_preview_days_runs_in_each_zones_morning_keeps_the_daily_cap_and_includes_its_last_moment(make_workspace):
    invoices = [
        # Globex: two invoices with their own email addresses -> two messages, but the daily cap is 1
        invoice("G-1", "globex", "2026-03-07", "pay@globex.example"),
        invoice("G-2", "globex", "2026-03-07", "other@globex.example"),
        # Dune, a customer in Dubai: its working morning adds a run moment at 10:30 Kolkata
        invoice("D-1", "dune", "2026-02-28", "ap@dune.example"),
    ]
    customers = [{"customer_id": "dune", "name": "Dune LLC", "email": "ap@dune.example", "timezone": "Asia/Dubai"}]
    ws = make_workspace(invoices=invoices, customers=customers, playbooks={"nudge.yaml": NUDGE_THEN_CALL})
    # now = Tue 03-10 09:00 Kolkata = 03:30 UTC; --days 5 ends at Sun 03-15 03:30 UTC, which is itself
    # the start of working hours in Kolkata on Sunday (a run moment: tasks wait for no working day).
    code, doc = ws.json("preview", "--days", "5", now="2026-03-10T09:00:00")
    assert code == 0, doc
    assert timeline(doc) == [
        # Globex nudges are due+3d = Tue 03-10 09:00. Both are due at the first run; the groups go in
        # address order, so other@ gets the day's one message and pay@ waits for the daily cap.
        # Dune's nudge (due+3d = 03-03) waits for 09:00 in Dubai: the 05:00 UTC run. That same run
        # still counts other@'s message of 03:30 UTC today, so pay@ keeps waiting.
        ("2026-03-10", [("other@globex.example", "2026-03-10T03:30:00+00:00"),
                        ("ap@dune.example", "2026-03-10T05:00:00+00:00")], []),
        # a new day in Kolkata: pay@ goes at the first run, 09:00 = 03:30 UTC
        ("2026-03-11", [("pay@globex.example", "2026-03-11T03:30:00+00:00")], []),
        # Dune's call: due+14d = Sat 03-14 09:00 Dubai = 05:00 UTC. Another zone's morning is a run
        # moment only on working days, so there is no run at Sat 05:00 UTC: the next run is the
        # Kolkata morning of Sun 03-15 (03:30 UTC), the last moment of the period (included).
        ("2026-03-15", [], [("dune", "call", "2026-03-15T03:30:00+00:00")]),
    ]


PREVIOUS_DAYS = """\
name: chain
steps:
  - id: first
    at: due
    channel: email
    template: gentle
  - id: second
    at: previous+2d
    channel: email
    template: nudge
"""


def test_previous_plus_days_lands_at_the_start_of_working_hours_not_at_the_hour_of_the_previous_send(
        make_workspace):
    ws = make_workspace(invoices=[invoice("INV-100", "solo", "2026-03-10", "ap@solo.example")],
                        playbooks={"chain.yaml": PREVIOUS_DAYS})
    code, doc = ws.json("preview", "--days", "5")  # now = Tue 03-10 10:00 Kolkata = 04:30 UTC
    assert code == 0, doc
    assert timeline(doc) == [
        # first: due 03-10 09:00, sent by the run at now, 10:00
        ("2026-03-10", [("ap@solo.example", "2026-03-10T04:30:00+00:00")], []),
        # second: previous+2d is a day unit, so it lands on a date (03-10 + 2 = Thu 03-12) and means the
        # start of working hours on it, 09:00 = 03:30 UTC; not 10:00 (the hour `first` went out), which
        # would miss the 09:00 run and go the next morning
        ("2026-03-12", [("ap@solo.example", "2026-03-12T03:30:00+00:00")], []),
    ]


# ---------------------------------------------------------------------------- suppressions from the ledger


def test_a_bounced_address_is_suppressed_for_that_address_only_not_for_the_whole_customer(make_workspace):
    rows = [dict(r) for r in DEFAULT_INVOICES]
    ws = make_workspace(invoices=rows)
    assert ws.json("run")[0] == 0  # ACME's heads-up (INV-001 + INV-002) goes to ap@acme.example
    events = [{"email": "ap@acme.example", "timestamp": 1773116000, "event": "bounce", "sg_event_id": "ev-1",
               "type": "bounce", "reason": "550 5.1.1 no such user"}]
    (ws.root / "events.json").write_text(json.dumps(events))
    code, doc = ws.json("events", "import", str(ws.root / "events.json"))
    assert code == 0, doc
    assert ws.rows("SELECT customer_id, channel, address, reason FROM suppressions") == [
        {"customer_id": "acme", "channel": "email", "address": "ap@acme.example", "reason": "bounced"}]
    # ACME gives a new address for INV-001; INV-002 still has the bounced one
    for r in rows:
        if r["invoice_id"] == "INV-001":
            r["email"] = "new@acme.example"
    ws.write_invoices(rows, mtime=NOW_DT + timedelta(days=6))
    # Mon 03-16: ACME's day-3 (due 03-13 + 3d) is due for both invoices
    code, doc = ws.json("preview", now="2026-03-16T10:00:00")
    assert code == 0, doc
    acme = sorted((m["channel"], m["to"], m["invoice_ids"]) for m in doc["messages"] if m["customer_id"] == "acme")
    # the new address is not suppressed (a bounce is about an address, not an opt-out of the customer);
    # the bounced one is, so INV-002 falls back to SMS (day-3 has `fallback: sms`)
    assert acme == [("email", "new@acme.example", ["INV-001"]), ("sms", "+919800000001", ["INV-002"])]


# ---------------------------------------------------------------------------- the queue

BANK = """\
Date,Narration,Payer Name,Amount,Currency
2026-03-09,[URGENT] CASH DEP 4455,,123.45,INR
"""


def test_queue_shows_an_unmatched_payment_with_its_own_amount_and_done_of_an_unknown_task_is_refused(
        workspace):
    workspace.write("bank.csv", BANK)
    code, doc = workspace.json("reconcile", str(workspace.root / "bank.csv"))
    assert code == 0, doc
    code, doc = workspace.json("queue")
    assert code == 0, doc
    # a credit that matches no invoice becomes an item for a person (a payment to review); it
    # covers no invoice, so its amount is the payment's own, 123.45 (not a sum over its invoices, 0)
    assert [(t["kind"], t["invoice_ids"], t["amount"]) for t in doc["items"]] == [
        ("review", [], "123.45")]
    result = workspace.cli("queue", "done", "999")
    assert result.exit_code == 2
    assert "there is no queue item 999" in result.stderr
