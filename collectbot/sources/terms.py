"""Payment terms as exports write them: `Net 30` -> 30 days after the issue date.

Books without a due date column (or with blank due dates) often carry the terms instead
(QuickBooks and Zoho `Terms`, Tally `Credit Period`), or the owner knows them
(`default_terms: 30d` on the source). Due date = issue date + terms.
"""

from __future__ import annotations

import re

# Whole-text forms, compared case-insensitively after squeezing spaces.
_NET = re.compile(r"^(?:net|n)\s*-?\s*(\d{1,3})(?:\s*days?)?$")  # Net 30, Net-15, N30, net 7 days
_DAYS = re.compile(r"^(\d{1,3})\s*(?:days?|d)(?:\s*net)?$")      # 30 days, 30d, 45 days net
_NOW = {"due on receipt", "due upon receipt", "upon receipt", "on receipt", "receipt", "immediate", "immediately",
        "due immediately", "cod", "cash on delivery", "payable on receipt", "net 0"}
MAX_DAYS = 366


def parse_terms(text: str) -> int | None | str:
    """Days after the issue date; None for a blank cell; an error sentence for anything else."""
    t = re.sub(r"\s+", " ", str(text).strip().lower())
    if not t:
        return None
    if t.isdigit():
        days: int | None = int(t)
    elif t in _NOW:
        days = 0
    else:
        m = _NET.match(t) or _DAYS.match(t)
        days = int(m.group(1)) if m else None
    if days is None:
        return f"terms {text.strip()!r} not understood (write e.g. \"Net 30\", \"30 days\" or \"Due on receipt\")"
    if days > MAX_DAYS:
        return f"terms {text.strip()!r}: more than {MAX_DAYS} days"
    return days
