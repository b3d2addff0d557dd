"""One reader of CSV and Excel files for both sides (issue 14, `collectbot/tabular.py`): a bank
statement gets the protections an invoice book has — a file that is not what its name says, a
line of megabytes, thousands of columns, a workbook carrying a DTD — each refused in the same
sentence, as a file error of that statement (the rest of the batch goes on)."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest


def statement_errors(ws, name: str) -> list[str]:
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / name), str(ws.root / "good.csv"))
    # the good statement next to it is still read: one bad file does not stop the batch
    assert any(f["path"].endswith("good.csv") and f["readable"] for f in doc["files"]), doc
    return [e["message"] for e in doc["errors"] if e["file"].endswith(name)]


@pytest.fixture
def ws(make_workspace):
    ws = make_workspace()
    ws.write("good.csv", "Date,Narration,Amount\n2026-03-09,NEFT ACME INV-001,1000.00\n")
    return ws


def test_a_line_of_megabytes(ws):
    ws.write("bank.csv", "Date,Narration,Amount\n2026-03-09,NEFT," + "x" * 1_100_000 + "\n")
    assert statement_errors(ws, "bank.csv") == [
        "line 2 is longer than 1 MB: this is not an export of invoices or payments (a row of one is a few hundred "
        "characters)"]


def test_thousands_of_columns(ws):
    ws.write("bank.csv", "Date,Narration,Amount" + ",x" * 1_500 + "\n2026-03-09,NEFT,10.00\n")
    assert statement_errors(ws, "bank.csv") == [
        "line 1 has 1,503 columns; collectbot reads at most 1,000: this is not an invoice list"]


def test_a_workbook_with_a_dtd(ws):
    book = openpyxl.Workbook()
    book.active.append(["Date", "Narration", "Amount"])
    book.active.append(["2026-03-09", "NEFT ACME", 10])
    plain = ws.root / "plain.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(ws.root / "bank.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            dst.writestr(item, data)
    assert statement_errors(ws, "bank.xlsx") == [
        "the workbook carries a DTD (<!DOCTYPE> in xl/workbook.xml), which Excel never writes: save it again from "
        "Excel or export CSV"]
