"""Guards on reading books (collectbot/sources/parse.py), configured through `sources:` in
collectbot.yaml: decimal commas, two-digit years, currency codes and status words.

The default workspace (tests/conftest.py) at NOW = Tuesday 2026-03-10 10:00 Asia/Kolkata chases
Globex INV-003 (due 2026-03-07, 2000.00 open) with the `day-3` email; each test below changes that
one row and looks at what is read and chased.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from collectbot.sources.parse import date_column, parse_amount
from tests.conftest import DEFAULT_INVOICES


def book_with_inv003(**changes: str) -> list[dict[str, str]]:
    """The default book with INV-003's cells replaced by `changes`."""
    return [dict(r, **changes) if r["invoice_id"] == "INV-003" else dict(r) for r in DEFAULT_INVOICES]


def source(**options) -> dict:
    """`sources:` with the invoice file read with these options (decimal, dayfirst, ...)."""
    return {"sources": {"invoices": [{"path": "invoices.csv", **options}]}}


def chased_invoice_ids(ws, exit_code: int = 0) -> set[str]:
    """Every invoice some message or task of `preview` at NOW is about (`preview` exits 1 on bad rows)."""
    code, doc = ws.json("preview")
    assert code == exit_code, doc
    return {iid for item in doc["messages"] + doc["tasks"] for iid in item["invoice_ids"]}


# ---------------------------------------------------------------------------- amounts: decimal ','


def test_1_500_with_decimal_comma_is_one_thousand_five_hundred():
    # with decimal ',' the '.' can only group thousands: 1.500 is 1500, never 1.5
    assert parse_amount("1.500", ",") == Decimal("1500")


def test_1_500_with_decimal_comma_in_a_book_is_read_as_1500_end_to_end(make_workspace):
    # a book of INV-003 alone, written the European way: amount and balance `1.500` -> 1500 ('.' groups
    # thousands). (The default book's `2000.00` would be a bad row with decimal ',': hence one row.)
    [row] = book_with_inv003(amount="1.500", balance="1.500")[2:3]
    ws = make_workspace(invoices=[row], config=source(decimal=","))
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc["errors"]
    assert {k: Decimal(v) for k, v in doc["summary"]["outstanding"].items()} == {"INR": Decimal("1500")}
    code, doc = ws.json("explain", "INV-003")
    assert code == 0, doc
    assert Decimal(doc["balance"]) == Decimal("1500")


# ---------------------------------------------------------------------------- dates: two-digit years


def test_two_digit_year_26_day_first_is_2026_not_1926():
    # dayfirst: 25/11/26 is day 25, month 11, year 26 -> 2026 (two-digit years are 20xx)
    assert date_column(["25/11/26"], dayfirst=True) == ([date(2026, 11, 25)], {})


def test_due_date_25_11_26_day_first_in_a_book_is_25_november_2026(make_workspace):
    ws = make_workspace(invoices=book_with_inv003(due_date="25/11/26"), config=source(dayfirst=True))
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc["errors"]
    code, doc = ws.json("explain", "INV-003")
    assert code == 0, doc
    steps = {s["step"]: s["due_at"][:10] for s in doc["steps"]}
    # due 2026-11-25: heads-up at due-3d = 2026-11-22, day-3 at due+3d = 2026-11-28
    assert (steps["heads-up"], steps["day-3"]) == ("2026-11-22", "2026-11-28")
    # so at NOW (2026-03-10) it is not due for anything yet; read as 1926 it would be 99 years overdue
    assert "INV-003" not in chased_invoice_ids(ws)


# ---------------------------------------------------------------------------- currency codes


def test_dollar_sign_in_currency_column_is_a_bad_row_naming_file_row_and_column(make_workspace):
    rows = [dict(r, currency="INR") for r in DEFAULT_INVOICES]
    rows[2]["currency"] = "$"  # INV-003: the third data row -> spreadsheet row 4 (header is row 1)
    assert rows[2]["invoice_id"] == "INV-003"
    ws = make_workspace(invoices=rows)
    code, doc = ws.json("check")
    assert code == 1, doc  # bad source rows only: exit 1
    [err] = doc["errors"]
    assert (err["file"].endswith("invoices.csv"), err["row"], err["column"]) == (True, 4, "currency")
    assert "'$'" in err["message"] and "currency" in err["message"]
    # a bad row is not used: INV-003 is not chased (it would get the day-3 email); the rest still are
    chased = chased_invoice_ids(ws, exit_code=1)
    assert "INV-003" not in chased and "INV-004" in chased


# ---------------------------------------------------------------------------- status words


def test_status_closed_is_read_as_paid_and_not_chased(make_workspace):
    # `Closed` is one of the paid words: INV-003 stays 2000.00 in the balance column, but the status
    # alone stops it (open, it would get the day-3 email at NOW)
    ws = make_workspace(invoices=book_with_inv003(status="Closed"))
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc["errors"]  # accepted, not an unknown status
    code, doc = ws.json("explain", "INV-003")
    assert code == 0, doc
    assert (doc["status"], doc["stopped"]) == ("paid", "paid")
    assert "INV-003" not in chased_invoice_ids(ws)


@pytest.mark.parametrize("due", ["9999-12-31", "0001-01-01", "1969-12-31", "2101-01-01"])
def test_a_placeholder_or_out_of_range_due_date_is_a_bad_row_and_nothing_crashes(make_workspace, due):
    # SPEC 2: a date before 1970 or after 2100 is a bad row. Globex's INV-003 gets such a due date:
    # it is reported (file, row 4 = the header plus three rows, column, value) and left out; the
    # rest of the book is planned as usual (Initech's day-7 SMS is still due).
    rows = [dict(r) for r in DEFAULT_INVOICES]
    rows[2]["due_date"] = due
    ws = make_workspace(invoices=rows)
    for command in (["preview"], ["preview", "--days", "30"], ["explain", "INV-004"], ["run", "--dry-run"]):
        code, doc = ws.json(*command)
        assert code in (0, 1), (command, doc)
    code, doc = ws.json("preview")
    [error] = doc["errors"]
    assert (error["row"], error["column"]) == (4, "due_date") and due in error["message"]
    assert "before 1970 or after 2100" in error["message"]
    assert "INV-003" not in {i for m in doc["messages"] for i in m["invoice_ids"]}
    assert "+919800000004" in {m["to"] for m in doc["messages"]}
