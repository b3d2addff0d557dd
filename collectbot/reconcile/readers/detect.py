"""Which reader a file needs, from its content first and its extension second.

Content wins because banks name files freely (`export.txt` holding MT940, `.xml` holding
anything). `--format` on the command line skips detection entirely.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from .errors import StatementError

_CAMT053 = re.compile(r"camt\.05[23]\.|<(\w+:)?BkToCstmr(Stmt|AcctRpt)\b")
_CAMT054 = re.compile(r"camt\.054\.|<(\w+:)?BkToCstmrDbtCdtNtfctn\b")
_OFX = re.compile(r"OFXHEADER|<OFX>", re.I)
_MT940 = re.compile(r"^:(20|25|60F|61):", re.M)
_BAI2 = re.compile(r"\A\s*01,[^\n]*\n\s*02,")
_QIF = re.compile(r"^!(Type|Account|Option):", re.I | re.M)
_EXTENSIONS = {".ofx": "ofx", ".qfx": "qfx", ".sta": "mt940", ".940": "mt940", ".mt940": "mt940",
               ".xml": "camt053", ".bai": "bai2", ".bai2": "bai2", ".qif": "qif"}
_TABULAR = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}


def sniff(path: Path, data: bytes) -> str | None:
    """The format the bytes announce, or None for "tabular or unknown"."""
    head = data[:8192].removeprefix(codecs.BOM_UTF8).decode("latin-1")
    is_xml = head.lstrip().startswith("<")
    if is_xml:
        if _CAMT054.search(head):
            return "camt054"
        if _CAMT053.search(head):
            return "camt053"
    if _OFX.search(head):
        return "qfx" if path.suffix.lower() == ".qfx" else "ofx"
    if _MT940.search(head) and re.search(r"^:61:|^:60[FM]:", head, re.M):
        return "mt940"
    if _BAI2.match(head):
        return "bai2"
    if _QIF.search(head) and re.search(r"^\^\s*$", head, re.M):
        return "qif"
    if is_xml:
        raise StatementError("an XML file that is neither CAMT.053/CAMT.054 nor OFX", line=1)
    return None


def tabular_kind(mapping: dict[str, list[int]]) -> str:
    """A table with an invoice column and no bank-only columns is the owner's payments file."""
    bank_only = {"balance", "debit", "credit", "dc_flag"}
    return "payments" if "invoice" in mapping and not bank_only & mapping.keys() else "bank_csv"


def detect_format(path: Path, data: bytes, options: dict[str, Any] | None = None) -> str:
    found = sniff(path, data)
    if found:
        return found
    suffix = path.suffix.lower()
    if suffix in _TABULAR or data[:2] == b"PK" or b"," in data[:4096] or b";" in data[:4096]:
        from .bank_csv import find_layout, load_rows

        if data[:2] == b"PK" and suffix not in (".xlsx", ".xlsm"):
            raise StatementError("a zip or Excel file without an .xlsx extension; rename it to .xlsx")
        rows = load_rows(path, data, options or {}, head_only=True)
        _, mapping, _ = find_layout(rows, options or {})
        return tabular_kind(mapping)
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise StatementError("cannot tell what kind of statement this is; name it with --format "
                         "(payments, bank_csv, ofx, qfx, mt940, camt053, camt054)", line=1)
