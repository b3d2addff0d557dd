"""Bank amounts are read exactly or refused (issue 14, item 2): letters and stray signs are not
deleted into a number (1e2 is not 12, 0x32 not 32, 100abc not 100), separators must group
thousands (1,2,3 is not 123), and a column that mixes decimal commas and points is refused
rather than read one way (7.00 must never become 700). Nothing misread is ever recorded.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from collectbot.values import BANK, guess_decimal, read_amount


def parse_amount(text: str, decimal: str = ".") -> Decimal:
    return read_amount(text, decimal, side=BANK)


@pytest.mark.parametrize("text", ["1e2", "0x32", "1e400", "100abc", "1,2,3", "12,3456.00", "NaN", "Infinity", "--5"])
def test_a_bank_amount_that_is_not_a_number_is_a_bad_line_and_nothing_is_recorded(make_workspace, text):
    ws = make_workspace()
    ws.write("bank.csv", f'Date,Description,Amount\n2026-03-09,NEFT INV-003 GLOBEX,"{text}"\n'
                         "2026-03-09,NEFT INV-004 INITECH,750.00\n")
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert code == 1
    (err,) = doc["errors"]
    assert (err["row"], err["column"]) == (2, "Amount") and repr(text) in err["message"]
    # the good line still counts: INV-004 (750.00) is paid; nothing for INV-003
    assert [m["invoice_ids"] for m in doc["matches"] if m["applied"]] == [["INV-004"]]
    with sqlite3.connect(ws.root / "collectbot.db") as conn:
        assert [r[0] for r in conn.execute("SELECT amount FROM payments")] == ["750.00"]


def test_a_column_mixing_decimal_commas_and_points_is_refused_in_one_sentence(make_workspace):
    ws = make_workspace()
    ws.write("bank.csv", 'Date,Description,Amount\n2026-03-09,NEFT INV-003 GLOBEX,"1.234,56"\n'
                         "2026-03-09,NEFT INV-004 INITECH,7.00\n")
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert doc["matches"] == [] and doc["review"] == []
    (err,) = doc["errors"]
    assert err["message"].startswith("the amounts mix decimal commas ('1.234,56') and decimal points ('7.00')")
    # told which, the file reads: 7.00 is seven, 1.234,56 is not an amount in a point file
    ws.write_config({**__import__("yaml").safe_load(ws.config_path.read_text()),
                     "reconcile": {"bank_csv": {"decimal": "."}}})
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / "bank.csv"))
    assert [(e["row"], "1.234,56" in e["message"]) for e in doc["errors"]] == [(2, True)]


@pytest.mark.parametrize("text, decimal, value", [
    ("₹1,23,456.00", ".", "123456.00"),    # Indian grouping
    ("12,34,567.89", ".", "1234567.89"),
    ("EUR 1.234,56", ",", "1234.56"),      # a code in front, decimal comma
    ("2.345,67\u00a0€", ",", "2345.67"),   # DKB: a no-break space before the euro sign
    ("11'373.94", ".", "11373.94"),        # Swiss apostrophes
    ("(12.00)", ".", "-12.00"),
    ("107,", ",", "107"),                  # MT940 style
])
def test_amounts_as_banks_write_them_still_read(text, decimal, value):
    assert str(parse_amount(text, decimal)) == value


def test_the_decimal_mark_comes_from_every_value_that_shows_it():
    assert guess_decimal(["1.234,56", "7,00", "12"]) == ","
    assert guess_decimal(["7.00", "1,234.00", "5"]) == "."
    assert guess_decimal(["1.234", "12"]) == "."  # nothing shows a decimal mark
