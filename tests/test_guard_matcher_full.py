"""Guards on the matcher (SPEC 7, collectbot/reconcile/matcher.py) left open by the earlier guard
files: each pins one rule whose small change (a dropped condition, a shifted bound) would change
which invoice a bank line pays, or whether it is applied, suggested or left unmatched.

* reading numbers: a 5-digit invoice number is not a date; a bare short number counts only when it
  is the whole reference; a number glued after letters (an IFSC code `SBIN0012345`) is not an
  invoice number; `INV-42 OR 43` names only INV-42; a number before a trailing `AND` is not listed;
  `A KUMAR 12345` is not the `A/C 12345` account rule; the word before the number decides between
  INV-42 and BILL-42; an `ß` typed after the number (German keyboards) does not glue to it;
* names: a payer that is not clearly another customer (score < 85) does not block an invoice
  number; two customers of the same name decide nothing; a preferred customer scoring exactly 80
  is the payer; a name without any word of 3+ letters (`MK & Co`) is still found when written
  exactly; 3-letter words count in the word-stem pairs that find fuzzy candidates;
* names in the description: a description that is exactly the name counts; two equally specific
  names decide nothing;
* the subset search: a subset made of the last invoices is found; an answer found with budget to
  spare is kept.

End to end through `collectbot reconcile` (helpers from tests/test_guard_matcher.py and
tests/test_guard_matcher_more.py); the subset search is tested as a function.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from collectbot.reconcile import matcher
from collectbot.reconcile.matcher import subset_with_sum
from tests.test_guard_matcher import assert_unmatched, book, reconcile_one
from tests.test_guard_matcher_more import invoice, only_match, only_review


def applied(doc: dict) -> tuple:
    m = only_match(doc)
    return m["method"], m["customer_id"], m["allocations"], m["credit"]


# ---------------------------------------------------------------------------- 1. reading numbers


def test_a_five_digit_invoice_number_is_not_taken_for_a_date(make_workspace):
    # 15031 has 5 digits: only 6- and 8-digit runs can be dates (DDMMYY, YYMMDD, YYYYMMDD...), so
    # after the neutral word NEFT it is invoice 15031 (5 digits = SHORT_NUMERIC, not the amount 250).
    # Were it read as a date (15-03-2001, `15 03 1`) it would not be an invoice number: unmatched.
    ws = make_workspace(invoices=book(("15031", "1000.00")))
    assert applied(reconcile_one(ws, "NEFT 15031", "250.00")) == (
        "invoice_number", "acme", {"15031": "250.00"}, None)


@pytest.mark.parametrize("narration, reference", [
    ("42", ""),              # the whole description: only a reference may be the bare number
    ("NEFT CR", "PAID 42"),  # a whole reference, but 42 is not all of it (after a neutral word)
    ("NEFT CR", "42 PAID"),  # nor here (before one)
    ("42 FROM SHAH AND", ""),  # not a list (`INV 41 AND 42`): no invoice number before the AND
])
def test_a_bare_short_number_counts_only_as_the_whole_reference(make_workspace, narration, reference):
    # INV-42 is owed 1000.00; the line pays 300.00 (no balance) and has no payer. 42 has two digits,
    # fewer than SHORT_NUMERIC: without an invoice word before it, it is an invoice number only
    # when it is the whole reference cell. Nothing else fits: unmatched.
    ws = make_workspace(invoices=book(("INV-42", "1000.00")))
    assert_unmatched(reconcile_one(ws, narration, "300.00", reference=reference))


def test_the_whole_reference_is_the_bare_number(make_workspace):
    # the positive side of the rule above: reference `42` alone is INV-42, applied by its number
    ws = make_workspace(invoices=book(("INV-42", "1000.00")))
    assert applied(reconcile_one(ws, "NEFT CR", "300.00", reference="42")) == (
        "invoice_number", "acme", {"INV-42": "300.00"}, None)


@pytest.mark.parametrize("narration", ["SBIN0012345 NEFT", "NEFT SBIN0012345"])
def test_a_number_glued_after_letters_is_part_of_a_bank_code(make_workspace, narration):
    # SBIN0012345 is an IFSC code: 0012345 (12345 zero-stripped, 5 digits) touches the letters
    # before it and SBIN is not an invoice word, so it is inside a word, not invoice 12345, whether
    # the code is the first word of the text or not. No payer, 250.00 fits no balance: unmatched.
    ws = make_workspace(invoices=book(("12345", "1000.00")))
    assert_unmatched(reconcile_one(ws, narration, "250.00"))


def test_inv_42_or_43_names_only_inv_42(make_workspace):
    # Only `,` `&` `/` `+` `;` or the word AND continue a list of invoice numbers; after OR, 43 is a
    # short number without an invoice word: not an invoice number. So 1500.00 pays INV-42 (1000.00)
    # in full and the 500.00 left over is a customer credit (INV-43 is untouched).
    ws = make_workspace(invoices=book(("INV-42", "1000.00"), ("INV-43", "500.00")))
    assert applied(reconcile_one(ws, "INV 42 OR 43", "1500.00")) == (
        "invoice_number", "acme", {"INV-42": "1000.00"}, "500.00")


def test_a_single_letter_a_two_words_back_is_not_the_account_rule(make_workspace):
    # `A/C 12345` (A then C) blocks 12345 as an account number; `A KUMAR 12345` has KUMAR before
    # the number, so it is the 5-digit invoice 12345 (not a date, not the amount): applied.
    ws = make_workspace(invoices=book(("12345", "1000.00")))
    assert applied(reconcile_one(ws, "NEFT A KUMAR 12345", "250.00")) == (
        "invoice_number", "acme", {"12345": "250.00"}, None)


def test_the_word_before_the_number_tells_inv_42_from_bill_42(make_workspace):
    # INV-42 and BILL-42 share the key 42; the text is just `INV-42`, so the word before 42 (INV,
    # the first word of the text) picks INV-42: applied by number.
    ws = make_workspace(invoices=book(("INV-42", "1000.00"), ("BILL-42", "1000.00")))
    assert applied(reconcile_one(ws, "INV-42", "250.00")) == (
        "invoice_number", "acme", {"INV-42": "250.00"}, None)


def test_a_sharp_s_typed_after_the_number_does_not_glue_to_it(make_workspace):
    # `ß` sits next to `0` on a German keyboard. It is not an ASCII letter, so it ends the number
    # 42 (after INV): INV-42 is read. Upper-cased first it would be the letters `SS`, glued to 42
    # (`42SS`, a run ending inside a word): no number, unmatched.
    ws = make_workspace(invoices=book(("INV-42", "1000.00")))
    assert applied(reconcile_one(ws, "RECHNUNG INV-42ß", "250.00")) == (
        "invoice_number", "acme", {"INV-42": "250.00"}, None)


# ---------------------------------------------------------------------------- 2. names


def test_a_payer_only_loosely_like_another_customer_does_not_block_the_number(make_workspace):
    # INV-001 is ACME's; the payer `Globex Industries` is not ACME (its words share nothing) and is
    # like Globex only loosely: token-set 100 (`globex` is inside), ratio 2*6/(17+6) = 52 (token-sort
    # the same), (100 + 52) / 2 = 76 < 85 (NAME_THRESHOLD). Not clearly another customer, so the
    # number is trusted: 400.00 applied to INV-001.
    ws = make_workspace(invoices=[invoice("INV-001", "acme", "ACME Ltd", "1000.00"),
                                  invoice("G-1", "globex", "Globex", "2000.00")])
    assert applied(reconcile_one(ws, "INV-001", "400.00", payer="Globex Industries")) == (
        "invoice_number", "acme", {"INV-001": "400.00"}, None)


def test_a_payer_scoring_below_80_is_not_the_customer_owed_the_amount(make_workspace):
    # Globex is owed exactly 2000.00, but `Globex Industries` scores 76 against it (see above):
    # below 80 (AMOUNT_NAME_THRESHOLD) even a customer owed the amount is not the payer. Only the
    # amount fits one balance: a low "amount" suggestion of G-1, not applied.
    ws = make_workspace(invoices=[invoice("INV-001", "acme", "ACME Ltd", "1000.00"),
                                  invoice("G-1", "globex", "Globex", "2000.00")])
    r = only_review(reconcile_one(ws, "NEFT CR", "2000.00", payer="Globex Industries"))
    assert (r["method"], r["confidence"], r["allocations"]) == ("amount", "low", {"G-1": "2000.00"})


def test_two_customers_of_the_same_name_decide_nothing(make_workspace):
    # rao1 and rao2 are both `Rao Traders`: the payer RAO TRADERS fits both equally (100, and the
    # same name with legal words kept), so no customer is the payer, not even the first that owes
    # the sum (rao1: 100.00 + 200.00 = 300.00). No balance is 300.00: unmatched.
    ws = make_workspace(invoices=[invoice("R1-1", "rao1", "Rao Traders", "100.00"),
                                  invoice("R1-2", "rao1", "Rao Traders", "200.00", due="2026-03-20"),
                                  invoice("R2-1", "rao2", "Rao Traders", "900.00")])
    doc = reconcile_one(ws, "NEFT CR", "300.00", payer="RAO TRADERS")
    assert doc["matches"] == [] and doc["review"] == []
    [u] = doc["unmatched"]
    assert (u["invoice_ids"], u["customer_id"]) == ([], None)


def test_a_customer_owed_the_amount_is_the_payer_from_a_score_of_exactly_80(make_workspace):
    # kt `Kapoor Textile` is owed exactly 500.00 and scores exactly 80 against KAPOOR (token-set 100,
    # ratio 2*6/(6+14) = 60: (100 + 60) / 2 = 80 = AMOUNT_NAME_THRESHOLD): it is the payer, applied.
    # (Otherwise the best name would be `Kapoor`, shared by kap1 and kap2: no payer at all, and the
    # line only a low "amount" suggestion of K-T.)
    ws = make_workspace(invoices=[invoice("K-1", "kap1", "Kapoor", "1000.00"),
                                  invoice("K-2", "kap2", "Kapoor", "2000.00"),
                                  invoice("K-T", "kt", "Kapoor Textile", "500.00")])
    assert applied(reconcile_one(ws, "NEFT CR", "500.00", payer="KAPOOR")) == (
        "payer_amount", "kt", {"K-T": "500.00"}, None)


def test_a_name_without_a_word_of_three_letters_is_found_when_written_exactly(make_workspace):
    # `MK & Co` normalises to `mk` (and, co are legal words): no word of 3+ letters, so no word or
    # word-stem pair to find it by, but the payer MK is exactly that name (score 100). It owes
    # 100.00 + 200.00 = 300.00, oldest first: payer + amount, both applied.
    ws = make_workspace(invoices=[invoice("M-1", "mk", "MK & Co", "100.00"),
                                  invoice("M-2", "mk", "MK & Co", "200.00", due="2026-03-20")])
    assert applied(reconcile_one(ws, "NEFT CR", "300.00", payer="MK")) == (
        "payer_amount", "mk", {"M-1": "100.00", "M-2": "200.00"}, None)


def test_three_letter_words_count_in_the_word_stem_pairs(make_workspace):
    # The payer ABC STEEL TRADRS (a typo) is customer `zabc` `ABC Steel Traders`, owed 300.00 +
    # 477.00 = 777.00 (no single balance is 777.00). Forty other customers `Steel Traders NN` (ids
    # s01..s40, before zabc) share the stem pair stee+trad with the payer; zabc also shares abc+stee
    # and abc+trad (3 pairs against 1), so it is the one fuzzy candidate: payer + amount, applied.
    # Were 3-letter words left out of the pairs, all 41 would share 1 pair and only the first 40
    # (TOP) would be scored: zabc would not even be looked at.
    rows = [invoice("Z-1", "zabc", "ABC Steel Traders", "300.00"),
            invoice("Z-2", "zabc", "ABC Steel Traders", "477.00", due="2026-03-20")]
    rows += [invoice(f"S-{k:02d}", f"s{k:02d}", f"Steel Traders {k:02d}", "100.00") for k in range(1, 41)]
    ws = make_workspace(invoices=rows)
    assert applied(reconcile_one(ws, "NEFT CR", "777.00", payer="ABC STEEL TRADRS")) == (
        "payer_amount", "zabc", {"Z-1": "300.00", "Z-2": "477.00"}, None)


# ---------------------------------------------------------------------------- 3. names in the description


def test_a_description_that_is_exactly_the_name_names_the_customer(make_workspace):
    # No payer; the description ACME LTD normalises to `acme`, every word of ACME's name (the same
    # set, not a larger one): ACME is the payer, owed 100.00 + 200.00 = 300.00: applied.
    ws = make_workspace(invoices=[invoice("A-1", "acme", "ACME Ltd", "100.00"),
                                  invoice("A-2", "acme", "ACME Ltd", "200.00", due="2026-03-20")])
    assert applied(reconcile_one(ws, "ACME LTD", "300.00")) == (
        "payer_amount", "acme", {"A-1": "100.00", "A-2": "200.00"}, None)


def test_two_equally_specific_names_in_the_description_decide_nothing(make_workspace):
    # ACME FOR GLOBEX holds all of `acme` and all of `globex`, one word each: neither is the payer.
    # Only the amount fits one balance (A-1, 1000.00): a low "amount" suggestion, not applied.
    ws = make_workspace(invoices=[invoice("A-1", "acme", "ACME Ltd", "1000.00"),
                                  invoice("G-1", "globex", "Globex", "700.00")])
    r = only_review(reconcile_one(ws, "ACME FOR GLOBEX", "1000.00"))
    assert (r["method"], r["confidence"], r["allocations"]) == ("amount", "low", {"A-1": "1000.00"})


# ---------------------------------------------------------------------------- 4. the subset search

ITEMS = [("a", Decimal("100")), ("b", Decimal("200")), ("c", Decimal("300"))]


def test_a_subset_of_the_last_invoices_is_found():
    # 500 is no single balance and no oldest run (100, 300, then 600 > 500): the search finds
    # b + c = 200 + 300, the only subset (a + b = 300, a + c = 400, a + b + c = 600). It needs the
    # node at b with 500 left, where the balances from b on add up to exactly 500.
    assert subset_with_sum(ITEMS, Decimal("500")) == ["b", "c"]


def test_an_answer_found_with_budget_to_spare_is_kept(monkeypatch):
    # The search above visits 5 nodes (counted by hand, each spends 1): (a, 500) takes a -> (b, 400)
    # takes b -> (c, 200), c too large, end; (b, 400) skips b -> c alone (300) cannot make 400, cut.
    # (a, 500) skips a -> (b, 500) takes b -> (c, 300) takes c: found. 5 nodes.
    # With a budget of 6, 1 is left: the search was complete, the answer stands.
    monkeypatch.setattr(matcher, "SUBSET_BUDGET", 6)
    assert subset_with_sum(ITEMS, Decimal("500")) == ["b", "c"]
