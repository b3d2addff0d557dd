"""Hypothesis properties of the matcher: money is never invented, and the verdict does not
depend on how the inputs happen to be ordered."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from collectbot.models import BankLine, Customer, Invoice
from collectbot.reconcile.matcher import match_lines

NAMES = ["Bansal & Sons", "Acme Traders", "Mehta Foods", "Apex Steel", "Lotus Pharma"]
money = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def invoice_books(draw, names=tuple(NAMES), amounts=money, *, most=12, first=100,
                  currencies=("INR", "INR", "INR", "USD")):
    """1..`most` open invoices of customers c0.. named `names`, numbered from `first` under
    varied prefixes (unique ids), with balances from `amounts`."""
    n = draw(st.integers(min_value=1, max_value=most))
    invoices = []
    for k in range(n):
        cust = draw(st.integers(min_value=0, max_value=len(names) - 1))
        bal = draw(amounts)
        invoices.append(Invoice(
            invoice_id=draw(st.sampled_from(["INV-", "A-", "", "BILL/"])) + str(first + k),
            customer_id=f"c{cust}", due_date=date(2026, 9, 1) + timedelta(days=draw(st.integers(0, 60))),
            amount=bal, balance=bal, currency=draw(st.sampled_from(currencies)), customer_name=names[cust]))
    return invoices


books = invoice_books


@st.composite
def statements(draw, invoices):
    lines = []
    for k in range(draw(st.integers(min_value=0, max_value=10))):
        target = draw(st.sampled_from(invoices))
        kind = draw(st.sampled_from(["number", "two_numbers", "payer", "amount", "noise", "debit"]))
        amount = draw(st.sampled_from([target.balance, target.balance / 2, target.balance * 2])) \
            if kind != "noise" else draw(money)
        amount = amount.quantize(Decimal("0.01"))
        if amount <= 0:
            amount = Decimal("0.01")
        desc, payer = "NEFT CR", None
        if kind == "number":
            desc = f"payment {target.invoice_id} UTR {draw(st.integers(10**11, 10**12 - 1))}"
        elif kind == "two_numbers":
            other = draw(st.sampled_from(invoices))
            desc = f"{target.invoice_id}, {other.invoice_id}"
        elif kind == "payer":
            payer = target.customer_name.upper().replace("&", "AND")
        elif kind == "debit":
            amount = -amount
        lines.append(BankLine(date=date(2026, 11, 1), amount=amount, currency=draw(st.sampled_from(["INR", None])),
                              description=desc, payer=payer, row=k + 2))
    return lines


@st.composite
def cases(draw):
    invoices = draw(books())
    return invoices, draw(statements(invoices))


def _run(invoices, lines):
    customers = {f"c{k}": Customer(f"c{k}", name=n) for k, n in enumerate(NAMES)}
    balances = {i.invoice_id: i.balance for i in invoices}
    return match_lines(lines, invoices, balances, customers, currency="INR")


def _fingerprint(result):
    return [(m.position, m.invoice_ids, m.allocations, m.confidence, m.method, m.applied, m.excess)
            for m in result.all()]


@settings(max_examples=150, deadline=None)
@given(cases())
def test_allocations_never_exceed_the_payment_or_a_balance(case):
    invoices, lines = case
    result = _run(invoices, lines)
    start = {i.invoice_id: i.balance for i in invoices}
    applied: dict[str, Decimal] = {}
    for m in result.all():
        assert m.line.amount > 0
        total = sum(m.allocations.values(), Decimal(0))
        assert all(a > 0 for a in m.allocations.values())
        assert total <= m.line.amount
        if m.applied:
            assert total + m.excess == m.line.amount  # exact: nothing lost, nothing invented
            for iid, a in m.allocations.items():
                applied[iid] = applied.get(iid, Decimal(0)) + a
    for iid, a in applied.items():
        assert a <= start[iid]
        assert result.balances[iid] == start[iid] - a
    assert result.ignored_debits == sum(1 for ln in lines if ln.amount <= 0)


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_matching_is_deterministic_and_ignores_invoice_order(case, rnd):
    invoices, lines = case
    first = _fingerprint(_run(invoices, lines))
    assert _fingerprint(_run(invoices, lines)) == first
    shuffled = list(invoices)
    rnd.shuffle(shuffled)
    assert _fingerprint(_run(shuffled, lines)) == first


@settings(max_examples=100, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_lines_naming_different_invoices_match_the_same_in_any_order(invoices, rnd):
    lines = [BankLine(date=date(2026, 11, 1), amount=i.balance, currency=i.currency,
                      description=f"re {i.invoice_id}", row=k) for k, i in enumerate(invoices)]
    before = {m.line.row: (m.invoice_ids, m.allocations, m.applied) for m in _run(invoices, lines).all()}
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    after = {m.line.row: (m.invoice_ids, m.allocations, m.applied) for m in _run(invoices, shuffled).all()}
    assert after == before
    assert all(applied for _, _, applied in
               (v for k, v in before.items() if invoices[k].currency == "INR"))
