"""Holds: stop chasing an invoice or a whole customer for a while (SPEC 3, rule 1).

A hold is a row in the `holds` table: `pause` (until a date, or until released), `dispute`
(until released: the customer contests the invoice) or `promise` (a promise to pay by a date;
the chase resumes by itself if the date passes unpaid). The planner reads open holds through
`ledger.planner_facts`; this module only writes and lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .errors import CollectbotError
from .state import State, iso

KINDS = ("pause", "dispute", "promise", "reply")


class HoldError(CollectbotError):
    pass


@dataclass
class Hold:
    id: int
    kind: str
    invoice_id: str | None
    customer_id: str | None
    until: str | None
    note: str | None
    created_at: str
    released_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """A hold `--until 2026-12-05` covers that whole day in the business time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def resolve(state: State, ident: str, invoice_ids: set[str], customer_ids: set[str]) -> tuple[str | None, str | None]:
    """(invoice_id, customer_id) for an id that names an invoice or a customer; HoldError otherwise.

    `invoice_ids` / `customer_ids` are what the latest sources hold; the state file is asked too,
    so an invoice seen by an earlier run can be held even if the export is not at hand."""
    known_invoice = ident in invoice_ids or state.conn.execute(
        "SELECT 1 FROM invoices WHERE invoice_id = ?", (ident,)).fetchone() is not None
    known_customer = ident in customer_ids or state.conn.execute(  # a shopper known only from events too
        "SELECT 1 FROM customers WHERE customer_id = ? UNION SELECT 1 FROM events WHERE kind = 'event' AND "
        "customer_id = ?", (ident, ident)).fetchone() is not None
    if known_invoice and known_customer:
        raise HoldError(f"{ident!r} is both an invoice and a customer id; say which with --customer or --invoice")
    if known_invoice:
        return ident, None
    if known_customer:
        return None, ident
    if "@" in ident:  # an event's sequence (triggers.py) follows its invoice's and its customer's holds
        raise HoldError(f"{ident!r} is the sequence an event started: hold the invoice or the customer the event is "
                        "about instead (`collectbot history` names them)")
    raise HoldError(f"no invoice or customer {ident!r} in the sources or the state file")


def add(state: State, *, kind: str, now: datetime, invoice_id: str | None = None, customer_id: str | None = None,
        until: datetime | None = None, note: str | None = None) -> Hold:
    if kind not in KINDS:
        raise HoldError(f"unknown hold kind {kind!r} (one of {', '.join(KINDS)})")
    if kind == "promise" and until is None:
        raise HoldError("a promise to pay needs --until DATE (the day the customer promised to pay by)")
    if kind == "promise" and invoice_id is None:
        raise HoldError("a promise to pay is made for an invoice, not a whole customer")
    if until is not None and until <= now:
        raise HoldError(f"--until must be in the future (it is {until.date()}, now is {now.date()})")
    with state.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO holds(invoice_id, customer_id, kind, until, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (invoice_id, customer_id, kind, iso(until) if until else None, note, iso(now)),
        )
        conn.execute(
            "INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)",
            (iso(now), f"hold_{kind}", invoice_id, customer_id, note),
        )
        if kind == "dispute":  # a person has to sort it out: the queue says so
            open_dispute(conn, now, cur.lastrowid, invoice_id, customer_id, note)
    return get(state, cur.lastrowid)


def open_dispute(conn: Any, now: datetime, hold_id: int, invoice_id: str | None, customer_id: str | None,
                 note: str | None) -> int:
    """The `dispute` queue item of a dispute hold; closing it releases the hold."""
    from . import items

    if invoice_id:
        row = conn.execute("SELECT customer_id FROM invoices WHERE invoice_id = ?", (invoice_id,)).fetchone()
        customer_id, invoice_ids = (row[0] if row else customer_id), [invoice_id]
    else:
        invoice_ids = [r[0] for r in conn.execute(
            "SELECT invoice_id FROM invoices WHERE customer_id = ? AND state = 'open' ORDER BY invoice_id",
            (customer_id,))]
    what = invoice_id or f"customer {customer_id}"
    return items.open_item(conn, kind="dispute", now=now, customer_id=customer_id, invoice_ids=invoice_ids,
                           note=f"{what} is disputed" + (f": {note}" if note else ""), data={"hold_id": hold_id})


def release(state: State, hold_id: int, now: datetime) -> Hold:
    hold = get(state, hold_id)
    if hold.released_at:
        raise HoldError(f"hold {hold_id} was already released at {hold.released_at}")
    from . import items

    with state.transaction() as conn:
        conn.execute("UPDATE holds SET released_at = ? WHERE id = ?", (iso(now), hold_id))
        conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, 'hold_released', ?, ?, ?)",
                     (iso(now), hold.invoice_id, hold.customer_id, f"{hold.kind} hold {hold_id}"))
        items.close_for_hold(conn, hold_id, now)  # its dispute or reply item is done too
    return get(state, hold_id)


def get(state: State, hold_id: int) -> Hold:
    row = state.conn.execute("SELECT * FROM holds WHERE id = ?", (hold_id,)).fetchone()
    if row is None:
        raise HoldError(f"no hold {hold_id}")
    return Hold(**{k: row[k] for k in row.keys()})


def active(state: State, now: datetime) -> list[Hold]:
    """Holds in force at `now` (not released, not lapsed), oldest first."""
    rows = state.conn.execute(
        "SELECT * FROM holds WHERE released_at IS NULL AND (until IS NULL OR until > ?) ORDER BY id", (iso(now),))
    return [Hold(**{k: r[k] for k in r.keys()}) for r in rows]
