"""Bank CSV (and Excel) exports -> bank lines.

Three layouts cover nearly every bank: one signed amount column; separate Debit/Credit
(Withdrawal/Deposit, Paid out/Paid in, Af/Bij) columns; or an amount with a D/C flag column
(then the flag decides the sign, whatever sign the amount carries). The header may sit below
metadata rows. Anything auto-detection cannot read is described by `reconcile.bank_csv` in
collectbot.yaml (see README.md, "reconcile.bank_csv"); its keys are in `OPTION_KEYS`.
"""

from __future__ import annotations

import difflib
import itertools
import re
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from ...currencies import is_iso, resolve, written
from ...models import BankLine, RowError
from ...headers import squash
from .columns import currency_in_header, map_header
from .errors import StatementError
from ...tabular import Row, check_line_lengths, csv_rows, decode, sheet_rows, workbook
from ...values import BANK, MixedDecimals, guess_decimal, numeric_parts, read_amount, read_date, settle_dayfirst

OPTION_KEYS = ("date", "amount", "debit", "credit", "dc_flag", "description", "payer", "reference", "id",
               "currency", "invoice", "delimiter", "decimal", "dayfirst", "date_format", "skip_rows",
               "encoding", "header", "sheet", "credit_values", "debit_values", "currency_code")
COLUMN_KEYS = {"date": "date", "amount": "amount", "debit": "debit", "credit": "credit", "dc_flag": "dc_flag",
               "description": "description", "payer": "payer", "reference": "reference", "id": "transaction_id",
               "currency": "currency", "invoice": "invoice"}
CREDIT_FLAGS = {"c", "cr", "crdt", "credit", "bij", "+", "h", "haben", "in", "deposit"}
DEBIT_FLAGS = {"d", "dr", "dbit", "debit", "af", "-", "s", "soll", "out", "withdrawal"}
_HEADER_SCAN = 30
# Summary rows banks put below (or above) the lines: no date, a balance or total instead.
_SUMMARY = re.compile(r"balance|total|saldo|opening|closing|summe|totaal|solde", re.I)
# a whole description that only names a balance (with stray punctuation around it)
_BALANCE_LINE = re.compile(r"^\W*(saldo (iniziale|finale|inicial|final)|anfangssaldo|endsaldo|schlusssaldo|"
                           r"(opening|closing|starting|ending) balance|solde (initial|final|de d[ée]but|de fin)|"
                           r"beginsaldo|eindsaldo)\W*$", re.I)


def check_options(options: Any) -> list[str]:
    """Problems in a `reconcile.bank_csv` mapping, for `check` (unknown keys get a suggestion)."""
    if options is None:
        return []
    if not isinstance(options, dict):
        return [f"expected a mapping, got {type(options).__name__}"]
    problems = []
    for key, value in options.items():
        if key not in OPTION_KEYS:
            guess = difflib.get_close_matches(str(key), OPTION_KEYS, n=1, cutoff=0.6)
            problems.append(f"unknown key {key!r}" + (f" (did you mean {guess[0]!r}?)" if guess else ""))
        elif key in ("dayfirst", "header") and not isinstance(value, bool):
            problems.append(f"{key}: expected true or false, got {value!r}")
        elif key == "decimal" and value not in (".", ","):
            problems.append(f"decimal: expected '.' or ',', got {value!r}")
        elif key == "skip_rows" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(f"skip_rows: expected a whole number, got {value!r}")
    return problems


def load_rows(path: Path, data: bytes, options: dict[str, Any], *, head_only: bool = False) -> list[Row]:
    """The non-empty rows after `skip_rows`; `head_only` reads just the start (for detection)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _excel_rows(path, options.get("sheet"))
    else:
        if not head_only:
            check_line_lengths(data)
        text, _ = decode(data[:65536] if head_only else data, options.get("encoding"))
        rows = csv_rows(text, options.get("delimiter"), limit=60000 if head_only else None)
    skip = int(options.get("skip_rows") or 0)
    return [r for r in rows[skip:] if any(r[1])]


def _excel_rows(path: Path, sheet: str | int | None) -> list[Row]:
    """The rows of one sheet (the first unless `sheet` names one), numbered as Excel shows them."""
    with workbook(path) as book:
        try:
            ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet] if sheet else book.worksheets[0]
        except (IndexError, KeyError):
            raise StatementError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})") from None
        return list(enumerate(sheet_rows(ws), start=1))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resolve(spec: Any, header: list[str] | None, key: str) -> int:
    """A column named in the options: 1-based position or header text (case-insensitive)."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        return spec - 1
    if header is not None:
        wanted = squash(str(spec))
        for i, name in enumerate(header):
            if squash(name) == wanted:
                return i
    raise StatementError(f"reconcile.bank_csv.{key}: no column {spec!r} in the header", column=str(spec))


def find_layout(rows: list[Row], options: dict[str, Any]) -> tuple[int, dict[str, list[int]], list[str] | None]:
    """(index of the first data row, field -> columns, header cells or None)."""
    configured = {k: v for k, v in options.items() if k in COLUMN_KEYS and v not in (None, "", [])}
    if options.get("header") is False:
        mapping = {COLUMN_KEYS[k]: [_resolve(c, None, k) for c in _as_list(v)] for k, v in configured.items()}
        if "date" not in mapping or not ({"amount", "debit", "credit"} & mapping.keys()):
            raise StatementError("reconcile.bank_csv with header: false needs the positions of date and "
                                 "amount (or debit/credit)")
        return 0, mapping, None
    for index, (_, cells) in enumerate(rows[:_HEADER_SCAN]):
        mapping = map_header(cells)
        try:
            for k, v in configured.items():
                mapping[COLUMN_KEYS[k]] = [_resolve(c, cells, k) for c in _as_list(v)]
        except StatementError:
            continue
        if "date" in mapping and ("amount" in mapping or {"debit", "credit"} & mapping.keys()):
            return index + 1, mapping, cells
    raise StatementError(
        "no header row with a date and an amount (or debit/credit) column in the first "
        f"{_HEADER_SCAN} rows; describe the layout under reconcile.bank_csv in collectbot.yaml", line=1)


class _Columns:
    """The body of a table read column by column: one list per field, first non-empty cell of the
    field's columns per row. Column-wise extraction keeps a 100k-line export well under a second."""

    def __init__(self, body: list[Row], mapping: dict[str, list[int]]):
        self.body = body
        self.mapping = mapping
        self._cells = [cells for _, cells in body]
        self._width = min(map(len, self._cells), default=0)  # every row has at least this many cells
        self._cache: dict[int, list[str]] = {}

    def _column(self, i: int) -> list[str]:
        """The stripped cells of column `i`, "" where a short row has none."""
        if i not in self._cache:
            if i < self._width:  # the usual table: no row is short, so one C-level pass
                self._cache[i] = list(map(str.strip, map(itemgetter(i), self._cells)))
            else:
                self._cache[i] = [cells[i].strip() if i < len(cells) else "" for cells in self._cells]
        return self._cache[i]

    def first(self, field: str) -> list[str | None]:
        cols = self.mapping.get(field) or []
        if not cols:
            return [None] * len(self.body)
        if len(cols) == 1:
            return [v or None for v in self._column(cols[0])]
        return [next((v for v in values if v), None) for values in zip(*(self._column(i) for i in cols))]

    def joined(self, field: str) -> list[str]:
        """Every distinct non-empty cell of the field's columns, joined with spaces."""
        cols = self.mapping.get(field) or []
        if len(cols) == 1:
            return self._column(cols[0])
        if not cols:
            return [""] * len(self.body)
        return [" ".join(dict.fromkeys(v for v in values if v)) for values in zip(*(self._column(i) for i in cols))]


def read_table(path: Path, data: bytes, *, options: dict[str, Any] | None = None,
               default_currency: str | None = None) -> tuple[list[BankLine], list[RowError]]:
    """Any tabular export (bank CSV or payments CSV) -> (lines, row errors)."""
    options = options or {}
    rows = load_rows(path, data, options)
    start, m, header = find_layout(rows, options)
    body = rows[start:]
    name = str(path)
    cols = _Columns(body, m)
    dates, amounts, flags = cols.first("date"), cols.first("amount"), cols.first("dc_flag")
    debits, credits = cols.first("debit"), cols.first("credit")
    numbers = (v for column in (amounts, debits, credits) for v in column if v)
    try:
        decimal = options.get("decimal") or guess_decimal(itertools.islice(numbers, 5000))
    except MixedDecimals as exc:
        raise StatementError(f"{exc}; set reconcile.bank_csv.decimal to ',' or '.'", column="amount") from None
    date_format = options.get("date_format")
    dayfirst = options.get("dayfirst")
    if dayfirst is None and not date_format:
        dayfirst = _dayfirst([n for n, _ in body], dates, decimal)
    header_currency = None
    if header is not None:
        for f in ("amount", "credit", "debit"):
            for i in m.get(f, []):
                header_currency = header_currency or currency_in_header(header[i])
    fallback_currency = (options.get("currency_code") or header_currency or _metadata_currency(rows[:max(0, start - 1)])
                         or default_currency)
    if _valuta_holds_currencies(cols, header, m):  # "Valuta": a value date in German, a currency elsewhere
        m["date"] = [i for i in m["date"] if squash(header[i]) != "valuta"]  # type: ignore[index]
        m.setdefault("currency", [next(i for i, h in enumerate(header) if squash(h) == "valuta")])  # type: ignore
        cols = _Columns(body, m)
        dates = cols.first("date")
    credit_flags = {str(v).lower() for v in options.get("credit_values") or CREDIT_FLAGS}
    debit_flags = {str(v).lower() for v in options.get("debit_values") or DEBIT_FLAGS}

    def colname(field: str) -> str:
        return header[m[field][0]] if header and m.get(field) else field

    parsed_dates: dict[str, date | str] = {}  # statements repeat dates: parse each text once
    lines: list[BankLine] = []
    errors: list[RowError] = []
    for (line_no, _), raw_date, amount_text, flag, debit, credit, description, payer, reference, currency, \
            transaction_id, invoice, method in zip(
                body, dates, amounts, flags, debits, credits, cols.joined("description"), cols.first("payer"),
                cols.first("reference"), cols.first("currency"), cols.first("transaction_id"),
                cols.first("invoice"), cols.first("method")):
        if not raw_date:
            if amount_text or debit or credit:
                errors.append(RowError(name, line_no, colname("date"), "empty date"))
            continue  # else a blank, subtotal or footer row
        when = parsed_dates.get(raw_date)
        if when is None:
            try:
                when = read_date(raw_date, dayfirst=dayfirst, date_format=date_format)
            except ValueError as exc:
                when = str(exc)
            parsed_dates[raw_date] = when
        if isinstance(when, str):
            if not re.search(r"\d", raw_date) and (_SUMMARY.search(raw_date) or not (amount_text or debit or credit)):
                continue  # "Balance at end of period", "Total", a footnote: not a transaction
            errors.append(RowError(name, line_no, colname("date"), when))
            continue
        if description and _BALANCE_LINE.match(description):
            continue  # BancoPosta's "SALDO INIZIALE" / "SALDO FINALE": a balance, dated like a transaction
        try:
            amount = _amount(amount_text, flag, debit, credit, "amount" in m, decimal, credit_flags, debit_flags)
        except ValueError as exc:
            errors.append(RowError(name, line_no, colname("amount" if "amount" in m else "credit"), str(exc)))
            continue
        line_currency = currency.upper() if currency else fallback_currency
        shown = amount_text or credit or debit or ""
        said = written(shown)
        if said is not None:
            meant = resolve(said[1], line_currency)
            if currency and meant != currency.upper():
                errors.append(RowError(name, line_no, colname("amount" if "amount" in m else "credit"),
                                       f"the amount is written in {said[0]} but the currency column says "
                                       f"{currency}: which is it?"))
                continue
            line_currency = meant
        lines.append(BankLine(
            date=when, amount=amount, currency=line_currency or None,
            description=description or " ".join(x for x in (invoice, payer, reference) if x), payer=payer,
            reference=reference, transaction_id=transaction_id, invoice_hint=invoice, file=name, row=line_no,
            extra={"method": method} if method else {}))
    return lines, errors


_META_CURRENCY = re.compile(r"^(?:[^:]*\b(?:currency|devise|w(?:ä|ae|a)hrung|moneda|valuta|munt|divisa)\b)?"
                            r"\s*:?\s*([A-Z]{3})$", re.IGNORECASE)


def _metadata_currency(rows: list[Row]) -> str | None:
    """The currency named in the lines above the header ("Currency: EUR", "Waehrung;EUR", ": EUR"),
    when exactly one ISO code is named there."""
    found = set()
    for _, cells in rows:
        texts = [c.strip() for c in cells]
        for k, text in enumerate(texts):
            m = _META_CURRENCY.match(text)
            if m and (text[:1] == ":" or len(text) > 3 or k and _META_CURRENCY.match(texts[k - 1] + ":" + text)):
                code = m.group(1).upper()
                if is_iso(code):
                    found.add(code)
    return found.pop() if len(found) == 1 else None


def _valuta_holds_currencies(cols: "_Columns", header: list[str] | None, m: dict[str, list[int]]) -> bool:
    """A column headed "Valuta" that holds currency codes (Dutch, Italian) rather than dates (German)."""
    if header is None or "currency" in m:
        return False
    at = [i for i in m.get("date", []) if squash(header[i]) == "valuta"]
    if not at or len(m["date"]) < 2:
        return False
    values = [v for v in cols._column(at[0])[:50] if v]
    return bool(values) and all(len(v) == 3 and v.isalpha() and is_iso(v.upper()) for v in values)


def _dayfirst(numbers: list[int], dates: list[str | None], decimal: str) -> bool | None:
    """Day-first or month-first for the whole file, from its dates; else from its decimal mark
    (a file writing 1.234,56 comes from a day-first country); else refuse, naming the fix."""
    # ISO and compact dates (2026-03-05, 20260305) never depend on the order: skip them cheaply.
    candidates = [(n, v) for n, v in zip(numbers, dates) if v and not v[:4].isdigit()]
    found = settle_dayfirst(v for _, v in candidates)
    if found is not None:
        return found
    ambiguous = next(((n, v) for n, v in candidates if _needs_order(v)), None)
    if ambiguous is None:
        return None
    if decimal == ",":
        return True
    raise StatementError(f"dates like {ambiguous[1]!r} could be day/month or month/day and no date in the file "
                         "settles it; set reconcile.bank_csv.dayfirst (true for 31/12) or date_format",
                         line=ambiguous[0], column="date")


def _needs_order(raw: str) -> bool:
    """A numeric date whose day and month could be swapped (03/04/2026, not 04/04/2026 or 25/04)."""
    parts = numeric_parts(raw)
    return parts is not None and parts[0] <= 12 and parts[1] <= 12 and parts[0] != parts[1]


def _amount(amount: str | None, flag: str | None, debit: str | None, credit: str | None, signed_column: bool,
            decimal: str, credit_flags: set[str], debit_flags: set[str]) -> Decimal:
    if signed_column:
        if amount is None:
            raise ValueError("empty amount")
        value = read_amount(amount, decimal, side=BANK)
        if flag is not None:
            f = flag.lower()
            if f in credit_flags:
                return abs(value)
            if f in debit_flags:
                return -abs(value)
            raise ValueError(f"debit/credit flag {flag!r} is neither a credit nor a debit")
        return value
    if debit is None and credit is None:
        raise ValueError("both debit and credit are empty")
    total = Decimal(0)
    if credit is not None:
        total += abs(read_amount(credit, decimal, side=BANK))
    if debit is not None:
        total -= abs(read_amount(debit, decimal, side=BANK))
    return total
