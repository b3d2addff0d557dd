"""The entries of a reconcile report: one per matched, doubtful or unmatched bank line.

An entry is the matcher's verdict on a line (a `LineMatch`) and, once recorded, the id of its
payment. People see a hundred of them in a table (`as_dict`); `--json` prints every one. For a
100k-line statement, building a dict per entry and encoding the dicts cost more than reading the
statement (about 1.2 s of CPU), so `entries_json` writes the JSON text of the list straight from
the verdicts: the text `json.dumps` gives for the dicts, byte for byte (tests/test_reconcile_entries.py
compares the two on generated lines).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring  # what the document's encoder (ensure_ascii=False) uses for text
from typing import Any

from ..jsondoc import RawParts, encode
from .matcher import LineMatch

_CHUNK = 8192  # entries per part of the JSON text


class Entry:
    """One bank line's verdict in the report, with its payment id once recorded."""

    __slots__ = ("verdict", "payment_id")

    def __init__(self, verdict: LineMatch, payment_id: int | None = None):
        self.verdict = verdict
        self.payment_id = payment_id

    @property
    def amount(self) -> Decimal:
        return self.verdict.line.amount

    def as_dict(self) -> dict[str, Any]:
        """The line's fields and the verdict (`LineMatch.as_dict`), plus `payment_id` when recorded."""
        d = self.verdict.as_dict()
        if self.payment_id is not None:
            d["payment_id"] = self.payment_id
        return d


def entries_json(entries: list[Entry], chunk: int = _CHUNK) -> RawParts:
    """The JSON list of `e.as_dict()` for each entry, as the document's encoder writes it, in parts.

    Written field by field in `LineMatch.as_dict`'s order: text through the encoder's own string
    function, anything of an unexpected type through the encoder itself, so the bytes are the same.
    A date is written once per distinct date (a statement has few)."""
    if not entries:
        return RawParts(("[]",))
    dates: dict[date, str] = {}
    texts = [_entry_text(e, dates) for e in entries]
    parts = [",".join(texts[i:i + chunk]) for i in range(0, len(texts), chunk)]
    parts[0] = "[" + parts[0]
    parts[-1] += "]"
    for k in range(1, len(parts)):
        parts[k] = "," + parts[k]
    return RawParts(parts)


def _entry_text(entry: Entry, dates: dict[date, str]) -> str:
    m = entry.verdict
    ln = m.line
    day = dates.get(ln.date)
    if day is None:
        day = dates[ln.date] = encode_basestring(ln.date.isoformat())
    allocations = _allocations(m.allocations)
    text = (f'{{"transaction_id":{_text(ln.transaction_id)},"date":{day},"amount":{_text(str(ln.amount))},'
            f'"currency":{_text(ln.currency)},"description":{_text(ln.description)},"payer":{_text(ln.payer)},'
            f'"reference":{_text(ln.reference)},"file":{_text(ln.file)},"row":{_number(ln.row)},'
            f'"invoice_ids":[{",".join(map(_text, m.invoice_ids))}],"allocations":{allocations},'
            f'"confidence":{_text(m.confidence)},"method":{_text(m.method)},"applied":{_flag(m.applied)},'
            f'"customer_id":{_text(m.customer_id)},"credit":{_text(str(m.excess)) if m.excess else "null"},'
            f'"reason":{_text(m.reason or None)}')
    if entry.payment_id is not None:
        return f'{text},"payment_id":{_number(entry.payment_id)}}}'
    return text + "}"


def _allocations(allocations: dict[str, Decimal]) -> str:
    if all(type(k) is str for k in allocations):
        return "{" + ",".join(f"{encode_basestring(k)}:{_text(str(v))}" for k, v in allocations.items()) + "}"
    return encode({k: str(v) for k, v in allocations.items()})  # the encoder's own rules for other keys


def _text(value: Any) -> str:
    if type(value) is str:
        return encode_basestring(value)
    return "null" if value is None else encode(value)


def _number(value: Any) -> str:
    if type(value) is int:
        return str(value)
    return "null" if value is None else encode(value)


def _flag(value: Any) -> str:
    if value is True:
        return "true"
    return "false" if value is False else encode(value)
