"""The statement readers against values a person read from the raw files (statements_by_hand.py).

The golden files beside each sample (`*.expected.json`) were written by the readers themselves:
they prove the readers are stable, not that they are right. This test holds the readers, and so
the golden files, to an independent reading: the number of credits and debits, the total
credited per currency, and each hand-read line's date, amount, currency and payer.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from statements_by_hand import HAND

from collectbot.reconcile.readers import read_statement

FIXTURES = Path(__file__).parent / "fixtures" / "statements"

# Formats and layouts collectbot refuses today, with the sentence it says. The hand values stay
# beside them so that support, when it lands, is held to them at once (drop the entry here).
REFUSED = {
    "bai2": "BAI2 files are not supported yet",
    "qif": "QIF files are not supported yet",
    "csv/asn_nl_headerless.csv": "no header row",
}

# Files whose currency the readers cannot see (none left: the ₹ of payments_inr.csv and the
# ": EUR" metadata row above oca_sheet_metadata_header_rows.csv's header are read since issue 13).
CURRENCY_NOT_READ: dict[str, str] = {}

# Sberbank's non-standard `:NS:` field writes the partner's name over two numbered sub-lines
# (`15ERGO Versicherung AG Fiokte` / `16lep`); the reader keeps the field as the description
# without joining them, so only the name's first sub-line can be found there.
PAYER_SPLIT_BY_THE_FILE = {"mt940/sberbank_hu_huf.sta"}


def refusal(key: str) -> str | None:
    return REFUSED.get(key) or REFUSED.get(key.split("/")[0])


def squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def reader_currency(key: str, hand_currency: str) -> str | None:
    return None if key in CURRENCY_NOT_READ else hand_currency


@pytest.mark.parametrize("key", sorted(HAND))
def test_reader_agrees_with_the_hand_reading(key: str):
    hand = HAND[key]
    result = read_statement(FIXTURES / key)
    if refusal(key):
        assert not result.lines and refusal(key) in result.errors[0].message
        return
    lines = result.lines
    credits = [x for x in lines if x.amount > 0]
    debits = [x for x in lines if x.amount < 0]
    assert (len(credits), len(debits)) == (hand["credits"], hand["debits"])

    totals: dict[str | None, Decimal] = {}
    for x in credits:
        totals[x.currency] = totals.get(x.currency, Decimal(0)) + x.amount
    if set(hand["credited"]) == {"?"}:  # the file names no currency: the total, whatever the reader calls it
        assert sum(totals.values(), Decimal(0)) == sum(Decimal(v) for v in hand["credited"].values())
    else:  # "?": lines whose currency the file does not state carry none
        assert totals == {None if c == "?" else reader_currency(key, c): Decimal(v) for c, v in hand["credited"].items()}

    for want in hand["lines"]:
        amount = Decimal(want["amount"])
        same = [x for x in lines if x.amount == amount and x.date.isoformat() == want["date"]]
        assert same, f"no line of {amount} on {want['date']} (hand-read at line {want['raw_line']})"
        if want["currency"] != "?":
            assert {x.currency for x in same} == {reader_currency(key, want["currency"])}
        if want["payer"] is not None:
            # The payer as the reader has it; where the file writes the name only inside free text
            # (unstructured MT940 :86:, ING's description), the reader leaves `payer` empty and the
            # matcher reads the description, so the name must be there.
            name = squash(want["payer"])
            if key in PAYER_SPLIT_BY_THE_FILE:
                name = name[: len(name) - 3]  # `fioktelep` is written `fiokte` + `16lep`
            assert any(squash(x.payer) == name or (x.payer is None and name in squash(x.description))
                       for x in same), f"payer {want['payer']!r} not on the line (raw line {want['raw_line']})"


GOLDEN = sorted(k for k in HAND if not refusal(k) and (FIXTURES / (k + ".expected.json")).exists())


@pytest.mark.parametrize("key", GOLDEN)
def test_golden_file_agrees_with_the_hand_reading(key: str):
    """The committed expected output cannot bless a wrong reading: its credits match the hand's."""
    expected = json.loads((FIXTURES / (key + ".expected.json")).read_text(encoding="utf-8"))
    rows = expected.get("lines", []) if isinstance(expected, dict) else expected
    credits = [Decimal(r["amount"]) for r in rows if Decimal(r["amount"]) > 0]
    assert len(credits) == HAND[key]["credits"]
    assert sum(credits, Decimal(0)) == sum((Decimal(v) for v in HAND[key]["credited"].values()), Decimal(0))


def test_every_real_sample_has_a_hand_reading():
    """Every file written by others has one (`same/` holds our own four-format identity files)."""
    samples = {f"{p.parent.name}/{p.name}" for p in FIXTURES.glob("*/*")
               if p.is_file() and not p.name.endswith(".expected.json") and p.name != "PROVENANCE.md"
               and p.parent.name != "same"}
    assert samples <= set(HAND) and len(GOLDEN) >= 40
