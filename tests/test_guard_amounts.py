"""Amounts a customer or an owner reads: each in its own currency, and what is really owed.

Through the real CLI on the default workspace (tests/conftest.py: NOW is Tuesday 2026-03-10
10:00 Asia/Kolkata, locale en_IN).
"""

from __future__ import annotations

import copy

from conftest import DEFAULT_INVOICES


def test_each_invoice_in_a_loop_is_shown_in_its_own_currency(make_workspace):
    """ACME's INV-001 (₹1,000) and INV-002 (250 US dollars) are both due 2026-03-13, so one
    `heads-up` email lists both through `{{ i.balance|money }}` in a loop. en_IN writes ₹1,000.00
    (Indian grouping, two decimals) and $250.00: the dollar amount must not borrow the rupee sign
    of the business or of the first invoice."""
    rows = copy.deepcopy(DEFAULT_INVOICES)
    for r in rows:
        r["currency"] = "INR"
    rows[1].update(amount="250.00", balance="250.00", currency="USD")
    ws = make_workspace(invoices=rows)
    code, doc = ws.json("preview")
    assert code == 0, doc
    [email] = [m for m in doc["messages"] if m["customer_id"] == "acme"]
    assert "- INV-001: ₹1,000.00 due" in email["body"]
    assert "- INV-002: $250.00 due" in email["body"]
    assert "₹250" not in email["body"]


def test_a_task_asks_for_what_is_owed_after_recorded_payments(make_workspace):
    """Umbrella's INV-005 (₹9,000, due 2026-02-20) gets the `day-14` call task at NOW. A payment of
    ₹8,500 recorded by reconcile the day before leaves ₹500 owed (9,000 - 8,500): the task must
    ask for ₹500.00, not the book's ₹9,000.00 which the source still shows until it is re-exported."""
    playbook = """\
name: standard
steps:
  - id: day-14
    at: due+14d
    channel: task
    assign: owner
    note: "Call {{ customer.name }}: {% for i in invoices %}{{ i.invoice_id }} {{ i.balance|money }}{% endfor %}"
"""
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    ws.write("bank.csv", "Date,Narration,Payer Name,Amount,Currency\n"
                         "2026-03-09,NEFT/INV-005 part payment,Umbrella Corp,8500.00,INR\n")
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert code == 0 and [(e["invoice_ids"], e["applied"]) for e in doc["matches"]] == [(["INV-005"], True)], doc
    code, doc = ws.json("preview")
    assert code == 0, doc
    [task] = [t for t in doc["tasks"] if t["invoice_ids"] == ["INV-005"]]
    assert task["note"] == "Call Umbrella Corp: INV-005 ₹500.00"
    assert task["amount"] == "500.00"  # the amount the queue shows and sorts by
