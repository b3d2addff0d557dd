"""More guards on the matcher (SPEC 7, collectbot/reconcile/matcher.py), end to end through
`collectbot reconcile` unless a parsing helper is the point:

* the two name thresholds, each with a payer/customer pair that scores exactly on it:
  NAME_THRESHOLD (85: the payer alone names the customer; also what makes a number a "mistyped
  invoice number" of another customer) and AMOUNT_NAME_THRESHOLD (80: enough when that customer
  is owed exactly the amount);
* SUBSET_LIMIT: only a customer's 15 oldest open invoices are tried for the amount;
* `INV 42 AND 43`: a number after `AND` is an invoice number only right after one, with nothing
  but spaces between them;
* the word before a number: a number at the very start of a text has none (it is not the
  text's last word);
* an invoice id made of invoice words only, or of no word at all, does not break anything.

Each workspace has its own small book (ACME's contact data, due 2026-03-13, open) and a one-line
bank file; a line that nothing fits is "unmatched", a doubtful suggestion is in "review".
"""

from __future__ import annotations

import signal
from decimal import Decimal

import pytest
from rapidfuzz import fuzz

from collectbot.reconcile import matcher
from collectbot.reconcile.matcher import _looks_like_date, invoice_core, name_score, normalize_name, subset_with_sum
from tests.conftest import DEFAULT_INVOICES
from tests.test_guard_matcher import reconcile_one

def invoice(iid: str, customer_id: str, name: str, balance: str, due: str = "2026-03-13") -> dict[str, str]:
    return dict(DEFAULT_INVOICES[0], invoice_id=iid, customer_id=customer_id, customer_name=name,
                amount=balance, balance=balance, due_date=due, issue_date="2026-02-11")


def only_match(doc: dict) -> dict:
    assert doc["review"] == [] and doc["unmatched"] == [], (doc["review"], doc["unmatched"])
    [m] = doc["matches"]
    return m


def only_review(doc: dict) -> dict:
    assert doc["matches"] == [] and doc["unmatched"] == [], (doc["matches"], doc["unmatched"])
    [r] = doc["review"]
    return r


# ---------------------------------------------------------------------------- 1. name thresholds


def test_the_chosen_names_score_exactly_on_the_thresholds():
    # rapidfuzz's arithmetic, not collectbot's output: the pairs used below sit exactly on 85 and 80.
    # `gupta hardware enterprises` ~ `gupta hardware`: token-set 100 (one name's words contain the
    # other's), plain ratio 2*14/(26+14) = 70 (token-sort is the same here): (100 + 70) / 2 = 85.
    a, b = normalize_name("GUPTA HARDWARE ENTERPRISES"), normalize_name("Gupta Hardware")
    assert fuzz.token_set_ratio(a, b) == 100 and max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) == 70
    assert name_score(a, b) == 85
    # `sharma elect` (the bank cut the name short) ~ `sharma electricals`: token-set and ratio both
    # 2*12/(12+18) = 80 (the shorter is a prefix of the longer): (80 + 80) / 2 = 80.
    a, b = normalize_name("SHARMA ELECT"), normalize_name("Sharma Electricals")
    assert name_score(a, b) == 80
    # `kapoor text` ~ `kapoor textiles`: both ratios 2*11/(11+15) = 84.6: (84.6 + 84.6) / 2 < 85.
    a, b = normalize_name("KAPOOR TEXT"), normalize_name("Kapoor Textiles")
    assert 84.6 < name_score(a, b) < 84.7
    # `joshi furnishing mart traders` ~ `joshi furnishing mart`: token-set 100, ratio 2*21/(21+29) = 84
    # (token-sort the same: `traders` sorts last): (100 + 84) / 2 = 92 = STRONG_NAME.
    a, b = normalize_name("JOSHI FURNISHING MART TRADERS"), normalize_name("Joshi Furnishing Mart")
    assert name_score(a, b) == 92
    # `kapoor tex` ~ `kapoor textiles`: both ratios 2*10/(10+15) = 80: exactly AMOUNT_NAME_THRESHOLD.
    a, b = normalize_name("KAPOOR TEX"), normalize_name("Kapoor Textiles")
    assert name_score(a, b) == 80
    # `malhotra plastics br` (20 chars): ~ `malhotra plastics` (the `& Co` one: `and`, `co` are legal
    # words) token-set 100, ratio 2*17/37 = 91.9 -> 95.9; ~ `malhotra plastics brothers` (26) token-set
    # 2*17/37 = 91.9, ratio 2*20/46 = 87.0 -> 89.4: the `& Co` one is best, Brothers a runner-up >= 80.
    p = normalize_name("MALHOTRA PLASTICS BR")
    co, bros = name_score(p, normalize_name("Malhotra Plastics & Co")), name_score(p, normalize_name(
        "Malhotra Plastics Brothers"))
    assert 95.9 < co < 96 and 89.4 < bros < 89.5


@pytest.mark.parametrize("customer, payer, confidence, score", [
    ("Gupta Hardware", "GUPTA HARDWARE ENTERPRISES", "low", "85"),  # 85 = NAME_THRESHOLD: enough; < 92: low
    ("Kapoor Textiles", "KAPOOR TEXT", None, None),  # 84.6: just below NAME_THRESHOLD, not enough
    ("Joshi Furnishing Mart", "JOSHI FURNISHING MART TRADERS", "medium", "92"),  # 92 = STRONG_NAME: medium
])
def test_payer_alone_names_the_customer_from_name_threshold_on(make_workspace, customer, payer, confidence, score):
    # The customer owes 5000.00; the line pays 2000.00, which is no subset of its balances and no
    # open balance at all. From NAME_THRESHOLD on, the payer's name alone names the customer: rule
    # (c) "payer alone", a suggestion of the oldest invoice up to the amount, 2000.00 of C-1, never
    # applied; medium from STRONG_NAME (92) on, else low. Below NAME_THRESHOLD nothing fits: unmatched.
    ws = make_workspace(invoices=[invoice("C-1", "cust", customer, "5000.00")])
    doc = reconcile_one(ws, "NEFT CR", "2000.00", payer=payer)
    if confidence:
        r = only_review(doc)
        assert (r["method"], r["confidence"], r["applied"], r["customer_id"]) == ("payer", confidence, False, "cust")
        assert (r["invoice_ids"], r["allocations"]) == (["C-1"], {"C-1": "2000.00"})
        assert r["reason"] == (f"payer looks like {customer} (name score {score}) but the amount fits no single set "
                               "of its open invoices")
    else:
        assert doc["matches"] == [] and doc["review"] == []
        [u] = doc["unmatched"]
        assert (u["invoice_ids"], u["reason"]) == ([], "no invoice number, customer or balance fits")


CONFLICT = ("the reference names A-7 of ACME Ltd, but the payer looks like Gupta Hardware: "
            "a mistyped invoice number?")


def test_payer_scoring_exactly_name_threshold_makes_another_customers_number_a_mistyped_one(make_workspace):
    # The reference names A-7 (ACME's, 1500.00 owed) but the payer is Gupta by a score of 85 =
    # NAME_THRESHOLD, and fits ACME not at all: a mistyped invoice number, never applied on the
    # number alone. The payer rules then decide: Gupta owes 5000.00, not 1500.00, so it is the
    # "payer alone" suggestion (low: 85 < 92) of Gupta's oldest invoice up to the amount (1500.00 of
    # G-1), with the conflict first in the reason. Below the threshold A-7 would be applied.
    ws = make_workspace(invoices=[invoice("A-7", "acme", "ACME Ltd", "1500.00"),
                                  invoice("G-1", "gupta", "Gupta Hardware", "5000.00")])
    doc = reconcile_one(ws, "NEFT CR", "1500.00", payer="GUPTA HARDWARE ENTERPRISES", reference="A-7")
    r = only_review(doc)
    assert (r["method"], r["confidence"], r["applied"], r["customer_id"]) == ("payer", "low", False, "gupta")
    assert (r["invoice_ids"], r["allocations"]) == (["G-1"], {"G-1": "1500.00"})
    assert r["reason"] == (CONFLICT + "; payer looks like Gupta Hardware (name score 85) but the "
                           "amount fits no single set of its open invoices")


def test_a_mistyped_number_with_the_payers_exact_balance_pays_the_payers_invoice(make_workspace):
    # As above, but the line pays 5000.00, exactly Gupta's balance: payer (85 >= 80) + exact amount
    # settles G-1 confidently; the reason is the conflict alone (the payer rule adds none).
    ws = make_workspace(invoices=[invoice("A-7", "acme", "ACME Ltd", "1500.00"),
                                  invoice("G-1", "gupta", "Gupta Hardware", "5000.00")])
    doc = reconcile_one(ws, "NEFT CR", "5000.00", payer="GUPTA HARDWARE ENTERPRISES", reference="A-7")
    m = only_match(doc)
    assert (m["method"], m["confidence"], m["applied"], m["customer_id"]) == ("payer_amount", "high", True, "gupta")
    assert (m["invoice_ids"], m["allocations"], m["reason"]) == (["G-1"], {"G-1": "5000.00"}, CONFLICT)


def test_a_payer_that_fits_the_numbered_customer_at_80_is_trusted_though_another_fits_better(make_workspace):
    # Two businesses: Kapoor Textiles (K-1, 1500.00) and Kapoor Tex (T-1, 900.00). The reference names
    # K-1; the payer `KAPOOR TEX` is Kapoor Tex exactly (100) and fits Kapoor Textiles at 80 =
    # AMOUNT_NAME_THRESHOLD: that is enough to trust the number, so K-1 is paid (1200.00 of it).
    ws = make_workspace(invoices=[invoice("K-1", "kapoor", "Kapoor Textiles", "1500.00"),
                                  invoice("T-1", "kaptex", "Kapoor Tex", "900.00")])
    doc = reconcile_one(ws, "NEFT CR", "1200.00", payer="KAPOOR TEX", reference="K-1")
    m = only_match(doc)
    assert (m["method"], m["applied"], m["customer_id"], m["allocations"]) == ("invoice_number", True, "kapoor",
                                                                               {"K-1": "1200.00"})
    assert m["reason"] is None


def test_payer_scoring_exactly_amount_name_threshold_settles_the_exact_balance(make_workspace):
    # `SHARMA ELECT` scores 80 = AMOUNT_NAME_THRESHOLD against Sharma Electricals, who is owed exactly
    # 3000.00 (S-1): payer + exact amount, rule (b), applied with high confidence. Were 80 not enough,
    # only the amount would fit (a low "amount" suggestion in review).
    ws = make_workspace(invoices=[invoice("S-1", "sharma", "Sharma Electricals", "3000.00"),
                                  invoice("S-2", "sharma", "Sharma Electricals", "700.00", due="2026-03-20")])
    doc = reconcile_one(ws, "NEFT CR", "3000.00", payer="SHARMA ELECT")
    m = only_match(doc)
    assert (m["method"], m["confidence"], m["applied"], m["customer_id"]) == ("payer_amount", "high", True, "sharma")
    assert (m["invoice_ids"], m["allocations"]) == (["S-1"], {"S-1": "3000.00"})


# ---------------------------------------------------------------------------- 2. SUBSET_LIMIT


@pytest.mark.parametrize("count", [15, 16])
def test_only_the_15_oldest_open_invoices_are_tried_for_the_amount(make_workspace, count):
    # ACME has `count` open invoices, due on consecutive days: all 1000.00 but the youngest, 250.00.
    # The payer is ACME exactly; it pays 250.00. With 15 invoices the youngest is among the 15 oldest
    # (SUBSET_LIMIT) and its balance is the amount: applied to it. With 16 it is the 16th, out of
    # reach, and no set of 1000.00 balances makes 250.00: only a suggestion (payer alone, medium: the
    # name scores 100), of the oldest invoice up to the amount (250.00 of A-01).
    rows = [invoice(f"A-{k:02d}", "acme", "ACME Ltd", "1000.00" if k < count else "250.00",
                    due=f"2026-03-{k:02d}") for k in range(1, count + 1)]
    ws = make_workspace(invoices=rows)
    doc = reconcile_one(ws, "NEFT CR", "250.00", payer="ACME LTD")
    youngest = f"A-{count:02d}"
    if count == 15:
        m = only_match(doc)
        assert (m["method"], m["applied"], m["invoice_ids"], m["allocations"]) == (
            "payer_amount", True, [youngest], {youngest: "250.00"})
    else:
        r = only_review(doc)
        assert (r["method"], r["confidence"], r["applied"]) == ("payer", "medium", False)
        assert (r["invoice_ids"], r["allocations"]) == (["A-01"], {"A-01": "250.00"})


# ---------------------------------------------------------------------------- 3. `INV 42 AND 43`


@pytest.mark.parametrize("narration, named", [
    # a number right after an invoice number, joined by `AND` with spaces only: an invoice number too
    ("PAYMENT INV 42 AND 43", ["INV-42", "INV-43"]),
    # `AND PO 43`: 43 is not right after the invoice number (PO comes between): a purchase order,
    # and a 2-digit number after a neutral word is no invoice number
    ("PAYMENT INV 42 AND PO 43", ["INV-42"]),
    # `42. AND 43`: the full stop ends the list, so `43 CARTONS` is not joined to it
    ("PAYMENT INV 42. AND 43 CARTONS", ["INV-42"]),
])
def test_a_number_after_and_is_an_invoice_number_only_when_it_continues_a_list(make_workspace, narration, named):
    # INV-42 owes 250.00, INV-43 300.00; the line pays 550.00 and has no payer. Both named: each is
    # paid in full. INV-42 alone: its 250.00 is paid and the other 300.00 is an overpayment credit.
    ws = make_workspace(invoices=[invoice("INV-42", "acme", "ACME Ltd", "250.00"),
                                  invoice("INV-43", "acme", "ACME Ltd", "300.00", due="2026-03-14")])
    m = only_match(reconcile_one(ws, narration, "550.00"))
    assert (m["method"], m["applied"], m["invoice_ids"]) == ("invoice_number", True, named)
    if len(named) == 2:
        assert (m["allocations"], m["credit"]) == ({"INV-42": "250.00", "INV-43": "300.00"}, None)
    else:
        assert (m["allocations"], m["credit"]) == ({"INV-42": "250.00"}, "300.00")
        assert m["reason"] == "overpayment: 300.00 kept as a customer credit"


# ---------------------------------------------------------------------------- 4. the word before a number


@pytest.mark.parametrize("narration, named", [
    # 12345 opens the text: no word before it, so nothing blocks it; 5 digits, not a date, not the
    # amount (5000 / 500000): an invoice number. The text's last word, UPI, is not "before" it.
    ("12345 PAID VIA UPI", True),
    # the same number after UPI (a bank reference word) is not an invoice number
    ("UPI 12345 PAID", False),
    # nor after A/C (an account number) ...
    ("A/C 12345", False),
    # ... but a lone C after another word is no account word: 12345 is an invoice number
    ("UNIT C 12345", True),
])
def test_a_number_opening_the_text_has_no_word_before_it(make_workspace, narration, named):
    ws = make_workspace(invoices=[invoice("12345", "acme", "ACME Ltd", "20000.00")])
    doc = reconcile_one(ws, narration, "5000.00")
    if named:
        m = only_match(doc)
        assert (m["method"], m["applied"], m["allocations"]) == ("invoice_number", True, {"12345": "5000.00"})
    else:
        assert doc["matches"] == [] and doc["review"] == []
        [u] = doc["unmatched"]
        assert (u["invoice_ids"], u["reason"]) == ([], "no invoice number, customer or balance fits")


def test_a_short_number_opening_the_text_is_not_an_invoice_number_whatever_word_ends_it(make_workspace):
    # 43 is two digits with no word before it (REF ends the text, it does not precede 43): no invoice
    # number. 300.00 is owed, 120.00 paid, no payer: nothing fits.
    ws = make_workspace(invoices=[invoice("INV-43", "acme", "ACME Ltd", "300.00")])
    doc = reconcile_one(ws, "43 CARTONS SEE REF", "120.00")
    assert doc["matches"] == [] and doc["review"] == []
    [u] = doc["unmatched"]
    assert u["invoice_ids"] == []


# ---------------------------------------------------------------------------- 5. odd invoice ids


@pytest.fixture
def no_hang():
    """Fail (instead of hanging the suite) when the test runs past 5 s: a parsing loop that never ends."""
    def stop(signum, frame):
        raise TimeoutError("still running after 5 s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_invoice_ids_of_invoice_words_only_or_of_no_word_keep_a_key_or_have_none(no_hang):
    # every leading invoice word is dropped: `Invoice No. 42` meets `INV-42` on `42`, numeric
    assert invoice_core("Invoice No. 42") == invoice_core("INV-42") == ("42", True)
    # Leading invoice words are dropped only while a word is left: `INVOICE` stays `INVOICE`,
    # `Bill No` keeps `NO`; an id with no letters or digits has no key at all.
    assert invoice_core("INVOICE") == ("INVOICE", False)
    assert invoice_core("Bill No") == ("NO", False)
    assert invoice_core("--") is None


def test_a_book_with_an_id_without_letters_or_digits_still_reconciles(make_workspace):
    # `--` has no number key; `INV 42` in the line still names INV-42 (250.00 paid, applied).
    ws = make_workspace(invoices=[invoice("--", "acme", "ACME Ltd", "90.00"),
                                  invoice("INV-42", "acme", "ACME Ltd", "250.00")])
    m = only_match(reconcile_one(ws, "PAYMENT INV 42", "250.00"))
    assert (m["method"], m["invoice_ids"], m["allocations"]) == ("invoice_number", ["INV-42"], {"INV-42": "250.00"})


def test_invoice_000_is_found_by_its_zeros(make_workspace):
    # INV-000's number is zero: `000` keeps one `0` when its leading zeros are stripped, on both sides
    ws = make_workspace(invoices=[invoice("INV-000", "acme", "ACME Ltd", "250.00")])
    m = only_match(reconcile_one(ws, "PAYMENT INV-000", "100.00"))
    assert (m["method"], m["invoice_ids"], m["allocations"]) == ("invoice_number", ["INV-000"], {"INV-000": "100.00"})


@pytest.mark.parametrize("narration, paid", [
    # 12345 opens the text: INV-12345 and BILL-12345 both have the key 12345 and no word comes before
    # it to choose between them (BILL at the end is not before it): no invoice number
    ("12345 PAID AGAINST BILL", None),
    # BILL right before it chooses BILL-12345
    ("PAID AGAINST BILL 12345", "BILL-12345"),
])
def test_two_invoices_with_one_number_are_told_apart_only_by_the_word_before_it(make_workspace, narration, paid):
    ws = make_workspace(invoices=[invoice("INV-12345", "acme", "ACME Ltd", "700.00"),
                                  invoice("BILL-12345", "acme", "ACME Ltd", "800.00")])
    doc = reconcile_one(ws, narration, "100.00")  # no payer, no balance of 100.00
    if paid:
        m = only_match(doc)
        assert (m["invoice_ids"], m["allocations"]) == ([paid], {paid: "100.00"})
    else:
        assert doc["matches"] == [] and doc["review"] == []
        [u] = doc["unmatched"]
        assert (u["invoice_ids"], u["reason"]) == ([], "no invoice number, customer or balance fits")


@pytest.mark.parametrize("digits, is_date", [
    ("20260310", True),   # YYYYMMDD 2026-03-10
    ("15032026", True),   # DDMMYYYY 15.03.2026 (as MMDDYYYY month 15: no)
    ("15032000", True),   # DDMMYYYY 15.03.2000
    ("03152026", True),   # MMDDYYYY 03/15/2026 (as DDMMYYYY month 15: no)
    ("03152000", True),   # MMDDYYYY 03/15/2000
    ("150231", True),     # DDMMYY 15.02.31 (as YYMMDD 2015-02-31: no)
    ("290232", True),     # DDMMYY 29.02.2032, a leap year (as YYMMDD day 32: no)
    ("290233", False),    # 29.02.2033: not a leap year; as YYMMDD 2029-02-33: no
    ("320229", True),     # YYMMDD 2032-02-29, a leap year (as DDMMYY day 32: no)
    ("340229", False),
    ("321231", True),     # YYMMDD 2032-12-31 (as DDMMYY day 32: no)    # YYMMDD 2034-02-29: 2034 is no leap year; as DDMMYY day 34: no
    ("12345678", False),  # as YYYYMMDD month 56, DDMMYYYY month 34, MMDDYYYY month 12 day 34: no
])
def test_which_digit_runs_look_like_dates(digits, is_date):
    # a date-like run after a neutral word is never read as an invoice number (`_numeric_ok`)
    assert _looks_like_date(digits) is is_date


def test_a_number_that_reads_as_a_date_is_not_an_invoice_number(make_workspace):
    # `20260310` after NEFT is a date (YYYYMMDD), not invoice 20260310; `20261310` (month 13) is none
    ws = make_workspace(invoices=[invoice("20260310", "acme", "ACME Ltd", "900.00"),
                                  invoice("20261310", "acme", "ACME Ltd", "800.00")])
    m = only_match(reconcile_one(ws, "NEFT 20260310 20261310", "100.00"))
    assert (m["invoice_ids"], m["allocations"]) == (["20261310"], {"20261310": "100.00"})


def test_invoices_due_the_same_day_are_paid_oldest_issued_first_an_undated_one_counting_as_issued_when_due(
        make_workspace):
    # INV-1 has no issue date (it counts as issued on its due date, 2026-03-13); INV-2, due the same
    # day, was issued 2026-02-11: older, so paid first. 300.00 over balances of 250.00 each: INV-2 gets
    # 250.00, INV-1 the other 50.00.
    rows = [dict(invoice("INV-1", "acme", "ACME Ltd", "250.00"), issue_date=""),
            invoice("INV-2", "acme", "ACME Ltd", "250.00")]
    ws = make_workspace(invoices=rows)
    m = only_match(reconcile_one(ws, "PAYMENT INV 1 AND 2", "300.00"))
    assert (m["invoice_ids"], m["allocations"]) == (["INV-2", "INV-1"], {"INV-2": "250.00", "INV-1": "50.00"})


# ---------------------------------------------------------------------------- 6. names


def test_a_customer_name_missing_on_its_first_invoice_is_taken_from_a_later_one(make_workspace):
    # The customers file lists gupta without a name, so the invoices' names are used. G-1 carries no
    # customer name, G-2 (same customer) does: the customer is still `Gupta Hardware`, so the payer
    # GUPTA HARDWARE paying exactly G-2's 700.00 is payer + amount, applied.
    rows = [invoice("G-1", "gupta", "", "1000.00"), invoice("G-2", "gupta", "Gupta Hardware", "700.00")]
    ws = make_workspace(invoices=rows, customers=[{"customer_id": "gupta", "name": "", "email": "ap@gupta.example"}])
    m = only_match(reconcile_one(ws, "NEFT CR", "700.00", payer="GUPTA HARDWARE"))
    assert (m["method"], m["invoice_ids"], m["allocations"]) == ("payer_amount", ["G-2"], {"G-2": "700.00"})


def test_a_close_runner_up_that_is_owed_the_sum_is_the_payer(make_workspace):
    # `MALHOTRA PLASTICS BR` fits Malhotra Plastics & Co best (95.9) and Malhotra Plastics Brothers
    # next (89.4, >= 80). & Co owes 1000.00: no set of it makes 500.00; Brothers owes 300.00 + 200.00
    # = 500.00 (its two invoices, oldest first): Brothers is the payer, both invoices paid in full.
    ws = make_workspace(invoices=[invoice("C-1", "mco", "Malhotra Plastics & Co", "1000.00"),
                                  invoice("B-1", "mbros", "Malhotra Plastics Brothers", "300.00"),
                                  invoice("B-2", "mbros", "Malhotra Plastics Brothers", "200.00", due="2026-03-20")])
    m = only_match(reconcile_one(ws, "NEFT CR", "500.00", payer="MALHOTRA PLASTICS BR"))
    assert (m["method"], m["applied"], m["customer_id"]) == ("payer_amount", True, "mbros")
    assert (m["invoice_ids"], m["allocations"]) == (["B-1", "B-2"], {"B-1": "300.00", "B-2": "200.00"})


def test_a_payer_whose_customer_owes_nothing_is_not_a_suggestion(make_workspace):
    # Globex's only invoice is paid; the payer is GLOBEX exactly, 2000.00 matches no open balance:
    # there is nothing of Globex's to suggest, so the line is unmatched (nothing fits).
    ws = make_workspace(invoices=[dict(invoice("G-1", "globex", "Globex", "2000.00"), balance="0.00",
                                       status="paid"),
                                  invoice("A-1", "acme", "ACME Ltd", "900.00")])
    doc = reconcile_one(ws, "NEFT CR", "2000.00", payer="GLOBEX")
    assert doc["matches"] == [] and doc["review"] == []
    [u] = doc["unmatched"]
    assert (u["invoice_ids"], u["allocations"], u["reason"]) == ([], {}, "no invoice number, customer or balance fits")


@pytest.mark.parametrize("narration, amount, customer_id, invoice_id", [
    # a name of 3-letter words only is still found in a description: ABC (ABC Ltd) owes exactly 600.00
    ("NEFT-HDFC-ABC LTD-UTR 998877665544", "600.00", "abc", "X-1"),
    # both `kumar` and `kumar textiles` are in the description: the more specific name wins, and
    # Kumar Textiles owes exactly 4000.00
    ("NEFT-HDFC-KUMAR TEXTILES-UTR 998877665544", "4000.00", "kt", "KT-1"),
])
def test_a_customer_named_in_the_description_pays_its_exact_balance(make_workspace, narration, amount,
                                                                     customer_id, invoice_id):
    # no payer field: the customer whose every name word is in the description is the payer (score
    # 90 >= 85), and the amount is exactly one of its balances: payer + amount, applied.
    ws = make_workspace(invoices=[invoice("X-1", "abc", "ABC Ltd", "600.00"),
                                  invoice("K-1", "kumar", "Kumar", "1500.00"),
                                  invoice("KT-1", "kt", "Kumar Textiles", "4000.00")])
    m = only_match(reconcile_one(ws, narration, amount))
    assert (m["method"], m["applied"], m["customer_id"]) == ("payer_amount", True, customer_id)
    assert (m["invoice_ids"], m["allocations"]) == ([invoice_id], {invoice_id: amount})


def test_a_one_word_payer_with_a_typo_is_found_among_many_names_sharing_its_stem(make_workspace):
    # 41 customers `Agro Global 1..41` (ids c01..c41) and Globex (id globex, after them in id
    # order) all have a word starting `glob`. The payer GLOBX (one word, a typo) shares no pair of
    # word stems with anyone, so the candidates are the customers of its rarest word, `glob`: all 42
    # (at most 100), Globex among them. GLOBX ~ globex: ratio 2*5/11 = 90.9 (token-set the same):
    # >= 85, so Globex is the payer; 100.00 fits none of its balances: a "payer alone" suggestion
    # (low: 90.9 < 92) of its 3000.00 invoice.
    rows = [invoice(f"G-{k:02d}", f"c{k:02d}", f"Agro Global {k}", "500.00") for k in range(1, 42)]
    rows.append(invoice("X-1", "globex", "Globex", "3000.00"))
    ws = make_workspace(invoices=rows)
    r = only_review(reconcile_one(ws, "NEFT CR", "100.00", payer="GLOBX"))
    assert (r["method"], r["confidence"], r["customer_id"]) == ("payer", "low", "globex")
    assert (r["invoice_ids"], r["allocations"]) == (["X-1"], {"X-1": "100.00"})


def test_a_subset_found_by_a_search_that_ran_out_of_budget_is_not_trusted():
    # Balances 1, 2, 4, ..., 16384 (15 invoices, oldest first): every sum has exactly one subset (its
    # binary digits). 1 + 16384 = 16385 is not one balance nor an oldest-first run (1+2 = 3 ...), so
    # the depth-first search decides; it finds I0+I14 but spends its whole budget (SUBSET_BUDGET
    # nodes) before it could know that no second subset exists: a guess, so None.
    items = [(f"I{k}", Decimal(2 ** k)) for k in range(15)]
    suffix = [sum((b for _, b in items[k:]), Decimal(0)) for k in range(16)]
    search = matcher._SubsetSearch(items, suffix)
    search.dfs(0, Decimal(16385), [])
    assert search.found == [["I0", "I14"]] and search.budget == 0  # the precondition: it ran out
    assert subset_with_sum(items, Decimal(16385)) is None
    # 1 + 2 + 8 = 11 is found well within the budget: the one subset is the answer
    assert subset_with_sum(items, Decimal(11)) == ["I0", "I1", "I3"]
