"""`collectbot reply INVOICE_OR_CUSTOMER TEXT [--channel C]`: a reply received elsewhere (an
email, a phone call, a word at the counter), recorded as a Twilio reply is by `sync` (SPEC 8).

It is read the same way (`replies:` in collectbot.yaml): STOP opts the customer out of that
channel; anything else holds the customer and opens a queue item — a `dispute` when it contests
the invoice, else a `reply` (with a suggestion when it says it was paid). Chasing resumes when the
item is closed (`collectbot queue done ID`).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .. import holds
from ..delivery import classify, record_reply, release, suppress
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode
from ..pipeline import load
from ..state import State, WorkspaceLock, iso

CHANNELS = ("email", "sms", "whatsapp", "phone", "letter", "in person")


def register(app: typer.Typer) -> None:
    @app.command()
    def reply(
        ctx: typer.Context,
        ident: Annotated[str, typer.Argument(metavar="INVOICE_OR_CUSTOMER", help="Who replied: an invoice id or a "
                                             "customer id.")],
        text: Annotated[str, typer.Argument(metavar="TEXT", help="What they said.")],
        channel: Annotated[str, typer.Option("--channel", help=f"How: {', '.join(CHANNELS)}.")] = "email",
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Record a reply received elsewhere: it stops the reminders until a person deals with it."""
        execute(config, now, json_out, lambda env: _reply(env, ident, text, channel), ctx)


def _reply(env: Env, ident: str, text: str, channel: str) -> int:
    from ..errors import UsageError

    if channel not in CHANNELS:
        raise UsageError(f"--channel {channel!r} is not one of {', '.join(CHANNELS)}")
    cfg = env.config()
    moment = env.now()
    loaded = load(cfg)
    with WorkspaceLock(cfg.state_path), State.open(cfg.state_path) as state:
        invoice_id, customer_id = holds.resolve(state, ident, {i.invoice_id for i in loaded.invoices},
                                                set(loaded.customers))
        if invoice_id:
            customer_id = next((i.customer_id for i in loaded.invoices if i.invoice_id == invoice_id), None) or \
                (state.conn.execute("SELECT customer_id FROM invoices WHERE invoice_id = ?", (invoice_id,))
                 .fetchone() or [None])[0]
            invoice_ids = [invoice_id]
        else:
            invoice_ids = sorted(i.invoice_id for i in loaded.invoices
                                 if i.customer_id == customer_id and not i.stopped_by_status)
        says = classify(text, cfg.replies)
        data = {"channel": channel, "body": text, "recorded_by": "collectbot reply"}
        item_id = None
        with state.transaction() as conn:
            conn.execute("INSERT INTO events(at, kind, invoice_id, customer_id, data) VALUES (?, ?, ?, ?, ?)",
                         (iso(moment), f"reply_{says}", invoice_ids[0] if invoice_ids else None, customer_id,
                          json.dumps(data)))
            if says == "opt_out" and channel in ("email", "sms", "whatsapp"):
                suppress(conn, channel=channel, reason="opted_out", now=moment, customer_id=customer_id)
            elif says == "opt_in" and channel in ("email", "sms", "whatsapp"):
                release(conn, channel=channel, reasons=("opted_out",), now=moment, customer_id=customer_id)
            else:
                item_id = record_reply(conn, channel=channel, text=text, says=says, customer_id=customer_id,
                                       invoice_ids=invoice_ids, sender=None, now=moment, data=data)
    doc = {"customer_id": customer_id, "invoice_ids": invoice_ids, "says": says, "item_id": item_id}
    if env.json:
        env.emit_json(doc)
    elif item_id is None:
        env.print(f"{customer_id}: {'opted out of' if says == 'opt_out' else 'opted back in to'} {channel}.",
                  highlight=False, markup=False)
    else:
        env.print(f"Recorded. Nothing more goes to {customer_id} until queue item {item_id} ({'dispute' if says == 'dispute' else 'reply'}) "
                  f"is done: collectbot queue done {item_id}", highlight=False, markup=False)
    return ExitCode.OK
