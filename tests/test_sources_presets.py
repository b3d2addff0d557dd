"""Each accounting preset against a realistic export file (tests/fixtures/sources/), both with
`format: <preset>` and with `format: auto` recognising it from the header row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from collectbot.config import load_config
from collectbot.sources import load_sources

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def load(tmp_path, *sources, customers=None, business=None):
    """Write a real collectbot.yaml naming the fixture files and load its sources."""
    doc = {"business": business or {"currency": "INR", "locale": "en_IN"},
           "sources": {"invoices": [dict(s) if isinstance(s, dict) else str(FIXTURES / s) for s in sources]}}
    for s in doc["sources"]["invoices"]:
        if isinstance(s, dict):
            s["path"] = str(FIXTURES / s["path"])
    if customers:
        doc["sources"]["customers"] = str(FIXTURES / customers)
    path = tmp_path / "collectbot.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_sources(load_config(path, with_playbooks=False))


def by_id(result):
    return {i.invoice_id: i for i in result.invoices}


@pytest.mark.parametrize("fmt", ["xero", "auto"])
def test_xero_line_items_fold_into_invoices_and_bills_are_left_out(tmp_path, fmt):
    spec = {"path": "xero_sales_invoices.csv", "format": fmt}
    if fmt == "xero":
        spec["dayfirst"] = True  # with auto, 15/09/2026 in the same column settles the order
    r = load(tmp_path, spec)
    inv = by_id(r)
    assert set(inv) == {"INV-0041", "INV-0042", "INV-0043", "INV-0044", "INV-0045"}  # BILL-9001 is ACCPAY
    a = inv["INV-0041"]  # two line items, one invoice: totals repeat on each line and are not summed
    assert (a.amount, a.balance, a.currency, a.status) == (Decimal("1150.00"), Decimal("1150.00"), "NZD", "open")
    assert (a.issue_date, a.due_date) == (date(2026, 9, 15), date(2026, 10, 15))
    assert a.email == "accounts@harbourcafe.co.nz" and a.customer_id == "harbour-cafe-ltd"
    assert a.extra["reference"] == "PO 7781" and a.row == 2
    assert inv["INV-0042"].status == "partial" and inv["INV-0042"].balance == Decimal("375.00")
    assert inv["INV-0042"].customer_name == "Kowhai Bakery, Ponsonby"
    assert [inv[k].status for k in ("INV-0043", "INV-0044", "INV-0045")] == ["paid", "void", "draft"]
    assert r.errors == [] and not r.incomplete


@pytest.mark.parametrize("fmt", ["quickbooks", "auto"])
def test_quickbooks_ar_aging_detail_skips_titles_sections_totals_and_non_invoices(tmp_path, fmt):
    r = load(tmp_path, {"path": "quickbooks_ar_aging_detail.csv", "format": fmt})
    inv = by_id(r)
    assert set(inv) == {"1037", "1038", "1021", "1027", "1012"}  # no Payment, no Credit Memo, no totals
    assert inv["1037"].due_date == date(2026, 12, 10)  # US month-first, settled by 12/18/2026 in the column
    assert inv["1038"].amount == Decimal("1250.00") and inv["1038"].customer_name == "Freeman Sporting Goods:55 Twin Lane"
    assert inv["1027"].balance == Decimal("35.00") and inv["1027"].status == "partial"
    assert inv["1037"].row == 7  # title, report name, "As of", a blank line, header, "Current" above it
    assert r.errors == []


@pytest.mark.parametrize("fmt", ["zoho", "auto"])
def test_zoho_items_fold_and_zoho_statuses_map(tmp_path, fmt):
    r = load(tmp_path, {"path": "zoho_invoice.csv", "format": fmt}, customers="customers.csv")
    inv = by_id(r)
    assert len(inv) == 6
    first = inv["INV-000101"]
    assert (first.amount, first.balance, first.customer_id) == (Decimal("53100.00"), Decimal("53100.00"), "460000000026049")
    assert first.extra["zoho_invoice_id"] == "460000000038001"  # Zoho's internal id does not shadow invoice_id
    assert inv["INV-000102"].status == "partial" and inv["INV-000102"].balance == Decimal("39680.00")
    assert [inv[f"INV-00010{n}"].status for n in (3, 4, 5, 6)] == ["paid", "draft", "void", "open"]
    # The customers file is keyed by name; Zoho's invoices carry numeric customer ids: they still join.
    assert r.customers["460000000026049"].tier == "vip"
    assert r.customers["460000000026049"].phone == "+919876543210"


@pytest.mark.parametrize("fmt", ["freshbooks", "auto"])
def test_freshbooks_amount_is_the_sum_of_line_totals(tmp_path, fmt):
    r = load(tmp_path, {"path": "freshbooks_invoice_details.csv", "format": fmt})
    inv = by_id(r)
    assert inv["0000112"].amount == Decimal("1124.35")  # 1073.50 + 50.85
    assert inv["0000112"].currency == "CAD" and inv["0000112"].due_date == date(2026, 10, 31)
    assert {k: v.status for k, v in inv.items()} == {
        "0000112": "open", "0000113": "partial", "0000114": "paid", "0000115": "open", "0000116": "draft",
        "0000117": "paid"}


@pytest.mark.parametrize("fmt", ["wave", "auto"])
def test_wave_invoices(tmp_path, fmt):
    r = load(tmp_path, {"path": "wave_invoices.csv", "format": fmt})
    inv = by_id(r)
    assert inv["1002"].status == "partial" and inv["1002"].balance == Decimal("350.00")
    assert inv["1006"].amount == Decimal("2450.00") and inv["1006"].currency == "USD"
    assert [inv[k].status for k in ("1001", "1003", "1004", "1005")] == ["open", "paid", "open", "draft"]
    assert inv["1002"].extra == {"amount_paid": "150.00"}


@pytest.mark.parametrize("fmt", ["tally", "auto"])
def test_tally_bills_receivable(tmp_path, fmt):
    r = load(tmp_path, {"path": "tally_bills_receivable.csv", "format": fmt})
    inv = by_id(r)
    assert set(inv) == {"SGT/0142", "SGT/0188", "SGT/0201"}  # the grand-total line is not a bill
    assert inv["SGT/0142"].amount == Decimal("123456.50")  # Indian grouping with a Dr suffix
    assert inv["SGT/0142"].due_date == date(2026, 8, 31) and inv["SGT/0142"].issue_date == date(2026, 8, 1)
    assert inv["SGT/0201"].due_date == date(2026, 11, 1)  # 01-11-2026: Tally dates are day-first
    # SGT/0210 "5,000.00 Cr": Mehta Traders' advance — a credit, not a bill; it comes off Mehta's
    # open bill SGT/0188: 48,000.00 - 5,000.00 = 43,000.00 (partial)
    assert [(c.reference, c.amount, c.invoice_ids) for c in r.credits] == [("SGT/0210", Decimal("5000.00"),
                                                                            ["SGT/0188"])]
    assert (inv["SGT/0188"].balance, inv["SGT/0188"].status) == (Decimal("43000.00"), "partial")
    assert inv["SGT/0142"].customer_id == "bansal-sons-pvt-ltd"
    assert inv["SGT/0142"].extra["overdue_by_days"] == "84"
    assert r.errors == []


def test_auto_detection_picks_the_right_preset(tmp_path):
    from collectbot.sources.presets import detect
    from collectbot.sources.tables import read_table

    expected = {"xero_sales_invoices.csv": "xero", "quickbooks_ar_aging_detail.csv": "quickbooks",
                "zoho_invoice.csv": "zoho", "freshbooks_invoice_details.csv": "freshbooks",
                "wave_invoices.csv": "wave", "tally_bills_receivable.csv": "tally", "bad_rows.csv": None}
    for name, preset in expected.items():
        table = read_table(FIXTURES / name, lambda cells: 1000 if detect(cells) else 0)
        found = detect(table.headers)
        assert (found.name if found else None) == preset, name


def test_freshbooks_unreadable_line_total_spoils_only_its_invoice(tmp_path):
    text = (FIXTURES / "freshbooks_invoice_details.csv").read_text(encoding="utf-8").replace("50.85,CAD\n", "5O.85,CAD\n", 1)
    (tmp_path / "fb.csv").write_text(text, encoding="utf-8")
    r = load(tmp_path, {"path": str(tmp_path / "fb.csv"), "format": "freshbooks"})
    assert "0000112" not in by_id(r) and "0000113" in by_id(r) and r.unreadable_ids == {"0000112"}
    assert [(e.row, e.column) for e in r.errors] == [(3, "Line Total")]
