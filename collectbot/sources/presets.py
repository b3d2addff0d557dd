"""Accounting-tool export layouts (`format:` presets), each from the tool's public export layout.

A preset says which of the tool's columns hold which canonical field, which status words the
tool uses, whether the export has one row per line item (to be folded into one invoice), and
which rows are not invoices at all (QuickBooks section and total rows, Xero bills). `format:
auto` picks the preset whose signature columns are all in the header row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..headers import squash
from .parse import STATUS_WORDS


@dataclass(frozen=True)
class Preset:
    name: str
    layout: str  # which export and layout version it follows (shown in docs and `check`)
    signature: tuple[str, ...]  # headers (any spelling) that must all be present for `format: auto`
    columns: dict[str, tuple[str, ...]]  # canonical -> the tool's header(s), first present wins
    statuses: dict[str, str] = field(default_factory=dict)  # the tool's words -> canonical
    line_items: bool = False  # one row per line item: rows with the same invoice id are one invoice
    sum_amount: str | None = None  # header to sum per invoice as its amount (when no invoice total)
    keep: Callable[[pd.DataFrame, dict[str, str]], pd.Series] | None = None  # rows that are invoices
    # what each row is: "invoice", or a kind that is not (CREDIT_KINDS reduce the customer's balance)
    kind: Callable[[pd.DataFrame, dict[str, str]], pd.Series] | None = None
    dayfirst: bool | None = None
    also: tuple[tuple[str, ...], ...] = ()  # other layouts of the same tool, recognised the same way

    def status_words(self) -> dict[str, str]:
        return {**STATUS_WORDS, **{squash(k): v for k, v in self.statuses.items()}}

    def matches(self, headers: list[str]) -> bool:
        present = {squash(h) for h in headers}
        return any(all(squash(s) in present for s in sig) for sig in (self.signature, *self.also))

    def resolve(self, headers: list[str]) -> dict[str, str]:
        by_squash: dict[str, str] = {}
        for h in headers:
            by_squash.setdefault(squash(h), h)
        out = {}
        for canonical, names in self.columns.items():
            for name in names:
                if squash(name) in by_squash:
                    out[canonical] = by_squash[squash(name)]
                    break
        return out


def _column(frame: pd.DataFrame, headers: list[str], *names: str) -> pd.Series | None:
    wanted = {squash(n) for n in names}
    for h in headers:
        if squash(h) in wanted:
            return frame[h]
    return None


# Kinds of rows that are money the customer already has with the business: not chased, and
# taken off the customer's open invoices (SPEC 2, "Credits are not chased").
CREDIT_KINDS = ("credit note", "overpayment", "prepayment", "payment")

_XERO_KINDS = {"accrec": "invoice", "salesinvoice": "invoice", "": "invoice",
               "accreccredit": "credit note", "salescreditnote": "credit note", "creditnote": "credit note",
               "salesoverpayment": "overpayment", "receiveoverpayment": "overpayment", "overpayment": "overpayment",
               "salesprepayment": "prepayment", "receiveprepayment": "prepayment", "prepayment": "prepayment",
               "accpay": "bill", "purchasebill": "bill", "bill": "bill", "accpaycredit": "bill credit note",
               "purchasecreditnote": "bill credit note"}


def _xero_kinds(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """Xero's Type: the old codes (ACCREC, ACCRECCREDIT, ACCPAY) and today's words ("Sales invoice",
    "Sales credit note", "Sales overpayment", "Purchase bill")."""
    kind = _column(frame, list(frame.columns), "Type")
    if kind is None:
        return pd.Series("invoice", index=frame.index)
    return kind.map(lambda v: _XERO_KINDS.get(squash(v), f"other ({v.strip()})"))


_QUICKBOOKS_KINDS = {"invoice": "invoice", "creditmemo": "credit note", "payment": "payment",
                     "receivepayment": "payment", "salesreceipt": "sales receipt", "journalentry": "journal entry",
                     "refundreceipt": "refund", "deposit": "deposit", "statementcharge": "invoice"}


def _quickbooks_kinds(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """A/R Aging Detail and Open Invoices interleave headings ("Current", a customer's name),
    "Total for …" lines, payments and credit memos: the transaction type says which is which."""
    kind = _column(frame, list(frame.columns), "Transaction type", "Type")
    if kind is None:
        return pd.Series("invoice", index=frame.index)
    kinds = kind.map(lambda v: _QUICKBOOKS_KINDS.get(squash(v), f"other ({v.strip()})") if v.strip() else "")
    blank = kinds == ""
    if blank.any():  # a heading (a customer, an aging bucket) or a "Total for …" line
        kinds[blank] = _first_text(frame[blank]).map(lambda t: "total" if squash(t).startswith("total") else "heading")
    return kinds


def _frappe_kinds(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """Frappe Books writes the field paths (SalesInvoice.name, …) as a second header row, and
    keeps drafts (Submitted 0) and cancelled invoices (Cancelled 1) in the export."""
    first = frame[mapping["invoice_id"]].str.strip()
    submitted = _column(frame, list(frame.columns), "Submitted")
    cancelled = _column(frame, list(frame.columns), "Cancelled")
    kinds = pd.Series("invoice", index=frame.index)
    if submitted is not None:
        kinds[submitted.str.strip() == "0"] = "draft (not submitted)"
    if cancelled is not None:
        kinds[cancelled.str.strip() == "1"] = "cancelled"
    kinds[first.str.startswith("SalesInvoice.")] = "field names"
    return kinds


def _first_text(frame: pd.DataFrame) -> pd.Series:
    """Each row's first non-blank cell (a heading's or a total line's text)."""
    return frame.apply(lambda r: next((c.strip() for c in r if isinstance(c, str) and c.strip()), ""), axis=1)


def group_names(frame: pd.DataFrame, kinds: pd.Series) -> pd.Series:
    """A report grouped by customer (QuickBooks Open Invoices, Customer Balance Detail) names the
    customer on a heading row of its own: each row's nearest heading above it, "" after a total."""
    names = _first_text(frame).where(kinds == "heading")
    names[kinds == "total"] = ""
    return names.ffill().fillna("")


def _tally_bills(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """Tally ends the report with a grand-total line that has an amount but no date and no bill."""
    ref = frame[mapping["invoice_id"]].str.strip() if "invoice_id" in mapping else None
    when = frame[mapping["issue_date"]].str.strip() if "issue_date" in mapping else None
    if ref is None or when is None:
        return pd.Series(True, index=frame.index)
    return (ref != "") | (when != "")


PRESETS: dict[str, Preset] = {
    "xero": Preset(
        name="xero",
        layout="Xero Business > Invoices > Export (sales invoices CSV, one row per line item; 2024 layout "
               "ContactName … InvoiceNumber, Reference, InvoiceDate, DueDate, Total, TaxTotal, InvoiceAmountPaid, "
               "InvoiceAmountDue, … Currency, Type, Sent, Status)",
        signature=("ContactName", "InvoiceNumber", "DueDate", "InvoiceAmountDue"),
        # Xero's API fields as data tools write them (Fivetran's xero `invoice` table: snake_case,
        # the contact by its ContactID only, Type ACCREC/ACCPAY)
        also=(("InvoiceNumber", "ContactID", "DueDate", "AmountDue", "Type"),),
        columns={"invoice_id": ("InvoiceNumber",), "customer_name": ("ContactName",), "customer_id": ("ContactID",),
                 "email": ("EmailAddress",), "issue_date": ("InvoiceDate", "Date"), "due_date": ("DueDate",),
                 "amount": ("Total",), "balance": ("InvoiceAmountDue", "AmountDue"),
                 "currency": ("Currency", "CurrencyCode"), "status": ("Status",)},
        statuses={"AUTHORISED": "open", "SUBMITTED": "draft", "DRAFT": "draft", "PAID": "paid",
                  "VOIDED": "void", "DELETED": "void", "Awaiting Payment": "open", "Awaiting Approval": "draft",
                  "Repeating": "draft"},
        line_items=True,
        kind=_xero_kinds,
    ),
    "quickbooks": Preset(
        name="quickbooks",
        layout="QuickBooks Online Reports > A/R Aging Detail > Export to CSV (company/title/\"As of\" rows above "
               "the header Date, Transaction type, Num, Customer (full name), Due date, Amount, Open balance)",
        signature=("Transaction type", "Num", "Due date", "Open balance"),
        # Sales > All sales (or Invoices) > Export: Date, Type, No., Customer, Memo, Due date, Aging,
        # Balance, Total, Status — one row per transaction, payments among them
        also=(("Type", "No.", "Customer", "Due date", "Balance", "Total", "Status"),),
        columns={"issue_date": ("Date",), "invoice_id": ("Num", "No."),
                 "customer_name": ("Customer (full name)", "Customer full name", "Customer", "Name"),
                 "due_date": ("Due date",), "amount": ("Amount", "Total"), "balance": ("Open balance", "Balance"),
                 "status": ("Status",)},
        statuses={"Open": "open", "Overdue": "open", "Due later": "open", "Partial": "partial",
                  "Partially paid": "partial", "Paid": "paid", "Closed": "paid", "Voided": "void", "Deposited": "paid",
                  "Not deposited": "paid", "Unapplied": "open", "Applied": "paid"},
        kind=_quickbooks_kinds,
    ),
    "zoho": Preset(
        name="zoho",
        layout="Zoho Books Sales > Invoices > Export (Invoice.csv, one row per item: Invoice Date, Invoice ID, "
               "Invoice Number, Invoice Status, Customer Name, Customer ID, Due Date, Currency Code, … Total, Balance)",
        signature=("Invoice Number", "Invoice Status", "Customer Name", "Due Date", "Balance"),
        columns={"invoice_id": ("Invoice Number",), "issue_date": ("Invoice Date",), "status": ("Invoice Status",),
                 "customer_name": ("Customer Name",), "customer_id": ("Customer ID",), "due_date": ("Due Date",),
                 "currency": ("Currency Code",), "amount": ("Total",), "balance": ("Balance",),
                 "email": ("Email", "Customer Email", "EmailID")},
        statuses={"Draft": "draft", "Sent": "open", "Overdue": "open", "PartiallyPaid": "partial",
                  "Partially Paid": "partial", "Paid": "paid", "Void": "void", "Unpaid": "open", "Viewed": "open",
                  "Pending Approval": "draft", "Approved": "open"},
        line_items=True,
    ),
    "freshbooks": Preset(
        name="freshbooks",
        layout="FreshBooks Reports > Invoice Details > Export CSV (one row per line: Client Name, Invoice #, "
               "Date Issued, Date Due, Invoice Status, Date Paid, Item Name, … Line Total, Currency)",
        signature=("Client Name", "Invoice #", "Date Issued", "Date Due", "Line Total"),
        columns={"customer_name": ("Client Name",), "invoice_id": ("Invoice #",), "issue_date": ("Date Issued",),
                 "due_date": ("Date Due",), "status": ("Invoice Status",), "currency": ("Currency",)},
        statuses={"sent": "open", "viewed": "open", "partial": "partial", "paid": "paid", "auto-paid": "paid",
                  "draft": "draft", "disputed": "open", "overdue": "open", "retry": "open", "failed": "open"},
        line_items=True,
        sum_amount="Line Total",
    ),
    "wave": Preset(
        name="wave",
        layout="Wave Sales > Invoices export (invoice_number, customer_name, invoice_date, due_date, status, "
               "amount_paid, amount_due, total, currency)",
        signature=("invoice_number", "customer_name", "amount_due", "amount_paid", "total"),
        columns={"invoice_id": ("invoice_number",), "customer_name": ("customer_name",),
                 "issue_date": ("invoice_date",), "due_date": ("due_date",), "status": ("status",),
                 "amount": ("total",), "balance": ("amount_due",), "currency": ("currency",)},
        statuses={"SENT": "open", "VIEWED": "open", "OVERDUE": "open", "PARTIAL": "partial", "PAID": "paid",
                  "DRAFT": "draft", "UNSENT": "open", "SAVED": "open"},
    ),
    "tally": Preset(
        name="tally",
        layout="Tally Prime / ERP 9 Display > Statements of Accounts > Outstandings > Receivables (Bills "
               "Receivable) exported to CSV/Excel: title rows, then Date, Ref No., Party's Name, Pending Amount, "
               "Due on, Overdue by days",
        signature=("Ref No.", "Party's Name", "Pending Amount", "Due on"),
        columns={"issue_date": ("Date",), "invoice_id": ("Ref No.", "Ref. No."), "customer_name": ("Party's Name",),
                 "amount": ("Pending Amount",), "balance": ("Pending Amount",), "due_date": ("Due on",)},
        keep=_tally_bills,
        dayfirst=True,
    ),
    "frappebooks": Preset(
        name="frappebooks",
        layout="Frappe Books Sales Invoice list > Export (CSV with labels and field paths as two header rows; "
               "one row per item or tax line: Invoice No, Date, Party, Customer Currency, Grand Total, Outstanding "
               "Amount, …, Submitted, Cancelled). It has no due date: give default_terms on the source",
        signature=("Invoice No", "Party", "Grand Total", "Outstanding Amount"),
        columns={"invoice_id": ("Invoice No",), "issue_date": ("Date",), "customer_name": ("Party",),
                 "currency": ("Customer Currency",), "amount": ("Grand Total",), "balance": ("Outstanding Amount",)},
        line_items=True,
        kind=_frappe_kinds,
    ),
}

# `format: auto` tries the most specific signatures first.
DETECTION_ORDER = ("xero", "zoho", "freshbooks", "quickbooks", "wave", "tally", "frappebooks")


def detect(headers: list[str]) -> Preset | None:
    """The preset whose signature columns are all in `headers`, else None (a plain CSV/Excel table)."""
    for name in DETECTION_ORDER:
        if PRESETS[name].matches(headers):
            return PRESETS[name]
    return None
