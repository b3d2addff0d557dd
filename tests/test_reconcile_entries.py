"""The report's entries, written as JSON text straight from the verdicts, are exactly what the
document's encoder writes for their dicts — whatever the bank wrote in the line."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from hypothesis import example, given, settings, strategies as st

from collectbot import jsondoc
from collectbot.models import BankLine
from collectbot.reconcile.entries import Entry, entries_json
from collectbot.reconcile.matcher import LineMatch

texts = st.one_of(st.none(), st.text(), st.sampled_from(["INR", "INV-0042", 'a"b\\c\n\u20ac\u2028', "\ud7ff", ""]))
amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False)
money = st.one_of(amounts, st.sampled_from([Decimal("0"), Decimal("-0.00"), Decimal("1E+3"), Decimal("12.500")]))


@st.composite
def lines(draw) -> BankLine:
    return BankLine(date=draw(st.one_of(st.dates(), st.datetimes())), amount=draw(money), currency=draw(texts),
                    description=draw(texts), payer=draw(texts), reference=draw(texts), transaction_id=draw(texts),
                    file=draw(st.one_of(st.text(), st.none())),
                    row=draw(st.one_of(st.none(), st.integers(-5, 10**12), st.booleans())))


@st.composite
def verdicts(draw) -> Entry:
    allocations = draw(st.dictionaries(st.one_of(st.text(), st.integers(0, 99)), money, max_size=4))
    verdict = LineMatch(line=draw(lines()), position=draw(st.integers(0, 10**6)),
                        invoice_ids=draw(st.lists(st.text(), max_size=4)), allocations=allocations,
                        confidence=draw(texts), method=draw(texts), applied=draw(st.one_of(st.booleans(), st.just(1))),
                        customer_id=draw(texts), excess=draw(money), reason=draw(st.one_of(st.text(), st.none())))
    return Entry(verdict, draw(st.one_of(st.none(), st.integers(1, 10**9))))


def dict_json(items: list[Entry]) -> str:
    return jsondoc.encode([e.as_dict() for e in items])


ODD = Entry(LineMatch(line=BankLine(date=datetime(2026, 11, 20, 9, 30), amount=Decimal("-0.00"), currency=None,
                                     description='a"b\\c\n\u20ac\u2028', payer="\ud7ff", reference="",
                                     transaction_id="INV-0042", file=None, row=True),
                      position=0, invoice_ids=["", "\u2028"], allocations={7: Decimal("1E+3"), "x": Decimal("12.500")},
                      confidence=None, method="", applied=1, customer_id="INR", excess=Decimal("0"), reason=None),
            None)


# 120 generated examples plus the hand-made one that holds every awkward value at once
# (400 generated examples cost 3 s of every suite run).
@settings(max_examples=120, deadline=None)
@given(st.lists(verdicts(), max_size=6))
@example([ODD])
def test_entries_json_is_what_the_encoder_writes_for_the_dicts(items):
    text = str(entries_json(items))
    assert text == dict_json(items)
    assert json.loads(text) == json.loads(dict_json(items))


@settings(max_examples=30, deadline=None)
@given(st.lists(verdicts(), min_size=1, max_size=12), st.integers(1, 5))
def test_parts_join_into_the_same_text(items, chunk):
    parts = entries_json(items, chunk)
    assert len(parts) == -(-len(items) // chunk)
    assert "".join(parts) == dict_json(items)


def test_a_recorded_line_in_the_report_document():
    line = BankLine(date=date(2026, 11, 20), amount=Decimal("1500.00"), currency="INR",
                    description="NEFT/UTR 123456789012/INV-0042 ₹", payer="BANSAL AND SONS", file="st.csv", row=7)
    verdict = LineMatch(line=line, position=0, invoice_ids=["INV-0042"], allocations={"INV-0042": Decimal("1000.00")},
                        confidence="high", method="invoice_number", applied=True, customer_id="C1",
                        excess=Decimal("500.00"), reason="overpayment: 500.00 kept as a customer credit")
    doc = jsondoc.dumps({"now": datetime(2026, 11, 23, 12, 0), "matches": entries_json([Entry(verdict, 17)]),
                         "review": entries_json([])})
    parsed = json.loads(doc)
    assert parsed["review"] == []
    assert parsed["matches"] == [{
        "transaction_id": None, "date": "2026-11-20", "amount": "1500.00", "currency": "INR",
        "description": "NEFT/UTR 123456789012/INV-0042 ₹", "payer": "BANSAL AND SONS", "reference": None,
        "file": "st.csv", "row": 7, "invoice_ids": ["INV-0042"], "allocations": {"INV-0042": "1000.00"},
        "confidence": "high", "method": "invoice_number", "applied": True, "customer_id": "C1", "credit": "500.00",
        "reason": "overpayment: 500.00 kept as a customer credit", "payment_id": 17}]
