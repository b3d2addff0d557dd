"""Guards on the matcher (SPEC 7, collectbot/reconcile/matcher.py) left open by the earlier guard
files, end to end through `collectbot reconcile`:

* an invoice number in a bank text that is not plain ASCII (`FÜR`) is still read;
* MAX_POSTING: a word shared by more than 500 customers does not name a customer in the description;
* allocate_oldest_first: the last few paise of a payment naming two invoices go to the second
  invoice, not to a customer credit;
* the runner-up rule: a close runner-up (name score >= 80, AMOUNT_NAME_THRESHOLD, exactly 80 included)
  that is owed the sum is the payer; one below 80 is not.

Each workspace has its own small book (ACME's contact data, due 2026-03-13, open) and a one-line
bank file (helpers from tests/test_guard_matcher.py and tests/test_guard_matcher_more.py).
"""

from __future__ import annotations

import pytest

from collectbot.reconcile.matcher import name_forms, name_score
from tests.test_guard_matcher import book, reconcile_one
from tests.test_guard_matcher_more import invoice, only_match, only_review


def test_an_invoice_number_in_a_text_with_non_ascii_letters_is_read(make_workspace):
    # `Ü` makes the text non-ASCII, so it is split as written and its segments upper-cased one by
    # one: INV-42 is still found (42 after the invoice word INV). No payer, and 1234.00 fits no
    # balance (4200.00 is owed): only the number can match it, applied by invoice number in full.
    ws = make_workspace(invoices=book(("INV-42", "4200.00")))
    m = only_match(reconcile_one(ws, "ZAHLUNG FÜR RECHNUNG INV-42", "1234.00"))
    assert (m["method"], m["applied"], m["invoice_ids"], m["allocations"]) == (
        "invoice_number", True, ["INV-42"], {"INV-42": "1234.00"})


@pytest.mark.parametrize("others, found", [(499, True), (500, False)])
def test_a_word_shared_by_more_than_500_customers_names_no_customer_in_a_description(make_workspace, others,
                                                                                       found):
    # Customer `trad` is named just `Traders` and owes 777.00; `others` more customers are named
    # `Traders N` (each 100.00). The line has no payer; its description NEFT TRADERS holds every word
    # of `Traders` (and of no `Traders N`), but the word `traders` is shared by 1 + others customers:
    # 500 (= MAX_POSTING) is still used, so Traders is the payer (score 90) and owes exactly 777.00:
    # payer + amount, applied. With 501 the word is not used to find candidates: no customer, and only
    # the amount fits one balance (a low "amount" suggestion of the same invoice).
    rows = [invoice("T-0", "trad", "Traders", "777.00")]
    rows += [invoice(f"T-{k}", f"t{k:03d}", f"Traders {k}", "100.00") for k in range(1, others + 1)]
    ws = make_workspace(invoices=rows)
    doc = reconcile_one(ws, "NEFT TRADERS", "777.00")
    if found:
        m = only_match(doc)
        assert (m["method"], m["customer_id"], m["allocations"]) == ("payer_amount", "trad", {"T-0": "777.00"})
    else:
        r = only_review(doc)
        assert (r["method"], r["confidence"], r["allocations"]) == ("amount", "low", {"T-0": "777.00"})


def test_the_last_paise_of_a_payment_naming_two_invoices_go_to_the_second(make_workspace):
    # INV-101 (1000.00) and INV-102 (500.00), due and issued the same day, so oldest first is id
    # order. 1000.50 pays INV-101 in full (1000.00) and 0.50 of INV-102: nothing is left over, so no
    # customer credit.
    ws = make_workspace(invoices=book(("INV-101", "1000.00"), ("INV-102", "500.00")))
    m = only_match(reconcile_one(ws, "INV-101 INV-102", "1000.50"))
    assert (m["method"], m["invoice_ids"]) == ("invoice_number", ["INV-101", "INV-102"])
    assert (m["allocations"], m["credit"]) == ({"INV-101": "1000.00", "INV-102": "0.50"}, None)


def score(payer: str, name: str) -> float:
    return name_score(name_forms(payer)[0], name_forms(name)[0])


@pytest.mark.parametrize("runner_up, runner_up_score, paid_by_runner_up", [
    # kapoor ~ kapoor textile: token-set 100 (one word set inside the other), ratio and token-sort
    # 2*6/(6+14) = 60: (100 + 60) / 2 = 80.0, exactly AMOUNT_NAME_THRESHOLD: a runner-up
    ("Kapoor Textile", 80.0, True),
    # kapoor ~ kapoor plastics brothers: token-set 100, ratio 2*6/(6+24) = 40: (100 + 40) / 2 = 70 < 80
    ("Kapoor Plastics Brothers", 70.0, False),
])
def test_a_runner_up_owed_the_sum_is_the_payer_from_a_score_of_80_on(make_workspace, runner_up, runner_up_score,
                                                                      paid_by_runner_up):
    assert score("KAPOOR", runner_up) == runner_up_score  # the precondition, worked out above
    # Payer KAPOOR is exactly customer `kap` (Kapoor, score 100), who owes 1000.00: no set of it makes
    # 500.00. The runner-up (same word `kapoor`, so a candidate) owes 300.00 + 200.00 = 500.00 and no
    # single balance is 500.00. From 80 on it is the payer: both its invoices paid, oldest first.
    # Below 80 it is not: Kapoor stays the payer, a "payer alone" suggestion (medium: 100 >= 92) of
    # 500.00 of its 1000.00 invoice.
    ws = make_workspace(invoices=[invoice("K-1", "kap", "Kapoor", "1000.00"),
                                  invoice("R-1", "run", runner_up, "300.00"),
                                  invoice("R-2", "run", runner_up, "200.00", due="2026-03-20")])
    doc = reconcile_one(ws, "NEFT CR", "500.00", payer="KAPOOR")
    if paid_by_runner_up:
        m = only_match(doc)
        assert (m["method"], m["customer_id"]) == ("payer_amount", "run")
        assert m["allocations"] == {"R-1": "300.00", "R-2": "200.00"}
    else:
        r = only_review(doc)
        assert (r["method"], r["confidence"], r["customer_id"]) == ("payer", "medium", "kap")
        assert r["allocations"] == {"K-1": "500.00"}
