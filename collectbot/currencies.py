"""Currencies as people write them: ISO 4217 codes, and the symbols in front of amounts.

`$250.00` says dollars, not which; `₹`, `€`, `£` say one currency each. collectbot never
guesses across currencies: a symbol is read as the currency it names, and a symbol that names
several (`$`, `¥`, `kr`, `Rs`) is read as the expected currency when that is one of them, else
as the most common one (`$` → USD), so that it never passes for the expected one.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

# symbol -> the currencies it can mean, the most common first
SYMBOLS: dict[str, tuple[str, ...]] = {
    "₹": ("INR",), "€": ("EUR",), "£": ("GBP",), "₩": ("KRW",), "₽": ("RUB",), "₺": ("TRY",), "₱": ("PHP",),
    "₦": ("NGN",), "₴": ("UAH",), "₪": ("ILS",), "฿": ("THB",), "₫": ("VND",), "৳": ("BDT",), "zł": ("PLN",),
    "US$": ("USD",), "A$": ("AUD",), "AU$": ("AUD",), "C$": ("CAD",), "CA$": ("CAD",), "NZ$": ("NZD",),
    "S$": ("SGD",), "HK$": ("HKD",), "R$": ("BRL",), "MX$": ("MXN",),
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "TWD"),
    "¥": ("JPY", "CNY"), "￥": ("JPY", "CNY"), "kr": ("SEK", "NOK", "DKK", "ISK"),
    "Rs": ("INR", "PKR", "LKR", "NPR"), "Rs.": ("INR", "PKR", "LKR", "NPR"), "₨": ("INR", "PKR", "LKR", "NPR"),
}
SYMBOL = re.compile("|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True)))
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")
_NOT_A_NUMBER = re.compile(r"[^\d\s,.'+\-()]")  # a character no plain number has: a symbol or a code?


@lru_cache(maxsize=1)
def iso_codes() -> frozenset[str]:
    """ISO 4217 codes (babel's list, which keeps historic ones such as DEM)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_iso(code: str) -> bool:
    return code in iso_codes()


def written(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The currency an amount is written in, from a code or symbol in it: ('$', ('USD', …)),
    ('EUR', ('EUR',)); None when it has neither (plain digits, told by one cheap search)."""
    if not _NOT_A_NUMBER.search(text):
        return None
    m = _CODE.search(text)
    if m and is_iso(m.group(1)):
        return m.group(1), (m.group(1),)
    m = SYMBOL.search(text)
    if m:
        return m.group(0), SYMBOLS[m.group(0)]
    return None


def resolve(codes: tuple[str, ...], expected: str | None) -> str:
    """The currency a symbol stands for here: `expected` when the symbol can mean it, else its
    most common meaning."""
    return expected if expected in codes else codes[0]


def totals_of(invoices: list) -> list[dict[str, Any]]:
    """`totals` in templates: what `invoices` (views) owe, one {currency, amount} per currency, in
    the order the currencies first appear (the most overdue invoice's first). Never one sum."""
    sums: dict[str, Decimal] = {}
    for v in invoices:
        cur = v.get("currency")
        sums[cur] = sums.get(cur, Decimal(0)) + Decimal(str(v.get("balance") or 0))
    return [{"currency": c, "amount": a} for c, a in sums.items()]
