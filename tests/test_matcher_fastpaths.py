"""The matcher's shortcuts give exactly the verdicts of the general path they shortcut.

Why: `reconcile` on a 100k-line statement is made cheap by checking the cheap evidence first
(the payer against the invoice's own customer before the search over every customer, ...).
Each shortcut must be invisible in the result. The general path is kept here, written as it
was before the shortcut, and a statement full of near-miss names, typo'd numbers and partial
payments is matched both ways: every verdict must be the same.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from test_matcher_properties import invoice_books

from collectbot.models import BankLine, Customer
from collectbot.reconcile import matcher
from collectbot.reconcile.matcher import AMOUNT_NAME_THRESHOLD, NAME_THRESHOLD, match_lines

# Names that share words, differ by a letter or by legal words only: where name scoring is close.
NAMES = ["Bansal & Sons", "Bansal Steel", "Bansal Steels Pvt Ltd", "Acme Traders", "Acme Trader & Co",
         "Mehta Foods", "Mehra Foods", "Apex Steel", "Lotus Pharma LLP", "Lotus Pharma", "Rao Traders LLP",
         "Rao Traders & Co", "Sons"]
money = st.integers(min_value=100, max_value=50_000).map(lambda c: Decimal(c).scaleb(-2))


# ---------------------------------------------------------------------------- the general path, as it was


def general_payer_conflict(line, open_ids, index, names):
    """`_payer_conflict` before the shortcut: the search over all customers first."""
    if not line.payer:
        return None
    named = {index.by_id[i].customer_id for i in open_ids}
    cid, score = names.best(line.payer)
    if cid is None or cid in named or score < NAME_THRESHOLD:
        return None
    payer = names.normalized(line.payer)
    if any(score >= AMOUNT_NAME_THRESHOLD for score, _ in names.scores(payer, sorted(named))):
        return None
    owners = ", ".join(sorted(names.display.get(c, c) for c in named))
    return (f"the reference names {', '.join(open_ids)} of {owners}, but the payer looks like "
            f"{names.display.get(cid, cid)}: a mistyped invoice number?")


class GeneralInvoiceIndex(matcher.InvoiceIndex):
    """The index before `by_customer` dropped settled invoices: `open_of` filters on the balance."""

    def pay(self, invoice_id, amount):
        inv = self.by_id[invoice_id]
        own = self.by_customer[(inv.customer_id, inv.currency)]
        kept = list(own)
        super().pay(invoice_id, amount)
        own[:] = kept  # the old index never dropped a settled invoice from its customer's list

    def open_of(self, customer_id, currency):
        return [i for i in self.by_customer.get((customer_id, currency), ()) if self.remaining[i] > 0]


class GeneralCustomerIndex(matcher.CustomerIndex):
    """Candidates as they were found before `_top_candidates` (Counter.most_common), and the payer's
    fit to named or preferred customers always scored."""

    def _candidates(self, norm):
        shared = Counter()
        for key in matcher._pair_keys(norm):
            shared.update(self.pairs.get(key, ()))
        if shared:
            top = shared.most_common(self.TOP)
            floor = top[0][1]
            return sorted(c for c, n in top if n >= floor - 1)
        return super()._candidates(norm)

    def best(self, payer, preferred=frozenset()):
        """Before the exact-name shortcut for one preferred customer: the preferred always scored."""
        norm, light = self._forms_of(payer)
        if norm and preferred:
            found = self._pick(norm, light, sorted(preferred))
            if found[0] is not None and found[1] >= AMOUNT_NAME_THRESHOLD:
                return found
        return super().best(payer)

    def fits_any(self, payer, candidates, threshold):
        """Before the exact-name shortcut: every pair scored."""
        norm = self._forms_of(payer)[0]
        memo = self._pair_scores.get(norm)
        if memo is None or not all(c in memo for c in candidates):
            self._score(norm, sorted(candidates))
            memo = self._pair_scores[norm]
        return any(memo[c] is not None and memo[c] >= threshold for c in candidates)


def general_subset_with_sum(candidates, target):
    """`subset_with_sum` with its search as a nested recursive function, as it was."""
    items = candidates[:matcher.SUBSET_LIMIT]
    quick = matcher.quick_subset(items, target)
    if quick is not None:
        return quick
    suffix = [Decimal(0)] * (len(items) + 1)
    for k in range(len(items) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + items[k][1]
    budget = [matcher.SUBSET_BUDGET]
    found = []

    def dfs(k, left, chosen):
        if left == 0:
            found.append(list(chosen))
            return
        if (len(found) > 1 or k >= len(items) or left < 0 or suffix[k] < left or budget[0] <= 0
                or len(chosen) >= matcher.SUBSET_MAX):
            return
        budget[0] -= 1
        iid, bal = items[k]
        if bal <= left:
            chosen.append(iid)
            dfs(k + 1, left - bal, chosen)
            chosen.pop()
        dfs(k + 1, left, chosen)

    dfs(0, target, [])
    return found[0] if len(found) == 1 and budget[0] > 0 else None


GENERAL = {"_payer_conflict": general_payer_conflict, "InvoiceIndex": GeneralInvoiceIndex,
           "CustomerIndex": GeneralCustomerIndex, "subset_with_sum": general_subset_with_sum}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), max_size=20), st.integers(min_value=1, max_value=200))
def test_subset_search_is_the_general_one(balances, target):
    # small whole balances: many subsets share a sum, so ties, the budget and SUBSET_MAX all come into play
    candidates = [(f"i{k}", Decimal(b)) for k, b in enumerate(balances)]
    assert matcher.subset_with_sum(candidates, Decimal(target)) == general_subset_with_sum(candidates, Decimal(target))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), st.integers(1, 6)), min_size=1),
       st.integers(min_value=1, max_value=8))
def test_top_candidates_are_those_of_most_common(counts, top):
    shared = Counter()
    for customer, n in counts:  # insertion order matters: most_common keeps ties in it
        shared[customer] += n
    first = shared.most_common(top)
    assert matcher._top_candidates(shared, top) == sorted(c for c, n in first if n >= first[0][1] - 1)


# ---------------------------------------------------------------------------- books and statements


def _variant(name: str, how: str) -> str:
    if how == "upper":
        return name.upper().replace("&", "AND")
    if how == "typo":
        return name[:3] + name[4:] if len(name) > 5 else name
    if how == "short":
        return name.upper()[:12]
    if how == "ms":
        return "M/S " + name
    return name


@st.composite
def cases(draw):
    invoices = draw(invoice_books(tuple(NAMES), money, most=14, first=1000, currencies=("INR",) * 5 + ("USD",)))
    lines = []
    for k in range(draw(st.integers(min_value=1, max_value=12))):
        target = draw(st.sampled_from(invoices))
        other = draw(st.sampled_from(invoices))
        amount = draw(st.sampled_from([target.balance, target.balance + other.balance, target.balance / 2,
                                       target.balance * 2, Decimal("123.45")])).quantize(Decimal("0.01"))
        who = draw(st.sampled_from([target.customer_name, other.customer_name, "Unknown Remitter", None,
                                    draw(st.sampled_from(NAMES))]))
        payer = _variant(who, draw(st.sampled_from(["plain", "upper", "typo", "short", "ms"]))) if who else None
        desc = draw(st.sampled_from([f"NEFT {target.invoice_id} UTR 123456789012",
                                     f"{target.invoice_id}, {other.invoice_id}", "NEFT CR",
                                     f"IMPS {(target.customer_name or '').upper()}", f"INV {target.invoice_id[-4:]}"]))
        lines.append(BankLine(date=date(2026, 11, 1), amount=amount, currency=draw(st.sampled_from(["INR", None])),
                              description=desc, payer=payer, row=k + 2))
    customers = {f"c{k}": Customer(f"c{k}", name=name) for k, name in enumerate(NAMES)}
    return invoices, lines, customers


def _verdicts(invoices, lines, customers):
    result = match_lines(lines, invoices, {i.invoice_id: i.balance for i in invoices}, customers, currency="INR")
    return [(m.position, m.invoice_ids, m.allocations, m.confidence, m.method, m.applied, m.customer_id, m.excess,
             m.reason) for m in result.all()], result.balances


@settings(max_examples=300, deadline=None)
@given(cases())
def test_shortcuts_give_the_general_paths_verdicts(case):
    fast = _verdicts(*case)
    with pytest.MonkeyPatch.context() as mp:
        for name, general in GENERAL.items():
            mp.setattr(matcher, name, general)
        assert _verdicts(*case) == fast


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.from_regex(r"[A-Za-z0-9 #/.,&-]{0,30}", fullmatch=True))
def test_ascii_text_upper_cased_first_splits_into_the_same_pieces(text):
    # InvoiceIndex._scan upper-cases an ASCII text before splitting it: the pieces must be those of
    # the text as written, each segment upper-cased, separators untouched
    assert matcher._PIECE_RE.findall(text.upper()) == [(seg.upper(), sep) for seg, sep in matcher._PIECE_RE.findall(text)]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(NAMES + ["", "M/S", "Unknown Remitter"]),
       st.sampled_from(["plain", "upper", "typo", "short", "ms"]),
       st.sets(st.integers(0, len(NAMES) - 1), min_size=1, max_size=3), st.sampled_from([0, 79.5, 80, 92, 100, 101]))
def test_a_payer_fits_named_customers_as_when_every_pair_is_scored(name, how, named, threshold):
    customers = {f"c{k}": Customer(f"c{k}", name=n) for k, n in enumerate(NAMES)}
    payer = _variant(name, how)
    candidates = {f"c{k}" for k in named}
    fast = matcher.CustomerIndex(customers, []).fits_any(payer, candidates, threshold)
    assert fast == GeneralCustomerIndex(customers, []).fits_any(payer, candidates, threshold)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(NAMES + ["", "M/S", "Unknown Remitter"]),
       st.sampled_from(["plain", "upper", "typo", "short", "ms"]),
       st.sets(st.integers(0, len(NAMES)), max_size=2))
def test_the_best_customer_for_a_payer_is_the_one_found_when_every_pair_is_scored(name, how, preferred):
    # two customers whose names normalise alike (`bansal sons`): a tie no shortcut may break
    customers = {f"c{k}": Customer(f"c{k}", name=n) for k, n in enumerate(NAMES + ["Bansal and Sons"])}
    payer = _variant(name, how)
    wanted = {f"c{k}" for k in preferred}
    fast = matcher.CustomerIndex(customers, []).best(payer, wanted)
    assert fast == GeneralCustomerIndex(customers, []).best(payer, wanted)
