"""`collectbot report` on a hand-built book with a known history (issue 17): every figure of
`report --json` equals the hand calculation written here — aging, DSO, collected, CEI and what
the step achieved — and `--csv` writes formula-safe cells. The history is made through the real
CLI: runs that send, a payments file reconciled, the export lowering balances, provider events."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import REMIND_PLAYBOOK

PLAYBOOK = REMIND_PLAYBOOK


def row(invoice_id, customer, issued, due, amount, balance=None, status="open"):
    return {"invoice_id": invoice_id, "customer_id": customer, "customer_name": customer.upper(),
            "email": f"ap@{customer}.example", "phone": "", "issue_date": issued, "due_date": due,
            "amount": amount, "balance": amount if balance is None else balance, "status": status}


BOOK = [
    row("A1", "a", "2026-01-05", "2026-02-04", "1000.00"),
    row("A2", "a", "2026-03-10", "2026-04-09", "500.00"),
    row("B1", "b", "2026-02-01", "2026-03-03", "2000.00"),
    row("C1", "c", "2026-03-05", "2026-03-20", "800.00"),
    row("D1", "d", "2025-12-01", "2025-12-15", "300.00"),
]


@pytest.fixture
def history(make_workspace):
    ws = make_workspace(invoices=BOOK, playbooks={"standard.yaml": PLAYBOOK},
                        config={"limits": {"max_source_age": "100d"}})
    # 03-10 (Tue): `remind` (due+1d) is past for A1, B1 and D1: one email each to a, b and d
    code, doc = ws.json("run", now="2026-03-10T10:00:00")
    assert code == 0 and sorted(m["invoice_ids"][0] for m in doc["messages"]) == ["A1", "B1", "D1"]
    # 03-12: b pays B1 in full; reconcile records it (payment dated 03-12)
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-12,B1,2000.00,B\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-12T10:00:00")[0] == 0
    # 03-20: the export says A1 owes 400 (a paid 600 by a way collectbot did not see)
    book = [dict(r) for r in BOOK]
    book[0]["balance"] = "400.00"
    ws.write_invoices(book)
    assert ws.json("run", now="2026-03-20T10:00:00")[0] == 0
    # 03-23 (Mon): C1's remind (due+1d = Sat 03-21) goes at the next working morning
    code, doc = ws.json("run", now="2026-03-23T10:00:00")
    assert [m["invoice_ids"] for m in doc["messages"]] == [["C1"]]
    # 03-25: the export catches up with B1: balance 0, paid (already recorded: not counted again)
    book[2]["balance"], book[2]["status"] = "0.00", "paid"
    ws.write_invoices(book)
    assert ws.json("run", now="2026-03-25T10:00:00")[0] == 0
    # SendGrid says: b's email delivered; c's delivered and opened
    ids = {r["customer_id"]: r["id"] for r in ws.rows("SELECT id, customer_id FROM messages")}
    events = [{"event": kind, "email": f"ap@{c}.example", "sg_event_id": f"{c}-{kind}", "timestamp": 1774000000,
               "custom_args": {"collectbot_message_id": str(ids[c])}}
              for c, kind in (("b", "delivered"), ("c", "delivered"), ("c", "open"))]
    (ws.root / "events.json").write_text(json.dumps(events))
    assert ws.json("events", "import", str(ws.root / "events.json"), now="2026-03-25T11:00:00")[0] == 0
    return ws


def test_every_figure_equals_the_hand_calculation(history):
    code, doc = history.json("report", "--period", "30d", now="2026-03-31T10:00:00")
    assert code == 0
    # period (03-01, 03-31]. Open balances now: A1 400 (due 02-04: 55 days past, 31-60), A2 500
    # (due 04-09: current), B1 0, C1 800 (due 03-20: 11 days, 1-30), D1 300 (due 12-15: 106 days, 90+)
    assert doc["aging"] == {"INR": {"current": "500.00", "1-30": "800.00", "31-60": "400.00", "61-90": "0",
                                    "90+": "300.00"}}
    # collected: B1 2000 (reconciled, 03-12) + A1 600 (the export's drop, 03-20); B1's drop to 0 on
    # 03-25 is the recorded payment seen again, so it adds nothing
    assert doc["collected"] == {"INR": "2600.00"}
    # S, invoiced in the period: A2 500 (03-10) + C1 800 (03-05) = 1300; E, open now: 2000
    # DSO = E / S × 30 = 2000 / 1300 × 30 = 46.15… → 46.2
    assert doc["dso"] == {"INR": 46.2}
    # B, receivables at the start: the invoices issued by 03-01 — A1 400 + 600 collected since,
    # B1 0 + 2000, D1 300 — = 3300; C, not yet due now: A2 500
    # CEI = (B + S − E) / (B + S − C) × 100 = (3300 + 1300 − 2000) / (3300 + 1300 − 500) = 2600 / 4100
    assert doc["cei"] == {"INR": 63.4}
    # remind by email: sent to A1, B1, D1 (03-10) and C1 (03-23) = 4; delivered b's and c's = 2;
    # read (opened) c's = 1; paid within 7 days: B1, settled 03-12, 2 days after its touch = 1;
    # median days from touch to payment over the paid ones: [2] → 2
    assert doc["effectiveness"] == [{"playbook": "standard", "step": "remind", "channel": "email", "variant": None,
                                     "sent": 4, "delivered": 2, "read": 1, "paid_7d": 1, "median_days_to_pay": 2}]
    # who owes the most: C 800, A 900 (A1 400 + A2 500), D 300
    assert [(c["customer_id"], c["open"]) for c in doc["customers"]] == [("a", "900.00"), ("c", "800.00"),
                                                                          ("d", "300.00")]
    assert doc["collected_per_week"] == {"INR": {"2026-03-09": "2000.00", "2026-03-16": "600.00"}}


def test_csv_files_are_written_and_formula_safe(history, tmp_path):
    book = [dict(r) for r in BOOK]
    book[0]["balance"] = "400.00"  # as the history left the export
    book[2]["balance"], book[2]["status"] = "0.00", "paid"
    book[3]["customer_name"] = "=HYPERLINK(\"http://evil\")"
    history.write_invoices(book)
    assert history.json("run", now="2026-03-26T10:00:00")[0] == 0
    code, doc = history.json("report", "--csv", str(tmp_path / "out"), now="2026-03-31T10:00:00")
    assert code == 0 and sorted(p.rsplit("/", 1)[1] for p in doc["written"]) == [
        "aging.csv", "customers.csv", "effectiveness.csv", "summary.csv"]
    rows = list(csv.DictReader((tmp_path / "out" / "customers.csv").open(encoding="utf-8")))
    (c,) = [r for r in rows if r["customer_id"] == "c"]
    assert c["name"] == "'=HYPERLINK(\"http://evil\")"  # shown as text, never run by a spreadsheet
    summary = list(csv.DictReader((tmp_path / "out" / "summary.csv").open(encoding="utf-8")))
    assert summary == [{"currency": "INR", "collected": "2600.00", "dso_days": "46.2", "cei_percent": "63.4"}]


def test_a_bad_period_is_said(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("report", "--period", "soon")
    assert code == 2 and doc["errors"][0]["message"] == "--period 'soon': give days or weeks, like 30d or 12w"
