"""Formats we recognise but do not read yet, each with a message that says what to do."""

from __future__ import annotations

from .errors import StatementError

MESSAGES = {
    "bai2": "BAI2 files are not supported yet; export CSV, OFX, MT940 or CAMT.053 from your bank instead",
    "qif": "QIF files are not supported yet; export CSV, OFX, MT940 or CAMT.053 from your bank instead",
}


def refuse(fmt: str) -> None:
    raise StatementError(MESSAGES[fmt], line=1)
