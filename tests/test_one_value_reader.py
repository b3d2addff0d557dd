"""One reader of amounts and dates for both sides (issue 14, `collectbot/values.py`): the same
text reads the same in an invoice book and in a bank statement, or is refused on both with the
reason — letters, scientific notation, hex and separators that do not group thousands are never
read as some other number; two-digit years follow one rule; Dr/Cr keep their meaning per side,
and say so. Through the real CLI: `check` for the book, `reconcile --dry-run` for the statement."""

from __future__ import annotations

import pytest

from conftest import NOW


def book_errors(ws, amount: str) -> list[str]:
    ws.write_invoices("invoice_id,customer_id,customer_name,email,due_date,amount\n"
                      f'INV-9,acme,ACME Ltd,ap@acme.example,2026-03-20,"{amount}"\n')
    code, doc = ws.json("check")
    return [e["message"] for e in doc["errors"] if e.get("column") == "amount"]


def bank_errors(ws, amount: str) -> list[str]:
    ws.write("bank.csv", f'Date,Narration,Amount\n2026-03-09,NEFT ACME INV-001,"{amount}"\n')
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / "bank.csv"))
    return [e["message"] for e in doc["errors"] if e["file"].endswith("bank.csv")]


@pytest.mark.parametrize("text", ["1e2", "0x32", "100abc", "1,2,3", "12.5.1"])
def test_what_is_not_an_amount_is_refused_on_both_sides_with_the_same_words(make_workspace, text):
    ws = make_workspace()
    said = f"not an amount: {text!r}"
    assert book_errors(ws, text) == [said]
    assert bank_errors(ws, text) == [said]


def test_currency_codes_and_symbols_are_read_but_other_words_are_not(make_workspace):
    ws = make_workspace()
    assert book_errors(ws, "INR 1,000.00") == []
    assert book_errors(ws, "₹ 1,000.00") == []
    assert book_errors(ws, "1,000.00 inr") == []  # an ISO code, whatever its case
    assert book_errors(ws, "1,000.00 abc") == ["not an amount: '1,000.00 abc'"]


def test_dr_and_cr_mean_what_each_side_means(make_workspace):
    ws = make_workspace()
    # a book of what customers owe (Tally): Cr is a credit the customer has, so negative: not chased
    ws.write_invoices("invoice_id,customer_id,customer_name,email,due_date,amount\n"
                      "INV-9,acme,ACME Ltd,ap@acme.example,2026-03-20,500.00 Dr\n"
                      "INV-10,globex,Globex,pay@globex.example,2026-03-20,200.00 Cr\n")
    code, doc = ws.json("check")
    assert doc["summary"]["outstanding"] == {"INR": "500.00"}
    assert [(c["customer_id"], c["amount"]) for c in doc["summary"]["credits"]] == [("globex", "200.00")]
    # a bank statement: CR is money into the account (a payment), DR money out (ignored)
    ws.write("bank.csv", "Date,Narration,Amount\n2026-03-09,NEFT ACME INV-001,1000.00 CR\n"
                         "2026-03-09,RENT MARCH,1000.00 DR\n")
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / "bank.csv"))
    (read,) = doc["files"]
    assert (read["credits"], read["debits_ignored"]) == (1, 1), doc  # the CR line is the payment


def test_two_digit_years_follow_one_rule_on_both_sides(make_workspace):
    ws = make_workspace()
    # POSIX's rule: 68 is 2068, 69 is 1969 — on both sides (one read, one refused as too early)
    ws.write_invoices("invoice_id,customer_id,customer_name,email,due_date,amount\n"
                      "INV-9,acme,ACME Ltd,ap@acme.example,20/03/68,10.00\n"
                      "INV-10,acme,ACME Ltd,ap@acme.example,20/03/69,10.00\n")
    code, doc = ws.json("check")
    assert [e["message"] for e in doc["errors"]] == ["'20/03/69' is before 1970 or after 2100: a placeholder such "
                                                     "as 9999-12-31 is not a real date; write the real one"]
    ws.write("bank.csv", "Date,Narration,Amount\n20/02/26,NEFT ACME INV-001,1000.00\n")
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / "bank.csv"))
    lines = doc["matches"] + doc["review"] + doc["unmatched"]
    assert [line["date"] for line in lines] == ["2026-02-20"], doc


def test_a_book_decides_its_decimal_mark_from_its_own_amounts(make_workspace):
    ws = make_workspace()
    ws.write_invoices("invoice_id;customer_id;customer_name;email;due_date;amount\n"
                      "INV-9;acme;ACME Ltd;ap@acme.example;2026-03-20;1.234,56\n"
                      "INV-10;acme;ACME Ltd;ap@acme.example;2026-03-20;827,75\n")
    code, doc = ws.json("check")
    assert code == 0 and doc["summary"]["outstanding"] == {"INR": "2062.31"}  # 1234.56 + 827.75
    ws.write_invoices("invoice_id,customer_id,customer_name,email,due_date,amount\n"
                      'INV-9,acme,ACME Ltd,ap@acme.example,2026-03-20,"1.234,56"\n'
                      "INV-10,acme,ACME Ltd,ap@acme.example,2026-03-20,7.00\n")
    code, doc = ws.json("check")
    (err,) = [e for e in doc["errors"] if e["row"] is None]
    assert code == 2 and err["message"] == ("the amounts mix decimal commas ('1.234,56') and decimal points "
                                            "('7.00'); set decimal: ',' or decimal: '.' on this source")
