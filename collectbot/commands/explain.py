"""`collectbot explain INVOICE`: which playbook applies and why, each step's state, what is next."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..pipeline import readonly_input


def _print(env: Env, doc: dict[str, Any]) -> None:
    """Scalars as `key: value` lines, lists of dicts (the steps) as a table."""
    for key, value in doc.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            table = Table(title=key, title_justify="left")
            cols = list(dict.fromkeys(k for v in value for k in v))
            for col in cols:
                table.add_column(col, overflow="fold")
            for v in value:
                table.add_row(*("" if v.get(c) is None else _text(v.get(c)) for c in cols))
            env.console.print(table)
        elif value not in (None, [], {}):
            env.console.print(f"[bold]{key}:[/] {_text(value)}", highlight=False)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _not_found(cfg: Any, invoice: str) -> str:
    """Say why an invoice cannot be explained: gone from the export, or never seen."""
    from ..pipeline import open_readonly

    state = open_readonly(cfg)
    try:
        row = state.conn.execute("SELECT state, gone_at FROM invoices WHERE invoice_id = ?", (invoice,)).fetchone()
    finally:
        state.close()
    if row is not None and row["state"] == "gone":
        return (f"invoice {invoice!r} is gone from the invoice sources (since {row['gone_at']}): nothing more is "
                f"sent; `collectbot history {invoice}` shows what happened")
    return f"invoice {invoice!r} is not in the invoice sources"


def _payments(cfg: Any, invoice: str) -> list[dict[str, Any]]:
    """The money `reconcile`/`match` tied to this invoice, oldest first: applied ones count in the
    balance above (SPEC 2: min(source balance, amount − applied payments)); suggestions waiting for
    review are listed too, so the owner sees why a payment did not stop the chase yet (a rejected
    suggestion leaves no allocation, so it is not listed)."""
    from ..pipeline import open_readonly

    state = open_readonly(cfg)
    try:
        rows = state.conn.execute(
            "SELECT a.payment_id, a.amount AS allocated, a.confidence, a.method, a.applied, p.date, p.amount, "
            "p.currency, p.payer, p.description, p.file, p.row FROM allocations a "
            "JOIN payments p ON p.id = a.payment_id WHERE a.invoice_id = ? ORDER BY p.date, a.payment_id",
            (invoice,)).fetchall()
    finally:
        state.close()
    return [{"payment_id": r["payment_id"], "date": r["date"], "allocated": r["allocated"],
             "payment_amount": r["amount"], "currency": r["currency"], "payer": r["payer"],
             "description": r["description"], "file": r["file"], "row": r["row"],
             "how": f"{r['method'] or 'manual'} · {r['confidence']}",
             "state": "applied" if r["applied"] else "for review"}
            for r in rows]


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

                _print(env, json.loads(json.dumps(doc, default=str)))
            return ExitCode.OK

        execute(config, now, json_out, body, ctx)
