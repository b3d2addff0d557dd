"""`collectbot explain INVOICE`: which playbook applies and why, each step's state, what is next."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..pipeline import readonly_input


def _print(env: Env, doc: dict[str, Any], name: str | None, currency: str, cfg: Any) -> None:
    """The explanation as a person reads it, at 80 columns (cards, words, local minutes)."""
    from ..human import card, say, when, who, words
    from ..reports import money

    tz, locale, console = cfg.tz, cfg.business.locale, env.console
    status = "settled" if doc["stopped"] == "settled" else doc["status"]  # paid by reconcile: not "open"
    card(console, f"{doc['invoice_id']} · {who(name, doc['customer_id'])} · "
                  f"{money(doc['balance'], currency, locale)} {status}",
         [f"as of {when(doc['now'], tz)} ({tz.key})"])
    if doc.get("stopped"):
        say(console, f"Stopped: {doc['stopped']}.")
    say(console, f"Playbook: {doc['why']}" if doc.get("playbook") else f"No playbook: {doc['why']}")
    for pb in doc.get("playbooks") or []:
        verdict = "yes" if pb["matched"] else (f"error: {pb['error']}" if pb.get("error") else "no")
        say(console, f"{pb['name']} (priority {pb['priority']}): {pb['match'] or 'every invoice'} → {verdict}",
            indent="    ")
    if doc.get("steps"):
        console.print("[bold]Steps[/]", highlight=False)
    for s in doc.get("steps") or []:
        facts = []
        if s.get("due_at"):
            facts.append(f"due {when(s['due_at'], tz)}")
        if s.get("sent_at") and s["state"] in ("sent", "task", "uncertain", "failed"):
            facts.append(f"recorded {when(s['sent_at'], tz)}")
        if s.get("until") and s["state"] == "waiting":
            facts.append(f"not before {when(s['until'], tz)}")
        if s.get("detail"):
            facts.append(s["detail"])
        card(console, f"{s['step']} · {s['channel']} · {s['at']}: {s['state'].replace('_', ' ')}", ["; ".join(facts)],
             style="", indent="    ")
    nxt = doc.get("next") or {}
    if nxt:
        at = f"{when(nxt['at'], tz)}: " if nxt.get("at") else ""
        say(console, f"Next: {at}{nxt['what']}")
    for p in doc.get("payments") or []:
        cur = p["currency"] or currency
        say(console, f"Payment #{p['payment_id']} of {p['date']}: {money(p['allocated'], cur, locale)} of "
                     f"{money(p['payment_amount'], cur, locale)} from {p['payer'] or 'an unknown payer'} "
                     f"({p['state']}, {p['how']})")
    for e in doc.get("errors") or []:
        say(console, f"Problem: {words(e.get('message') or e)}")


def _not_found(cfg: Any, invoice: str) -> str:
    """Say why an invoice cannot be explained: gone from the export, or never seen."""
    from ..history import gone_since
    from ..pipeline import open_readonly

    from .. import triggers
    from ..plans import active

    state = open_readonly(cfg)
    try:
        since = gone_since(state, invoice)
        plan = active(state).get(invoice)
        event = triggers.event_of(state, invoice)
    finally:
        state.close()
    if event is not None:
        return (f"{invoice} is the sequence of event {event} and is not running now: an `until` event ended it, "
                "the invoice it follows is settled or gone, it asks for no usable amount, its event is older than "
                f"{triggers.SEQUENCE_DAYS} days, or no `trigger:` playbook takes it; "
                f"`collectbot history {invoice}` shows what happened")
    if plan:
        ids = ", ".join(f"{invoice}#{i['number']}" for i in plan["instalments"])
        return f"{invoice} is on a payment plan: its instalments are chased one by one; explain one of them ({ids})"
    if since:
        return (f"invoice {invoice!r} is gone from the invoice sources (since {since}): nothing more is "
                f"sent; `collectbot history {invoice}` shows what happened")
    return f"invoice {invoice!r} is not in the invoice sources"


def _payments(cfg: Any, invoice: str) -> list[dict[str, Any]]:
    from ..history import invoice_payments
    from ..pipeline import open_readonly

    state = open_readonly(cfg)
    try:
        return invoice_payments(state, invoice)
    finally:
        state.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def explain(
        ctx: typer.Context,
        invoice: Annotated[str, typer.Argument(metavar="INVOICE", help="The invoice id.")],
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Which playbook applies and why, each step's state, and what happens next."""

        def body(env: Env) -> int:
            from .. import engine
            from ..render import Renderer

            cfg = env.config()
            inp, _ = readonly_input(cfg, env.now())
            try:
                doc = engine.explain(inp, Renderer(cfg), invoice).as_dict()
            except engine.UnknownInvoice:
                raise UsageError(_not_found(cfg, invoice)) from None
            doc["payments"] = _payments(cfg, invoice)
            if env.json:
                env.emit_json(doc)
            else:
                import json

                inv = next((i for i in inp.invoices if i.invoice_id == invoice), None)
                cust = inp.customers.get(doc["customer_id"])
                _print(env, json.loads(json.dumps(doc, default=str)), cust.name if cust else None,
                       inv.currency if inv else cfg.business.currency, cfg)
            return ExitCode.OK

        execute(config, now, json_out, body, ctx)
