"""ISO 20022 CAMT.053 (statement, versions 001.02-001.08) and CAMT.054 (debit/credit
notification) -> bank lines.

Namespace-agnostic: every tag is compared by its local name, so a new schema version or a
bank's own namespace reads the same. One bank line per `TxDtls` (a batch booked as one
entry still names each payer); the `TxDtls` amount is used when an entry has several,
otherwise the entry amount (some banks fill a single `TxDtls` with 0). The payer is the
other party: the debtor of a credit, the creditor of a debit (`Dbtr/Nm`, or `Dbtr/Pty/Nm`
from version 8). The transaction id is the bank's `AcctSvcrRef` (else `NtryRef`), never the
payer-chosen `EndToEndId`, which is kept in `extra`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ...models import BankLine, RowError
from .errors import StatementError

_EMPTY = {"", "NOTPROVIDED", "NONREF"}


def _strip_namespaces(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def _text(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value if value.upper() not in _EMPTY else None


def _texts(el: ET.Element | None, path: str) -> list[str]:
    if el is None:
        return []
    return [" ".join(x.text.split()) for x in el.findall(path) if x.text and x.text.strip()]


def _date(entry: ET.Element) -> date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        raw = _text(entry, path)
        if raw:
            return date.fromisoformat(raw[:10])
    raise ValueError("entry has no booking or value date")


def _amount(el: ET.Element, path: str = "Amt") -> tuple[Decimal, str | None] | None:
    amt = el.find(path)
    if amt is None or not (amt.text or "").strip():
        return None
    try:
        return Decimal(amt.text.strip()), amt.get("Ccy")
    except InvalidOperation:
        raise ValueError(f"amount {amt.text.strip()!r} is not a number") from None


def _party(tx: ET.Element | None, role: str) -> str | None:
    for path in (f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm", f"RltdPties/Ultmt{role}/Nm",
                 f"RltdPties/Ultmt{role}/Pty/Nm"):
        name = _text(tx, path)
        if name:
            return name
    return None


def _positions(text: str, tag: str) -> list[int]:
    """Line numbers of each start tag `tag` (any prefix), in document order."""
    found, line, last = [], 1, 0
    for m in re.finditer(rf"<(?:\w+:)?{tag}[\s>]", text):
        line += text.count("\n", last, m.start())
        last = m.start()
        found.append(line)
    return found


def read_camt(path: Path, data: bytes, *, options: dict[str, Any] | None = None,
              default_currency: str | None = None) -> tuple[list[BankLine], list[RowError]]:
    name = str(path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise StatementError(f"not well-formed XML: {exc}", line=exc.position[0]) from None
    _strip_namespaces(root)
    reports = root.findall(".//Stmt") + root.findall(".//Ntfctn") + root.findall(".//Rpt")
    if not reports:
        raise StatementError("no CAMT statement (Stmt) or notification (Ntfctn) in this XML file", line=1)
    text = data.decode("utf-8", errors="replace")
    entry_lines = iter(_positions(text, "Ntry"))
    detail_lines = iter(_positions(text, "TxDtls"))
    lines: list[BankLine] = []
    errors: list[RowError] = []
    for report in reports:
        account = _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
        for entry in report.findall("Ntry"):
            entry_line = next(entry_lines, None)
            details = entry.findall("NtryDtls/TxDtls")
            detail_rows = [next(detail_lines, None) for _ in details]
            try:
                when = _date(entry)
                entry_amount = _amount(entry)
                if entry_amount is None:
                    raise ValueError("entry has no amount")
            except ValueError as exc:
                errors.append(RowError(name, entry_line, "Ntry", str(exc)))
                continue
            entry_sign = -1 if _text(entry, "CdtDbtInd") == "DBIT" else 1
            for tx, row in zip(details or [None], detail_rows or [entry_line]):
                amount, currency = entry_amount
                sign = entry_sign
                if tx is not None and len(details) > 1:
                    own = _amount(tx, "Amt") or _amount(tx, "AmtDtls/TxAmt/Amt")
                    if own is not None:
                        amount, currency = own
                    if _text(tx, "CdtDbtInd"):
                        sign = -1 if _text(tx, "CdtDbtInd") == "DBIT" else 1
                lines.append(_line(entry, tx, when, sign * amount, currency or default_currency, account,
                                   name, row or entry_line))
    return lines, errors


def _line(entry: ET.Element, tx: ET.Element | None, when: date, amount: Decimal, currency: str | None,
          account: str | None, name: str, row: int | None) -> BankLine:
    unstructured = _texts(tx, "RmtInf/Ustrd")
    structured = _texts(tx, "RmtInf/Strd/CdtrRefInf/Ref") + _texts(tx, "RmtInf/Strd/CdtrRefInf/CdtrRef")
    referred = _texts(tx, "RmtInf/Strd/RfrdDocInf/Nb")
    additional = _texts(tx, "RmtInf/Strd/AddtlRmtInf") + _texts(tx, "AddtlTxInf")
    description = " ".join(dict.fromkeys(unstructured + structured + referred + additional))
    description = description or " ".join(_texts(entry, "AddtlNtryInf"))
    payer = _party(tx, "Dbtr" if amount > 0 else "Cdtr")
    end_to_end = _text(tx, "Refs/EndToEndId")
    reference = (" ".join(structured + referred) or " ".join(unstructured)) or None
    # The bank's own references only: an EndToEndId is chosen by the payer and two customers may
    # both send "INV-1", which would make the second payment look already imported.
    transaction_id = _text(tx, "Refs/AcctSvcrRef") or _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    extra = {k: v for k, v in (("account", account), ("end_to_end_id", end_to_end),
                               ("status", _text(entry, "Sts/Cd") or _text(entry, "Sts"))) if v}
    return BankLine(date=when, amount=amount, currency=currency, description=description, payer=payer,
                    reference=reference, transaction_id=transaction_id, file=name, row=row, extra=extra)
