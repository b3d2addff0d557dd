"""Payments files: the owner's own record of money received (from a gateway, a UPI app, a
spreadsheet), one payment per row, usually with the invoice it pays.

Same column recognition as bank exports (`Date, Invoice, Amount, Payer, Reference, Method,
Transaction ID` and synonyms like "Invoice #", "Paid Amount", "Received From", "UTR"); the
invoice column becomes `BankLine.invoice_hint`, which the matcher trusts first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...models import BankLine, RowError
from .bank_csv import read_table


def read_payments_csv(path: Path, data: bytes, *, options: dict[str, Any] | None = None,
                      default_currency: str | None = None) -> tuple[list[BankLine], list[RowError]]:
    """Without a description column, a line's text is its invoice, payer and reference cells."""
    return read_table(path, data, options=options, default_currency=default_currency)
