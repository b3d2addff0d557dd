"""A reference that names another customer's invoice than the payer's is never applied on the number alone.

Mistyped invoice numbers (INV-1243 for INV-1234) are common; applying the payment to the
invoice the typo happens to name would stop chasing a customer who has not paid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from collectbot.models import BankLine, Customer, Invoice
from collectbot.reconcile.matcher import match_lines

BOOK = [
    Invoice(invoice_id="INV-1234", customer_id="bansal", due_date=date(2026, 10, 1), amount=D("5000.00"),
            balance=D("5000.00"), currency="INR", customer_name="Bansal & Sons"),
    Invoice(invoice_id="INV-1243", customer_id="kapoor", due_date=date(2026, 10, 1), amount=D("8000.00"),
            balance=D("8000.00"), currency="INR", customer_name="Kapoor Traders"),
]
CUSTOMERS = {"bansal": Customer("bansal", name="Bansal & Sons"), "kapoor": Customer("kapoor", name="Kapoor Traders")}


def match(description: str, amount: str, payer: str | None, book=BOOK):
    line = BankLine(date=date(2026, 11, 2), amount=D(amount), currency="INR", description=description, payer=payer)
    result = match_lines([line], book, {i.invoice_id: i.balance for i in book}, CUSTOMERS, currency="INR")
    (verdict,) = result.all()
    return verdict


def test_typo_number_with_payer_and_exact_amount_settles_the_payers_invoice():
    m = match("NEFT INV-1243", "5000.00", "BANSAL AND SONS")
    assert (m.invoice_ids, m.applied, m.method) == (["INV-1234"], True, "payer_amount")
    assert "mistyped" in m.reason


def test_typo_number_whose_amount_fits_nothing_goes_to_review_not_applied():
    m = match("NEFT INV-1243", "1200.00", "BANSAL AND SONS")
    assert not m.applied and m.confidence in ("medium", "low")
    assert "INV-1243" in m.reason and "Kapoor" in m.reason


def test_number_is_trusted_when_the_payer_is_its_customer():
    m = match("NEFT INV-1243 part", "3000.00", "KAPOOR TRADERS")
    assert (m.invoice_ids, m.applied, m.method) == (["INV-1243"], True, "invoice_number")


def test_number_is_trusted_when_the_payer_is_unknown_or_absent():
    # a third party (a parent company, an accountant) paying someone's invoice by its number
    assert match("NEFT INV-1243", "8000.00", "SOME HOLDING CO").applied
    assert match("NEFT INV-1243", "8000.00", None).applied
