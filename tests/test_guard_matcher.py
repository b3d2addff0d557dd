"""Guards on how the matcher reads numbers in a bank line (SPEC 7, collectbot/reconcile/matcher.py),
end to end through `collectbot reconcile`.

* A digit run of 9 digits or more (LONG_DIGITS) is a bank reference (UTR, IMPS, account number):
  it is never zero-stripped, so `000000000042` is never invoice 42, whatever word comes before it.
* A number that is the line's own amount written as digits is not an invoice number.

Every workspace here has a small book of its own; the bank lines carry no payer and an amount
that equals no open balance, so the invoice number is the only evidence that could match them:
when it is not read, the line is "unmatched" (nothing fits), not in review.
"""

from __future__ import annotations

import pytest

from tests.conftest import DEFAULT_INVOICES

BANK_HEADER = "Date,Narration,Payer Name,Reference,Amount,Currency\n"


def book(*ids_and_balances: tuple[str, str]) -> list[dict[str, str]]:
    """ACME's invoices with these ids and balances (due 2026-03-13, open)."""
    return [dict(DEFAULT_INVOICES[0], invoice_id=iid, amount=bal, balance=bal) for iid, bal in ids_and_balances]


def reconcile_one(ws, narration: str, amount: str, payer: str = "", reference: str = "") -> dict:
    """Reconcile one bank line (2026-03-09, INR) and return the report; the line must be read."""
    ws.write("bank.csv", BANK_HEADER + f"2026-03-09,{narration},{payer},{reference},{amount},INR\n")
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert code == 0, doc
    assert doc["errors"] == [] and doc["summary"]["lines"] == 1, doc
    return doc


def assert_unmatched(doc: dict) -> None:
    """The line named no invoice: nothing applied, nothing suggested."""
    assert doc["matches"] == [] and doc["review"] == [], (doc["matches"], doc["review"])
    [line] = doc["unmatched"]
    assert line["invoice_ids"] == [] and line["applied"] is False


# ---------------------------------------------------------------------------- 1. long digit runs


@pytest.mark.parametrize("invoice_id", ["INV-42", "42"])
@pytest.mark.parametrize("narration, reference", [
    # the line: 12 digits after NEFT, a neutral word (neither an invoice word nor UTR/UPI/IMPS)
    ("NEFT/000000000042/X", ""),
    # the boundary: 9 digits (= LONG_DIGITS) after NEFT; no 9-digit run is ever read as a date
    ("NEFT/000000042/X", ""),
    # 8 digits are short enough to be an invoice number, but `00000042` is 42 padded: two digits
    # that make a number, fewer than the 5 (SHORT_NUMERIC) a number needs without an invoice word
    ("NEFT/00000042/X", ""),
    # the whole reference cell is a bank reference: were it zero-stripped it would be exactly `42`,
    # which counts as the bare invoice number
    ("NEFT", "000000000042"),
    # after an invoice word (`NO`), a zero-stripped run would count; a 9-digit run is not stripped
    ("NEFT/REF NO 000000042/X", ""),
])
def test_long_digit_run_is_a_bank_reference_never_zero_stripped_to_invoice_42(make_workspace, invoice_id,
                                                                               narration, reference):
    # INV-42 and `42` both have the key `42`; 4200.00 is owed, the line pays 1234.00 (no amount fit)
    ws = make_workspace(invoices=book((invoice_id, "4200.00")))
    doc = reconcile_one(ws, narration, "1234.00", reference=reference)
    assert_unmatched(doc)


def test_nine_digit_run_after_neutral_word_is_neither_invoice_42_nor_the_nine_digit_invoice(make_workspace):
    # INV-000000042 keeps its 9 digits as its key (long runs are never zero-stripped), so the run in the
    # line does name it; but after the neutral word NEFT only a 5-8 digit number counts as an invoice
    # number: 9 digits is a bank reference. 000000042 has 9 digits, so it is never taken for a date
    # (only 6- and 8-digit runs are), and it is not the amount 1234.00 written as digits.
    ws = make_workspace(invoices=book(("INV-42", "4200.00"), ("INV-000000042", "4200.00")))
    doc = reconcile_one(ws, "NEFT/000000042/X", "1234.00")
    assert_unmatched(doc)


def test_nine_digit_invoice_number_is_found_by_its_exact_digits_after_an_invoice_word(make_workspace):
    # `INV 000000042`: after the invoice word INV any length counts, and the 9 digits are kept as they are
    # on both sides (the invoice's key and the line's run), so it names INV-000000042 and not INV-42
    # (key 42). It pays 1234.00 of the 4200.00 owed: applied, high confidence, by invoice number.
    ws = make_workspace(invoices=book(("INV-42", "4200.00"), ("INV-000000042", "4200.00")))
    doc = reconcile_one(ws, "INV 000000042", "1234.00")
    [m] = doc["matches"]
    assert (m["invoice_ids"], m["allocations"]) == (["INV-000000042"], {"INV-000000042": "1234.00"})
    assert (m["method"], m["confidence"], m["applied"]) == ("invoice_number", "high", True)
    assert doc["review"] == [] and doc["unmatched"] == []


# ---------------------------------------------------------------------------- 2. the line's own amount


@pytest.mark.parametrize("amount", [
    "123457.00",  # the amount's integer part is 123457: the digits in the text are the amount itself
    "1234.57",  # the amount written without its decimal point is 123457
])
def test_number_that_is_the_lines_own_amount_is_not_read_as_invoice_123457(make_workspace, amount):
    # 123457 is six digits after a neutral word, not a date (as DDMMYY month 34, as YYMMDD month 34),
    # so only the amount rule keeps it from naming invoice 123457. 200000.00 is owed: no amount fit.
    ws = make_workspace(invoices=book(("123457", "200000.00")))
    doc = reconcile_one(ws, "NEFT 123457", amount)
    assert_unmatched(doc)


def test_same_number_with_another_amount_is_read_as_invoice_123457(make_workspace):
    # the same text with 5000.00 (digits 5000 / 500000, not 123457): a 6-digit number after a neutral
    # word that is neither a date nor the amount is an invoice number -> 5000.00 applied to it
    ws = make_workspace(invoices=book(("123457", "200000.00")))
    doc = reconcile_one(ws, "NEFT 123457", "5000.00")
    [m] = doc["matches"]
    assert (m["invoice_ids"], m["allocations"]) == (["123457"], {"123457": "5000.00"})
    assert (m["method"], m["confidence"], m["applied"]) == ("invoice_number", "high", True)
