"""Whole files (SPEC 2, "Workbooks" and "One judgement"): the right sheet of a workbook, the
sheet named in every row error, a file that is not what its name says refused in one
sentence, and no command working on part of the book when a source cannot be read at all.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile

import openpyxl
import pytest
import yaml

HEADER = ["Invoice No", "Customer", "Email", "Due Date", "Amount", "Balance"]


def workbook(path, sheets: dict[str, list[list]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


def excel_workspace(make_workspace, sheets):
    ws = make_workspace(config={"sources": {"invoices": ["book.xlsx"]}})
    workbook(ws.root / "book.xlsx", sheets)
    return ws


SUMMARY = [["Sharma Traders: receivables summary"], [],
           # looks like an invoice list at a glance: an invoice column and an amount
           ["Invoice No", "Amount"], ["(all)", "4500"]]
INVOICES = [HEADER, ["S-1", "Acme", "ap@acme.example", "2026-03-20", "1000", "1000"],
            ["S-2", "Acme", "ap@acme.example", "2026-03-21", "lots", "3500"],
            ["S-3", "Beta", "b@beta.example", "2026-03-22", "3500", "2500"]]


def test_the_sheet_that_looks_most_like_an_invoice_list_is_read_not_the_first(make_workspace):
    ws = excel_workspace(make_workspace, {"Summary": SUMMARY, "Invoices": INVOICES})
    code, doc = ws.json("check")
    # Invoices has six recognised columns against the summary's two: S-1 and S-3 load (1000 + 2500),
    # S-2 is bad on its Amount cell (row 3 of the sheet, header counted)
    assert doc["summary"]["invoices"] == 2 and doc["summary"]["outstanding"] == {"INR": "3500"}
    (err,) = doc["errors"]
    assert (err["sheet"], err["row"], err["column"]) == ("Invoices", 3, "Amount")
    assert "lots" in err["message"]


def test_every_row_error_of_a_workbook_names_its_sheet_in_human_output(make_workspace):
    ws = excel_workspace(make_workspace, {"Summary": SUMMARY, "Invoices": INVOICES})
    result = ws.cli("check")
    text = " ".join(result.stdout.split())
    assert "book.xlsx, sheet Invoices, row 3, column 'Amount' not an amount: 'lots'" in text
    result = ws.cli("preview")
    text = " ".join((result.stdout + result.stderr).split())
    assert "book.xlsx, sheet 'Invoices', row 3, column 'Amount': not an amount: 'lots'" in text


def test_a_csv_source_has_no_sheet_in_its_errors(make_workspace):
    ws = make_workspace(invoices="invoice_id,customer_id,due_date,amount\nA-1,c,2026-03-20,lots\n")
    code, doc = ws.json("check")
    (err,) = doc["errors"]
    assert "sheet" not in err and err["row"] == 2


def ods_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("invoices.csv", "invoice_id,due_date,amount\n")
    return buf.getvalue()


def xlsx_bytes(tmp_path) -> bytes:
    workbook(tmp_path / "x.xlsx", {"Invoices": INVOICES})
    return (tmp_path / "x.xlsx").read_bytes()


CASES = {
    # name in the config, what is in it, the sentence
    "xlsx named csv": ("book.csv", "xlsx", "book.csv is an Excel workbook, not CSV: rename it to .xlsx "
                                           "(or set format: excel on the source)"),
    "csv named xlsx": ("book.xlsx", b"invoice_id,due_date,amount\nA-1,2026-03-20,5\n",
                       "book.xlsx is text (CSV?), not an Excel workbook: rename it to .csv "
                       "(or set format: csv on the source)"),
    "pdf": ("book.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "book.csv is a PDF, not CSV: export the list "
                                                                   "as CSV or Excel from your accounting tool"),
    "html saved as xls-ish csv": ("book.csv", b"<html><body><table><tr><td>Invoice</td></tr></table></body></html>",
                                  "book.csv is a web page (HTML), not CSV"),
    "ods named xlsx": ("book.xlsx", "ods", "book.xlsx is an OpenDocument spreadsheet (.ods): save it as .xlsx"),
    "zip": ("book.csv", "zip", "book.csv is a zip archive, not CSV: unzip it"),
    "old xls named csv": ("book.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
                          "book.csv is an old Excel .xls workbook: save it as .xlsx"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_that_is_not_what_its_name_says_is_refused_in_one_sentence(make_workspace, tmp_path, case):
    name, content, sentence = CASES[case]
    data = {"xlsx": lambda: xlsx_bytes(tmp_path), "ods": ods_bytes, "zip": plain_zip}[content]() \
        if isinstance(content, str) else content
    ws = make_workspace(config={"sources": {"invoices": [name]}})
    (ws.root / name).write_bytes(data)
    code, doc = ws.json("check")
    assert code == 2
    (err,) = doc["errors"]
    assert err["message"].startswith(sentence), err["message"]
    assert err["row"] is None


def test_format_excel_reads_a_workbook_whatever_its_name(make_workspace, tmp_path):
    ws = make_workspace(config={"sources": {"invoices": [{"path": "book.csv", "format": "excel"}]}})
    (ws.root / "book.csv").write_bytes(xlsx_bytes(tmp_path))
    code, doc = ws.json("check")
    assert doc["summary"]["invoices"] == 2  # S-1 and S-3, as above


def test_no_command_works_on_part_of_the_book(make_workspace, tmp_path):
    # Two invoice files; the second is a workbook saved under a .csv name. Every command that
    # loads the sources stops with exit 2 naming it; nothing is sent, nothing is recorded.
    ws = make_workspace(config={"sources": {"invoices": ["invoices.csv", "more.csv"]}})
    (ws.root / "more.csv").write_bytes(xlsx_bytes(tmp_path))
    ws.write("bank.csv", "Date,Description,Amount\n2026-03-10,NEFT INV-003 GLOBEX,2000.00\n")
    sentence = "more.csv is an Excel workbook, not CSV"
    for args in (("run",), ("run", "--dry-run"), ("preview",), ("preview", "--days", "7")):
        code, doc = ws.json(*args)
        assert code == 2 and sentence in doc["refused"] and doc["messages"] == [], (args, doc)
        assert "never works on part of the book" in doc["refused"]
    for args in (("explain", "INV-003"), ("reconcile", "bank.csv"), ("reconcile", "bank.csv", "--dry-run")):
        code, doc = ws.json(*args)
        assert code == 2 and sentence in doc["errors"][0]["message"], (args, doc)
    assert ws.sent() == []
    db = ws.root / "collectbot.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM payments").fetchone()[0] == 0
    # fixed (renamed, and the config follows): the whole book runs; S-2's bad Amount is exit 1
    (ws.root / "more.csv").rename(ws.root / "more.xlsx")
    cfg = yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
    cfg["sources"]["invoices"] = ["invoices.csv", "more.xlsx"]
    ws.write_config(cfg)
    code, doc = ws.json("run")
    assert code == 1 and doc["summary"]["sent"] > 0 and doc.get("refused") is None, doc
