"""The customer as a whole (issue 18, SPEC 9): conditions and templates see
`customer.open_total`, `customer.overdue_total`, `customer.open_invoices` and
`customer.oldest_days_overdue` — so a playbook can route a customer whose invoices are each
small but add up to a lot (Lago's "overdue balance threshold")."""

from __future__ import annotations

from conftest import REMIND_PLAYBOOK

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
SMALL = REMIND_PLAYBOOK


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


HISTORY = """\
name: standard
steps:
  - id: look
    at: due+1d
    channel: task
    assign: me
    note: "late {{ customer.avg_days_late }}, on time {{ customer.on_time_ratio }}, last {{ customer.last_payment_date }}, score {{ customer.score }}"
"""


def test_payment_history_and_the_score(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": HISTORY}, config={"limits": {"max_source_age": "30d"}})
    # Globex pays 800.00 of INV-003 (due 03-07) on 03-10: 3 days late
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-003,800.00,Globex\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"))[0] == 0
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    (task,) = [t for t in doc["tasks"] if t["customer_id"] == "globex"]
    # score = 100 − 3 (days late) − 30 × (1 − 0.0 on time) − 4 / 3 (INV-003 is 4 days overdue) = 65.67 → 66
    assert task["note"] == "late 3.0, on time 0.0, last 2026-03-10, score 66"
    # a customer with no payment yet: no history, and the score counts only its overdue days
    (initech,) = [t for t in doc["tasks"] if t["customer_id"] == "initech"]
    # INV-004 due 03-03: 8 days overdue on 03-11 → 100 − 8 / 3 = 97.33 → 97
    assert initech["note"] == "late , on time , last , score 97"
