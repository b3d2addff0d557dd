"""What happened after a message left: delivery statuses, replies, opt-outs and provider events.

Two inputs feed the state here:

* `sync_twilio` asks Twilio for the status of recent SMS/WhatsApp messages and for the
  replies customers sent to our numbers. STOP-words opt the customer out of that channel,
  START opts them back in, anything else is put in the human queue.
* `import_sendgrid_events` reads a SendGrid Event Webhook dump (a JSON array): delivered /
  open / click update the message, bounces, drops, spam reports and unsubscribes stop
  email to that address.

Both are idempotent: every reply and event is logged once in `events` under its provider id
(`events.external_id`), so running them again changes nothing. `now` is passed in: times
recorded and windows ("the last 7 days") come from the command's --now.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import jsondoc, ledger
from .state import State, iso


# Twilio statuses after which nothing changes any more. WhatsApp goes on from delivered to read.
TWILIO_FINAL = frozenset({"undelivered", "failed", "read", "canceled"})

# SendGrid events: the delivery status each sets, and its rank (a late `delivered` never
# overwrites an earlier-imported `opened`: webhook batches arrive out of order).
SENDGRID_STATUS = {
    "processed": ("processed", 0), "deferred": ("deferred", 1), "delivered": ("delivered", 2),
    "open": ("opened", 3), "click": ("clicked", 4),
    "bounce": ("bounced", 9), "dropped": ("dropped", 9), "spamreport": ("spamreport", 9),
}
SENDGRID_RANK = {status: rank for status, rank in SENDGRID_STATUS.values()}
# SendGrid events that mean: never email this address again (suppression reason).
SENDGRID_SUPPRESS = {"bounce": "bounced", "dropped": "dropped", "spamreport": "spamreport",
                     "unsubscribe": "unsubscribed", "group_unsubscribe": "unsubscribed"}


# ---------------------------------------------------------------------------- suppressions


def suppress(conn: sqlite3.Connection, *, channel: str, reason: str, now: datetime, customer_id: str | None = None,
             address: str | None = None) -> bool:
    """Stop using an address (or a customer) on a channel. False when already suppressed."""
    address = _normal_address(channel, address)
    existing = conn.execute(
        "SELECT 1 FROM suppressions WHERE channel = ? AND released_at IS NULL AND "
        "((? IS NOT NULL AND address = ?) OR (address IS NULL AND ? IS NOT NULL AND customer_id = ?))",
        (channel, address, address, customer_id, customer_id),
    ).fetchone()
    if existing:
        return False
    conn.execute("INSERT INTO suppressions(customer_id, channel, address, reason, created_at) VALUES (?, ?, ?, ?, ?)",
                 (customer_id, channel, address, reason, iso(now)))
    return True


def release(conn: sqlite3.Connection, *, channel: str, reasons: Iterable[str], now: datetime,
            customer_id: str | None = None, address: str | None = None) -> int:
    """Lift suppressions with one of `reasons` for that address or customer. Returns how many."""
    address = _normal_address(channel, address)
    reasons = list(reasons)
    marks = ",".join("?" * len(reasons))
    cur = conn.execute(
        f"UPDATE suppressions SET released_at = ? WHERE channel = ? AND released_at IS NULL AND reason IN ({marks}) "
        "AND ((? IS NOT NULL AND address = ?) OR (? IS NOT NULL AND customer_id = ?))",
        (iso(now), channel, *reasons, address, address, customer_id, customer_id),
    )
    return cur.rowcount


def _normal_address(channel: str, address: str | None) -> str | None:
    if not address:
        return None
    address = address.strip()
    if address.lower().startswith("whatsapp:"):
        address = address[len("whatsapp:"):]
    return address.lower() if channel == "email" else address


# ---------------------------------------------------------------------------- Twilio sync


@dataclass
class SyncReport:
    checked: int = 0  # messages whose status was fetched
    statuses: list[dict[str, Any]] = field(default_factory=list)  # changes: message_id, sid, status, was...
    replies: list[dict[str, Any]] = field(default_factory=list)  # new inbound: sid, from, action, customer_id
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"message": ...}
    fatal: bool = False  # Twilio refused the credentials: nothing more was asked
    resolved: list[dict[str, Any]] = field(default_factory=list)  # uncertain messages Twilio proved went out
    still_uncertain: int = 0  # uncertain messages Twilio does not list: a person decides (`resend`)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refused(exc: Exception) -> bool:
    return getattr(exc, "status", None) in (401, 403) or getattr(exc, "code", None) == 20003


def sync_twilio(state: State, channels: Mapping[str, Any], now: datetime, days: int = 7,
                replies: Mapping[str, Iterable[str]] | None = None) -> SyncReport:
    """Fetch statuses of Twilio messages sent in the last `days` days and read replies since then.

    `channels` maps channel name (sms, whatsapp) to a `TwilioMessaging` (anything with
    `fetch(sid)`, `inbound(since)`, `channel`).
    """
    import requests
    from twilio.base.exceptions import TwilioException

    report = SyncReport()
    since = now - timedelta(days=days)
    failures = (TwilioException, requests.exceptions.RequestException)
    try:
        _resolve_uncertain(state, channels, now, report)
    except failures as exc:
        if _refused(exc):
            return _credentials_refused(report, channels[next(iter(channels))])
        report.errors.append({"message": f"could not list sent messages at Twilio: {_short(exc)}"})
    rows = state.conn.execute(
        "SELECT id, channel, customer_id, provider_id, delivery_status, error_code FROM messages "
        "WHERE provider = 'twilio' AND status = 'sent' AND provider_id IS NOT NULL AND sent_at >= ? ORDER BY id",
        (iso(since),),
    ).fetchall()
    for row in rows:
        client = channels.get(row["channel"])
        if client is None or not _needs_check(row["channel"], row["delivery_status"]):
            continue
        try:
            current = client.fetch(row["provider_id"])
        except failures as exc:
            if _refused(exc):
                return _credentials_refused(report, client)
            report.errors.append({"message": f"could not fetch the status of {row['provider_id']}: {_short(exc)}",
                                  "message_id": row["id"]})
            continue
        report.checked += 1
        change = _record_status(state, row, current, now)
        if change:
            report.statuses.append(change)
    for name, client in channels.items():
        try:
            inbound = client.inbound(since)
        except failures as exc:
            if _refused(exc):
                return _credentials_refused(report, client)
            report.errors.append({"message": f"could not read {name} replies from Twilio: {_short(exc)}"})
            continue
        for reply in inbound:
            handled = _record_reply(state, name, reply, now, replies)
            if handled:
                report.replies.append(handled)
    return report


def _resolve_uncertain(state: State, channels: Mapping[str, Any], now: datetime, report: SyncReport) -> None:
    """An `uncertain` message (the run died, or the request timed out, after it may have left)
    that Twilio lists as sent to the same number, with the same text, on or after the day it was
    made, went out: it becomes `sent` with Twilio's sid. Each listed message proves one of ours
    (the oldest first), and never one whose sid the state already holds. The rest stay for a
    person (`collectbot resend`)."""
    rows = state.conn.execute(  # all of them, however old: Twilio keeps its messages for 400 days
        "SELECT id, channel, to_addr, body, created_at FROM messages WHERE provider = 'twilio' "
        "AND status = 'uncertain' ORDER BY id").fetchall()
    listed: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        client = channels.get(row["channel"])
        if client is None or not hasattr(client, "sent_to"):
            report.still_uncertain += 1
            continue
        key = (row["channel"], row["to_addr"])
        if key not in listed:
            made = datetime.fromisoformat(row["created_at"])
            listed[key] = client.sent_to(row["to_addr"], made - timedelta(days=1))
        known = {r[0] for r in state.conn.execute(
            "SELECT provider_id FROM messages WHERE provider = 'twilio' AND to_addr = ? AND provider_id IS NOT NULL",
            (row["to_addr"],))}
        match = next((m for m in listed[key] if m["sid"] not in known and m["body"].strip() == (row["body"] or "").strip()),
                     None)
        if match is None:
            report.still_uncertain += 1
            continue
        listed[key].remove(match)
        with state.transaction() as conn:
            if ledger.resolve_sent(conn, row["id"], match["sid"], now, f"twilio lists {match['sid']}"):
                conn.execute("UPDATE messages SET delivery_status = ? WHERE id = ?", (match["status"], row["id"]))
                report.resolved.append({"message_id": row["id"], "sid": match["sid"], "status": match["status"]})


def _credentials_refused(report: SyncReport, client: Any) -> SyncReport:
    sid_var, token_var = getattr(client, "credential_variables", ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"))
    report.errors.append({"message": f"Twilio rejected the account credentials: check {sid_var} and {token_var}"})
    report.fatal = True
    return report


def _needs_check(channel: str, status: str | None) -> bool:
    if status in TWILIO_FINAL:
        return False
    return not (status == "delivered" and channel != "whatsapp")


def record_status_of(state: State, sid: str | None, current: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """A status Twilio pushed for one of our messages (a status callback); None when unknown or unchanged."""
    if not sid:
        return None
    row = state.conn.execute("SELECT id, channel, customer_id, provider_id, delivery_status, error_code FROM messages "
                             "WHERE provider = 'twilio' AND provider_id = ?", (sid,)).fetchone()
    return _record_status(state, row, current, now) if row is not None else None


def _record_status(state: State, row: sqlite3.Row, current: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    from .channels.twilio_messaging import explain_delivery_error

    status = current.get("status")
    code = current.get("error_code")
    code_text = str(code) if code not in (None, "", 0) else None
    if status == row["delivery_status"] and (code_text is None or code_text == row["error_code"]):
        return None
    explanation = explain_delivery_error(code_text)
    change = {"message_id": row["id"], "customer_id": row["customer_id"], "channel": row["channel"],
              "sid": row["provider_id"], "status": status, "was": row["delivery_status"],
              "error_code": code_text, "explanation": explanation}
    with state.transaction() as conn:
        if code_text:
            conn.execute("UPDATE messages SET delivery_status = ?, error_code = ?, error = ?, updated_at = ? "
                         "WHERE id = ?", (status, code_text, explanation, iso(now), row["id"]))
        else:
            conn.execute("UPDATE messages SET delivery_status = ?, updated_at = ? WHERE id = ?",
                         (status, iso(now), row["id"]))
        state.log_event(now, "delivery", customer_id=row["customer_id"], message_id=row["id"],
                        data=json.dumps(change), external_id=f"twilio:{row['provider_id']}:{status}")
    return change


def keyword(text: str) -> str:
    """The reply as a keyword: trimmed, upper case, trailing punctuation dropped ("Stop." -> STOP)."""
    return re.sub(r"[\s.!]+$", "", (text or "").strip()).upper()


def classify(text: str, replies: Mapping[str, Iterable[str]] | None = None) -> str:
    """What a reply says: opt_out, opt_in (the whole message is the word), dispute, paid (a phrase
    in it), or reply. `replies` is collectbot.yaml's `replies:` (config.DEFAULT_REPLIES)."""
    from .config import DEFAULT_REPLIES

    words = {**DEFAULT_REPLIES, **(replies or {})}
    word = keyword(text)
    if word in {w.upper() for w in words["opt_out"]}:
        return "opt_out"
    if word in {w.upper() for w in words["opt_in"]}:
        return "opt_in"
    lowered = " ".join((text or "").lower().split())
    for kind in ("dispute", "paid"):
        if any(re.search(rf"(?<!\w){re.escape(p.lower())}(?!\w)", lowered) for p in words[kind]):
            return kind
    return "reply"


def record_reply(conn: sqlite3.Connection, *, channel: str, text: str, says: str, customer_id: str | None,
                 invoice_ids: list[str], sender: str | None, now: datetime, data: dict[str, Any]) -> int:
    """A reply that is not an opt-out: the customer is held (nothing more goes out while a person
    deals with it) and the queue gets a `reply` item — or a `dispute` item and a dispute hold when
    the reply contests the invoice. Closing the item releases the hold. Returns the item's id."""
    from . import items

    who = customer_id or f"unknown sender {sender}"
    hold_id = None
    if customer_id:
        kind = "dispute" if says == "dispute" else "reply"
        hold_id = conn.execute("INSERT INTO holds(invoice_id, customer_id, kind, until, note, created_at) "
                               "VALUES (NULL, ?, ?, NULL, ?, ?)",
                               (customer_id, kind, f"{channel} reply: {text[:200]}", iso(now))).lastrowid
    return items.open_item(conn, kind="dispute" if says == "dispute" else "reply", now=now, customer_id=customer_id,
                           invoice_ids=invoice_ids, note=f"{channel} reply from {who}: {text}",
                           data={**data, "says": says, "hold_id": hold_id})


def _record_reply(state: State, channel: str, reply: dict[str, Any], now: datetime,
                  replies: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any] | None:
    sender = _normal_address(channel, reply.get("from"))
    says = classify(reply.get("body", ""), replies)
    action = says if says in ("opt_out", "opt_in") else "queued"
    customer_id, invoice_ids = _who_sent(state.conn, channel, sender)
    date_sent = reply.get("date_sent")
    data = {"channel": channel, "from": sender, "body": reply.get("body", ""), "sid": reply["sid"],
            "date_sent": iso(date_sent) if isinstance(date_sent, datetime) else date_sent, "action": action}
    with state.transaction() as conn:
        if not state.log_event(now, f"reply_{action}", customer_id=customer_id, data=json.dumps(data),
                               external_id=reply["sid"], invoice_id=invoice_ids[0] if invoice_ids else None):
            return None  # seen in an earlier sync
        if action == "opt_out":
            suppress(conn, channel=channel, reason="opted_out", now=now, customer_id=customer_id, address=sender)
        elif action == "opt_in":
            release(conn, channel=channel, reasons=("opted_out",), now=now, customer_id=customer_id, address=sender)
        else:
            record_reply(conn, channel=channel, text=reply.get("body", ""), says=says, customer_id=customer_id,
                         invoice_ids=invoice_ids, sender=sender, now=now, data=data)
    return {**data, "customer_id": customer_id, "invoice_ids": invoice_ids, "says": says}


def _who_sent(conn: sqlite3.Connection, channel: str, address: str | None) -> tuple[str | None, list[str]]:
    """The customer behind an address: whom we last messaged there, else the customer/invoice files."""
    if not address:
        return None, []
    row = conn.execute("SELECT id, customer_id FROM messages WHERE to_addr IN (?, ?) ORDER BY id DESC LIMIT 1",
                       (address, f"whatsapp:{address}")).fetchone()
    if row:
        invoices = [r[0] for r in conn.execute(
            "SELECT DISTINCT invoice_id FROM touches WHERE message_id = ? ORDER BY invoice_id", (row["id"],))]
        return row["customer_id"], invoices
    columns = ("email",) if channel == "email" else ("whatsapp", "phone") if channel == "whatsapp" else ("phone", "whatsapp")
    for column in columns:
        found = conn.execute(f"SELECT customer_id FROM customers WHERE lower({column}) = lower(?) LIMIT 1",
                             (address,)).fetchone()
        if found:
            return found[0], _open_invoices(conn, found[0])
        found = conn.execute(f"SELECT customer_id FROM invoices WHERE lower({column}) = lower(?) LIMIT 1",
                             (address,)).fetchone()
        if found:
            return found[0], _open_invoices(conn, found[0])
    return None, []


def _open_invoices(conn: sqlite3.Connection, customer_id: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT invoice_id FROM invoices WHERE customer_id = ? AND state = 'open' ORDER BY invoice_id", (customer_id,))]


def _short(exc: Exception) -> str:
    msg = getattr(exc, "msg", None) or str(exc)
    return str(msg).splitlines()[0][:200]


# ---------------------------------------------------------------------------- SendGrid events


@dataclass
class EventsReport:
    imported: int = 0
    duplicates: int = 0
    unmatched: int = 0  # neither a message nor a customer could be found
    statuses: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)  # uncertain emails SendGrid reported on: sent

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_events_file(text: str) -> list[Any]:
    """A webhook dump: a JSON array of events (as SendGrid posts them), or one JSON object per line."""
    text = text.strip()
    if not text:
        return []
    try:
        data = jsondoc.loads(text)
    except ValueError:
        try:
            return [jsondoc.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise ValueError(f"not a JSON array of SendGrid events (nor JSON lines): {exc}") from None
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise ValueError("expected a JSON array of SendGrid events")
    return data


def import_sendgrid_events(state: State, events: list[Any], now: datetime) -> EventsReport:
    """Record each event once (dedupe on sg_event_id); update statuses and suppress dead addresses."""
    report = EventsReport()
    for index, event in enumerate(events):
        if not isinstance(event, dict) or not event.get("event") or not event.get("sg_event_id"):
            report.errors.append({"index": index, "message": "not a SendGrid event (needs `event` and `sg_event_id`)"})
            continue
        with state.transaction() as conn:
            outcome = _import_event(state, conn, event, now, report)
        if outcome == "duplicate":
            report.duplicates += 1
        else:
            report.imported += 1
    return report


def _find_message(conn: sqlite3.Connection, event: dict[str, Any]) -> sqlite3.Row | None:
    args = event.get("custom_args") if isinstance(event.get("custom_args"), dict) else {}
    ours = event.get("collectbot_message_id") or args.get("collectbot_message_id")
    if ours and str(ours).isdigit():
        row = conn.execute("SELECT * FROM messages WHERE id = ?", (int(ours),)).fetchone()
        if row:
            return row
    sg_id = str(event.get("sg_message_id") or "")
    if not sg_id:
        return None
    # sg_message_id is the X-Message-Id we recorded, followed by ".filter…" routing details.
    row = conn.execute("SELECT * FROM messages WHERE provider_id = ?", (sg_id.split(".")[0],)).fetchone()
    if row:
        return row
    return conn.execute(
        "SELECT * FROM messages WHERE provider = 'sendgrid' AND provider_id IS NOT NULL AND provider_id != '' "
        "AND substr(?, 1, length(provider_id)) = provider_id ORDER BY id DESC LIMIT 1", (sg_id,)).fetchone()


def _import_event(state: State, conn: sqlite3.Connection, event: dict[str, Any], now: datetime,
                  report: EventsReport) -> str:
    kind = str(event["event"])
    email = _normal_address("email", event.get("email"))
    message = _find_message(conn, event)
    customer_id = message["customer_id"] if message else _who_sent(conn, "email", email)[0]
    data = {k: event[k] for k in ("event", "email", "timestamp", "reason", "type", "status", "url", "sg_message_id",
                                  "asm_group_id") if k in event}
    if not state.log_event(now, f"email_{kind}", customer_id=customer_id,
                           message_id=message["id"] if message else None, data=json.dumps(data),
                           external_id=f"sendgrid:{event['sg_event_id']}"):
        return "duplicate"
    if message is None and customer_id is None:
        report.unmatched += 1
    if message is not None and message["status"] == "uncertain" and (kind in SENDGRID_STATUS or kind in SENDGRID_SUPPRESS):
        # SendGrid reports on it, so it took the message: it went out (custom_args name our id)
        sg_id = str(event.get("sg_message_id") or "").split(".")[0] or None
        if ledger.resolve_sent(conn, message["id"], sg_id, now, f"sendgrid event {kind}"):
            report.resolved.append({"message_id": message["id"], "event": kind})
    blocked = kind == "bounce" and event.get("type") == "blocked"  # a temporary refusal, not a dead address
    if message is not None and kind in SENDGRID_STATUS:
        status, rank = SENDGRID_STATUS["deferred" if blocked else kind]
        was = message["delivery_status"]
        if SENDGRID_RANK.get(was, -1) < rank:
            conn.execute("UPDATE messages SET delivery_status = ?, updated_at = ? WHERE id = ?",
                         (status, iso(now), message["id"]))
            report.statuses.append({"message_id": message["id"], "customer_id": customer_id, "status": status,
                                    "was": was, "email": email})
    reason = None if blocked else SENDGRID_SUPPRESS.get(kind)
    if reason and email:
        if suppress(conn, channel="email", reason=reason, now=now, customer_id=customer_id, address=email):
            report.suppressed.append({"email": email, "customer_id": customer_id, "reason": reason})
    if kind == "group_resubscribe" and email:
        release(conn, channel="email", reasons=("unsubscribed",), now=now, address=email)
    return "imported"
