"""How collectbot speaks to a person: the rules of human output in one place (SPEC 6).

Everything reads at 80 columns, in a terminal and in a cron log (no terminal: rich's width is
80 there): text is wrapped at spaces, never inside a word or a number, and what cannot fit a
table becomes a card — a heading line and indented lines under it. Moments are shown in the
business time zone to the minute; customers by name with their id; money formatted; never a
program's internal form (None, reprs, raw JSON). Free text that is long ends in "…" (the whole
text is in --json).
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

INDENT = "    "
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def when(value: Any, tz: Any = None) -> str:
    """A moment as the owner reads it: `2026-11-23 10:00` in `tz` (the business zone)."""
    if isinstance(value, str) and len(value) >= 16 and value[:4].isdigit() and value[10:11] in ("T", " "):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        try:
            return (value.astimezone(tz) if tz else value).strftime("%Y-%m-%d %H:%M")
        except (OverflowError, ValueError):  # at the calendar's edge (year 1 or 9999): as it was stored
            return value.isoformat()
    return "" if value is None else str(value)


def who(name: str | None, customer_id: str | None) -> str:
    """`Mehta Hardware (C004)`; the id alone when there is no other name."""
    if name and customer_id and name != customer_id:
        return f"{name} ({customer_id})"
    return name or customer_id or "unknown customer"


def clip(text: str | None, limit: int) -> str:
    """Free text on at most `limit` characters, ending in "…" when cut (at a space when it can)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut[limit // 2:] else cut).rstrip(" ,;:") + "…"


def words(value: Any) -> str:
    """A stored detail in words: JSON objects as `key: value` pairs, lists joined, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "{[":
            try:
                return words(json.loads(text))
            except ValueError:
                return text
        return text
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {words(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return ", ".join(words(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def lines(text: str, width: int, indent: str = INDENT, first: str | None = None) -> list[str]:
    """`text` wrapped at spaces to `width` (words and numbers are never broken; a single word
    longer than the line is clipped with "…")."""
    first = indent if first is None else first
    room = max(width - len(indent), 20)
    # split at ASCII white space only: a no-break space (`7\u00a0days`) keeps its words on one line
    tokens = [t if len(t) <= room else t[: room - 1] + "…" for t in _SPACES.split(text) if t]
    return textwrap.wrap(" ".join(tokens), width=width, initial_indent=first, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def card(console: Console, head: str, body: list[str] | None = None, *, style: str = "bold", indent: str = "") -> None:
    """A heading line (in `style`) and its lines, each wrapped under a hanging indent."""
    width = console.width
    out = [f"[{style}]{escape(line)}[/]" if n == 0 and style else escape(line)
           for n, line in enumerate(lines(head, width, indent=indent + INDENT, first=indent))]
    for text in body or []:
        if text:
            out.extend(escape(line) for line in lines(text, width, indent=indent + INDENT + "  ", first=indent + INDENT))
    console.print("\n".join(out), highlight=False, soft_wrap=True)  # one call a card: a big preview prints fast


def warning(console: Console, text: str) -> None:
    """`warning: …`, the word in yellow, the sentence wrapped at spaces under a two-space indent."""
    out = lines("warning: " + text, console.width, indent="  ", first="")
    out[0] = "[yellow]warning:[/]" + escape(out[0][len("warning:"):])
    console.print("\n".join([out[0], *(escape(line) for line in out[1:])]), highlight=False, soft_wrap=True)


def say(console: Console, text: str, *, indent: str = "") -> None:
    """A sentence, wrapped at spaces."""
    for line in lines(text, console.width, indent=indent + "  ", first=indent):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
