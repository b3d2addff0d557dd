"""Business events and the sequences they start (SPEC 11, "Events").

An event is something that happened outside collectbot — a cart abandoned, a card declined —
recorded by `collectbot event NAME`, `event import FILE.jsonl` or `listen`'s POST /events into
the state's `events` table (kind `event`). A playbook with `trigger: {event: NAME}` starts one
sequence per such event: the planner sees each as an invoice of its own, `NAME@ID` (or
`INV-1@ID` when the event names an invoice), whose steps are anchored on the event's moment
(`at: event+15m`). So every rule of a reminder holds for it unchanged: each step at most once,
polite hours, caps, opt-outs.

A sequence stops when:
* the event names an invoice and that invoice stops (paid, settled, held, gone from the book):
  the sequence follows its balance and holds;
* an event named in the playbook's `trigger.until` is recorded for the same invoice (or, for a
  customer's event, the same customer) at or after it — `order_paid` ends `cart_abandoned`;
* it is older than SEQUENCE_DAYS.

A customer's event (no invoice) is chased for the amount in its data (`amount`, `currency`);
the customer comes from the customers source, or from the event's own `name`, `email`,
`phone` and `whatsapp` for a shopper the book does not know yet.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from . import jsondoc
from .config import EVENT_NAME_RE, Config, Playbook, by_event
from .errors import UsageError
from .currencies import is_iso
from .models import Customer, Invoice
from .sources.parse import Bad, parse_phone
from .state import State, iso, parse_iso
from .values import ValueProblem, read_amount

SEQUENCE_DAYS = 60  # an event's sequence ends this many days after the event
MAX_DATA = 16_384  # characters of JSON an event may carry
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # JSON's escape of half a UTF-16 pair


EARLIEST, LATEST = 1970, 2100  # the years an event's moment may fall in (9999-12-31 is a placeholder, not a moment)


def is_text(obj: Any) -> bool:
    """Every string in `obj` (keys too) can be written as UTF-8: no lone surrogate, which JSON's
    `\\ud83d` escape or an undecodable command-line argument can carry, and which would make every
    later message that shows it fail."""
    try:
        json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError, RecursionError):
        return False
    return True


def _plausible(at: datetime) -> bool:
    """`at` falls in EARLIEST..LATEST in UTC (a moment near year 1 or 9999 overflows when shifted)."""
    try:
        return EARLIEST <= at.astimezone(timezone.utc).year <= LATEST
    except OverflowError:
        return False


class EventError(UsageError):
    """An event that cannot be recorded, with the sentence that says why (exit 2 from a command)."""


@dataclass
class Event:
    name: str
    invoice_id: str | None = None
    customer_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None  # the sender's id: the same event sent twice is recorded once
    at: datetime | None = None  # when it happened (default: now)


def parse_event(obj: Any, *, default_name: str | None = None) -> Event:
    """`{"event": NAME, "invoice_id" | "customer_id": ID, "data": {...}, "id": ..., "at": ISO}`."""
    if not isinstance(obj, dict):
        raise EventError("an event is a JSON object like {\"event\": \"cart_abandoned\", \"customer_id\": \"C001\"}")
    name = obj.get("event", default_name)
    if name is None:
        raise EventError('an event needs its name: {"event": "cart_abandoned", ...}')
    if not isinstance(name, str) or not EVENT_NAME_RE.match(name):
        raise EventError(f"the event name {name!r} is not a name (letters, digits, _ . : -, starting with a letter)")
    ids = {}
    for key in ("invoice_id", "customer_id", "id"):
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise EventError(f"{key} must be text, got {type(value).__name__}")
        ids[key] = str(value).strip() if value is not None and str(value).strip() else None
        if ids[key] is not None and (len(ids[key]) > 200 or any(c < " " for c in ids[key])):
            raise EventError(f"{key} must be one line of text of at most 200 characters")
    if not ids["invoice_id"] and not ids["customer_id"]:
        raise EventError("an event needs an invoice_id or a customer_id (whose event it is)")
    data = {} if obj.get("data") is None else obj["data"]
    if not isinstance(data, dict):
        raise EventError("data must be a JSON object")
    if len(json.dumps(data, default=str)) > MAX_DATA:
        raise EventError(f"data is larger than {MAX_DATA} characters")
    if not is_text(obj):
        raise EventError("the event holds a broken character (half of a UTF-16 pair, or bytes that are not "
                         "UTF-8): send it as UTF-8 text")
    unknown = sorted(set(obj) - {"event", "invoice_id", "customer_id", "data", "id", "at"})
    if unknown:
        raise EventError(f"unknown key(s) {', '.join(unknown)} (known: event, invoice_id, customer_id, data, id, at)")
    at = None
    if obj.get("at") is not None:
        try:
            at = datetime.fromisoformat(str(obj["at"]).replace("Z", "+00:00"))
        except ValueError:
            raise EventError(f"at {obj['at']!r} is not a date and time like 2026-12-05T14:30:00+05:30") from None
        if at.tzinfo is None:
            raise EventError(f"at {obj['at']!r} has no time zone (add +05:30, Z or the like)")
        if not _plausible(at):
            raise EventError(f"at {obj['at']!r} is not between {EARLIEST} and {LATEST}")
    external = ids["id"]
    if external is None and at is not None:  # the same event sent again (a re-imported file) is recorded once
        body = json.dumps([name, ids["invoice_id"], ids["customer_id"], data, at.isoformat()], sort_keys=True,
                          default=str)
        external = "sha1:" + hashlib.sha1(body.encode()).hexdigest()
    return Event(name, ids["invoice_id"], ids["customer_id"], data, external, at)


def read_jsonl(text: str) -> tuple[list[tuple[int, Event]], list[tuple[int, str]]]:
    """Events of a JSON-lines file, by line number, and the lines that are not events (why)."""
    events, errors = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append((n, parse_event(jsondoc.loads(line))))
        except json.JSONDecodeError as exc:
            errors.append((n, f"not JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"))
        except ValueError as exc:  # nested too deeply, or a number of thousands of digits
            why = "it holds a number thousands of digits long" if "digits" in str(exc) else str(exc)
            errors.append((n, f"not an event: {why}"))
        except EventError as exc:
            errors.append((n, str(exc)))
    return events, errors


def record(state: State, event: Event, now: datetime, config: Config) -> int | None:
    """Record one event (its own transaction); None when its `id` was recorded before. An event
    that names an invoice of another customer than the one it names is refused (EventError)."""
    got = record_all(state, [event], now, config)[0]
    if isinstance(got, EventError):
        raise got
    return got


def record_all(state: State, events: list[Event], now: datetime, config: Config) -> list[int | None | EventError]:
    """Record events in one transaction (a file of thousands is one commit, not thousands): per
    event its id, None when recorded before, or the EventError that refused it. `config` says
    which events start sequences (see `same_day_id`) and the business day."""
    starts = set(by_event(config.playbooks))
    today = now.astimezone(config.tz).date()
    out: list[int | None | EventError] = []
    with state.transaction() as conn:
        for event in events:
            if event.invoice_id and event.customer_id:
                row = conn.execute("SELECT customer_id FROM invoices WHERE invoice_id = ?",
                                   (event.invoice_id,)).fetchone()
                if row is not None and row[0] != event.customer_id:
                    out.append(EventError(f"invoice {event.invoice_id} is {row[0]}'s, not {event.customer_id}'s: "
                                          "name the invoice alone (its customer is known) or the right customer"))
                    continue
            cur = conn.execute(
                "INSERT OR IGNORE INTO events (at, kind, invoice_id, customer_id, data, external_id) "
                "VALUES (?, 'event', ?, ?, ?, ?)",
                (iso(event.at or now), event.invoice_id, event.customer_id,
                 json.dumps({"event": event.name, "data": event.data}, default=str, sort_keys=True),
                 _external(event, starts, today)))
            out.append(cur.lastrowid if cur.rowcount else None)
    return out


def _external(event: Event, starts: set[str], today: date) -> str | None:
    """The key that records an event once: the sender's `id` (or the hash of an event with `at`);
    for an event that starts a sequence and has neither, its content on the business day
    (`same_day_id`). Other events without them (an `order_paid` that ends a sequence) are each
    recorded: a second payment the same day must end the second cart too."""
    if event.external_id:
        return f"event:{event.name}:{event.external_id}"
    return f"event:{event.name}:{same_day_id(event, today)}" if event.name in starts else None


def same_day_id(event: Event, day: date) -> str:
    """The id of an event sent without `id` or `at`: its name, subject and data on the business
    day. A webhook retried, or a command run twice, starts one sequence that day (never two
    messages for one cart); a second, distinct event of the same day needs an `id` or an `at`."""
    body = json.dumps([event.name, event.invoice_id, event.customer_id, event.data, day.isoformat()],
                      sort_keys=True, default=str)
    return "day:" + hashlib.sha1(body.encode()).hexdigest()


def event_id_of(sequence_id: str) -> int | None:
    """The event id in a sequence id (`cart_abandoned@4`, `ORD-1@4` -> 4), else None."""
    head, _, tail = sequence_id.rpartition("@")
    return int(tail) if head and tail.isdigit() else None


def event_of(state: State, sequence_id: str) -> str | None:
    """`cart_abandoned #4` for the sequence id `cart_abandoned@4` (or `ORD-1@4`), when that event is recorded."""
    eid = event_id_of(sequence_id)
    if eid is None:
        return None
    row = state.conn.execute("SELECT data FROM events WHERE id = ? AND kind = 'event'", (eid,)).fetchone()
    if row is None:
        return None
    try:
        name = json.loads(row[0] or "{}").get("event")
    except ValueError:
        return None
    return f"{name} #{eid}"


def notes(state: State, config: Config, event: Event, event_id: int | None, now: datetime) -> list[str]:
    """What recording `event` means, in words: the sequence it starts, or why none starts."""
    ends = {u for pb in config.playbooks for u in pb.until}
    out = []
    candidates = by_event(config.playbooks).get(event.name)
    if not candidates:
        if event.name not in ends:
            out.append(f"no playbook has `trigger: {{event: {event.name}}}`: recorded, but nothing will be sent for it")
        return out
    if event.invoice_id:
        if state.conn.execute("SELECT 1 FROM invoices WHERE invoice_id = ?", (event.invoice_id,)).fetchone() is None:
            return [f"invoice {event.invoice_id} is not one collectbot has seen in the invoice sources: its "
                    f"sequence ({_names(candidates)}) starts only while the invoice is open in the export"]
    else:
        why = asked(event.data, config.business.currency)[0]
        if isinstance(why, str):
            return [f"event {event.name} for {event.customer_id}: {why}, so it starts no sequence"]
    at = event.at or now
    enders = sorted({u for pb in candidates for u in pb.until})
    # only the subject's `until` events are read (a customer with thousands of carts: not each decoded)
    name_of = "(CASE WHEN json_valid(data) THEN json_extract(data, '$.event') END)"  # damaged rows: NULL
    rows = state.conn.execute(
        f"SELECT id, {name_of} FROM events WHERE kind = 'event' AND at >= ? AND "
        + ("invoice_id = ?" if event.invoice_id else "customer_id = ? AND invoice_id IS NULL")
        + f" AND {name_of} IN ({','.join('?' * len(enders))})",
        (iso(at), event.invoice_id or event.customer_id, *enders)) if enders else ()
    for eid, name in rows:
        ender = next((pb for pb in candidates if name in pb.until), None)
        if ender is not None:
            return [f"already ended: {name} #{eid} was recorded for it (trigger.until of {ender.name})"]
    if event.at is not None and event.at > now:
        out.append(f"it is dated {event.at.astimezone(config.tz):%Y-%m-%d %H:%M}, after now: its steps count from then")
    if event_id is not None:
        sid = f"{event.invoice_id or event.name}@{event_id}"
        out.append(f"starts {sid} ({_names(candidates)}); `collectbot explain {sid}` says when its first step goes")
    return out


def _names(candidates: list[Playbook]) -> str:
    """`playbook cart`, or `playbook cart-vip or cart, the first whose match holds`."""
    if len(candidates) == 1:
        return f"playbook {candidates[0].name}"
    return f"playbook {' or '.join(pb.name for pb in candidates)}, the first whose match holds"


@dataclass
class Sequences:
    """What `build_input` adds to the book: an invoice per live sequence, its balance, its hold."""

    invoices: list[Invoice] = field(default_factory=list)
    customers: dict[str, Customer] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)
    linked: dict[str, str] = field(default_factory=dict)  # sequence -> the invoice it follows
    warnings: list[str] = field(default_factory=list)


def sequences(state: State, config: Config, invoices: list[Invoice], balances: dict[str, Decimal],
              customers: dict[str, Customer], now: datetime) -> Sequences:
    """The live sequences of the `trigger:` playbooks (none: nothing is read)."""
    out = Sequences()
    triggers = by_event(config.playbooks)
    if not triggers:
        return out
    # a sequence ends on the `until` events of any playbook its event may start (the planner picks one)
    until = {name: {u for pb in pbs for u in pb.until} for name, pbs in triggers.items()}
    wanted = set(triggers) | {u for ends in until.values() for u in ends}
    since = iso(now - timedelta(days=SEQUENCE_DAYS))
    rows = []
    for r in state.conn.execute("SELECT id, at, invoice_id, customer_id, data FROM events "
                                "WHERE kind = 'event' AND at >= ? ORDER BY at, id", (since,)):
        try:
            body = json.loads(r["data"] or "{}")
        except ValueError:
            continue
        if not isinstance(body, dict) or body.get("event") not in wanted:
            continue
        # damaged, or recorded by an older version with a broken character: it starts nothing (such a
        # character can only come from a `\ud83d` escape in the stored text, so only that text is checked)
        raw = r["data"]
        if not isinstance(body.get("data") or {}, dict) or (
                (not isinstance(raw, str) or _SURROGATE_ESCAPE.search(raw)) and not is_text(body)):
            continue
        at = parse_iso(r["at"])  # damaged text: the state says so (StateError)
        if at is None or not _plausible(at):
            continue  # a moment no sequence can count from (an older version recorded it as given)
        rows.append((r["id"], at, r["invoice_id"], r["customer_id"], body["event"], body.get("data") or {}))
    by_id = {i.invoice_id: i for i in invoices}
    # the latest moment of each `until` event per subject (an invoice, or a customer's own events)
    latest: dict[tuple[str, str | None, str | None], datetime] = {}
    for _, at, invoice_id, customer_id, name, _ in rows:
        key = (name, invoice_id, None if invoice_id else customer_id)
        if at > latest.get(key, at - timedelta(seconds=1)):
            latest[key] = at
    for eid, at, invoice_id, customer_id, name, data in rows:
        if name not in triggers:
            continue
        subject = (invoice_id, None if invoice_id else customer_id)
        if any(latest.get((u, *subject), at - timedelta(seconds=1)) >= at for u in until[name]):
            continue  # ended by an `until` event at or after it
        view = {"id": eid, "name": name, "at": at, "data": data, "invoice_id": invoice_id, "customer_id": customer_id}
        extra = {**{k: v for k, v in data.items() if isinstance(k, str)}, "event": view}
        if invoice_id:
            linked = by_id.get(invoice_id)
            if linked is None:
                continue  # not an open invoice of the book (paid, gone, or never there): nothing to chase
            sid = f"{invoice_id}@{eid}"
            out.invoices.append(replace(linked, invoice_id=sid, trigger=name, event_at=at,
                                        extra={**linked.extra, **extra}))
            out.balances[sid] = balances.get(invoice_id, linked.balance)
            out.linked[sid] = invoice_id
            continue
        made = _customer_sequence(config, eid, at, name, customer_id or "", data, customers, extra)
        if isinstance(made, str):
            out.warnings.append(f"event {name} #{eid} ({customer_id}): {made}; no sequence starts for it")
            continue
        inv, cust = made
        out.invoices.append(inv)
        if cust is not None:
            out.customers[cust.customer_id] = cust
    return out


def asked(data: dict[str, Any], default_currency: str) -> tuple[Decimal, str] | tuple[str, None]:
    """What a customer's event asks for: (amount, currency), or (why not, None)."""
    if data.get("amount") is None:
        return "its data has no `amount` to ask for", None
    try:
        amount = read_amount(str(data["amount"]))
    except ValueProblem:
        return f"amount {data['amount']!r} is not a positive amount", None
    if amount <= 0 or not amount.is_finite():
        return f"amount {data['amount']!r} is not a positive amount", None
    currency = str(data.get("currency") or default_currency).strip().upper()
    if not is_iso(currency):
        return f"currency {data.get('currency')!r} is not an ISO 4217 code (e.g. INR, USD, EUR)", None
    return amount, currency


def _customer_sequence(config: Config, eid: int, at: datetime, name: str, customer_id: str, data: dict[str, Any],
                       customers: dict[str, Customer], extra: dict[str, Any]
                       ) -> tuple[Invoice, Customer | None] | str:
    """A customer's event as an invoice of its own: its amount, and its customer when the book has none."""
    amount, currency = asked(data, config.business.currency)
    if isinstance(amount, str):
        return amount
    known = customers.get(customer_id)
    cust = None
    if known is None:
        contact = {}
        for key in ("phone", "whatsapp"):
            got = parse_phone(str(data[key]), config.business.country) if data.get(key) else None
            contact[key] = None if isinstance(got, Bad) else got
        cust = Customer(customer_id, name=str(data.get("name") or customer_id), email=str(data.get("email") or "")
                        or None, phone=contact["phone"], whatsapp=contact["whatsapp"] or contact["phone"])
    who = known or cust
    day = at.astimezone(config.tz).date()
    inv = Invoice(f"{name}@{eid}", customer_id, day, amount, amount, currency, issue_date=day,
                  customer_name=who.name if who else None, email=who.email if who else None,
                  phone=who.phone if who else None, whatsapp=who.whatsapp if who else None,
                  extra=extra, source="events", trigger=name, event_at=at)
    return inv, cust
