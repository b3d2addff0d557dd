"""What the columns say (SPEC 2, "Exports as they really come"): a `Paid` column without a
balance, a book of balances only, and terms instead of due dates — end to end through the CLI.

Every check reads the workspace with `check --json` (what is outstanding, which rows are bad)
or `explain --json` (when a step `at: due` falls, which is the due date at 09:00 in
Asia/Kolkata, 03:30 UTC).
"""

from __future__ import annotations

from collectbot.sources.terms import parse_terms

ON_DUE = """\
name: on-due
steps:
  - id: on-due
    at: due
    channel: email
    template: gentle
"""


def workspace(make_workspace, text: str, **source):
    return make_workspace(invoices=text, playbooks={"on-due.yaml": ON_DUE},
                          config={"sources": {"invoices": [{"path": "invoices.csv", **source}]}})


def due_of(ws, invoice_id: str) -> str:
    code, doc = ws.json("explain", invoice_id)
    assert code == 0, doc
    (step,) = doc["steps"]
    return step["due_at"] or step["sent_at"] or ""


def test_a_paid_column_without_a_balance_is_taken_off_the_amount(make_workspace):
    # Invoice Ninja style: 13.50 billed, 5.01 paid -> 8.49 owed; 20.00 billed and paid -> nothing
    # owed (paid); a blank Paid cell means nothing paid -> 7.00. Outstanding: 8.49 + 7.00 = 15.49.
    ws = workspace(make_workspace, "Invoice Number,Client,Email,Date,Due Date,Amount,Paid\n"
                   "0001,Acme Corp,ap@acme.example,2026-02-01,2026-03-01,13.50,5.01\n"
                   "0002,Acme Corp,ap@acme.example,2026-02-03,2026-03-03,20.00,20.00\n"
                   "0003,Beta LLC,b@beta.example,2026-02-05,2026-03-05,7.00,\n")
    code, doc = ws.json("check")
    assert code == 0, doc
    assert doc["summary"]["outstanding"] == {"INR": "15.49"}
    assert (doc["summary"]["invoices"], doc["summary"]["open_invoices"]) == (3, 2)
    code, doc = ws.json("explain", "0001")
    assert (doc["balance"], doc["status"]) == ("8.49", "partial")
    code, doc = ws.json("explain", "0002")
    assert doc["status"] == "paid"


def test_a_paid_cell_that_is_not_an_amount_is_a_bad_row_naming_the_column(make_workspace):
    ws = workspace(make_workspace, "Invoice Number,Client,Due Date,Amount,Amount Paid\n"
                   "A-1,Acme Corp,2026-03-01,100.00,forty\n"
                   "A-2,Acme Corp,2026-03-01,100.00,40\n")
    code, doc = ws.json("check")
    assert [(e["row"], e["column"]) for e in doc["errors"]] == [(2, "Amount Paid")]
    assert "forty" in doc["errors"][0]["message"]
    assert doc["summary"]["outstanding"] == {"INR": "60.00"}  # A-2 only: 100 - 40


def test_a_book_of_balances_only_uses_the_balance_as_the_amount(make_workspace):
    # "Amount Due" is the only money column: each invoice is that much, all of it owed.
    ws = workspace(make_workspace, "Invoice No,Customer,Email,Due Date,Amount Due\n"
                   "B-1,Acme Corp,ap@acme.example,2026-03-01,\"1,250.00\"\n"
                   "B-2,Beta LLC,b@beta.example,2026-03-02,99.50\n")
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc
    assert doc["summary"]["outstanding"] == {"INR": "1349.50"}  # 1,250.00 + 99.50
    code, doc = ws.json("explain", "B-1")
    assert (doc["balance"], doc["status"]) == ("1250.00", "open")


def test_terms_give_the_due_date_from_the_issue_date(make_workspace):
    ws = workspace(make_workspace, "Invoice No,Customer,Email,Invoice Date,Terms,Amount\n"
                   "T-1,Acme Corp,ap@acme.example,2026-02-01,Net 30,100.00\n"
                   "T-2,Acme Corp,ap@acme.example,2026-02-10,Due on receipt,50.00\n"
                   "T-3,Beta LLC,b@beta.example,2026-02-10,45 days,70.00\n")
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc
    # 2026-02-01 + 30 days = 2026-03-03 (February has 28 days: 27 to its end, then 3 of March)
    assert due_of(ws, "T-1") == "2026-03-03T03:30:00+00:00"
    # due on receipt: the issue date itself, 02-10
    assert due_of(ws, "T-2").startswith("2026-02-10")
    # 2026-02-10 + 45 days: 18 to 02-28, 27 more into March -> 2026-03-27
    assert due_of(ws, "T-3") == "2026-03-27T03:30:00+00:00"


def test_default_terms_fill_blank_due_dates_and_a_due_date_given_wins(make_workspace):
    ws = workspace(make_workspace, "Invoice No,Customer,Email,Invoice Date,Due Date,Amount\n"
                   "D-1,Acme Corp,ap@acme.example,2026-02-20,,100.00\n"
                   "D-2,Acme Corp,ap@acme.example,2026-02-20,2026-03-20,100.00\n", default_terms="14d")
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc
    assert due_of(ws, "D-1") == "2026-03-06T03:30:00+00:00"  # 02-20 + 14 days = 03-06
    assert due_of(ws, "D-2") == "2026-03-20T03:30:00+00:00"  # its own due date, not the terms


def test_rows_whose_due_date_cannot_be_worked_out_are_bad_with_the_reason(make_workspace):
    ws = workspace(make_workspace, "Invoice No,Customer,Invoice Date,Terms,Amount\n"
                   "X-1,Acme Corp,2026-02-01,Net thirty,10\n"
                   "X-2,Acme Corp,2026-02-01,,10\n"
                   "X-3,Acme Corp,,Net 30,10\n"
                   "X-4,Acme Corp,2026-02-01,Net 30,10\n")
    code, doc = ws.json("check")
    got = {e["row"]: (e["column"], e["message"]) for e in doc["errors"]}
    assert got[2] == ("Terms", "missing due date and terms 'Net thirty' not understood "
                               "(write e.g. \"Net 30\", \"30 days\" or \"Due on receipt\")")
    assert got[3] == ("Terms", "missing due date, and no terms to work it out from")
    assert got[4] == ("Terms", "missing due date, and no issue date to count the terms from")
    assert sorted(got) == [2, 3, 4] and doc["summary"]["invoices"] == 1


def test_a_book_without_due_dates_or_terms_says_how_to_give_them(make_workspace):
    ws = workspace(make_workspace, "Invoice No,Customer,Invoice Date,Amount\nX-1,Acme Corp,2026-02-01,10\n")
    code, doc = ws.json("check")
    assert code == 2
    (err,) = [e for e in doc["errors"] if e["kind"] == "file"]
    assert "no column for due_date" in err["message"]
    assert "default_terms: 30d" in err["message"]


def test_default_terms_that_are_not_days_are_a_config_error_naming_the_key(make_workspace):
    ws = workspace(make_workspace, "Invoice No,Customer,Due Date,Amount\nX-1,Acme Corp,2026-03-01,10\n",
                   default_terms="soon")
    code, doc = ws.json("check")
    assert code == 2
    (p,) = doc["problems"]
    assert "default_terms" in p["key"] and "'soon'" in p["message"], p


def test_terms_words():
    # (text, days) worked out by reading each as an owner would
    for text, days in [("Net 30", 30), ("NET30", 30), ("net-15", 15), ("N7", 7), ("30 days", 30), ("30d", 30),
                       ("45 Days Net", 45), ("Due on receipt", 0), ("Upon Receipt", 0), ("COD", 0), ("60", 60),
                       ("", None), ("  ", None)]:
        assert parse_terms(text) == days, text
    for text in ["Net thirty", "EOM", "Net 30 EOM", "2/10 net 30", "-5", "Net 400"]:
        assert isinstance(parse_terms(text), str), text
