"""OFX 1.x (SGML), OFX 2.x (XML) and QFX statements -> bank lines.

Real exports break the spec in many ways (no closing tags, everything on one line, CDATA,
HTML entities, a CHARSET that lies, decimal commas), and `ofxtools` rejects such files. This
reader is deliberately tolerant instead: it finds each statement (`STMTRS` / `CCSTMTRS`, so
several accounts in one file work), takes its `CURDEF` and account id, and reads every
`<STMTTRN>` block's leaf values. The sign of TRNAMT is the truth (positive = money in); a
CREDIT/DEP type with an unsigned amount is read as a credit too.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

from ...models import BankLine, RowError
from .errors import StatementError
from ...tabular import decode
from ...values import BANK, read_amount

_STATEMENT = re.compile(r"<(CCSTMTRS|STMTRS)>(.*?)(?:</\1>|(?=<(?:CCSTMTRS|STMTRS)>)|\Z)", re.S | re.I)
_TXN = re.compile(r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|(?=</BANKTRANLIST>)|\Z)", re.S | re.I)
_LEAF = re.compile(r"<([A-Z0-9.]+)>([^<]*(?:<!\[CDATA\[.*?\]\]>[^<]*)?)", re.S | re.I)
_CREDIT_TYPES = {"CREDIT", "DEP", "DIRECTDEP", "INT", "DIV"}


def _leaves(block: str) -> dict[str, str]:
    """Leaf elements of an SGML or XML block: {TAG: value}; the first occurrence wins."""
    values: dict[str, str] = {}
    for tag, raw in _LEAF.findall(block):
        text = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", raw, flags=re.S)
        text = html.unescape(text).strip()
        values.setdefault(tag.upper(), text)
    return values


def _date(raw: str) -> date:
    digits = raw.strip()[:8]
    if not re.fullmatch(r"\d{8}", digits):
        raise ValueError(f"DTPOSTED {raw!r} is not an OFX date")
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


class _LineCounter:
    """Line numbers of increasing offsets, counting each newline once (files can be large)."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def read_ofx(path: Path, data: bytes, *, options: dict[str, Any] | None = None,
             default_currency: str | None = None) -> tuple[list[BankLine], list[RowError]]:
    text, _ = decode(data)
    name = str(path)
    if not re.search(r"<OFX>", text, re.I):
        raise StatementError("not an OFX file (no <OFX> element)", line=1)
    statements = list(_STATEMENT.finditer(text))
    if not statements:
        if re.search(r"<INVSTMTRS>", text, re.I):
            raise StatementError("an investment statement (INVSTMTRS) has no bank transactions to reconcile; "
                                 "export the bank or card account instead")
        raise StatementError("no bank or credit card statement (STMTRS/CCSTMTRS) in this OFX file")
    lines: list[BankLine] = []
    errors: list[RowError] = []
    counter = _LineCounter(text)
    for stmt in statements:
        body = stmt.group(2)
        head = _leaves(body.split("<BANKTRANLIST>")[0] if "<BANKTRANLIST>" in body else body)
        currency = head.get("CURDEF") or default_currency
        account = head.get("ACCTID")
        for txn in _TXN.finditer(body):
            pos = stmt.start(2) + txn.start()
            line_no = counter.at(pos)
            v = _leaves(txn.group(1))
            try:
                when = _date(v.get("DTPOSTED") or v.get("DTUSER") or "")
                raw_amount = v.get("TRNAMT", "")
                decimal = "," if re.fullmatch(r"[-+]?\d*,\d+", raw_amount.strip()) else "."
                amount = read_amount(raw_amount, decimal, side=BANK)
            except ValueError as exc:
                errors.append(RowError(name, line_no, "TRNAMT" if "DTPOSTED" in v else "DTPOSTED", str(exc)))
                continue
            trntype = v.get("TRNTYPE", "").upper()
            if trntype in _CREDIT_TYPES and not raw_amount.strip().startswith("-"):
                amount = abs(amount)
            payee = v.get("NAME") or v.get("PAYEE") or None
            memo = v.get("MEMO") or None
            extra = {k.lower(): v[k] for k in ("TRNTYPE", "CHECKNUM", "REFNUM") if v.get(k)}
            if account:
                extra["account"] = account
            fallback = " ".join(x for x in (trntype, v.get("CHECKNUM")) if x)
            lines.append(BankLine(
                date=when, amount=amount,
                currency=(v.get("CURRENCY") or v.get("ORIGCURRENCY") or currency or None),
                description=" ".join(x for x in (payee, memo) if x) or fallback,
                payer=payee, reference=memo,
                transaction_id=v.get("FITID") or None, file=name, row=line_no, extra=extra))
    return lines, errors
