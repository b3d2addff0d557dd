"""Turning the text of a cell into a value: amounts, dates, phone numbers, statuses.

Each `*_column` function takes a whole column (a list of strings) and parses every distinct
value once: exports repeat the same dates, customers and statuses thousands of times, so
the cache is what keeps a 100k-row load fast. They answer the parsed list plus
`{position: message}` for the cells that could not be read; the caller decides whether a
bad cell makes the whole row bad.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers

from ..models import EARLIEST_DATE, LATEST_DATE


class Bad(str):
    """A parse failure; its text is the reason, in words for the person fixing the file."""


def map_column(values: list[str], parse_one: Callable[[str], object],
               table: dict[str, object] | None = None, bad: set[str] | None = None) -> tuple[list, dict[int, str]]:
    """Parse each distinct value once; return the values and {position: reason} for failures."""
    if table is None:
        table = {v: parse_one(v) for v in set(values)}
    out = list(map(table.__getitem__, values))
    if bad is None:
        bad = {v for v, r in table.items() if isinstance(r, Bad)}
    errors: dict[int, str] = {}
    if bad:
        errors = {i: str(table[v]) for i, v in enumerate(values) if v in bad}
        for i in errors:
            out[i] = None
    return out, errors


# ---------------------------------------------------------------------------- amounts

_PLAIN = re.compile(r"-?\d+(?:\.\d+)?\Z")
_DRCR = re.compile(r"(?i)\s*(dr|cr)\.?\s*\Z")
_PREFIX = re.compile(r"^(?:[A-Za-z]{1,3}\.?|[₹$€£¥]|\s)+")
_SUFFIX = re.compile(r"(?:\s|[A-Za-z]{3}|[₹$€£¥])+\Z")
_GROUPED = {
    ".": [re.compile(r"\d+(?:\.\d+)?\Z"), re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?\Z"),
          re.compile(r"\d{1,2}(?:,\d{2})*,\d{3}(?:\.\d+)?\Z"), re.compile(r"\.\d+\Z")],
    ",": [re.compile(r"\d+(?:,\d+)?\Z"), re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?\Z"), re.compile(r",\d+\Z")],
}


def parse_amount(text: str, decimal: str = ".") -> Decimal | Bad | None:
    """'₹1,23,456.50' -> Decimal('123456.50'); '(1,234.00)' -> -1234.00; '' -> None.

    Accepts currency symbols and codes before or after, Western and Indian grouping, spaces
    or apostrophes as group separators, a leading or trailing minus, parentheses and Tally's
    Dr/Cr suffix (Cr = credit = negative). With `decimal=','` the comma is the decimal mark.
    A grouping that does not fit the decimal mark (1.234,56 with decimal '.') is refused
    rather than misread."""
    t = text.strip()
    if not t:
        return None
    if _PLAIN.match(t) and decimal == ".":
        return Decimal(t)
    negative = False
    m = _DRCR.search(t)
    if m and m.start() > 0:
        negative = m.group(1).lower() == "cr"
        t = t[: m.start()].strip()
    if t.startswith("(") and t.endswith(")"):
        negative = not negative
        t = t[1:-1].strip()
    for _ in range(2):  # a sign and a currency can come in either order: -$5, $-5
        if t and t[0] in "-−+":
            negative ^= t[0] in "-−"
            t = t[1:].strip()
        t = _PREFIX.sub("", t)
    if t.endswith("-"):
        negative = not negative
        t = t[:-1].strip()
    t = _SUFFIX.sub("", t)
    if t.endswith("-"):
        negative = not negative
        t = t[:-1].strip()
    t = re.sub(r"[\s\u00a0\u202f']", "", t)
    if not any(p.match(t) for p in _GROUPED[decimal]):
        hint = ""
        if decimal == "." and re.fullmatch(r"\d{1,3}(\.\d{3})*,\d+", t):
            hint = " (it looks like a decimal comma: set decimal: ',' on this source)"
        return Bad(f"not an amount: {text.strip()!r}{hint}")
    if decimal == ".":
        t = t.replace(",", "")
    else:
        t = t.replace(".", "").replace(",", ".")
    try:
        value = Decimal(t)
    except InvalidOperation:
        return Bad(f"not an amount: {text.strip()!r}")
    return -value if negative else value


_DIRECT_MIN = 1000  # a column longer than this is tried in one pass before the per-value cache


def _all_plain(values: Iterable[str]) -> bool:
    """Whether every value is made of digits, '.' and '-' only (one C-level check of their join;
    `values` holds no blank). Decimal() then reads each exactly as the one-by-one path would, or
    raises for a malformed one ('1.2.3', '5-')."""
    return bool(values) and "".join(values).replace(".", "").replace("-", "").isdecimal()


class AmountCache:
    """Amounts already parsed (text -> Decimal or Bad), shared by the columns of one file."""

    def __init__(self) -> None:
        self.table: dict[str, object] = {}
        self.bad: set[str] = set()


def amount_column(values: list[str], decimal: str = ".", cache: AmountCache | None = None
                  ) -> tuple[list, dict[int, str]]:
    """Parse a column of amounts. Pass the same `cache` for the amount and balance columns: their
    values are mostly equal, so each distinct text is converted once."""
    if decimal != ".":
        return map_column(values, lambda v: parse_amount(v, decimal))
    if len(values) > _DIRECT_MIN and all(values) and _all_plain(values):
        # Every cell a plain number (the usual export): amounts are nearly all distinct, so a
        # cache would only cost hashing; convert each in one C-level pass. Same values as below.
        try:
            return list(map(Decimal, values)), {}
        except InvalidOperation:  # e.g. '1.2.3': the careful path below names the cell
            pass
    cache = cache or AmountCache()
    table, bad = cache.table, cache.bad
    distinct = set(values)
    todo = distinct.difference(table)
    if "" in todo:  # a blank cell: no amount
        table[""] = None
        todo.discard("")
    if _all_plain(todo):  # the usual export: every new value a plain number, converted in one C-level pass
        try:
            table.update(zip(todo, map(Decimal, todo)))
            todo = ()
        except InvalidOperation:  # e.g. '1.2.3': sort them out one by one
            pass
    for v in todo:  # most exports write plain numbers: those skip the general parser
        if (v[1:] if v[:1] == "-" else v).replace(".", "", 1).isdecimal():
            try:
                table[v] = Decimal(v)
                continue
            except InvalidOperation:
                pass
        result = table[v] = parse_amount(v, decimal)
        if isinstance(result, Bad):
            bad.add(v)
    return map_column(values, table.__getitem__, table, bad & distinct)


# ---------------------------------------------------------------------------- dates

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.+\-Z ]*)?\Z")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[T ][\d:.+\-Z APMapm]*)?\Z")
_NAMED_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %b %y", "%d %B %Y", "%d-%B-%Y", "%b %d, %Y",
                  "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d/%b/%Y", "%d %b, %Y", "%d-%b", "%a, %d %b %Y")


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if len(text) == 2 else y


def _named(text: str) -> date | None:
    t = " ".join(text.replace(".", " ").split()) if "." in text and not text[0].isdecimal() else " ".join(text.split())
    for fmt in _NAMED_FORMATS:
        try:
            d = datetime.strptime(t, fmt).date()
        except ValueError:
            continue
        return None if fmt == "%d-%b" else d  # a date without a year is no date
    return None


def date_column(values: list[str], dayfirst: bool | None = None, date_format: str | None = None
                ) -> tuple[list, dict[int, str]]:
    """Parse a column of dates. ISO (2026-03-04) and month names (1-Apr-2026) are always read;
    `date_format` (strptime) when given; numeric day/month dates in the order `dayfirst` says,
    else in the order the column itself settles (a value like 25/04/2026 can only be day-first).
    A value that could be read both ways and that nothing settles is an error, never a guess."""
    numeric: dict[str, tuple[int, int, int]] = {}
    table: dict[str, object] = {}
    for v in set(values):
        t = v.strip()
        if not t:
            table[v] = None
            continue
        m = _ISO.match(t)
        if m:
            table[v] = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), v)
            continue
        if date_format:
            try:
                table[v] = datetime.strptime(t, date_format).date()
            except ValueError:
                table[v] = Bad(f"{t!r} does not match date_format {date_format!r}")
            continue
        m = _NUMERIC.match(t)
        if m:
            numeric[v] = (int(m.group(1)), int(m.group(2)), _year(m.group(3)))
            continue
        named = _named(t)
        table[v] = named if named else Bad(f"not a date: {t!r}")
    if numeric:
        order = dayfirst
        if order is None:
            says_day = any(a > 12 >= b for a, b, _ in numeric.values())
            says_month = any(b > 12 >= a for a, b, _ in numeric.values())
            order = True if says_day and not says_month else False if says_month and not says_day else None
        for v, (a, b, y) in numeric.items():
            if order is None and a <= 12 and b <= 12 and a != b:
                table[v] = Bad(
                    f"ambiguous date {v.strip()!r}: it could be {_show(y, b, a)} or {_show(y, a, b)}; "
                    "set dayfirst: true (31/12/2026) or dayfirst: false (12/31/2026), or date_format, on this source")
            elif order is None:
                table[v] = _make(y, b, a, v) if a > 12 or a == b else _make(y, a, b, v)
            else:
                table[v] = _make(y, b, a, v) if order else _make(y, a, b, v)
    for v, r in table.items():
        if isinstance(r, date) and not EARLIEST_DATE <= r <= LATEST_DATE:
            table[v] = Bad(f"{v.strip()!r} is before 1970 or after 2100: a placeholder such as 9999-12-31 "
                           "is not a real date; write the real one")
    out = [table[v] for v in values]
    bad = {v for v, r in table.items() if isinstance(r, Bad)}
    errors = {i: str(table[v]) for i, v in enumerate(values) if v in bad} if bad else {}
    for i in errors:
        out[i] = None
    return out, errors


def _make(y: int, m: int, d: int, text: str) -> date | Bad:
    try:
        return date(y, m, d)
    except ValueError:
        return Bad(f"not a valid date: {text.strip()!r}")


def _show(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).strftime("%d %b %Y").lstrip("0")
    except ValueError:
        return "an invalid date"


# ---------------------------------------------------------------------------- phones, emails, currency

@lru_cache(maxsize=None)
def _numbering_plan(country_code: int) -> re.Pattern | None:
    """The national-number pattern of a country calling code (all its regions), from phonenumbers' metadata."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        if region == "001":
            meta = phonenumbers.PhoneMetadata.metadata_for_nongeo_region(country_code)
        else:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if meta is not None and meta.general_desc is not None and meta.general_desc.national_number_pattern:
            patterns.append(meta.general_desc.national_number_pattern)
    return re.compile("(?:" + ")|(?:".join(patterns) + ")") if patterns else None


def _already_e164(text: str) -> bool:
    """A number already written as E.164 whose national part fits its country's numbering plan.

    Exports written by software (and collectbot's own benchmark book) carry tens of thousands of
    such numbers; checking them this way costs a regex instead of a full phonenumbers parse."""
    if not (text[:1] == "+" and text[1:].isdecimal() and 8 <= len(text) <= 16 and text[1] != "0"):
        return False
    hit = _PREFIXES.get(text[1:4])
    if hit is None:
        hit = _PREFIXES[text[1:4]] = _country_of(text[1:4])
    width, plan = hit
    return plan is not None and plan.fullmatch(text, 1 + width) is not None


_PREFIXES: dict[str, tuple[int, re.Pattern | None]] = {}


def _country_of(digits: str) -> tuple[int, re.Pattern | None]:
    """(length of the country calling code, its numbering plan) for the first digits of a number."""
    for width in (1, 2, 3):
        plan = _numbering_plan(int(digits[:width]))
        if plan is not None:
            return width, plan
    return 0, None


def parse_phone(text: str, region: str | None) -> str | Bad | None:
    """Any written form of a phone number -> E.164 ('+919876543210'), read in `region` when it
    has no country code. An invalid number is Bad (the caller keeps the invoice without it)."""
    t = text.strip()
    if t.lower().startswith("whatsapp:"):
        t = t[9:].strip()
    if not t:
        return None
    if _already_e164(t):
        return t
    if t.endswith(".0") and t[:-2].isdecimal():  # a number cell that went through a float
        t = t[:-2]
    try:
        number = phonenumbers.parse(t, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        where = f" for region {region}" if region and not t.startswith("+") else ""
        return Bad(f"invalid phone number {t!r}{where}; the invoice is loaded without it")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_column(values: list[str], region: str | None) -> tuple[list, dict[int, str]]:
    distinct = set(values)
    same = _already_e164_many(distinct)  # already E.164: they stay as they are
    table: dict[str, object] = dict(zip(same, same))
    for v in distinct.difference(table):
        table[v] = parse_phone(v, region)
    return map_column(values, table.__getitem__, table)


def _already_e164_many(values: set[str]) -> list[str]:
    """The values that `_already_e164` accepts, checked a country code at a time with C-level passes
    (join, isdigit, min/max of lengths, map of the plan's fullmatch); a group that fails any check is
    looked at value by value."""
    groups: dict[str, list[str]] = {}
    for v in values:
        if v[:1] == "+":
            groups.setdefault(v[1:4], []).append(v)
    out: list[str] = []
    for head, group in groups.items():
        if len(head) == 3 and head.isdecimal() and head[0] != "0":
            hit = _PREFIXES.get(head)
            if hit is None:
                hit = _PREFIXES[head] = _country_of(head)
            width, plan = hit
            nationals = [v[1 + width:] for v in group]
            if (plan is not None and "".join(nationals).isdecimal() and min(map(len, group)) >= 8
                    and max(map(len, group)) <= 16 and all(map(plan.fullmatch, nationals))):
                out.extend(group)
                continue
        out.extend(filter(_already_e164, group))
    return out


_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+\Z")


def parse_email(text: str) -> str | Bad | None:
    t = text.strip()
    if t.lower().startswith("mailto:"):
        t = t[7:]
    if not t:
        return None
    if not _EMAIL.match(t):
        return Bad(f"invalid email address {t!r}; the invoice is loaded without it")
    return t


_PLAIN_EMAILS = re.compile(r"(?:[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+\n)*[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


def email_column(values: list[str]) -> tuple[list, dict[int, str]]:
    distinct = set(values)
    distinct.discard("")
    joined = "\n".join(distinct)
    if (distinct and ":" not in joined and joined.count("\n") == len(distinct) - 1
            and _PLAIN_EMAILS.fullmatch(joined)):
        # Every address already plain (no blanks around it, no `mailto:`, valid): what
        # `parse_email` gives each of them is the value itself, told by one C-level match.
        table: dict[str, object] = dict(zip(distinct, distinct))
        table[""] = None
        return map_column(values, table.__getitem__, table, set())
    return map_column(values, parse_email)


def parse_currency(text: str) -> str | Bad | None:
    t = text.strip()
    if not t:
        return None
    if re.fullmatch(r"[A-Za-z]{3}", t):
        return t.upper()
    return Bad(f"not an ISO 4217 currency code: {t!r} (e.g. INR, USD, EUR)")


# ---------------------------------------------------------------------------- statuses

CANONICAL_STATUSES = ("open", "partial", "paid", "void", "draft", "written_off")

# Generic words, in squashed form (lowercase letters and digits only). Presets add their own.
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(["open", "unpaid", "sent", "viewed", "overdue", "due", "outstanding", "pending", "awaitingpayment",
                     "authorised", "authorized", "approved", "issued", "notpaid", "pastdue", "disputed", "saved",
                     "unsent", "posted", "active"], "open"),
    **dict.fromkeys(["partial", "partiallypaid", "partpaid", "partlypaid", "partialpayment", "partiallypaidoverdue"],
                    "partial"),
    **dict.fromkeys(["paid", "closed", "settled", "autopaid", "fullypaid", "complete", "completed"], "paid"),
    **dict.fromkeys(["void", "voided", "cancelled", "canceled", "deleted", "cancel"], "void"),
    **dict.fromkeys(["draft", "submitted", "awaitingapproval"], "draft"),
    **dict.fromkeys(["writtenoff", "writeoff", "baddebt", "writtenoffbaddebt"], "written_off"),
}


def status_column(values: list[str], words: dict[str, str]) -> tuple[list, dict[int, str]]:
    """Map a tool's status words onto the canonical ones; blank means open."""

    def one(v: str) -> str | Bad:
        key = re.sub(r"[^0-9a-z]+", "", v.lower())
        if not key:
            return "open"
        if key in words:
            return words[key]
        return Bad(f"unknown status {v.strip()!r} (known: {', '.join(CANONICAL_STATUSES)} and the usual "
                   "words of accounting exports)")

    return map_column(values, one)


def default_region(country: str | None, locale: str | None) -> str | None:
    """The phone region: the business country, else the territory of the locale (en_IN -> IN)."""
    if country:
        return country.upper()
    if locale:
        parts = re.split(r"[_\-]", locale.split(".")[0].split("@")[0])  # en_IN.UTF-8, de_DE@euro
        for part in parts[1:]:
            if len(part) == 2 and part.isalpha():
                return part.upper()
    return None
