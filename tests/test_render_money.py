"""The fast money formatter must print exactly what babel's format_currency prints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from collectbot.render import CurrencyFormat

LOCALES = ["en_IN", "en_US", "de_DE", "fr_FR", "nl_NL", "de_CH", "hi_IN", "ja_JP"]
CURRENCIES = ["INR", "USD", "EUR", "JPY", "KWD"]
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False,
                      allow_infinity=False)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("currency", CURRENCIES)
@settings(max_examples=60, deadline=None)
@given(amount=amounts)
def test_fast_format_equals_babel(locale, currency, amount):
    loc = Locale.parse(locale)
    fmt = CurrencyFormat(loc, currency)
    assert fmt.ok
    assert fmt(amount) == format_currency(amount, currency, locale=loc)


def test_indian_grouping():
    assert CurrencyFormat(Locale.parse("en_IN"), "INR")(Decimal("123456.5")) == "₹1,23,456.50"


def test_unusual_pattern_falls_back_to_babel():
    # Arabic (Egypt) uses its own digits and signs: the fast path declines rather than guess.
    assert CurrencyFormat(Locale.parse("ar_EG"), "EGP").ok is False
