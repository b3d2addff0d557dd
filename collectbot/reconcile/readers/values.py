"""Reading amounts and dates the way banks write them.

Amounts: currency symbols and codes, Western (1,234.56) and Indian (1,23,456.78) grouping,
decimal commas (1.234,56 / 827,75), `(12.00)` and trailing-minus negatives, `+` signs.
Dates: ISO, compact (20200213), dotted and slashed day-first or month-first, with the order
decided per column from the values (a 13..31 in one position settles it), never guessed
silently when every value is ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ...currencies import SYMBOL

_NOISE = re.compile(r"[^\d,.\-+()]")
# what may stand around a bank amount besides the number: currency symbols and codes, spaces
_CURRENCY = re.compile(rf"{SYMBOL.pattern}|\b[A-Z]{{3}}\b|[\s'\u00a0\u202f]")
_NOT_A_NUMBER = re.compile(r"[^\d,.\-+()]")
_COMMA_DECIMAL = re.compile(r"(\d{1,3}(\.\d{3})+|\d+),\d{0,2}")
_POINT_DECIMAL = re.compile(r"(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3}|\d+)\.\d{1,2}")
# Western (1,234,567.89), Indian (12,34,567.89) and decimal-comma (1.234.567,89) grouping
_GROUPED = {".": re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?|\d{1,2}(,\d{2})*,\d{3}(\.\d*)?"),
            ",": re.compile(r"\d{1,3}(\.\d{3})+(,\d*)?")}
_PLAIN = re.compile(r"-?(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3})(?:\.\d+)?")


class MixedDecimals(ValueError):
    """A column writes some amounts with a decimal comma and others with a decimal point."""


def guess_decimal(values: Iterable[str]) -> str:
    """'.' or ',': the decimal mark a column of amounts uses, from every value that shows it
    (1.234,56 or 827,75 say comma; 1,234.56 or 7.00 say point). A column that says both is
    refused (MixedDecimals) rather than read one way: 7.00 must never become 700."""
    comma = point = None
    for raw in values:
        text = _NOISE.sub("", raw or "").strip("-+()")
        if _COMMA_DECIMAL.fullmatch(text):  # 1.234,56 / 827,75 / MT940-style "107,"
            said = ","
        elif _POINT_DECIMAL.fullmatch(text):  # 1,234.56 / 7.00 / 12,34,567.00
            said = "."
        else:
            continue  # no decimal mark shown (1.234, 12), or not a number at all (1,2,3)
        if said == ",":
            comma = comma or raw
        else:
            point = point or raw
        if comma and point:
            raise MixedDecimals(f"the amounts mix decimal commas ({comma.strip()!r}) and decimal points "
                                f"({point.strip()!r}); set reconcile.bank_csv.decimal to ',' or '.'")
    return "," if comma else "."


def parse_amount(raw: str, decimal: str = ".") -> Decimal:
    """'₹1,23,456.00' -> Decimal('123456.00'); raises ValueError with a readable reason."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("empty amount")
    if decimal == "." and _PLAIN.fullmatch(text):  # the common case, fast
        return Decimal(text.replace(",", ""))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    upper = text.upper()
    if upper.endswith(("CR", "DR")):
        negative = upper.endswith("DR")
        text = text[:-2]
    text = _CURRENCY.sub("", text)
    if _NOT_A_NUMBER.search(text):  # letters, other signs: 1e2, 0x32, 100abc are not amounts
        raise ValueError(f"{raw!r} is not an amount")
    text = _NOISE.sub("", text).replace("(", "").replace(")", "")
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    text = text.lstrip("+")
    thousands = "," if decimal == "." else "."
    if thousands in text and not _GROUPED[decimal].fullmatch(text):  # 1,2,3 is no grouping of 123
        raise ValueError(f"{raw!r} is not an amount (its {thousands!r} separators do not group thousands)")
    text = text.replace(thousands, "")
    if decimal == ",":
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        raise ValueError(f"{raw!r} is not an amount")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None
    return -value if negative else value


_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AP]M)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I)
_NUMERIC = re.compile(r"^(\d{1,4})[./-](\d{1,2})[./-](\d{2,4})$")
_TEXT_FORMATS = ("%d %b %Y", "%d-%b-%Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y", "%d %b %y", "%d%b%y")


def _strip_time(raw: str) -> str:
    return _TIME_TAIL.sub("", raw.strip()).strip()


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if len(y) <= 2 and n < 70 else (n + 1900 if len(y) <= 2 else n)


def guess_dayfirst(values: Iterable[str]) -> bool | None:
    """True (31/12), False (12/31), or None when no value settles it."""
    for raw in values:
        m = _NUMERIC.match(_strip_time(raw or ""))
        if not m or len(m.group(1)) == 4:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
    return None


def needs_order(raw: str) -> bool:
    """Whether this value is a d/m/y-or-m/d/y date whose order matters."""
    m = _NUMERIC.match(_strip_time(raw or ""))
    return bool(m) and len(m.group(1)) != 4 and int(m.group(1)) <= 12 and int(m.group(2)) <= 12 \
        and m.group(1) != m.group(2)


def parse_date(raw: str, *, dayfirst: bool | None = None, date_format: str | None = None) -> date:
    """One date; raises ValueError. `dayfirst=None` refuses an order-dependent value."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("empty date")
    if date_format:
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueError(f"{text!r} does not match date_format {date_format!r}") from None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # ISO, the common case, fast
        try:
            return date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass
    core = _strip_time(text)
    if re.fullmatch(r"\d{8}", core):
        return date(int(core[:4]), int(core[4:6]), int(core[6:]))
    m = re.fullmatch(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})", core)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.match(core)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if dayfirst is None:
            if a > 12:
                dayfirst = True
            elif b > 12 or a == b:
                dayfirst = False
            else:
                raise ValueError(f"{text!r} could be day/month or month/day; set dayfirst or date_format")
        return date(y, b, a) if dayfirst else date(y, a, b)
    for fmt in _TEXT_FORMATS:
        try:
            return datetime.strptime(core, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date")
