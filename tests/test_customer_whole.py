"""The customer as a whole (issue 18, SPEC 9): conditions and templates see
`customer.open_total`, `customer.overdue_total`, `customer.open_invoices` and
`customer.oldest_days_overdue` — so a playbook can route a customer whose invoices are each
small but add up to a lot (Lago's "overdue balance threshold")."""

from __future__ import annotations

BIG = """\
name: big
match: "customer.overdue_total > 100000"
priority: 10
steps:
  - id: call-now
    at: due+1d
    channel: task
    assign: owner
    note: "{{ customer.name }} owes {{ customer.overdue_total }} over {{ customer.open_invoices }} invoices, the oldest {{ customer.oldest_days_overdue }} days late"
"""
SMALL = """\
name: standard
steps:
  - id: remind
    at: due+1d
    channel: email
    template: gentle
"""


def row(invoice_id, customer, due, amount):
    return {"invoice_id": invoice_id, "customer_id": customer, "customer_name": customer.title(),
            "email": f"ap@{customer}.example", "phone": "", "issue_date": "2026-01-01", "due_date": due,
            "amount": amount, "balance": amount, "status": "open"}


def test_a_customer_whose_invoices_add_up_is_routed_as_a_whole(make_workspace):
    book = [row("W1", "wholesale", "2026-02-01", "60000.00"), row("W2", "wholesale", "2026-02-15", "50000.00"),
            row("W3", "wholesale", "2026-04-01", "5000.00"),  # not yet due: open, not overdue
            row("S1", "small", "2026-02-01", "90000.00")]
    ws = make_workspace(invoices=book, playbooks={"big.yaml": BIG, "standard.yaml": SMALL},
                        config={"limits": {"max_source_age": "30d"}})
    code, doc = ws.json("run")
    assert code == 0
    # wholesale: 60,000 + 50,000 = 110,000 overdue (> 100,000) though each invoice is below it
    (task,) = doc["tasks"]
    assert task["customer_id"] == "wholesale"
    # overdue 110000.00; open: W1, W2, W3 = 3; the oldest, W1 due 02-01, is 37 days late on 03-10
    assert task["note"] == "Wholesale owes 110000.00 over 3 invoices, the oldest 37 days late"
    # small: 90,000 overdue: the standard playbook
    assert [m["customer_id"] for m in doc["messages"]] == ["small"]
    code, doc = ws.json("explain", "S1")
    assert doc["playbook"] == "standard"
