"""`collectbot match PAYMENT INVOICE…` — link a recorded payment to invoices by hand.

For the lines the matcher could not place (or placed wrongly): the payment's earlier
allocations are replaced by manual, applied ones, spread over the invoices in the order given
(each up to its balance; `INV-7=250.00` fixes an amount). What is left is the customer's credit.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError


def register(app: typer.Typer) -> None:
    @app.command("match")
    def match(
        ctx: typer.Context,
        payment: Annotated[str, typer.Argument(metavar="PAYMENT", help="The payment: its id (from `reconcile --review` or `queue`) "
                                               "or a prefix of its line key (bank transaction id).")],
        invoices: Annotated[list[str], typer.Argument(metavar="INVOICE", help="Invoice ids, optionally INVOICE=AMOUNT.")],
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Link a recorded payment line to invoices by hand (applied at once)."""

        def body(env: Env) -> int:
            return _match(env, payment, invoices)

        execute(config, now, json_out, body, ctx)


def parse_targets(items: list[str]) -> tuple[list[str], dict[str, Decimal]]:
    """`["A-1", "A-2=150.00"]` -> (["A-1", "A-2"], {"A-2": Decimal("150.00")})."""
    ids: list[str] = []
    amounts: dict[str, Decimal] = {}
    for item in items:
        invoice_id, sep, amount = item.partition("=")
        invoice_id = invoice_id.strip()
        if not invoice_id:
            raise UsageError(f"{item!r}: expected INVOICE or INVOICE=AMOUNT")
        if sep:
            try:
                value = Decimal(amount.strip().replace(",", ""))
            except InvalidOperation:
                raise UsageError(f"{item!r}: {amount!r} is not an amount") from None
            if value <= 0:
                raise UsageError(f"{item!r}: the amount must be positive")
            amounts[invoice_id] = value
        if invoice_id in ids:
            raise UsageError(f"invoice {invoice_id} is given twice")
        ids.append(invoice_id)
    return ids, amounts


def _match(env: Env, payment: str, items: list[str]) -> int:
    from ..pipeline import _closing
    from ..reconcile import record
    from ..state import State, WorkspaceLock

    ids, amounts = parse_targets(items)
    config = env.config()
    now = env.now()
    if not config.state_path.exists():
        raise UsageError("no payments recorded yet: run `collectbot reconcile FILE` first")
    with WorkspaceLock(config.state_path), _closing(State.open(config.state_path)) as state:
        outcome = record.link(state, payment, ids, now, amounts)
    if env.json:
        env.emit_json(outcome)
    else:
        from ..human import say

        allocs = ", ".join(f"{k} {env.money(v)}" for k, v in outcome["allocations"].items())
        say(env.console, f"payment {outcome['payment_id']} linked → {allocs}"
            + (f"; {env.money(outcome['credit'])} kept as the customer's credit" if outcome.get("credit") else ""))
        for invoice_id, wanted in (outcome.get("asked") or {}).items():
            say(env.console, f"note: {env.money(wanted)} was asked for {invoice_id}, but only "
                f"{env.money(outcome['allocations'].get(invoice_id, 0))} could be linked (what the payment and the "
                "invoice's balance allow)")
    return ExitCode.OK
