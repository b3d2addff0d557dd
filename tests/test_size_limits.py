"""Limits on what one file or one template may make (issue 14, item 6): columns per row and cells
per file for invoice books (CSV and workbooks), and the size of a rendered message and of any text
a template builds. Each ends in a sentence; a rendering limit stops that message only."""

from __future__ import annotations

import openpyxl
import pytest

from collectbot import tabular
from conftest import DEFAULT_TEMPLATES


def unreadable(doc) -> str:
    (err,) = [e for e in doc["errors"] if e["row"] is None]
    return err["message"]


def test_a_csv_of_thousands_of_columns_is_refused(make_workspace):
    ws = make_workspace()
    header = "invoice_id,customer_id,due_date,amount," + ",".join(f"c{i}" for i in range(1_500))
    ws.write("invoices.csv", header + "\nINV-1,acme,2026-03-01,10" + ",x" * 1_500 + "\n")
    code, doc = ws.json("check")
    assert code == 2
    assert unreadable(doc) == ("line 1 has 1,504 columns; collectbot reads at most 1,000: this is not an invoice "
                               "list")


def test_more_cells_than_the_limit_is_refused_before_reading(make_workspace, monkeypatch):
    ws = make_workspace()  # the default book: a header and 8 invoices of 10 columns, 10 lines
    monkeypatch.setattr(tabular, "MAX_CELLS", 50)
    code, doc = ws.json("check")
    assert code == 2
    # 8 invoices + header + the empty line after the last newline = 10 lines of 10 columns
    assert unreadable(doc) == ("10 rows of 10 columns are more than the 50 cells collectbot reads from one file: "
                               "split the export, or leave out the columns it does not need")


def _workbook(ws, far_column: int, value) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["invoice_id", "customer_id", "customer_name", "due_date", "amount"])
    sheet.append(["INV-1", "acme", "ACME Ltd", "2026-03-01", 10])
    cell = sheet.cell(row=2, column=far_column)
    cell.value = value
    cell.number_format = "0.00"  # a formatted cell: openpyxl writes it even when empty
    book.save(ws.root / "book.xlsx")


def test_a_workbook_row_of_thousands_of_cells_is_refused(make_workspace):
    ws = make_workspace(config={"sources": {"invoices": [{"path": "book.xlsx"}]}})
    _workbook(ws, 1_200, "x")
    code, doc = ws.json("check")
    assert code == 2
    assert unreadable(doc) == ("sheet 'Sheet' row 2 has 1,200 columns; collectbot reads at most 1,000: this is not "
                               "an invoice list")


def test_empty_formatted_cells_far_to_the_right_are_not_columns(make_workspace):
    ws = make_workspace(config={"sources": {"invoices": [{"path": "book.xlsx"}]}})
    _workbook(ws, 5_000, None)
    code, doc = ws.json("check")
    assert code == 0 and doc["summary"]["invoices"] == 1, doc


GENTLE = DEFAULT_TEMPLATES["gentle.email.j2"]


@pytest.mark.parametrize("expression, said", [
    ("'ha' * 10000000", "a template may not build a text or list of more than 1,000,000 items"),
    ("[1] * 2000000", "a template may not build a text or list of more than 1,000,000 items"),
    ("2 ** 100000000", "2 ** 100000000 is too big a number for a template"),
])
def test_a_template_cannot_build_something_huge(make_workspace, expression, said):
    ws = make_workspace(templates={"gentle.email.j2": GENTLE + "{{ " + expression + " }}\n"})
    code, doc = ws.json("run")
    assert code == 2 and said in doc["refused"]  # check renders it first: run does not start
    assert not ws.sent()


def test_a_message_longer_than_its_channel_carries_stops_that_message_only(make_workspace):
    # Initech's day-7 SMS (firm.sms.j2) is longer than the 1,600 characters Twilio carries, for
    # Initech only: its name is the 2,000-character part. Everyone else's messages go.
    from conftest import DEFAULT_INVOICES

    book = [dict(r, customer_name="I" * 2_000) if r["customer_id"] == "initech" else r for r in DEFAULT_INVOICES]
    ws = make_workspace(invoices=book, templates={"firm.sms.j2": "{{ customer.name }}: pay {{ invoice.invoice_id }}"})
    code, doc = ws.json("run")
    assert code == 1
    (err,) = [e for e in doc["errors"] if "characters" in e["message"]]
    # 2,000 (the name) + 6 (": pay ") + 7 ("INV-004") = 2,013
    assert err["message"] == "template firm.sms.j2: the message is 2,013 characters; sms carries at most 1,600"
    assert ws.sent() and not [m for m in ws.sent() if m["customer_id"] == "initech"]
