"""Statement readers: every file a small business gets money information in -> `BankLine`s.

`read_statement(path)` detects the format (or takes `format=`), reads the file, and never
raises for a bad file: problems come back as `RowError`s naming the file and line, so one
unreadable statement does not stop a reconcile of several.

Formats: payments CSV/Excel (the owner's own list of payments received), bank CSV/Excel
exports, OFX/QFX, MT940, CAMT.053 and CAMT.054. BAI2 and QIF are recognised and refused
with a clear message.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ...gcpause import gc_paused
from ...models import BankLine, RowError
from .bank_csv import OPTION_KEYS, check_options, read_table
from .camt import read_camt
from .detect import detect_format
from ...tabular import FileProblem
from .errors import StatementError
from .mt940 import read_mt940
from .ofx import read_ofx
from .payments_csv import read_payments_csv
from .unsupported import MESSAGES, refuse

class Reader(Protocol):
    """One statement format, as a beangulp importer is one: the file's path and bytes in, its
    money lines and the problems of its bad lines out (StatementError or FileProblem for a file
    that cannot be read at all). `detect_format` says which reader a file needs."""

    def __call__(self, path: Path, data: bytes, *, options: dict[str, Any] | None = None,
                 default_currency: str | None = None) -> tuple[list[BankLine], list[RowError]]: ...


READERS: dict[str, Reader] = {
    "payments": read_payments_csv, "bank_csv": read_table, "ofx": read_ofx, "qfx": read_ofx,
    "mt940": read_mt940, "camt053": read_camt, "camt054": read_camt,
}
FORMATS = tuple(READERS)
BANK_CSV_OPTIONS = OPTION_KEYS

__all__ = ["BANK_CSV_OPTIONS", "check_options", "FORMATS", "StatementError", "StatementResult", "read_statement"]


@dataclass
class StatementResult:
    lines: list[BankLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    format: str | None = None  # the format read (detected or given); None when unknown


def _unique_ids(lines: list[BankLine]) -> None:
    """A bank id repeated inside one file (a batch's shared reference, Wise's fee line) is not
    a line's identity: later copies get `#2`, `#3`... so re-importing stays idempotent."""
    counts = Counter(line.transaction_id for line in lines if line.transaction_id)
    seen: Counter[str] = Counter()
    for line in lines:
        tid = line.transaction_id
        if tid and counts[tid] > 1:
            seen[tid] += 1
            if seen[tid] > 1:
                line.transaction_id = f"{tid}#{seen[tid]}"


def read_statement(path: Path | str, *, format: str | None = None, options: dict[str, Any] | None = None,
                   default_currency: str | None = None) -> StatementResult:
    """Read one payments file or bank statement. Never raises for a bad file."""
    path = Path(path)
    name = str(path)
    result = StatementResult(format=format)
    if format is not None and format not in FORMATS:
        result.errors.append(RowError(name, None, None, f"unknown format {format!r}; use one of {', '.join(FORMATS)}",
                                      kind="file"))
        return result
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.errors.append(RowError(name, None, None, f"cannot read the file: {exc.strerror or exc}", kind="file"))
        return result
    try:
        with gc_paused():
            return _read(path, data, format, options, default_currency, result)
    except Exception as exc:  # a reader bug must not become a traceback in front of the user
        result.errors.append(RowError(name, None, None, f"could not read this file ({type(exc).__name__}: {exc})",
                                      kind="file"))
        return result


def _read(path: Path, data: bytes, format: str | None, options: dict[str, Any] | None,
          default_currency: str | None, result: StatementResult) -> StatementResult:
    name = str(path)
    try:
        if not data.strip():
            raise StatementError("the file is empty")
        fmt = format or detect_format(path, data, options)
        result.format = fmt
        if fmt in MESSAGES:
            refuse(fmt)
        lines, errors = READERS[fmt](path, data, options=options, default_currency=default_currency)
    except StatementError as exc:
        result.errors.append(RowError(name, exc.line, exc.column, exc.message, kind="file"))
        return result
    except FileProblem as exc:  # what the file is, its bytes, its size: the same rules as invoice books
        result.errors.append(RowError(name, None, None, str(exc), kind="file"))
        return result
    _unique_ids(lines)
    result.lines, result.errors = lines, errors
    return result
