"""The matcher, rule by rule (SPEC 7), on plain BankLine / Invoice values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from collectbot.models import BankLine, Customer, Invoice
from collectbot.reconcile.matcher import invoice_core, match_lines, normalize_name, subset_with_sum


def inv(invoice_id: str, customer: str, balance: str, *, due: str = "2026-10-01", currency: str = "INR",
        name: str | None = None, amount: str | None = None, status: str = "open") -> Invoice:
    return Invoice(invoice_id=invoice_id, customer_id=customer, due_date=date.fromisoformat(due),
                   amount=D(amount or balance), balance=D(balance), currency=currency, status=status,
                   customer_name=name)


def line(description: str, amount: str, *, payer: str | None = None, reference: str | None = None,
         currency: str | None = "INR", hint: str | None = None, tid: str | None = None) -> BankLine:
    return BankLine(date=date(2026, 11, 2), amount=D(amount), currency=currency, description=description,
                    payer=payer, reference=reference, invoice_hint=hint, transaction_id=tid)


BOOK = [
    inv("A-101", "bansal", "1000.00", due="2026-09-01", name="Bansal & Sons Pvt Ltd"),
    inv("INV-42", "bansal", "250.50", due="2026-09-15", name="Bansal & Sons Pvt Ltd"),
    inv("INV-0099", "bansal", "400.00", due="2026-10-20", name="Bansal & Sons Pvt Ltd"),
    inv("INV-43", "acme", "300.00", name="Acme Traders LLP"),
    inv("7", "acme", "999.00", due="2026-10-02", name="Acme Traders LLP"),
    inv("2024/117", "mehta", "1234.00", name="Mehta Foods GmbH"),
]
CUSTOMERS = {
    "bansal": Customer("bansal", name="M/S Bansal & Sons Pvt. Ltd."),
    "acme": Customer("acme", name="Acme Traders LLP"),
    "mehta": Customer("mehta", name="Mehta Foods GmbH"),
}


def run(*lines: BankLine, book=BOOK, customers=CUSTOMERS, balances=None):
    balances = balances if balances is not None else {i.invoice_id: i.balance for i in book}
    return match_lines(list(lines), book, balances, customers, currency="INR")


def only(result):
    everything = result.all()
    assert len(everything) == 1, everything
    return everything[0]


# ---------------------------------------------------------------------------- invoice numbers


@pytest.mark.parametrize("text", ["A101", "a-101", "A 101", "payment for A/101 thanks", "NEFT/A-0101/BANSAL"])
def test_alphanumeric_invoice_number_tolerates_case_spaces_dashes_zeros(text):
    m = only(run(line(text, "1000.00")))
    assert (m.invoice_ids, m.confidence, m.method, m.applied) == (["A-101"], "high", "invoice_number", True)


@pytest.mark.parametrize("text", ["inv 0042", "INV42", "Invoice No. 42", "bill #42", "INVOICE-00042 settled"])
def test_prefixed_numbers_find_prefixed_invoices(text):
    m = only(run(line(text, "250.50")))
    assert m.invoice_ids == ["INV-42"] and m.applied


def test_invoice_number_inside_a_longer_word_is_not_a_match():
    result = run(line("XA101 and A101B", "5.00"))
    assert only(result).invoice_ids == [] and not result.matches


@pytest.mark.parametrize("text", [
    "UPI/000000000042/PAYMENT",            # UTR-like long number that ends in 42
    "NEFT UTR 112233000042 BANSAL",
    "IMPS 0000000099 from acct",           # ends in 99 (INV-0099)
    "CHQ 000099 DEPOSIT",                  # cheque number
    "A/C 42 TRANSFER",                     # account number
    "TRANSFER 42 UNITS",                   # a bare short number is not an invoice number
    "IBAN DE89370400440532013000 REF 2026-11-01",
])
def test_bank_numbers_are_not_invoice_numbers(text):
    m = only(run(line(text, "5.00")))
    assert m.invoice_ids == [] and not m.applied


def test_short_numeric_invoice_matches_when_it_is_the_whole_reference_or_prefixed():
    assert only(run(line("IMPS CREDIT", "5.00", reference="7"))).invoice_ids == ["7"]
    assert only(run(line("payment inv 7", "5.00"))).invoice_ids == ["7"]
    assert only(run(line("7 boxes", "5.00"))).invoice_ids == []


def test_invoice_hint_column_is_used():
    m = only(run(line("", "300.00", hint="inv-43")))
    assert m.invoice_ids == ["INV-43"] and m.applied


def test_numeric_invoice_with_slash():
    m = only(run(line("settling 2024/0117", "1234.00")))
    assert m.invoice_ids == ["2024/117"] and m.applied


def test_invoice_core_keys():
    assert invoice_core("INV-0042") == ("42", True)
    assert invoice_core("A-101") == invoice_core("a101") == ("A|101", False)
    assert invoice_core("2024/117") == ("2024|117", True)


def test_several_invoice_numbers_allocate_oldest_first_up_to_each_balance():
    m = only(run(line("INV-0099 and INV-42", "500.00")))
    assert m.applied and m.method == "invoice_number"
    assert m.allocations == {"INV-42": D("250.50"), "INV-0099": D("249.50")}
    assert m.excess == 0


def test_overpayment_keeps_the_excess_as_a_credit():
    m = only(run(line("INV-43", "350.00")))
    assert m.allocations == {"INV-43": D("300.00")} and m.excess == D("50.00") and m.applied


def test_partial_payments_keep_a_balance_across_lines_of_one_file():
    result = run(line("INV-0099 part 1", "150.00"), line("INV-0099 part 2", "200.00"),
                 line("INV-0099 part 3", "100.00"))
    a, b, c = result.all()
    assert a.allocations == {"INV-0099": D("150.00")}
    assert b.allocations == {"INV-0099": D("200.00")}
    assert c.allocations == {"INV-0099": D("50.00")} and c.excess == D("50.00")
    assert result.balances["INV-0099"] == 0


def test_earlier_recorded_payments_count_through_balances():
    balances = {i.invoice_id: i.balance for i in BOOK} | {"INV-43": D("100.00")}
    m = only(run(line("INV-43", "100.00"), balances=balances))
    assert m.allocations == {"INV-43": D("100.00")} and m.excess == 0


def test_an_already_paid_invoice_number_goes_to_review():
    balances = {i.invoice_id: i.balance for i in BOOK}
    result = run(line("INV-43", "300.00"), line("INV-43 again", "300.00"), balances=balances)
    first, second = result.all()
    assert first.applied and not second.applied and second.confidence == "low"


def test_paid_or_void_invoices_are_not_candidates():
    book = [inv("INV-1", "c", "100.00", status="void"), inv("INV-2", "c", "0")]
    result = run(line("INV-1", "100.00"), line("INV-2", "100.00"), book=book, customers={})
    assert not result.matches and len(result.unmatched) == 2


# ---------------------------------------------------------------------------- names and amounts


def test_name_normalisation():
    assert normalize_name("M/S Bansal & Sons Pvt. Ltd.") == normalize_name("BANSAL AND SONS") == "bansal sons"


def test_fuzzy_payer_with_exact_amount_is_confident():
    m = only(run(line("NEFT CR", "250.50", payer="BANSAL AND SONS")))
    assert (m.invoice_ids, m.method, m.confidence, m.applied) == (["INV-42"], "payer_amount", "high", True)


def test_payer_with_a_typo_and_exact_amount():
    m = only(run(line("NEFT CR", "300.00", payer="ACME TRADRS")))
    assert m.invoice_ids == ["INV-43"] and m.applied


def test_payment_equal_to_the_sum_of_two_invoices_settles_both():
    m = only(run(line("NEFT CR", "1250.50", payer="Bansal and Sons")))
    assert m.method == "payer_amount" and m.applied
    assert m.allocations == {"A-101": D("1000.00"), "INV-42": D("250.50")}


def test_subset_that_is_not_the_oldest_run():
    m = only(run(line("NEFT CR", "1400.00", payer="Bansal and Sons")))
    assert m.allocations == {"A-101": D("1000.00"), "INV-0099": D("400.00")}


def test_payer_without_exact_amount_is_a_suggestion():
    m = only(run(line("NEFT CR", "100.00", payer="Bansal & Sons")))
    assert m.method == "payer" and not m.applied and m.confidence in ("medium", "low")
    assert m.allocations == {"A-101": D("100.00")}


def test_amount_alone_equal_to_one_balance_is_a_low_suggestion():
    m = only(run(line("CASH DEPOSIT", "1234.00")))
    assert (m.invoice_ids, m.method, m.confidence, m.applied) == (["2024/117"], "amount", "low", False)


def test_amount_equal_to_several_balances_is_unmatched():
    book = BOOK + [inv("Z-1", "zeta", "1234.00", name="Zeta")]
    m = only(run(line("CASH DEPOSIT", "1234.00"), book=book))
    assert m.confidence is None and "2 open invoices" in m.reason


def test_payer_found_in_description_when_no_payer_field():
    m = only(run(line("NEFT-HDFC-MEHTA FOODS-UTR 998877665544", "1234.00", payer=None)))
    assert m.method == "payer_amount" and m.applied


def test_a_lone_common_word_is_not_a_customer():
    m = only(run(line("x", "250.50", payer="SONS")))
    assert m.method != "payer_amount"


# ---------------------------------------------------------------------------- currency and debits


def test_other_currency_never_matches_confidently():
    m = only(run(line("INV-43", "300.00", currency="USD")))
    assert not m.applied and m.confidence == "medium" and "USD" in m.reason
    result = run(line("NEFT", "300.00", currency="USD", payer="Acme Traders"))
    assert not result.matches


def test_line_without_currency_is_in_the_business_currency():
    assert only(run(line("INV-43", "300.00", currency=None))).applied


def test_debits_are_never_matched():
    result = run(line("INV-43 refund", "-300.00"), line("INV-42", "0"))
    assert result.ignored_debits == 2 and not result.all()


# ---------------------------------------------------------------------------- subset sums


def test_subset_with_sum_is_exact_decimal():
    items = [("a", D("0.10")), ("b", D("0.20")), ("c", D("0.30"))]
    assert subset_with_sum(items, D("0.30")) == ["c"]
    assert subset_with_sum(items, D("0.60")) == ["a", "b", "c"]
    assert subset_with_sum(items, D("0.40")) == ["a", "c"]
    assert subset_with_sum(items, D("0.70")) is None


def test_longer_numeric_invoice_numbers_match_bare_but_not_as_amounts_or_dates():
    book = [inv("100234", "acme", "500.00", name="Acme Traders LLP"),
            inv("20261101", "acme", "700.00", name="Acme Traders LLP"),
            inv("INV-29", "acme", "900.00", name="Acme Traders LLP")]
    bal = {i.invoice_id: i.balance for i in book}
    assert only(run(line("NEFT 100234 ACME", "500.00"), book=book, balances=bal)).invoice_ids == ["100234"]
    assert only(run(line("NEFT 100234", "100234.00"), book=book, balances=bal)).invoice_ids == []  # the amount
    assert only(run(line("VALUE DATE 20261101", "3.00"), book=book, balances=bal)).invoice_ids == []  # a date
    assert only(run(line("IBAN GB29NWBK60161331926819", "3.00"), book=book, balances=bal)).invoice_ids == []


def test_two_subsets_with_the_same_sum_are_not_guessed():
    book = [inv("X-1", "acme", "100.00", due="2026-09-01", name="Acme Traders"),
            inv("X-2", "acme", "300.00", due="2026-09-02", name="Acme Traders"),
            inv("X-3", "acme", "200.00", due="2026-09-03", name="Acme Traders"),
            inv("X-4", "acme", "200.00", due="2026-09-04", name="Acme Traders")]
    m = only(run(line("NEFT", "500.00", payer="ACME TRADERS"), book=book, customers={}))
    assert not m.applied and m.method == "payer"
    # ...but the oldest invoices in a row is what people pay: confident
    m = only(run(line("NEFT", "400.00", payer="ACME TRADERS"), book=book, customers={}))
    assert m.applied and m.invoice_ids == ["X-1", "X-2"]


def test_same_core_name_is_told_apart_by_legal_words():
    book = [inv("R-1", "rao-llp", "250.00", name="Rao Traders LLP"),
            inv("R-2", "rao-co", "250.00", name="Rao Traders & Co")]
    m = only(run(line("NEFT", "250.00", payer="RAO TRADERS AND CO"), book=book, customers={}))
    assert m.applied and m.invoice_ids == ["R-2"]


def test_a_list_of_numbers_after_one_invoice_number():
    book = [inv("INV-42", "b", "100.00"), inv("INV-43", "b", "100.00"), inv("INV-44", "b", "100.00"),
            inv("INV-45", "b", "100.00")]
    m = only(run(line("INV 42, 43 & 44 and 45", "400.00"), book=book, customers={}))
    assert m.invoice_ids == ["INV-42", "INV-43", "INV-44", "INV-45"] and m.applied
    m = only(run(line("INV 42 45 units", "100.00"), book=book, customers={}))
    assert m.invoice_ids == ["INV-42"]


def test_payer_decisions_are_per_payer_text_not_per_core_name():
    """`RAO TRADRS LLP` and `RAO TRADRS & CO` share the core name `rao tradrs` (fuzzy, a typo): the
    legal words decide between the two Rao customers, for each payer on its own — a memo keyed on
    the core name alone would hand the second payer the first one's customer."""
    book = [inv("R-1", "rao-llp", "100.00", name="Rao Traders LLP"),
            inv("R-2", "rao-co", "200.00", name="Rao Traders & Co")]
    customers = {"rao-llp": Customer("rao-llp", name="Rao Traders LLP"),
                 "rao-co": Customer("rao-co", name="Rao Traders & Co")}
    result = run(line("UPI/TRANSFER", "30.00", payer="RAO TRADRS LLP"),
                 line("UPI/TRANSFER", "40.00", payer="RAO TRADRS & CO"),
                 line("UPI/TRANSFER", "50.00", payer="RAO TRADRS LLP"), book=book, customers=customers)
    assert [m.customer_id for m in result.all()] == ["rao-llp", "rao-co", "rao-llp"]
    assert not result.matches  # part payments without a reference: suggestions only
