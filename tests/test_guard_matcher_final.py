"""Guards on the matcher (collectbot/reconcile/matcher.py) left open by the earlier guard files:

* which number in a bank text is an invoice number: a number after `AND` that continues no list,
  a number glued to the word before it (`9A101`), a number after a lone `C` that is no `A/C`;
* how many fuzzy candidates a payer name is compared with (TOP pairs, FALLBACK rarest word);
* which name a customer gets from its invoices (the first one written wins);
* preferred customers (owed exactly the amount) that tie, the runner-up rule (how many, scored on
  the normalised payer), a payer field that fits no customer while the description names one;
* a number naming another customer's invoice whose payer owes nothing: still a review, not dropped;
* a line in another currency than the invoice it names; the subset search's pruning bound.

Mostly end to end through `collectbot reconcile` (helpers from tests/test_guard_matcher_more.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from collectbot.models import BankLine, Customer, Invoice
from collectbot.reconcile.matcher import match_lines, name_forms, name_score, subset_with_sum
from tests.test_guard_matcher import assert_unmatched, reconcile_one
from tests.test_guard_matcher_more import invoice, only_match, only_review


# ---------------------------------------------------------------------------- 1. numbers in the text


@pytest.mark.parametrize("narration, invoice_id, named", [
    # `AND 42` opens the text: no invoice number was found before it, so `AND` continues no list, and
    # 42 (2 digits < 5, no invoice word before it) is not an invoice number
    ("AND 42", "42", False),
    # `9A101`: A101 starts inside the word `9A101` (glued to the 9, which is no invoice word): not A-101
    ("PAID 9A101", "A-101", False),
    # the same number written apart is A-101 (the control: the key A|101 is found)
    ("PAID 9 A101", "A-101", True),
    # `C 12345 A`: a lone C is the `A/C` block only when an `A` comes before it; here the A is the last
    # word, so 12345 (5 digits, no date, not the amount 1234.00) is an invoice number
    ("C 12345 A", "12345", True),
])
def test_which_numbers_in_a_narration_name_an_invoice(make_workspace, narration, invoice_id, named):
    # one ACME invoice of 4200.00; the line pays 1234.00 (no balance fits) without a payer: only the
    # number can match it, applied in full (1234.00 of 4200.00) by invoice number
    ws = make_workspace(invoices=[invoice(invoice_id, "acme", "ACME Ltd", "4200.00")])
    doc = reconcile_one(ws, narration, "1234.00")
    if not named:
        assert_unmatched(doc)
        return
    m = only_match(doc)
    assert (m["method"], m["invoice_ids"], m["allocations"]) == ("invoice_number", [invoice_id],
                                                                 {invoice_id: "1234.00"})


# ---------------------------------------------------------------------------- 2. candidates


def test_a_payer_shares_its_one_word_pair_with_40_others_first_only_40_are_scored(make_workspace):
    # Payer KUMAR TEXTILEZ has one pair of word stems, kuma+text. Customers a01..a40 (`Kumaran
    # Textbooks`, a far name) and zz (`Kumar Textiles`) all share it once: the 40 (TOP) first in id
    # order are the candidates, so zz is never scored and nobody fits: the line is unmatched.
    far = name_score(name_forms("KUMAR TEXTILEZ")[0], name_forms("Kumaran Textbooks")[0])
    assert far < 80  # the precondition: the 40 do not fit
    rows = [invoice(f"K-{k:02d}", f"a{k:02d}", "Kumaran Textbooks", "500.00") for k in range(1, 41)]
    rows.append(invoice("Z-1", "zz", "Kumar Textiles", "3000.00"))
    ws = make_workspace(invoices=rows)
    assert_unmatched(reconcile_one(ws, "NEFT CR", "100.00", payer="KUMAR TEXTILEZ"))


def test_a_one_word_payer_is_compared_with_the_first_100_customers_of_its_rarest_word(make_workspace):
    # GLOBX shares no pair of stems with anyone; its rarest word (stem) `glob` is shared by c001..c100
    # (`Agro Global N`) and globex, 101 customers: the first 100 (FALLBACK) in id order are the
    # candidates, so Globex (ratio 2*5/11 = 90.9 >= 85 to GLOBX) is left out: unmatched.
    rows = [invoice(f"G-{k:03d}", f"c{k:03d}", f"Agro Global {k}", "500.00") for k in range(1, 101)]
    rows.append(invoice("X-1", "globex", "Globex", "3000.00"))
    ws = make_workspace(invoices=rows)
    assert_unmatched(reconcile_one(ws, "NEFT CR", "100.00", payer="GLOBX"))


# ---------------------------------------------------------------------------- 3. names


def test_a_customer_keeps_the_name_of_its_first_invoice(make_workspace):
    # gupta (no name in the customers file) has G-1 `Gupta Hardware` then G-2 `Zed Corp`: its name is
    # the first one, so GUPTA HARDWARE paying exactly G-2's 700.00 is payer + amount, applied
    rows = [invoice("G-1", "gupta", "Gupta Hardware", "1000.00"), invoice("G-2", "gupta", "Zed Corp", "700.00")]
    ws = make_workspace(invoices=rows, customers=[{"customer_id": "gupta", "name": "", "email": "ap@gupta.example"}])
    m = only_match(reconcile_one(ws, "NEFT CR", "700.00", payer="GUPTA HARDWARE"))
    assert (m["method"], m["customer_id"], m["invoice_ids"]) == ("payer_amount", "gupta", ["G-2"])


def test_two_tied_preferred_customers_leave_the_payer_to_the_general_search(make_workspace):
    # x1 and x2 (both `Gupta Tradings`) are each owed exactly 700.00; the payer GUPTA TRADING fits both
    # equally (>= 80, a tie: no verdict among them), so the search goes on over all customers and finds
    # gt (`Gupta Trading`, its exact name, 100), owed 400.00 + 300.00 = 700.00: payer + amount, both of
    # gt's invoices applied (not unmatched as "2 open invoices have this balance").
    s = name_score(name_forms("GUPTA TRADING")[0], name_forms("Gupta Tradings")[0])
    assert s >= 80  # the precondition: the two preferred customers fit
    rows = [invoice("X-1", "x1", "Gupta Tradings", "700.00"), invoice("X-2", "x2", "Gupta Tradings", "700.00"),
            invoice("T-1", "gt", "Gupta Trading", "400.00"),
            invoice("T-2", "gt", "Gupta Trading", "300.00", due="2026-03-20")]
    ws = make_workspace(invoices=rows)
    m = only_match(reconcile_one(ws, "NEFT CR", "700.00", payer="GUPTA TRADING"))
    assert (m["method"], m["customer_id"], m["allocations"]) == (
        "payer_amount", "gt", {"T-1": "400.00", "T-2": "300.00"})


@pytest.mark.parametrize("payer, owing, paid_by", [
    # ranked: a0 (exact, 100) then a1..a5 (`Sharma Steels`, equal scores, id order): the five best
    # are a0..a4, so a5, sixth, is never tried as a runner-up: a0's suggestion stays
    ("SHARMA STEEL", "a5", None),
    # a1 is the first runner-up; the payer's legal words (PVT LTD) are dropped before scoring, so it
    # scores as `sharma steel` does and a1, owed 300 + 200 = 500, is the payer
    ("SHARMA STEEL PVT LTD", "a1", "a1"),
])
def test_runner_ups_are_the_five_best_names_of_the_normalised_payer(make_workspace, payer, owing, paid_by):
    s = name_score("sharma steel", name_forms("Sharma Steels")[0])
    assert 80 <= s < 100  # the precondition: runner-ups that fit, below a0
    rows = [invoice("A0-1", "a0", "Sharma Steel", "1000.00")]
    for k in range(1, 6):
        if f"a{k}" == owing:
            rows += [invoice(f"A{k}-1", f"a{k}", "Sharma Steels", "300.00"),
                     invoice(f"A{k}-2", f"a{k}", "Sharma Steels", "200.00", due="2026-03-20")]
        else:
            rows.append(invoice(f"A{k}-1", f"a{k}", "Sharma Steels", "1000.00"))
    ws = make_workspace(invoices=rows)
    doc = reconcile_one(ws, "NEFT CR", "500.00", payer=payer)
    if paid_by is None:
        # a0 owes 1000.00 only: a suggestion of 500.00 of it, medium (score 100 >= 92)
        r = only_review(doc)
        assert (r["method"], r["confidence"], r["customer_id"], r["allocations"]) == (
            "payer", "medium", "a0", {"A0-1": "500.00"})
        return
    m = only_match(doc)
    assert (m["method"], m["customer_id"], m["allocations"]) == (
        "payer_amount", paid_by, {f"{paid_by.upper()}-1": "300.00", f"{paid_by.upper()}-2": "200.00"})


def test_a_payer_field_that_fits_nobody_does_not_send_the_matcher_to_the_description(make_workspace):
    # The description names Kumar Textiles, but the line has a payer (XYZ TRADERS) that fits no
    # customer: the description is read for a name only when there is no payer. 4000.00 is exactly
    # one open balance: "only the amount fits", low, not applied.
    ws = make_workspace(invoices=[invoice("KT-1", "kt", "Kumar Textiles", "4000.00")])
    r = only_review(reconcile_one(ws, "NEFT KUMAR TEXTILES", "4000.00", payer="XYZ TRADERS"))
    assert (r["method"], r["confidence"], r["invoice_ids"]) == ("amount", "low", ["KT-1"])
    assert r["reason"] == "only the amount fits (one open invoice has exactly this balance)"


# ---------------------------------------------------------------------------- 4. conflicts, currency


def test_another_customers_number_whose_payer_owes_nothing_is_still_a_review(make_workspace):
    # `A-1` is ACME's; the payer is GLOBEX exactly, whose only invoice is paid: a conflict. The payer
    # rule finds nothing (Globex owes nothing, 123.00 is no balance), so the line goes to review on the
    # number: medium, not applied, with the conflict as its reason.
    ws = make_workspace(invoices=[dict(invoice("G-1", "globex", "Globex", "2000.00"), balance="0.00", status="paid"),
                                  invoice("A-1", "acme", "ACME Ltd", "900.00")])
    r = only_review(reconcile_one(ws, "PAYMENT A-1", "123.00", payer="GLOBEX"))
    assert (r["method"], r["confidence"], r["applied"], r["customer_id"], r["invoice_ids"]) == (
        "invoice_number", "medium", False, "acme", ["A-1"])
    assert r["reason"] == ("the reference names A-1 of ACME Ltd, but the payer looks like Globex: "
                           "a mistyped invoice number?")


def test_a_line_in_another_currency_names_the_invoices_currency():
    # an INR line naming a USD invoice: not applied, and the reason says which currency the invoice is in
    inv = Invoice(invoice_id="INV-7", customer_id="acme", due_date=date(2026, 10, 1), amount=D("100.00"),
                  balance=D("100.00"), currency="USD", customer_name="ACME Ltd")
    line = BankLine(date=date(2026, 11, 2), amount=D("100.00"), currency="INR", description="INV-7", payer=None)
    result = match_lines([line], [inv], {"INV-7": D("100.00")}, {"acme": Customer("acme", name="ACME Ltd")},
                         currency="INR")
    (v,) = result.all()
    assert (v.applied, v.invoice_ids, v.reason) == (False, ["INV-7"], "line is in INR, invoice in USD")


# ---------------------------------------------------------------------------- 5. subset search


def test_the_subset_search_finds_a_set_that_is_all_the_rest():
    # 6 is no single balance and no oldest-first run (1, 3, 7); the one subset is 2 + 4 = I1 + I2, which
    # is everything from I1 on (the sum of the rest equals what is left: still worth trying)
    items = [("I0", D(1)), ("I1", D(2)), ("I2", D(4))]
    assert subset_with_sum(items, D(6)) == ["I1", "I2"]


def test_a_search_of_exactly_2000_nodes_has_spent_its_budget():
    # Target 12 over 15 balances: ten 2s with 11s among them, then 5 and 7. 12 is no single balance and
    # no oldest-first run (2, 4, 6, then 17); the one subset is 5 + 7 (six 2s are over SUBSET_MAX, and
    # 11, 5 and 7 leave an odd or 1 remainder). Search nodes (each spends one of SUBSET_BUDGET = 2000):
    # * a state that chose s <= 4 of the j 2s before a position is one node there: sum_{s<=4} C(j, s)
    # * ten 2s + [5, 7]: over the 2s and the 5, sum_{s<=4} C(11, s+1) = 11+55+165+330+462 = 1023; at the
    #   7 (suffix 7 prunes left 12, 10, 8) the skipped-5 states left 6, 4: C(10,3) + C(10,4) = 120 + 210;
    #   the took-5 states left 7, 5, 3, 1: 1 + 10 + 45 + 120: 1023 + 330 + 176 = 1529
    # * each 11 after j 2s: sum_{s<=4} C(j, s) (only skipped, except from s = 0) plus, taken from
    #   s = 0 (left 1), one node at every later position: 11 at 3 (j=3): 8 + 11; at 7 (j=6): 57 + 7;
    #   at 12 (j=10): 386 + 2
    # total 1529 + 8 + 11 + 57 + 7 + 386 + 2 = 2000: the search completes with its budget at 0, and a
    # search that spent its whole budget is not trusted: None.
    def items(last):
        bals = [2, 2, 2, 11, 2, 2, 2, 11, 2, 2, 2, 2, last, 5, 7]
        return [(f"I{k}", D(b)) for k, b in enumerate(bals)]
    assert subset_with_sum(items(11), D(12)) is None
    # the last 11 as 13 instead (more than any amount left: only skipped, never the chain of 2): 1998
    # nodes, within the budget: the one subset is the answer
    assert subset_with_sum(items(13), D(12)) == ["I13", "I14"]


def test_the_scan_goes_on_after_a_number_not_inside_it(make_workspace):
    # A-12345 (Acme) and 12345 (Globex) are both open. `NEFT A-12345` names A-12345; the `12345` inside
    # it is part of that number, not a second invoice (read on its own, five digits after the letter A
    # would count). 4000.00 owed on each; the line pays 4000.00 to A-12345 alone.
    ws = make_workspace(invoices=[invoice("A-12345", "acme", "Acme Traders", "4000.00"),
                                  invoice("12345", "globex", "Globex", "4000.00")])
    doc = reconcile_one(ws, "NEFT A-12345", "4000.00")
    m = only_match(doc)
    assert m["invoice_ids"] == ["A-12345"] and m["allocations"] == {"A-12345": "4000.00"}
