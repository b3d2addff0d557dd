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
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import chain
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses for text
from operator import attrgetter
from typing import Any, Iterable, TextIO

_UTC_TEXT: dict[datetime, str] = {}  # aware datetimes that are equal are the same instant: same UTC text


def utc_text(value: datetime) -> str:
    """An aware datetime as ISO text in UTC, to the second (the form every JSON document uses)."""
    try:
        text = _UTC_TEXT.get(value)
        if text is None:
            text = _UTC_TEXT[value] = value.astimezone(timezone.utc).isoformat(timespec="seconds")
    except OverflowError:  # at the calendar's edge (year 1 or 9999, a damaged record): as it is
        return value.isoformat(timespec="seconds")
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


class RawParts(tuple):
    """JSON text in consecutive parts, written one after another: a list of a hundred thousand
    skips is never joined into one 20 MB string (and then encoded whole for output)."""

    def __str__(self) -> str:
        return "".join(self)


_CHUNK = 8192  # skips per part


# No check for circular references: a document is a tree built for the occasion, and the check
# costs a dict insert and delete per container (a tenth of encoding 25,000 messages and tasks).
encode = json.JSONEncoder(separators=(",", ":"), default=default, ensure_ascii=False, check_circular=False).encode


def write(document: Any, out: TextIO) -> None:
    """Write the compact JSON text of `document` (a dict whose values may be `Raw`) to `out`.

    A document with `Raw` parts is written part by part: joined into one string first, the
    ASCII-only skip list would be copied and widened to the wider characters of the messages
    (a ₹ sign makes the whole string two bytes a character), then encoded again for output."""
    if isinstance(document, dict) and any(type(v) is Raw or type(v) is RawParts for v in document.values()):
        sep = "{"
        for k, v in document.items():
            out.write(sep + encode(str(k)) + ":")
            if type(v) is RawParts:
                for part in v:
                    out.write(part)
            else:
                out.write(v if type(v) is Raw else encode(v))
            sep = ","
        out.write("}")
    else:
        out.write(encode(document))


def dumps(document: Any) -> str:
    """The text `write` writes."""
    buffer = io.StringIO()
    write(document, buffer)
    return buffer.getvalue()


def skips_json(skips: Iterable[Any]) -> RawParts:
    """The JSON list of `Skip.as_dict()` for each skip, byte for byte, without building the dicts.

    Each distinct tail (every field `as_dict` may show but the invoice id: `Skip.SHOWN`) is
    encoded once from a real `as_dict()`, with the separator and the next object's head; each
    part of the text is then one join of (invoice id, tail) pairs, all made by C-level maps."""
    skips = list(skips)
    if not skips:
        return RawParts(("[]",))
    keys = list(map(attrgetter(*type(skips[0]).SHOWN), skips))
    last = {key: _skip_tail(skip) for key, skip in dict(zip(keys, skips)).items()}
    more = {key: tail + ',{"invoice_id":' for key, tail in last.items()}
    tails = list(map(more.__getitem__, keys))
    tails[-1] = last[keys[-1]] + "]"
    ids = list(map(encode_basestring, map(attrgetter("invoice_id"), skips)))
    parts = ["".join(chain.from_iterable(zip(ids[i:i + _CHUNK], tails[i:i + _CHUNK])))
             for i in range(0, len(ids), _CHUNK)]
    parts[0] = '[{"invoice_id":' + parts[0]
    return RawParts(parts)


def _skip_tail(skip: Any) -> str:
    """Everything after the invoice id of one skip's JSON object, closing brace included."""
    whole = encode(skip.as_dict())
    head = '{"invoice_id":' + encode(skip.invoice_id)
    assert whole.startswith(head), "Skip.as_dict must start with the invoice id"
    return whole[len(head):]


def loads(text: str | bytes) -> Any:
    """`json.loads` for text from outside (a webhook, a file, a flag): a document nested too deeply
    for Python's parser is a ValueError like any other bad JSON, not a RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
