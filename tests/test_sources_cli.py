"""Sources through the real CLI: `check` reports bad rows with file/row/column, `run` syncs a
preset export into the state file."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def test_check_reports_bad_rows_with_row_numbers_and_exits_1(make_workspace):
    ws = make_workspace()
    ws.write_invoices((FIXTURES / "bad_rows.csv").read_text(encoding="utf-8"))
    code, doc = ws.json("check")
    assert code == 1, doc
    found = {(e["row"], e["column"]) for e in doc["errors"] if e["file"].endswith("invoices.csv")}
    assert {(3, "Due Date"), (4, "Amount"), (5, "Invoice No"), (6, "Invoice No"), (7, "Email"), (7, "Phone")} <= found


def test_run_syncs_a_xero_export_into_the_state(make_workspace):
    ws = make_workspace(config={"sources": {"invoices": [{"path": "xero.csv", "dayfirst": True}]}})
    shutil.copy(FIXTURES / "xero_sales_invoices.csv", ws.root / "xero.csv")
    ws.set_mtime("xero.csv", datetime(2026, 3, 10, 4, 0, tzinfo=timezone.utc))  # fresh at the tests' NOW
    code, doc = ws.json("run")
    assert code == 0, doc
    rows = {r["invoice_id"]: r for r in ws.rows("SELECT invoice_id, amount, source_balance, source_status FROM invoices")}
    assert set(rows) == {"INV-0041", "INV-0042", "INV-0043", "INV-0044", "INV-0045"}
    assert (rows["INV-0042"]["amount"], rows["INV-0042"]["source_balance"], rows["INV-0042"]["source_status"]) == (
        "575.00", "375.00", "partial")
