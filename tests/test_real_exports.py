"""Invoice exports written by other tools (tests/fixtures/real/exports, PROVENANCE.md there),
loaded end to end through the CLI: what loads, with which balances and currencies, and for
those that cannot be read, the exact sentence. Expected values read from the files by hand
(the working is in each test's comments).

Only two tools' real exports with a licence that allows redistribution could be found (Frappe
Books and Akaunting); Xero, QuickBooks, Zoho, FreshBooks, Wave and Tally layouts are tested
from files written to their documented layouts (tests/fixtures/sources/PROVENANCE.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

EXPORTS = Path(__file__).parent / "fixtures" / "real" / "exports"


def check(make_workspace, name: str, currency: str = "INR", **source) -> tuple[int, dict]:
    ws = make_workspace(config={"business": {"currency": currency},
                                "sources": {"invoices": [{"path": name, **source}]}})
    shutil.copy(EXPORTS / name, ws.root / name)
    return ws.json("check")


def test_every_file_has_its_provenance():
    provenance = (EXPORTS / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in EXPORTS.iterdir():
        if path.name != "PROVENANCE.md":
            assert f"{path.name} — " in provenance, path.name


def test_frappe_books_sales_invoices_need_terms_and_then_load(make_workspace):
    # Frappe Books' export has no due date at all: refused, saying how to give one
    code, doc = check(make_workspace, "frappebooks_sales_invoices_export.csv")
    assert code == 2
    (err,) = doc["errors"]
    assert "has no column for due_date" in err["message"]
    assert err["message"].endswith("Without due dates, an issue date with terms will do (a Terms column, or "
                                   "default_terms: 30d on the source)")
    code, doc = check(make_workspace, "frappebooks_sales_invoices_export.csv", default_terms="30d")
    assert code == 0 and doc["errors"] == [], doc["errors"]
    s = doc["summary"]
    # 28 data rows after the two header rows: one per item or tax line of 10 invoice numbers.
    # Row 3 holds the field paths (SalesInvoice.name, …): not an invoice. 1020 has Submitted 0: a
    # draft. The other 9 (1019, 1018, 1014, 1011, 1012, 1008, 1007, 1004, 1001) are invoices;
    # 1012, 1007 and 1004 have Outstanding Amount 0 (paid): 6 open.
    assert (s["invoices"], s["open_invoices"]) == (9, 6)
    assert s["not_invoices"] == {"draft (not submitted)": 1, "field names": 1}
    # INR open: 1019 259.6 + 1014 679.8 + 1011 100 + 1008 172 + 1001 46 = 1257.4.
    # 1018 is in USD with Grand Total 3.63768643142 and Outstanding Amount 299.99999999921: Frappe
    # writes the outstanding amount in the company's base currency. The summary shows the source's
    # balance; what is chased is min(balance, total − payments) = 3.63768643142 (SPEC 2).
    assert s["outstanding"] == {"INR": "1257.4", "USD": "299.99999999921"}


def test_frappe_books_gst_report_is_not_an_invoice_list(make_workspace):
    # GSTIN No., Customer Name, Invoice No., Invoice Value, Invoice Date, Place of supply, Rate,
    # Taxable Amount: a tax report with no due dates and no terms
    code, doc = check(make_workspace, "frappebooks_gstr_report_export_2018.csv")
    assert code == 2
    (err,) = doc["errors"]
    assert err["message"].startswith("header row 1 has no column for due_date")


def test_akaunting_exports(make_workspace):
    # Akaunting 1.x CSV: INV-00001, status "sent", due_at 2017-12-07, amount 10.0000 USD, Test Customer
    code, doc = check(make_workspace, "akaunting1_invoices_2018.csv", currency="USD")
    assert code == 0 and doc["errors"] == []
    assert (doc["summary"]["invoices"], doc["summary"]["open_invoices"]) == (1, 1)
    assert doc["summary"]["outstanding"] == {"USD": "10.0000"}
    # The workbooks: the invoices sheet first of five or six; INV-00001 is "paid" in both
    for name in ("akaunting1_invoices_export_2018.xlsx", "akaunting2_invoices_export_2020.xlsx"):
        code, doc = check(make_workspace, name, currency="USD")
        assert code == 0 and doc["errors"] == [], (name, doc["errors"])
        assert (doc["summary"]["invoices"], doc["summary"]["open_invoices"]) == (1, 0), name
