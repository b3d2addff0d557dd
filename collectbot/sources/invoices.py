"""One invoice file -> Invoice objects and the row errors that kept some rows out.

The work is column-at-a-time (each column parsed once, distinct values cached) and the
Invoice objects are built with one `zip` over the parsed columns: that is what keeps a
100k-row export within a small factor of just reading the CSV.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import compress, count, repeat
from operator import is_, ne
from pathlib import Path

import pandas as pd

from ..config import Business, SourceSpec
from ..currencies import is_iso, written
from ..models import Credit, Invoice, RowError, SourceFile
from ..values import MixedDecimals, guess_decimal
from . import parse
from ..headers import recognised, resolve, squash
from .columns import HELPER_INDEX, HELPER_SYNONYMS, INVOICE_FIELDS, INVOICE_INDEX, INVOICE_SYNONYMS, slug, snake
from .presets import CREDIT_KINDS, PRESETS, Preset, detect, group_names
from .tables import RECOGNISABLE, FileProblem, Table, read_table
from .terms import parse_terms

REQUIRED = ("invoice_id", "due_date", "amount")
NO_DUE = ". Without due dates, an issue date with terms will do (a Terms column, or default_terms: 30d on the source)"
# Columns whose bad value makes the whole row bad; a bad email/phone is reported and dropped.
SOFT = ("email", "phone", "whatsapp")
_RESERVED = set(INVOICE_FIELDS) | set(Invoice.__slots__)


@dataclass
class FileLoad:
    """What one invoice file gave."""

    invoices: list[Invoice] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_ids: set[str] = field(default_factory=set)  # ids seen in rows that could not be loaded
    file: SourceFile | None = None
    unreadable: bool = False  # the file as a whole could not be read
    preset: str | None = None
    not_invoices: Counter[str] = field(default_factory=Counter)  # rows that are not invoices, by kind
    other: tuple[pd.DataFrame, list[int], list[str]] | None = None  # the credit rows among them
    credits: list[Credit] = field(default_factory=list)


def header_scorer(spec: SourceSpec, index: dict, must: tuple[str, ...], any_of: tuple[str, ...],
                  with_presets: bool):
    """How much a row looks like this source's header: recognised fields, plus RECOGNISABLE when
    the key fields are there or a preset's signature matches."""
    explicit = {squash(h) for h in spec.columns.values()}
    fixed = PRESETS.get(spec.format)

    def score(cells: list[str]) -> int:
        fields = recognised(cells, index)
        hits = sum(1 for c in cells if squash(c) in explicit) if explicit else 0
        s = len(fields) + hits
        if all(f in fields or f in spec.columns for f in must) and (
                not any_of or any(f in fields or f in spec.columns for f in any_of)):
            s += RECOGNISABLE
        if fixed is not None:
            if fixed.matches(cells):
                s += 2 * RECOGNISABLE
        elif with_presets and detect(cells) is not None:
            s += 2 * RECOGNISABLE
        return s

    return score


def file_mtime(path: Path, role: str) -> SourceFile:
    return SourceFile(str(path), datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc), role)


def read_source(spec: SourceSpec, index: dict, must: tuple[str, ...], any_of: tuple[str, ...]) -> Table:
    excel = {"excel": True, "csv": False}.get(spec.format)
    scorer = header_scorer(spec, index, must, any_of, with_presets=spec.format == "auto" and index is INVOICE_INDEX)
    return read_table(spec.path, scorer, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet,
                      excel=excel)


def load_invoice_file(spec: SourceSpec, business: Business, region: str | None) -> FileLoad:
    out = FileLoad()
    name = str(spec.path)
    try:
        table = read_source(spec, INVOICE_INDEX, ("invoice_id",), ("amount", "due_date"))
        out.file = file_mtime(spec.path, "invoices")
        preset = PRESETS.get(spec.format) or (detect(table.headers) if spec.format == "auto" else None)
        out.preset = preset.name if preset else None
        mapping = _mapping(table, spec, preset)
        _build(table, spec, preset, mapping, business, region, out)
    except FileProblem as exc:
        out.errors.append(RowError(name, None, None, str(exc), kind="file"))
        out.unreadable = True
    return out


def _mapping(table: Table, spec: SourceSpec, preset: Preset | None) -> dict[str, str]:
    mapping = preset.resolve(table.headers) if preset else {}
    explicit, problems = resolve(table.headers, spec.columns, INVOICE_INDEX, INVOICE_FIELDS)
    if problems:
        raise FileProblem("; ".join(problems))
    for f, h in explicit.items():
        if f in spec.columns:
            mapping[f] = h
    used = set(mapping.values())
    rest = [h for h in table.headers if h not in used]
    generic, _ = resolve(rest, {}, INVOICE_INDEX, INVOICE_FIELDS)
    for f, h in generic.items():
        if f not in mapping and not (preset and preset.sum_amount and f in ("amount", "balance")):
            mapping[f] = h
    helpers = helper_columns(table.headers, spec, mapping)
    if "amount" not in mapping and "balance" in mapping and not (preset and preset.sum_amount):
        mapping["amount"] = mapping["balance"]  # a book of what is owed: the balance is all it says
    if "invoice_id" not in mapping and table.headers and table.headers[0].strip().upper().startswith(_IIF_MARKS):
        raise FileProblem("this is a QuickBooks IIF file (Intuit Interchange Format: transactions for importing into "
                          "QuickBooks), not a list of invoices: export the Open Invoices or A/R Aging Detail report "
                          "to CSV instead (QuickBooks Desktop: Reports > Customers & Receivables)")
    if "invoice_id" not in mapping and not recognised(table.headers, INVOICE_INDEX) and \
            sum(1 for h in table.headers if _DATA_CELL.match(h.strip())) >= 2:
        data = ", ".join(h for h in table.headers if not _PLACEHOLDER.match(h))
        raise FileProblem(f"line {table.header_row} is data, not column names ({data[:80]}{'…' if len(data) > 80 else ''})"
                          ": the file has no header row. collectbot needs one naming the columns (Invoice, Customer, "
                          "Due date, Amount…): export the list with its headings, or add that line")
    if "invoice_id" not in mapping and _is_aging_summary(table.headers):
        raise FileProblem("this is an aging summary (one line of totals per customer, no invoices): export the "
                          "invoice-level report instead (QuickBooks: A/R Aging Detail or Open Invoices; Xero: "
                          "the sales invoices export)")
    missing = [f for f in REQUIRED if f not in mapping and not (f == "amount" and preset and preset.sum_amount)
               and not (f == "due_date" and "issue_date" in mapping and ("terms" in helpers or spec.default_terms
                                                                         is not None))]
    if missing:
        looked = "; ".join(f"{f} (looked for: {', '.join(INVOICE_SYNONYMS[f][1:6])}…)" for f in missing)
        where = f"sheet {table.sheet!r}, " if table.sheet else ""
        raise FileProblem(f"{where}header row {table.header_row} has no column for {looked}. Columns are: "
                          f"{', '.join(table.headers)}. Map them with `columns:` (e.g. columns: {{{missing[0]}: "
                          f"\"Your Header\"}}){' or set format:' if not preset else ''}{NO_DUE if 'due_date' in missing else ''}")
    return mapping


_IIF_MARKS = ("!TRNS", "!SPL", "!ENDTRNS", "!HDR", "!ACCNT", "!CUST", "!INVITEM", "!VEND")
_DATA_CELL = re.compile(r"^[-+]?[\d.,]*\d[\d.,]*$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")  # 000013, 4.39, 7/16/98
_PLACEHOLDER = re.compile(r"^column \d+$")  # what an empty header cell is called


def _is_aging_summary(headers: list[str]) -> bool:
    """Columns Current, 1 - 30, 31 - 60 … and Total: totals per customer per age bucket."""
    names = {squash(h) for h in headers}
    return "current" in names and "total" in names and any(n.startswith(("130", "030", "1to30")) for n in names)


def helper_columns(headers: list[str], spec: SourceSpec, mapping: dict[str, str]) -> dict[str, str]:
    """`paid` and `terms` columns (HELPER_SYNONYMS, or named in `columns:`) not used for a field."""
    used = set(mapping.values())
    out = {f: h for f, h in mapping.items() if f in HELPER_SYNONYMS}
    found, _ = resolve([h for h in headers if h not in used], {}, HELPER_INDEX, tuple(HELPER_SYNONYMS))
    for f, h in found.items():
        out.setdefault(f, h)
    return out


Problems = dict[int, list[tuple[str | None, str]]]  # frame position -> [(column, message)]


def _file_decimal(table: Table, preset: Preset | None, mapping: dict[str, str], spec: SourceSpec) -> str:
    """The decimal mark of a book's amounts, from every value that shows one (a book of plain
    numbers, the usual export, is settled by one C-level check); a book that writes both is refused."""
    helpers = helper_columns(table.headers, spec, mapping)
    headers = {mapping.get("amount"), mapping.get("balance"), helpers.get("paid"), preset.sum_amount if preset else None}
    columns = [table.frame[h].tolist() for h in table.headers if h in headers]
    if all(parse.plain_numbers(c) for c in columns):
        return "."
    try:
        return guess_decimal({v for c in columns for v in c})
    except MixedDecimals as exc:
        raise FileProblem(f"{exc}; set decimal: ',' or decimal: '.' on this source") from None


def _build(table: Table, spec: SourceSpec, preset: Preset | None, mapping: dict[str, str], business: Business,
           region: str | None, out: FileLoad) -> None:
    """Parse the columns of one table and add its good invoices and all its problems to `out`."""
    name = str(spec.path)
    if spec.decimal is None:
        spec = replace(spec, decimal=_file_decimal(table, preset, mapping, spec))
    frame, rows = _data_rows(table, preset, mapping, out)
    ids = list(map(str.strip, frame[mapping["invoice_id"]].tolist()))
    bad: Problems = defaultdict(list)  # these rows are not used
    soft: Problems = defaultdict(list)  # reported; the row is used without the value
    summed: dict[str, Decimal] = {}
    if preset and preset.line_items:
        if preset.sum_amount:
            summed = _sum_lines(table, frame, rows, ids, preset, spec, out)
        frame, rows, ids = _fold(frame, rows, ids)
    else:
        _duplicates(ids, rows, mapping["invoice_id"], bad)
    n = len(ids)
    for i in _blanks(ids):
        bad[i].append((mapping["invoice_id"], "missing invoice_id"))

    def col(f: str) -> list[str] | None:
        return frame[mapping[f]].tolist() if f in mapping else None

    def parsed(f: str, values: list | None, result: tuple[list, dict[int, str]] | None, fatal: bool = True) -> list:
        if values is None or result is None:
            return [None] * n
        out_values, errs = result
        for i, msg in errs.items():
            (bad if fatal else soft)[i].append((mapping[f], msg))
        return out_values

    dayfirst = spec.dayfirst if spec.dayfirst is not None else (preset.dayfirst if preset else None)
    issue_raw = col("issue_date")
    issue = parsed("issue_date", issue_raw,
                   parse.date_column(issue_raw, dayfirst, spec.date_format) if issue_raw is not None else None)
    helpers = helper_columns(table.headers, spec, mapping)
    due_raw = col("due_date")
    due_result = parse.date_column(due_raw, dayfirst, spec.date_format) if due_raw is not None else ([None] * n, {})
    due = parsed("due_date", due_raw, due_result)
    blank_due = [i for i in _blanks(due) if i not in due_result[1]]  # None without an error: the cell is blank
    if blank_due and ("terms" in helpers or spec.default_terms is not None):
        _due_from_terms(blank_due, due, issue, frame[helpers["terms"]].tolist() if "terms" in helpers else None,
                        spec.default_terms, helpers.get("terms"), bad)
    else:
        for i in blank_due:
            bad[i].append((mapping["due_date"], "missing due date"))
    amounts_seen = parse.AmountCache()
    if preset and preset.sum_amount:
        amount = [summed.get(k) for k in ids]
        for i, k in enumerate(ids):
            if k and amount[i] is None and k not in out.bad_ids:
                bad[i].append((preset.sum_amount, "missing amount (no line total)"))
    else:
        amount_raw = col("amount")
        amount = parsed("amount", amount_raw, parse.amount_column(amount_raw, spec.decimal, amounts_seen))
        # `None in amount` would ask Decimal.__eq__(None), which runs an ABC isinstance check per cell
        for i, v in enumerate(amount) if any(map(is_, amount, repeat(None))) else ():
            if v is None and not amount_raw[i].strip():
                bad[i].append((mapping["amount"], "missing amount"))
    balance_raw = col("balance")
    if balance_raw is None and "paid" in helpers:
        balance = _balance_from_paid(frame[helpers["paid"]].tolist(), amount, spec.decimal, helpers["paid"], bad)
    elif balance_raw is not None and not (preset and preset.sum_amount):
        balance = parsed("balance", balance_raw, _balance_column(balance_raw, amount_raw, amount, spec.decimal,
                                                                 amounts_seen))
    else:
        balance = parsed("balance", balance_raw, parse.amount_column(balance_raw, spec.decimal, amounts_seen)
                         if balance_raw is not None else None)
    currency_raw = col("currency")
    currency = parsed("currency", currency_raw,
                      parse.map_column(currency_raw, parse.parse_currency) if currency_raw is not None else None)
    status_raw = col("status")
    words = preset.status_words() if preset else parse.STATUS_WORDS
    status = parsed("status", status_raw,
                    parse.status_column(status_raw, words) if status_raw is not None else None)
    email_raw = col("email")
    email = parsed("email", email_raw, parse.email_column(email_raw) if email_raw is not None else None, False)
    phone_raw = col("phone")
    phone = parsed("phone", phone_raw, parse.phone_column(phone_raw, region) if phone_raw is not None else None, False)
    wa_raw = col("whatsapp")
    whatsapp = parsed("whatsapp", wa_raw, parse.phone_column(wa_raw, region) if wa_raw is not None else None, False)
    names_raw = col("customer_name")
    if names_raw is not None:
        stripped = {v: v.strip() or None for v in set(names_raw)}  # each distinct name once
        names = list(map(stripped.__getitem__, names_raw))
    else:
        names = [None] * n
    cid_raw = col("customer_id")
    customer_ids = _customer_ids(cid_raw, names, email, n)
    for i in _blanks(customer_ids):
        bad[i].append((None, "no customer: the row has no customer_id, customer name or email"))
    if "__overflow__" in frame.columns:
        for i, extra_cells in enumerate(frame["__overflow__"].tolist()):
            if extra_cells:
                bad[i].append((None, f"the row has more cells than the header ({extra_cells!r} left over): "
                                     "an unquoted delimiter inside a value?"))

    extras = _extras(frame, table.headers, mapping, preset, n)
    default_currency = spec.currency or business.currency
    currencies = [c or default_currency for c in currency] if currency_raw is not None else [default_currency] * n
    for i, code in enumerate(currency):
        if code and not is_iso(code):
            bad[i].append((mapping["currency"], f"{code!r} is not an ISO 4217 currency code (e.g. INR, USD, EUR)"))
    for f in ("amount", "balance"):
        if f in mapping and not (f == "balance" and mapping["balance"] == mapping.get("amount")):
            _symbols_agree(frame[mapping[f]].tolist(), currencies, currency_raw is not None, spec.currency is not None,
                           mapping[f], bad)
    source = name
    position = {h: k for k, h in enumerate(table.headers)}
    for i in sorted(set(bad) | set(soft)):
        problems = sorted(bad.get(i, []) + soft.get(i, []), key=lambda p: position.get(p[0], -1))
        for column, msg in problems:
            out.errors.append(RowError(name, rows[i], column, msg, sheet=table.sheet))
    for i in bad:
        if ids[i]:
            out.bad_ids.add(ids[i])
    balances, statuses = _settle(amount, balance, status)
    # One C-level map over the parsed columns builds every Invoice (bad rows are dropped after).
    made = list(map(Invoice, ids, customer_ids, due, amount, balances, currencies, statuses, issue, names, email,
                    phone, whatsapp, extras, [source] * n, rows))
    if bad or out.bad_ids:
        made = [inv for i, inv in enumerate(made) if i not in bad and inv.invoice_id not in out.bad_ids]
    if any(inv.balance < 0 for inv in made):  # a negative open balance is a credit, not an invoice (SPEC 2)
        credits = [inv for inv in made if inv.balance < 0 and not inv.stopped_by_status]
        if credits:
            kind = "credit (negative balance)"
            out.not_invoices[kind] += len(credits)
            out.credits.extend(Credit(inv.customer_id, inv.currency, -inv.balance, kind, inv.invoice_id, name, inv.row)
                               for inv in credits)
            taken = set(map(id, credits))
            made = [inv for inv in made if id(inv) not in taken]
    out.invoices.extend(made)
    if out.other is not None:
        out.credits.extend(_credits(out.other, mapping, spec, default_currency, preset, name))


def _credits(other: tuple[pd.DataFrame, list[int], list[str]], mapping: dict[str, str], spec: SourceSpec,
             default_currency: str, preset: Preset | None, name: str) -> list[Credit]:
    """The open credits among the rows that are not invoices: what is left of a credit note, an
    overpayment or an unapplied payment (Xero's InvoiceAmountDue, QuickBooks' negative Open
    Balance), per customer and currency. A row whose customer, currency or amount cannot be read
    gives no credit (it is not an invoice, so never a bad row)."""
    frame, rows, kinds = other
    n = len(rows)

    def col(f: str) -> list[str]:
        return [v.strip() for v in frame[mapping[f]].tolist()] if f in mapping else [""] * n

    refs = col("invoice_id")
    names = [v or None for v in col("customer_name")]
    emails = [v.lower() or None for v in col("email")]
    customers = _customer_ids(col("customer_id") if "customer_id" in mapping else None, names, emails, n)
    field = "balance" if "balance" in mapping else "amount"
    values, _ = parse.amount_column(col(field), spec.decimal)
    currencies = [c.upper() or default_currency for c in col("currency")]
    out: list[Credit] = []
    seen: set[tuple[str, str]] = set()
    for i in range(n):
        key = (kinds[i], refs[i])
        if preset and preset.line_items and refs[i] and key in seen:
            continue  # one row per line item: the first carries the credit's totals
        seen.add(key)
        v = values[i]
        if not customers[i] or v is None or v == 0 or not is_iso(currencies[i]):
            continue
        out.append(Credit(customers[i], currencies[i], abs(v), kinds[i], refs[i], name, rows[i]))
    return out


def _symbols_agree(raw: list[str], currencies: list[str], has_column: bool, has_source: bool, column: str,
                   bad: Problems) -> None:
    """An amount written with a currency symbol or code must be in the row's currency (SPEC 2):
    `$250.00` in an INR book is a bad row, never ₹250.00."""
    said = {v: s for v in set(raw) if (s := written(v)) is not None}
    if not said:
        return
    for i, v in enumerate(raw):
        s = said.get(v)
        if s is None or currencies[i] in s[1]:
            continue
        if has_column:
            bad[i].append((column, f"written in {s[0]} but its currency column says {currencies[i]}: which is it?"))
            continue
        whose = "the source's currency: is" if has_source else "the business currency is"
        bad[i].append((column, f"written in {s[0]} but {whose} {currencies[i]}: add a currency column or set "
                               "currency: on the source"))


def _due_from_terms(blank: list[int], due: list, issue: list, terms_raw: list[str] | None, default: int | None,
                    column: str | None, bad: Problems) -> None:
    """Due date = issue date + terms (the row's Terms cell, else the source's default_terms), for
    the rows whose due date is blank."""
    read = {v: parse_terms(v) for v in set(terms_raw[i] for i in blank)} if terms_raw is not None else {}
    for i in blank:
        days = read.get(terms_raw[i]) if terms_raw is not None else None
        if isinstance(days, str):
            bad[i].append((column, f"missing due date and {days}"))
            continue
        if days is None:
            days = default
        if days is None:
            bad[i].append((column, "missing due date, and no terms to work it out from"))
        elif issue[i] is None:
            bad[i].append((column, "missing due date, and no issue date to count the terms from"))
        else:
            due[i] = issue[i] + timedelta(days=days)


def _balance_from_paid(raw: list[str], amount: list, decimal: str, column: str, bad: Problems) -> list:
    """balance = amount - paid (a `Paid` column and no balance column); a blank cell is nothing paid."""
    paid, errors = parse.amount_column(raw, decimal)
    for i, msg in errors.items():
        bad[i].append((column, msg))
    return [a if p is None or a is None else a - p for a, p in zip(amount, paid)]


def _balance_column(raw: list[str], amount_raw: list[str], amount: list, decimal: str,
                    cache: parse.AmountCache) -> tuple[list, dict[int, str]]:
    """`parse.amount_column` of the balance cells, where a balance written exactly as its amount
    is that same parsed value: the object is shared (so `_settle` tells "nothing paid" by
    identity) and only the other cells are parsed (on an open book, a fraction of them). A cell
    whose amount could not be read is parsed too, so its own problem is reported as before."""
    todo = list(compress(count(), map(ne, raw, amount_raw)))
    if any(map(is_, amount, repeat(None))):
        todo = sorted(set(todo).union(i for i, a in enumerate(amount) if a is None))
    values, errors = parse.amount_column([raw[i] for i in todo], decimal, cache)
    balance = list(amount)
    for i, v in zip(todo, values):
        balance[i] = v
    return balance, {todo[k]: msg for k, msg in errors.items()}


def _data_rows(table: Table, preset: Preset | None, mapping: dict[str, str],
               out: FileLoad | None = None) -> tuple[pd.DataFrame, list[int]]:
    """The rows that hold data: not blank, and (for a preset) rows the tool means as invoices. The
    others a preset tells apart (credit notes, payments, totals, headings) are counted by kind in
    `out.not_invoices`, and the credits among them kept in `out.other`."""
    frame, rows = table.frame, table.rows
    # Only a row without an invoice id can be blank, so only those are looked at whole.
    ids = list(map(str.strip, frame[mapping["invoice_id"]].tolist()))
    no_id = _blanks(ids)
    mask = pd.Series(True, index=frame.index)
    if no_id:
        cells = frame.iloc[no_id].drop(columns=[c for c in frame.columns if c == "__overflow__"])
        mask.iloc[no_id] = (cells != "").any(axis=1).to_numpy()
    if preset and preset.keep:
        mask &= preset.keep(frame, mapping)
    if preset and preset.kind:
        kinds = preset.kind(frame, mapping)
        if "customer_name" not in mapping and "customer_id" not in mapping and (kinds == "heading").any():
            frame = frame.assign(__group__=group_names(frame, kinds))  # the customer is on a heading row
            mapping["customer_name"] = "__group__"
        other = mask & (kinds != "invoice")
        if other.any() and out is not None:
            out.not_invoices.update(kinds[other].tolist())
            credit = (other & kinds.isin(CREDIT_KINDS)).to_numpy()
            out.other = (frame[credit], [r for r, k in zip(rows, credit) if k], kinds[credit].tolist())
        mask &= kinds == "invoice"
    if mask.all():
        return frame, rows
    keep = mask.to_numpy()
    return frame[keep], [r for r, k in zip(rows, keep) if k]


def _sum_lines(table: Table, frame: pd.DataFrame, rows: list[int], ids: list[str], preset: Preset,
               spec: SourceSpec, out: FileLoad) -> dict[str, Decimal]:
    """Invoice amount = sum of its line totals (FreshBooks); an unreadable line spoils its invoice."""
    header = next((h for h in table.headers if squash(h) == squash(preset.sum_amount or "")), None)
    if header is None:
        raise FileProblem(f"no {preset.sum_amount!r} column for the {preset.name} layout")
    values, errs = parse.amount_column(frame[header].tolist(), spec.decimal)
    for i, msg in errs.items():
        out.errors.append(RowError(str(spec.path), rows[i], header, msg, sheet=table.sheet))
    spoiled = {ids[i] for i in errs} - {""}
    out.bad_ids |= spoiled
    summed: dict[str, Decimal] = {}
    for k, v in zip(ids, values):
        if k and v is not None and k not in spoiled:
            summed[k] = summed.get(k, Decimal(0)) + v
    return summed


def _fold(frame: pd.DataFrame, rows: list[int], ids: list[str]) -> tuple[pd.DataFrame, list[int], list[str]]:
    """One row per line item -> the first row of each invoice (it carries the invoice-level fields)."""
    series = pd.Series(ids)
    later = (series.duplicated(keep="first") & (series != "")).to_numpy()
    if not later.any():
        return frame, rows, ids
    keep = ~later
    return (frame[keep], [r for r, k in zip(rows, keep) if k], [i for i, k in zip(ids, keep) if k])


def _blanks(values: list) -> list[int]:
    """Positions of the blank ('' or None) values of a column whose real values are all truthy
    (text, dates). Usually there are none, which one C-level all() tells."""
    return [] if all(values) else [i for i, v in enumerate(values) if not v]


def _duplicates(ids: list[str], rows: list[int], column: str, bad: Problems) -> None:
    """An invoice id on several rows: every one of them is an error (which one is right is unknown)."""
    if len(set(ids)) == len(ids):  # the usual case, told by one C-level set
        return
    dups = {k for k, c in Counter(ids).items() if c > 1 and k}
    if not dups:
        return
    where: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(ids):
        if k in dups:
            where[k].append(rows[i])
    for i, k in enumerate(ids):
        if k in dups:
            others = ", ".join(str(r) for r in where[k] if r != rows[i])
            bad[i].append((column, f"duplicate invoice_id {k!r} (also on row {others}); "
                                   "none of these rows is used until it is unique"))


def _settle(amount: list, balance: list, status: list) -> tuple[list, list]:
    """Blank balance -> amount; an open invoice with 0 < balance < amount is partial, with balance 0 paid."""
    balances, statuses = [], []
    for a, b, st in zip(amount, balance, status):
        st = st or "open"
        if b is None or b is a:  # the usual case: balance == amount (the same cached Decimal)
            b = a
        elif a is None:
            pass
        elif st == "open" and a > 0 and 0 < b < a:
            st = "partial"
        elif st in ("open", "partial") and b == 0 and a != 0:
            st = "paid"
        balances.append(b)
        statuses.append(st)
    return balances, statuses


def _customer_ids(raw: list[str] | None, names: list[str | None], emails: list, n: int) -> list[str]:
    """customer_id column, else the normalised customer name, else the email address."""
    if raw is not None:
        stripped = {v: v.strip() for v in set(raw)}
        given = list(map(stripped.__getitem__, raw))
        if all(given):  # every row has its id: nothing to derive
            return given
    else:
        given = [""] * n
    cache: dict[str, str] = {}
    out = []
    for c, nm, em in zip(given, names, emails):
        if c:
            out.append(c)
        elif nm:
            s = cache.get(nm)
            if s is None:
                s = cache[nm] = slug(nm)
            out.append(s)
        elif em:
            out.append(em.lower())
        else:
            out.append("")
    return out


def _extras(frame: pd.DataFrame, headers: list[str], mapping: dict[str, str], preset: Preset | None,
            n: int) -> list[dict]:
    """Every other column, under its snake_case name (`invoice.payment_method` in templates)."""
    used = set(mapping.values())
    names, columns = [], []
    for h in headers:
        if h in used or h == "__overflow__":
            continue
        key = snake(h) or "column"
        if key in _RESERVED:
            key = f"{preset.name if preset else 'source'}_{key}"
        values = frame[h].tolist()
        if key.startswith("column") and not any(values):
            continue  # a nameless, empty column (QuickBooks' leading one)
        names.append(key)
        columns.append(values)
    if not names:
        return [{} for _ in range(n)]
    if len(names) == 1:
        key = names[0]
        return [{key: v} for v in columns[0]]
    return [dict(zip(names, vals)) for vals in zip(*columns)]
