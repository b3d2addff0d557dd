"""The `--json` documents, written the way `json.dumps(doc, separators=(",", ":"), ensure_ascii=False)`
writes them, only faster where a document is big.

A preview of a 100k book prints ~130,000 skip entries and ~25,000 messages and tasks: building a
dict per skip and letting the encoder call back into Python for every datetime and Decimal costs
about half as much as pandas needs to read the book. Here:

- a datetime becomes its UTC text once per distinct value (a plan has few distinct moments);
- a list of skips is written from the `Skip` objects directly: everything after the invoice id
  repeats (same playbook, step, reason, detail), so that tail is encoded once per distinct tail;
- a value wrapped in `Raw` is JSON text already and is written as it is.
"""

from __future__ import annotations

import io
import json
from dataclasses import fields
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import repeat
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses for text
from operator import add, attrgetter
from typing import Any, Iterable, TextIO

_UTC_TEXT: dict[datetime, str] = {}  # aware datetimes that are equal are the same instant: same UTC text


def utc_text(value: datetime) -> str:
    """An aware datetime as ISO text in UTC, to the second (the form every JSON document uses)."""
    text = _UTC_TEXT.get(value)
    if text is None:
        text = _UTC_TEXT[value] = value.astimezone(timezone.utc).isoformat(timespec="seconds")
    return text


def default(value: Any) -> Any:
    """`json.dumps(default=...)`: Decimal as text (exact), datetimes in UTC, dates ISO, objects by `as_dict`."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Raw(str):
    """Text that is JSON already; `dumps` writes it verbatim as a top-level value."""


_encode = json.JSONEncoder(separators=(",", ":"), default=default, ensure_ascii=False).encode


def write(document: Any, out: TextIO) -> None:
    """Write the compact JSON text of `document` (a dict whose values may be `Raw`) to `out`.

    A document with `Raw` parts is written part by part: joined into one string first, the
    ASCII-only skip list would be copied and widened to the wider characters of the messages
    (a ₹ sign makes the whole string two bytes a character), then encoded again for output."""
    if isinstance(document, dict) and any(type(v) is Raw for v in document.values()):
        sep = "{"
        for k, v in document.items():
            out.write(sep + _encode(str(k)) + ":")
            out.write(v if type(v) is Raw else _encode(v))
            sep = ","
        out.write("}")
    else:
        out.write(_encode(document))


def dumps(document: Any) -> str:
    """The text `write` writes."""
    buffer = io.StringIO()
    write(document, buffer)
    return buffer.getvalue()


def skips_json(skips: Iterable[Any]) -> Raw:
    """The JSON list of `Skip.as_dict()` for each skip, byte for byte, without building the dicts.

    Each distinct tail (every field but the invoice id: a field `as_dict` may ever show is in
    the key) is encoded once from a real `as_dict()`; the rest is C-level maps and one join."""
    skips = list(skips)
    if not skips:
        return Raw("[]")
    rest = attrgetter(*(f.name for f in fields(skips[0]) if f.name != "invoice_id"))
    keys = list(map(rest, skips))
    tails = {key: _skip_tail(skip) for key, skip in dict(zip(keys, skips)).items()}
    heads = map(add, repeat('{"invoice_id":'), map(encode_basestring, map(attrgetter("invoice_id"), skips)))
    return Raw("[" + ",".join(map(add, heads, map(tails.__getitem__, keys))) + "]")


def _skip_tail(skip: Any) -> str:
    """Everything after the invoice id of one skip's JSON object, closing brace included."""
    whole = _encode(skip.as_dict())
    head = '{"invoice_id":' + _encode(skip.invoice_id)
    assert whole.startswith(head), "Skip.as_dict must start with the invoice id"
    return whole[len(head):]
