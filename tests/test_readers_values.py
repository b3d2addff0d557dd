"""Properties of the amount and date readers (collectbot.values) every statement format uses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectbot.values import BANK, guess_decimal, read_amount, read_date as parse_date, settle_dayfirst as guess_dayfirst


def parse_amount(text: str, decimal: str = ".") -> Decimal:
    return read_amount(text, decimal, side=BANK)  # a statement's amount: DR is money out

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)


def western(value: Decimal) -> str:
    return f"{value:,.2f}"


def indian(value: Decimal) -> str:
    sign, digits = ("-" if value < 0 else ""), f"{abs(value):.2f}"
    whole, cents = digits.split(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + "₹" + ",".join(groups + [tail]) + "." + cents


def european(value: Decimal) -> str:
    return western(value).replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


@given(amounts)
def test_grouped_amounts_read_back_exactly(value):
    for text, decimal in ((western(value), "."), (indian(value), "."), (european(value), ",")):
        assert parse_amount(text, decimal) == value, text


@given(amounts.filter(lambda v: v != 0 and abs(v) >= 1))
def test_decimal_mark_is_inferred_from_the_values(value):
    assert guess_decimal([european(value)]) == ","
    assert guess_decimal([western(value)]) == "."


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_dates_read_in_each_written_order(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%Y%m%d")) == day
    assert parse_date(day.strftime("%d/%m/%Y"), dayfirst=True) == day
    assert parse_date(day.strftime("%m/%d/%Y"), dayfirst=False) == day
    assert parse_date(day.strftime("%d.%m.%y"), dayfirst=True) == day


def test_negative_forms_and_garbage():
    assert parse_amount("(1,234.00)") == Decimal("-1234.00")
    assert parse_amount("12.50-") == Decimal("-12.50")
    assert parse_amount("100.00 DR") == Decimal("-100.00")
    assert parse_amount("+5") == Decimal("5")
    for bad in ("", "abc", "1.2.3", "--"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_day_order_comes_only_from_a_settling_value():
    assert guess_dayfirst(["01/02/2026", "13/02/2026"]) is True
    assert guess_dayfirst(["01/02/2026", "02/13/2026"]) is False
    assert guess_dayfirst(["01/02/2026", "2026-02-13"]) is None
    with pytest.raises(ValueError, match="dayfirst"):
        parse_date("01/02/2026")
