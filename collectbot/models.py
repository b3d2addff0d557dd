"""The data every part of collectbot passes around.

Money is Decimal, dates are `datetime.date`, instants are timezone-aware `datetime`.
These classes carry no behaviour beyond small derived properties, so every layer
(sources, engine, channels, reconcile) can be tested with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Source statuses that stop collection (SPEC 2). Everything else counts as open.
STOP_STATUSES = frozenset({"paid", "void", "draft", "written_off"})
CHANNELS = ("email", "sms", "whatsapp", "task")
MESSAGE_CHANNELS = ("email", "sms", "whatsapp")
# SPEC 2: a date outside these is no real date here (placeholders such as 9999-12-31 or 0001-01-01)
EARLIEST_DATE, LATEST_DATE = date(1970, 1, 1), date(2100, 12, 31)


@dataclass(slots=True)
class RowError:
    """One problem found in an input file: reported with file, row, column and reason."""

    file: str
    row: int | None  # 1-based line/row number as a person sees it in the file (header = row 1)
    column: str | None
    message: str
    kind: str = "row"  # row | file | config | template | playbook | send
    sheet: str | None = None  # the workbook sheet the row is on (Excel sources)

    def as_dict(self) -> dict[str, Any]:
        out = {"file": self.file, "row": self.row, "column": self.column, "message": self.message}
        if self.sheet is not None:
            out["sheet"] = self.sheet
        return out

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f", sheet {self.sheet!r}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Invoice:
    invoice_id: str
    customer_id: str
    due_date: date
    amount: Decimal
    balance: Decimal  # balance per the source (defaults to amount)
    currency: str
    status: str = "open"  # canonical: open | partial | paid | void | draft | written_off
    issue_date: date | None = None
    customer_name: str | None = None
    email: str | None = None
    phone: str | None = None  # E.164
    whatsapp: str | None = None  # E.164
    extra: dict[str, Any] = field(default_factory=dict)  # every other column, as read
    source: str = ""  # file the invoice came from
    row: int | None = None
    trigger: str | None = None  # a sequence started by an event: the event's name; its `trigger:` playbooks follow it
    event_at: datetime | None = None  # that event's moment, the `event` anchor

    @property
    def stopped_by_status(self) -> bool:
        return self.status in STOP_STATUSES


@dataclass(slots=True)
class Customer:
    customer_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    whatsapp: str | None = None
    tier: str | None = None
    timezone: str | None = None
    language: str | None = None
    owner: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SourceFile:
    """A file that was read, with its modification time (for the stale-data guard)."""

    path: str
    mtime: datetime  # aware, UTC
    role: str = "invoices"  # invoices | customers


@dataclass
class LoadResult:
    invoices: list[Invoice]
    customers: dict[str, Customer]  # every customer_id an invoice references (derived when no file has it)
    errors: list[RowError]
    files: list[SourceFile]
    # Invoice ids seen only in bad rows: neither chased nor closed as `gone` (their data is unreadable).
    unreadable_ids: set[str] = field(default_factory=set)
    # True when an invoice file could not be read at all: the `gone` rule is suspended for this load,
    # so a missing or broken export never closes every invoice.
    incomplete: bool = False
    # Rows that are not invoices (credit notes, payments, overpayments, totals, headings), by kind.
    not_invoices: dict[str, int] = field(default_factory=dict)
    # Customers' open credits, applied to their oldest open invoices in the same currency.
    credits: list[Credit] = field(default_factory=list)


@dataclass(slots=True)
class Credit:
    """Money a customer has with the business already (a credit note, an overpayment, an unapplied
    payment), in one currency: it reduces that customer's open invoices, oldest first (SPEC 2)."""

    customer_id: str
    currency: str
    amount: Decimal  # positive: what is left to apply
    kind: str  # "credit note", "overpayment", "payment", "prepayment"
    reference: str
    source: str
    row: int | None
    applied: Decimal = Decimal(0)
    invoice_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BankLine:
    """One line of a payments file or bank statement, as read (before matching)."""

    date: date
    amount: Decimal  # signed: credits (money in) > 0, debits < 0
    currency: str | None
    description: str  # the line's text as in the file (reference + remittance + narrative)
    payer: str | None = None
    reference: str | None = None
    transaction_id: str | None = None  # bank's id when it has one
    invoice_hint: str | None = None  # payments CSV: the invoice column, when present
    file: str = ""
    row: int | None = None  # line/row/entry position in the file (for messages and the hash)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_credit(self) -> bool:
        return self.amount > 0
