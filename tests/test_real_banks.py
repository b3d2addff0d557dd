"""23 real bank statement CSVs from 21 European banks (tests/fixtures/real/statements, with
PROVENANCE.md) read by collectbot's reader and compared with a reading by hand
(tests/real_banks_by_hand.py: counts, credited totals per currency, and sample lines with
date, amount, currency, payer and text — written from the raw files without running our code).

Deviations decided here, each with its reason:
* A zero-amount line moves no money: counted as neither credit nor debit (the hand reading
  counts ING NL's "0,00 Bij" line as a credit by its flag).
* "?" (the file states no currency): the reader gives the line no currency of its own; in a
  workspace it is the business currency.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from collectbot.reconcile.readers import read_statement
from tests.real_banks_by_hand import HAND

FILES = Path(__file__).parent / "fixtures" / "real" / "statements"
ZERO_CREDITS_BY_FLAG = {"ing_nl.csv": 1}


def test_every_file_is_read_by_hand_and_has_provenance():
    files = sorted(p.name for p in FILES.glob("*.csv"))
    assert files == sorted(HAND)
    provenance = (FILES / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in files:
        assert f"{name} — " in provenance, name


def currency(hand: str) -> str | None:
    return None if hand == "?" else hand


@pytest.mark.parametrize("name", sorted(HAND))
def test_the_reader_agrees_with_the_hand_reading(name):
    hand = HAND[name]
    result = read_statement(FILES / name)
    assert result.errors == [], [str(e) for e in result.errors]
    lines = result.lines
    credits = [x for x in lines if x.amount > 0]
    debits = [x for x in lines if x.amount < 0]
    assert len(lines) == hand["lines"]
    assert len(credits) == hand["credits"] - ZERO_CREDITS_BY_FLAG.get(name, 0)
    assert len(debits) == hand["debits"]
    totals: dict[str | None, Decimal] = {}
    for x in credits:
        totals[x.currency] = totals.get(x.currency, Decimal(0)) + x.amount
    want = {currency(c): Decimal(v) for c, v in hand["credited"].items() if Decimal(v) or credits}
    assert totals == want
    for s in hand["samples"]:
        same = [x for x in lines if x.date.isoformat() == s["date"] and x.amount == Decimal(s["amount"])]
        assert same, f"no line of {s['amount']} on {s['date']} (hand: line {s['line']})"
        # the text is in the description, or (Knab's "Ontvangen betaling") the payment-method column
        x = next((x for x in same if s["text"].casefold() in f"{x.description} {x.extra.get('method', '')}".casefold()),
                 None)
        assert x is not None, (s, [y.description for y in same])
        assert x.currency == currency(s["currency"]), s
        if s["payer"] and s["amount"][0] != "-":  # the payer of money in is what matching uses
            assert s["payer"].casefold() in f"{x.payer or ''} {x.description}".casefold(), (s, x.payer)
