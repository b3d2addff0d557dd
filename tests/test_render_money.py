"""The fast money formatter must print exactly what babel's format_currency prints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from collectbot.render import CurrencyFormat

# Locales whose plain patterns the fast path must handle itself (it may not decline them).
LOCALES = ["en_IN", "en_US", "de_DE", "fr_FR", "nl_NL", "hi_IN", "ja_JP"]
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


def test_de_ch_fast_path_agrees_or_declines():
    # babel 2.19's de_CH data groups 1'234 but not 1234567: the fast path must notice and decline.
    loc = Locale.parse("de_CH")
    for currency in CURRENCIES:
        fmt = CurrencyFormat(loc, currency)
        if fmt.ok:
            for v in ("1234567.5", "-1234567.891", "12345678901.05", "0.125"):
                assert fmt(Decimal(v)) == format_currency(Decimal(v), currency, locale=loc)


def test_unusual_pattern_falls_back_to_babel():
    # Arabic (Egypt) uses its own digits and signs: the fast path declines rather than guess.
    assert CurrencyFormat(Locale.parse("ar_EG"), "EGP").ok is False
