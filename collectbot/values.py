"""Amounts and dates, read one way for invoice books and bank statements alike.

Amounts: a plain number, or one with Western (1,234.56), Indian (1,23,456.50) or decimal-comma
(1.234,56) grouping; spaces, no-break spaces and apostrophes between groups; a currency symbol
(₹, US$, Rs.) or an ISO code (INR) before or after; a minus before or after, `+`, parentheses.
Nothing else: scientific notation (1e2), hex (0x32), other letters (100abc) and separators that
do not group thousands (1,2,3) are refused with the reason, never read as some other number.

The decimal mark is "." or ","; `guess_decimal` decides it for a whole column from every value
that shows one, and refuses a column that shows both (MixedDecimals): 7.00 never becomes 700.
A value that contradicts the mark is refused, not reinterpreted.

Dr / Cr after an amount mean opposite things on the two sides, and each is right for its side:
in a book of what customers owe (Tally's receivables), Dr is owed and **Cr is a credit, so
negative**; on a bank statement, Cr is money into the account, so **Dr is negative**.
`read_amount(..., side=BOOK | BANK)` says which.

Dates: ISO (2026-03-04, 2026/03/04, 20260304), numeric day/month or month/day with the order
given or settled by the column (a 25 in the first place can only be a day), and month names
(1-Apr-2026, Apr 1, 2026). A time after the date is ignored. Two-digit years follow POSIX (the
rule of strptime's %y): 69 and below are 20xx, 70 and above 19xx.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .currencies import SYMBOL, iso_codes

BOOK, BANK = "book", "bank"


class ValueProblem(ValueError):
    """A value that cannot be read; its text is the reason, for the person fixing the file."""


class MixedDecimals(ValueProblem):
    """A column writes some amounts with a decimal comma and others with a decimal point."""


# ---------------------------------------------------------------------------- amounts

_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_DRCR = re.compile(r"(?i)\s*(dr|cr)\.?\s*\Z")
_LETTERS = re.compile(r"[^\W\d_]+\.?")  # a word around the number: a symbol like Rs. or kr, or a code
_GROUPED = {
    ".": re.compile(r"\d+(?:\.\d*)?|\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d{1,2}(?:,\d{2})*,\d{3}(?:\.\d*)?|\.\d+"),
    ",": re.compile(r"\d+(?:,\d*)?|\d{1,3}(?:\.\d{3})+(?:,\d*)?|,\d+"),
}
_COMMA_DECIMAL = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+),\d{0,2}")  # 1.234,56 / 827,75 / MT940's 107,
_POINT_DECIMAL = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3}|\d+)\.\d{1,2}")  # 1,234.56 / 7.00
_NOISE = re.compile(r"[^\d,.]")


def _strip_currency(text: str) -> str | None:
    """`text` without the currency symbols and codes around it; None when another word is there."""
    text = SYMBOL.sub(" ", text)
    for word in _LETTERS.findall(text):
        if word.rstrip(".").upper() not in iso_codes():
            return None
    return _LETTERS.sub(" ", text)


def read_amount(text: str, decimal: str = ".", *, side: str = BOOK) -> Decimal:
    """'₹1,23,456.50' -> Decimal('123456.50'); '(1,234.00)' -> -1234.00. ValueProblem when it is
    not an amount written with `decimal` as its decimal mark (see the module's rules)."""
    raw = text.strip()
    if not raw:
        raise ValueProblem("empty amount")
    if decimal == "." and _PLAIN.fullmatch(raw):  # the usual cell, fast
        return Decimal(raw)
    t, negative = raw, False
    m = _DRCR.search(t)
    if m and m.start() > 0:
        negative = m.group(1).lower() == ("cr" if side == BOOK else "dr")
        t = t[: m.start()]
    t = t.strip()
    if t.startswith("(") and t.endswith(")"):
        negative, t = not negative, t[1:-1]
    stripped = _strip_currency(t)
    if stripped is None:
        raise ValueProblem(f"not an amount: {raw!r}")
    t = re.sub(r"[\s\u00a0\u202f']", "", stripped.replace("−", "-"))
    if t.startswith(("-", "+")):
        negative ^= t[0] == "-"
        t = t[1:]
    if t.endswith("-"):
        negative, t = not negative, t[:-1]
    if not _GROUPED[decimal].fullmatch(t):
        hint = ""
        if decimal == "." and re.fullmatch(r"\d{1,3}(\.\d{3})*,\d+", t):
            setting = "decimal: ',' on this source" if side == BOOK else "reconcile.bank_csv.decimal: ','"
            hint = f" (it looks like a decimal comma: set {setting})"
        elif decimal == "," and re.fullmatch(r"\d{1,3}(,\d{3})*\.\d+", t):
            hint = " (it looks like a decimal point, but this file writes decimal commas)"
        raise ValueProblem(f"not an amount: {raw!r}{hint}")
    t = t.replace(",", "") if decimal == "." else t.replace(".", "").replace(",", ".")
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueProblem(f"not an amount: {raw!r}") from None
    return -value if negative else value


def guess_decimal(values: Iterable[str]) -> str:
    """'.' or ',': the decimal mark a column of amounts uses, from every value that shows it
    (1.234,56 or 827,75 say comma; 1,234.56 or 7.00 say point; 1.234 and 12 say nothing).
    A column that says both is refused (MixedDecimals) rather than read one way."""
    comma = point = None
    for raw in values:
        t = _NOISE.sub("", raw or "")
        if _COMMA_DECIMAL.fullmatch(t):
            comma = comma or raw
        elif _POINT_DECIMAL.fullmatch(t):
            point = point or raw
        else:
            continue
        if comma and point:
            raise MixedDecimals(f"the amounts mix decimal commas ({comma.strip()!r}) and decimal points "
                                f"({point.strip()!r})")
    return "," if comma else "."


# ---------------------------------------------------------------------------- dates

_TIME_TAIL = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M)?\s*(?:Z|[+-]\d{2}:?\d{2})?)\s*\Z",
                        re.I)
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_NAMED_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %b %y", "%d %B %Y", "%d-%B-%Y", "%b %d, %Y",
                  "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d/%b/%Y", "%d %b, %Y", "%a, %d %b %Y", "%d%b%y")


def two_digit_year(text: str) -> int:
    """POSIX's rule (strptime's %y): 00–68 are 2000–2068, 69–99 are 1969–1999."""
    y = int(text)
    if len(text) > 2:
        return y
    return 2000 + y if y < 69 else 1900 + y


def date_core(text: str) -> str:
    """The date part of a cell: a time after it (10:30, T10:30:00Z, 3:15 PM) left out."""
    return _TIME_TAIL.sub("", text.strip()).strip()


def numeric_parts(text: str) -> tuple[int, int, int] | None:
    """(first, second, year) of a numeric d/m/y-or-m/d/y date, else None."""
    m = _NUMERIC.fullmatch(date_core(text))
    return (int(m.group(1)), int(m.group(2)), two_digit_year(m.group(3))) if m else None


def settle_dayfirst(values: Iterable[str]) -> bool | None:
    """The order a column of numeric dates settles: True (a 13..31 first somewhere: 31/12), False
    (12/31), None when no value settles it, or when values say both (then each is read alone)."""
    says_day = says_month = False
    for raw in values:
        parts = numeric_parts(raw or "")
        if parts is None:
            continue
        a, b, _ = parts
        says_day |= a > 12 >= b
        says_month |= b > 12 >= a
    return True if says_day and not says_month else False if says_month and not says_day else None


def _made(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueProblem(f"not a valid date: {raw.strip()!r}") from None


def _show(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).strftime("%d %b %Y").lstrip("0")
    except ValueError:
        return "an invalid date"


def read_date(text: str, *, dayfirst: bool | None = None, date_format: str | None = None) -> date:
    """One date (see the module's rules). `dayfirst=None` reads a numeric date only when the
    value itself settles the order (25/04/2026, 04/04/2026); otherwise ValueProblem naming both
    readings — never a guess."""
    raw = text.strip()
    if not raw:
        raise ValueProblem("empty date")
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw[:4].isdecimal():  # ISO, the usual cell
        return _made(int(raw[:4]), int(raw[5:7]), int(raw[8:]), raw)
    core = date_core(raw)
    m = _ISO.fullmatch(core) or _COMPACT.fullmatch(core)
    if m:
        return _made(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    if date_format:
        try:
            return datetime.strptime(raw, date_format).date()
        except ValueError:
            raise ValueProblem(f"{raw!r} does not match date_format {date_format!r}") from None
    parts = numeric_parts(core)
    if parts:
        a, b, y = parts
        if dayfirst is None:
            if a <= 12 and b <= 12 and a != b:
                raise ValueProblem(f"ambiguous date {raw!r}: it could be {_show(y, b, a)} or {_show(y, a, b)}; "
                                   "set dayfirst: true (31/12/2026) or dayfirst: false (12/31/2026), or date_format")
            dayfirst = a > 12 or a == b
        return _made(y, b, a, raw) if dayfirst else _made(y, a, b, raw)
    named = " ".join(core.replace(".", " ").split()) if "." in core and not core[0].isdecimal() else " ".join(
        core.split())
    for fmt in _NAMED_FORMATS:
        try:
            return datetime.strptime(named, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(f"not a date: {raw!r}")
