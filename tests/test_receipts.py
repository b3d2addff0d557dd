"""Thank-you receipts (issue 18, SPEC 9 "Receipts"): a payment recorded by `reconcile` produces
exactly one receipt on the next run, never again, with the remaining balance and the Pay Now link
when it was partial; an invoice the export newly shows as paid gets one too. Through the CLI."""

from __future__ import annotations

import copy

from conftest import DEFAULT_INVOICES

CONFIG = {"receipts": {"channel": "email", "template": "thanks"},
          "payment_link": {"url": "https://pay.example.com/{{ invoice.invoice_id }}?amount={{ invoice.balance }}"},
          "limits": {"max_source_age": "30d"}}
THANKS = {"thanks.email.j2": "Subject: Thank you, {{ customer.name }}\n"
                             "We received {{ payment.amount|money }} on {{ payment.date }}."
                             "{% if invoice.balance > 0 %} Still open on {{ invoice.invoice_id }}: "
                             "{{ invoice.balance|money }}. Pay: {{ invoice.pay_link }}{% endif %}\n"}


def receipts_of(doc):
    return [m for m in doc["messages"] if m["playbook"] == "receipts"]


def test_one_receipt_per_payment_with_what_is_left(make_workspace):
    ws = make_workspace(config=CONFIG, templates=THANKS)
    code, doc = ws.json("run")  # the first run with receipts on: from now on, money is thanked for
    assert code == 0 and receipts_of(doc) == []
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-003,800.00,Globex\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-10T11:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-10T12:00:00")
    (thanks,) = receipts_of(doc)
    assert (thanks["to"], thanks["steps"], thanks["status"]) == ("pay@globex.example", ["receipt"], "sent")
    assert thanks["subject"] == "Thank you, Globex"
    # 2,000.00 − 800.00 = 1,200.00 left, and the link asks for it
    assert thanks["body"] == ("We received ₹800.00 on 2026-03-10. Still open on INV-003: ₹1,200.00. "
                              "Pay: https://pay.example.com/INV-003?amount=1200.00")
    code, doc = ws.json("run", now="2026-03-10T13:00:00")
    assert receipts_of(doc) == []  # never again
    assert len([m for m in ws.sent() if m["subject"] == "Thank you, Globex"]) == 1


def test_an_invoice_the_export_newly_shows_paid_gets_a_receipt(make_workspace):
    ws = make_workspace(config=CONFIG, templates=THANKS)
    assert ws.json("run")[0] == 0
    book = copy.deepcopy(DEFAULT_INVOICES)
    for r in book:
        if r["invoice_id"] == "INV-004":
            r["balance"], r["status"] = "0.00", "paid"
    ws.write_invoices(book)
    code, doc = ws.json("run", now="2026-03-10T12:00:00")
    (thanks,) = receipts_of(doc)
    assert thanks["invoice_ids"] == ["INV-004"] and thanks["body"] == "We received ₹750.00 on 2026-03-10."
    assert receipts_of(ws.json("run", now="2026-03-10T13:00:00")[1]) == []


def test_receipts_wait_for_polite_hours_and_skip_an_opted_out_customer(make_workspace):
    ws = make_workspace(config=CONFIG, templates=THANKS)
    assert ws.json("run")[0] == 0
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-003,2000.00,Globex\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-10T11:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-10T20:00:00")  # after working hours: it waits
    assert receipts_of(doc) == []
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert [m["to"] for m in receipts_of(doc)] == ["pay@globex.example"]


def test_a_receipt_that_can_never_go_is_said_once_and_runs_stay_clean(make_workspace):
    """(audit) a payment by a customer without an email made every later run print "receipt not
    sent" and exit 1, for good — in `collectbot init`'s own sample. It is now a skip, recorded for
    good like a reminder's: said by the run that meets it, then never again, exit 0."""
    ws = make_workspace(config=CONFIG, templates=THANKS)
    assert ws.json("run")[0] == 0
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-006,100.00,Hooli\n")  # Hooli: no email
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-10T11:00:00")[0] == 0
    code, doc = ws.json("preview", now="2026-03-10T12:00:00")
    assert code == 0 and doc["errors"] == []
    assert [(s["step"], s["reason"]) for s in doc["skipped"] if s["playbook"] == "receipts"] == [
        ("receipt-1", "no_address")]
    code, doc = ws.json("run", now="2026-03-10T12:00:00")
    assert code == 0 and doc["errors"] == [] and receipts_of(doc) == []
    (skip,) = [s for s in doc["skipped"] if s["playbook"] == "receipts"]
    assert skip["reason"] == "no_address" and "hooli has no usable email address" in skip["detail"]
    code, doc = ws.json("run", now="2026-03-11T12:00:00")
    assert code == 0 and doc["errors"] == [] and [s for s in doc["skipped"] if s["playbook"] == "receipts"] == []
    assert ws.rows("SELECT status, reason FROM touches WHERE playbook = 'receipts'") == [
        {"status": "skipped", "reason": "no_address"}]
