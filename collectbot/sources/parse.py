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
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers

from ..models import EARLIEST_DATE, LATEST_DATE
from ..values import BOOK, ValueProblem, read_amount, read_date, settle_dayfirst


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

def parse_amount(text: str, decimal: str = ".") -> Decimal | Bad | None:
    """An invoice book's amount (`values.read_amount`, the book side: Tally's Cr is a credit,
    negative); '' -> None; Bad with the reason when it is not an amount."""
    if not text.strip():
        return None
    try:
        return read_amount(text, decimal, side=BOOK)
    except ValueProblem as exc:
        return Bad(str(exc))


_DIRECT_MIN = 1000  # a column longer than this is tried in one pass before the per-value cache


def plain_numbers(values: list[str]) -> bool:
    """Every cell blank or made of digits, '.' and '-' only (one C-level check of their join)."""
    return "".join(values).replace(".", "").replace("-", "").isdecimal() or not "".join(values)


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

def date_column(values: list[str], dayfirst: bool | None = None, date_format: str | None = None
                ) -> tuple[list, dict[int, str]]:
    """Parse a column of dates (`values.read_date`): numeric day/month dates in the order
    `dayfirst` says, else in the order the column itself settles (a value like 25/04/2026 can
    only be day-first). A value that could be read both ways and that nothing settles is an
    error, never a guess; so is a date before 1970 or after 2100 (a 9999-12-31 placeholder)."""
    distinct = set(values)
    order = dayfirst if dayfirst is not None or date_format else settle_dayfirst(distinct)
    table: dict[str, object] = {}
    for v in distinct:
        if not v.strip():
            table[v] = None
            continue
        try:
            d = read_date(v, dayfirst=order, date_format=date_format)
        except ValueProblem as exc:
            table[v] = Bad(f"{exc}, on this source" if str(exc).startswith("ambiguous") else str(exc))
            continue
        table[v] = d if EARLIEST_DATE <= d <= LATEST_DATE else Bad(
            f"{v.strip()!r} is before 1970 or after 2100: a placeholder such as 9999-12-31 is not a real date; "
            "write the real one")
    return map_column(values, table.__getitem__, table)


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
