"""Exports as they come today (SPEC 2): Xero's current sales-invoice export and QuickBooks'
grouped Open Invoices report, through the CLI. Rows that are not invoices are counted by kind
(never invoices, never bad rows), and customers' credits reduce their oldest open invoices in
the same currency before anything is chased.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SOURCES = Path(__file__).parent / "fixtures" / "sources"


def workspace(make_workspace, fixture: str, currency: str, **source):
    ws = make_workspace(config={"business": {"currency": currency, "locale": "en_GB" if currency == "GBP" else "en_US",
                                             "country": "GB" if currency == "GBP" else "US"},
                                "sources": {"invoices": [{"path": fixture, **source}]}})
    shutil.copy(SOURCES / fixture, ws.root / fixture)
    return ws


XERO = "xero_sales_invoices_2025_layout.csv"


def test_xero_current_export_loads_its_sales_invoices_with_credits_taken_off(make_workspace):
    for fmt in ("auto", "xero"):
        ws = workspace(make_workspace, XERO, "GBP", format=fmt)
        code, doc = ws.json("check")
        assert code == 0 and doc["errors"] == [], doc
        s = doc["summary"]
        # INV-0001 (two line rows, one invoice), 0002, 0003 awaiting payment; 0004 paid, 0005 voided,
        # 0006 draft: six invoices, three open. The credit note, the overpayment and the bill are not invoices.
        assert (s["invoices"], s["open_invoices"]) == (6, 3)
        assert s["not_invoices"] == {"bill": 1, "credit note": 1, "overpayment": 1}
        # Ridgeway's credit note CN-0001 (300.00 left) comes off its oldest open invoice INV-0001
        # (due 20/02): 1000.00 - 300.00 = 700.00; INV-0003 (due 15/03) keeps 500.00.
        # City Limousines' 50.00 overpayment comes off INV-0002: 200.00 - 50.00 = 150.00.
        # Outstanding: 700.00 + 500.00 + 150.00 = 1350.00 GBP.
        assert s["outstanding"] == {"GBP": "1350.00"}
        credits = {c["kind"]: c for c in s["credits"]}
        assert credits["credit note"]["invoice_ids"] == ["INV-0001"] and credits["credit note"]["applied"] == "300.00"
        assert credits["overpayment"]["invoice_ids"] == ["INV-0002"] and credits["overpayment"]["applied"] == "50.00"
    code, doc = ws.json("explain", "INV-0001")
    assert (doc["balance"], doc["status"]) == ("700.00", "partial")
    code, doc = ws.json("explain", "BILL-9")
    assert code == 2  # a supplier's bill is not one of our invoices


def test_the_human_check_names_the_rows_that_are_not_invoices(make_workspace):
    ws = workspace(make_workspace, XERO, "GBP")
    text = " ".join(ws.cli("check").stdout.split())
    assert "Rows that are not invoices (not chased, not errors): 1 bill, 1 credit note, 1 overpayment." in text
    assert "taken off their oldest open invoices in the same currency: credit note CN-0001 £300.00 off INV-0001; overpayment £50.00 off INV-0002." in text


QB = "quickbooks_open_invoices.csv"


def test_quickbooks_open_invoices_report_reads_the_customer_from_its_heading_rows(make_workspace):
    ws = workspace(make_workspace, QB, "USD")
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc
    s = doc["summary"]
    # Invoices 1021 (Amy's), 1027 and 1029 (Bill's), 1033 (Red Rock): four, each under its heading.
    assert s["invoices"] == 4 and s["customers"] == 3
    # 3 headings, 4 totals (three "Total for …" and TOTAL), one payment, one credit memo
    assert s["not_invoices"] == {"credit note": 1, "heading": 3, "payment": 1, "total": 4}
    # Amy's unapplied payment 100.00 comes off 1021: 239.00 - 100.00 = 139.00. Red Rock's credit memo
    # 70.00 covers 1033 entirely: paid, not open. Bill's: 85.00 + 1,140.00.
    # Open: 139.00 + 85.00 + 1140.00 = 1364.00 — the report's own TOTAL line says $1,364.00.
    assert s["outstanding"] == {"USD": "1364.00"}
    assert s["open_invoices"] == 3
    code, doc = ws.json("explain", "1033")
    assert (doc["balance"], doc["status"]) == ("0.00", "paid")
    code, doc = ws.json("explain", "1027")
    assert doc["customer_id"] == "bills-windsurf-shop" and doc["balance"] == "85.00"


def test_a_credit_in_another_currency_or_for_another_customer_stays_unapplied(make_workspace):
    text = (SOURCES / XERO).read_text(encoding="utf-8").splitlines()
    # the credit note in EUR: Ridgeway's invoices are in GBP, so nothing is taken off them
    text = [ln.replace(",GBP,Sales credit note,", ",EUR,Sales credit note,") for ln in text]
    ws = workspace(make_workspace, XERO, "GBP")
    (ws.root / XERO).write_text("\n".join(text) + "\n", encoding="utf-8")
    code, doc = ws.json("check")
    credits = {c["kind"]: c for c in doc["summary"]["credits"]}
    assert credits["credit note"]["applied"] == "0.00" and credits["credit note"]["invoice_ids"] == []
    # 1000.00 + 500.00 + 150.00
    assert doc["summary"]["outstanding"] == {"GBP": "1650.00"}


def test_a_negative_balance_in_a_plain_book_is_a_credit_not_an_invoice(make_workspace):
    ws = make_workspace(invoices="Invoice No,Customer,Due Date,Amount,Balance\n"
                                 "N-1,Acme,2026-03-01,100.00,100.00\n"
                                 "N-2,Acme,2026-03-05,50.00,50.00\n"
                                 "CN-1,Acme,2026-03-02,-120.00,-120.00\n"
                                 "N-3,Beta,2026-03-01,70.00,70.00\n")
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc
    s = doc["summary"]
    # CN-1 (-120.00) is Acme's credit: N-1 (due first) 100.00 -> 0 (paid), N-2 50.00 - 20.00 = 30.00.
    # Beta's N-3 is untouched. Outstanding: 30.00 + 70.00 = 100.00.
    assert s["not_invoices"] == {"credit (negative balance)": 1}
    assert (s["invoices"], s["open_invoices"]) == (3, 2)
    assert s["outstanding"] == {"INR": "100.00"}
    (credit,) = s["credits"]
    assert (credit["reference"], credit["applied"], credit["invoice_ids"]) == ("CN-1", "120.00", ["N-1", "N-2"])


def test_quickbooks_sales_list_keeps_invoices_and_takes_unapplied_payments_as_credits(make_workspace):
    ws = workspace(make_workspace, "quickbooks_sales_list.csv", "USD")
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc
    s = doc["summary"]
    # invoices 1021, 1027, 1029, 1019 (1019 Paid); two payment rows are not invoices
    assert (s["invoices"], s["open_invoices"]) == (4, 3)
    assert s["not_invoices"] == {"payment": 2}
    # Amy's unapplied payment 100.00 comes off 1021: 139.00; Red Rock's payment is fully applied (0.00).
    # Open: 139.00 + 85.00 + 1140.00 = 1364.00
    assert s["outstanding"] == {"USD": "1364.00"}


def test_an_aging_summary_is_refused_with_a_sentence(make_workspace):
    ws = workspace(make_workspace, "quickbooks_ar_aging_summary.csv", "USD")
    code, doc = ws.json("check")
    assert code == 2
    (err,) = doc["errors"]
    assert err["message"] == ("this is an aging summary (one line of totals per customer, no invoices): export the "
                              "invoice-level report instead (QuickBooks: A/R Aging Detail or Open Invoices; Xero: "
                              "the sales invoices export)")
