"""Late fees and interest (issue 18, SPEC 9 "Late fees and interest"): templates see
`invoice.fee`, `invoice.interest` and `invoice.total_due` as of the message's day — a late fee
after its days past due, simple yearly interest with the actual/365 day count — and with
`fees.charge: true` the Pay Now link asks for `total_due`. The book is never changed."""

from __future__ import annotations

PLAYBOOK = """\
name: standard
steps:
  - id: firm
    at: due+7d
    channel: sms
    template: firm
  - id: late
    at: due+34d
    channel: sms
    template: firm
"""
FIRM = {"firm.sms.j2": "{{ invoice.invoice_id }}: {{ invoice.balance }} + fee {{ invoice.fee }} + interest "
                       "{{ invoice.interest }} = {{ invoice.total_due }} {{ invoice.pay_link }}"}
FEES = {"late_fee": {"amount": 25, "after": "30d"}, "interest": {"rate": "18%", "after": "due"}}


def initech(doc):
    (m,) = [m for m in doc["messages"] if m["invoice_ids"] == ["INV-004"]]
    return m["body"]


def test_interest_and_late_fee_as_a_hand_calculation_gives_them(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK}, templates=FIRM,
                        config={"fees": FEES, "limits": {"max_source_age": "60d"}})
    # NOW 2026-03-10: INV-004 (750.00, due 03-03) is 7 days past due: no fee yet (after 30 days);
    # interest 750 × 0.18 × 7 / 365 = 2.5890… → 2.59; total 752.59; no link configured
    code, doc = ws.json("run")
    assert code == 0 and initech(doc) == "INV-004: 750.00 + fee 0 + interest 2.59 = 752.59"
    # 2026-04-06 (Mon): 34 days past due: the fee (25) and 750 × 0.18 × 34 / 365 = 12.5753… → 12.58
    code, doc = ws.json("run", now="2026-04-06T10:00:00")
    assert code == 0 and initech(doc) == "INV-004: 750.00 + fee 25 + interest 12.58 = 787.58"
    (row,) = ws.rows("SELECT source_balance FROM invoices WHERE invoice_id = 'INV-004'")
    assert row["source_balance"] == "750.00"  # the book is never changed


def test_charge_puts_total_due_in_the_upi_link(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK}, templates=FIRM,
                        config={"fees": {**FEES, "charge": True},
                                "payment_link": {"upi": {"vpa": "shop@upi", "name": "Test Traders"}}})
    code, doc = ws.json("run")
    body = initech(doc)
    assert code == 0 and "&am=752.59&cu=INR" in body


def test_without_charge_the_link_asks_for_the_balance(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK}, templates=FIRM,
                        config={"fees": FEES, "payment_link": {"upi": {"vpa": "shop@upi", "name": "Test Traders"}}})
    code, doc = ws.json("run")
    assert code == 0 and "&am=750.00&cu=INR" in initech(doc)
