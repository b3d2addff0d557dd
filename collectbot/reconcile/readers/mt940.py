"""MT940 statements (SWIFT customer statement, as Dutch, German, Swiss and Polish banks
export them) -> bank lines.

Written by hand rather than with the `mt-940` package because the useful part for
reconciliation is the `:86:` text, and banks fill it three ways that we want to read
into payer and reference:
- German structured fields, `166?00GUTSCHRIFT?20EREF+...?21SVWZ+...?32NAME?33...`
  (`?20`-`?29`, `?60`-`?63` remittance, `?32`/`?33` the other party's name);
- Dutch/SEPA slash fields, `/TRTP/.../NAME/ACME BV/REMI/INV-0042/EREF/...`;
- free text, kept as the description.
Lines are wrapped at 65 characters, sometimes mid-word: a full line is joined to the next
without a space, a short one with a space. SWIFT envelopes (`{1:...}{4:` ... `-}`) and bank
header lines (`ABNANL2A`, `940`) are skipped.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from ...models import BankLine, RowError
from .errors import StatementError
from ...tabular import decode
from ...values import BANK, read_amount, two_digit_year

_TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):(.*)$")
_LINE61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?(?P<amount>\d+,\d*)"
    r"(?P<type>[NSF][A-Z0-9 ]{3})?(?P<ref>.*?)(?://(?P<bankref>.*))?$")
_QFIELD = re.compile(r"\?(\d{2})")
_SLASH_KEYS = ("TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "ORDP", "BENM", "ISDT", "RTRN",
               "CNTP", "ADDR", "PREF", "SVWZ", "ABWA", "ULTC", "ULTD", "PURP", "CDTRREFTP", "CDTRREF", "CD",
               "USTD", "STRD", "RTRN", "ID", "CITY")
_SLASH = re.compile(r"/(" + "|".join(_SLASH_KEYS) + r")/")
# SEPA labels inside German ?20-?29 remittance: EREF+ end-to-end id, SVWZ+ purpose text...
_SEPA_LABEL = re.compile(r"(?<!^)((?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+)")
_EMPTY_REFS = {"", "NONREF", "NOTPROVIDED"}
_WRAP = 60  # a line this long was wrapped by the bank, not ended by the writer


def _join(parts: list[str]) -> str:
    """Re-join a field's physical lines (see the module docstring)."""
    text = ""
    for i, part in enumerate(parts):
        if i and len(parts[i - 1].rstrip()) < _WRAP:
            text = text.rstrip() + " "
        text += part.rstrip() if i + 1 < len(parts) and len(part.rstrip()) < _WRAP else part
    return text


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _question_fields(text: str) -> dict[str, str]:
    """'166?00GUTSCHRIFT?20EREF+X?32KARL' -> {'00': 'GUTSCHRIFT', '20': 'EREF+X', '32': 'KARL'}."""
    fields: dict[str, str] = {}
    pieces = _QFIELD.split(text)
    for key, value in zip(pieces[1::2], pieces[2::2]):
        fields[key] = fields.get(key, "") + value
    return fields


def _slash_fields(text: str) -> dict[str, str]:
    pieces = _SLASH.split(text)
    fields: dict[str, str] = {}
    for key, value in zip(pieces[1::2], pieces[2::2]):
        fields.setdefault(key, value.strip("/ ").strip())
    return fields


def parse_86(raw_lines: list[str]) -> tuple[str, str | None, str | None]:
    """(description, payer, reference) from a :86: field's physical lines."""
    if raw_lines and re.match(r"^\s*\d{3}\?", raw_lines[0]):
        text = "".join(ln.rstrip("\r\n") for ln in raw_lines)
        q = _question_fields(text)
        remittance = "".join(q.get(k, "") for k in [*(f"{n}" for n in range(20, 30)), "60", "61", "62", "63"])
        payer = _squash(q.get("32", "") + q.get("33", "")) or None
        remittance = _SEPA_LABEL.sub(r" \1", remittance)
        return _squash(text), payer, _squash(remittance) or None
    text = _join(raw_lines)
    if _SLASH.search(text):
        s = _slash_fields(text)
        payer = s.get("NAME") or None
        reference = s.get("REMI") or None
        if reference:
            reference = _squash(re.sub(r"^/?(USTD|STRD)?/+", "", reference)) or None
        return _squash(text), payer and _squash(payer), reference
    return _squash(text), None, None


def _envelope_body(text: str) -> str:
    """Keep only the text blocks of SWIFT messages; plain files pass unchanged."""
    blocks = re.findall(r"\{4:(.*?)(?:\n-\}|-\})", text, re.S)
    return "\n-\n".join(blocks) if blocks else text


def read_mt940(path: Path, data: bytes, *, options: dict[str, Any] | None = None,
               default_currency: str | None = None) -> tuple[list[BankLine], list[RowError]]:
    text, _ = decode(data)
    name = str(path)
    has_envelope = "{4:" in text
    body = _envelope_body(text) if has_envelope else text
    line_offset = text[: text.find("{4:")].count("\n") if has_envelope else 0
    # (tag, first line number, physical lines)
    fields: list[tuple[str, int, list[str]]] = []
    for number, raw in enumerate(body.splitlines(), start=1):
        line = raw.rstrip("\r")
        m = _TAG.match(line)
        if m:
            fields.append((m.group(1), number + line_offset, [m.group(2)]))
        elif line.strip() == "-" or line.startswith("-") and line.strip("-X ") == "" or line.startswith("-}"):
            fields.append(("-", number + line_offset, []))
        elif fields and fields[-1][0] != "-":
            fields[-1][2].append(line)
    if not any(tag == "61" for tag, _, _ in fields) and not any(tag == "20" for tag, _, _ in fields):
        raise StatementError("not an MT940 statement (no :20: or :61: field)", line=1)

    lines: list[BankLine] = []
    errors: list[RowError] = []
    currency = default_currency
    account = None
    current: dict | None = None

    def finish() -> None:
        if current is not None:
            lines.append(_bank_line(current, name))

    for tag, number, parts in fields:
        if tag == "86" and current is not None and current["86"] is None:
            current["86"] = parts
            continue
        if tag == "NS" and current is not None:
            current["ns"].extend(parts)
            continue
        finish()
        current = None
        if tag == "25":
            account = parts[0].strip()
        elif tag in ("60F", "60M"):
            m = re.match(r"^[CD]\d{6}([A-Z]{3})", parts[0].strip())
            currency = m.group(1) if m else currency
        elif tag == "61":
            m = _LINE61.match(parts[0].strip())
            if not m:
                errors.append(RowError(name, number, ":61:", f"unreadable statement line {parts[0].strip()!r}"))
                continue
            current = {"m": m, "extra": parts[1:], "86": None, "ns": [], "row": number,
                       "currency": currency, "account": account}
    finish()
    return lines, errors


def _bank_line(txn: dict, name: str) -> BankLine:
    m = txn["m"]
    value = m.group("value")
    year, month, day = two_digit_year(value[:2]), int(value[2:4]), int(value[4:6])
    when = date(year, month, day)
    if m.group("entry"):
        em, ed = int(m.group("entry")[:2]), int(m.group("entry")[2:])
        ey = year + 1 if month == 12 and em == 1 else year - 1 if month == 1 and em == 12 else year
        when = date(ey, em, ed)
    amount = read_amount(m.group("amount"), ",", side=BANK)
    if m.group("mark").endswith("D") != m.group("mark").startswith("R"):  # D and RC are money out
        amount = -amount
    supplementary = _squash(" ".join(txn["extra"]))
    description, payer, reference = parse_86(txn["86"]) if txn["86"] else ("", None, None)
    if not description:
        description = _squash(" ".join(txn["ns"])) or supplementary or _squash(m.group("ref") or "")
    customer_ref = (m.group("ref") or "").strip()
    bank_ref = (m.group("bankref") or "").strip()
    extra = {k: v for k, v in (("account", txn["account"]), ("customer_reference", customer_ref),
                                ("supplementary", supplementary), ("type", (m.group("type") or "").strip()))
             if v and v.upper() not in _EMPTY_REFS}
    return BankLine(date=when, amount=amount, currency=txn["currency"], description=description, payer=payer,
                    reference=reference, transaction_id=bank_ref if bank_ref.upper() not in _EMPTY_REFS else None,
                    file=name, row=txn["row"], extra=extra)
