"""`collectbot plan INVOICE --split 50,25,25 --every 30d [--start DATE]` (or `--dates …
[--amounts …]`), `plan --list`, `plan INVOICE --cancel`: payment plans (library: `plans.py`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from .. import plans
from ..config import parse_duration
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..human import card, say
from ..pipeline import load
from ..reports import money
from ..state import State, WorkspaceLock
from ..sync import effective_balances


def register(app: typer.Typer) -> None:
    @app.command()
    def plan(
        ctx: typer.Context,
        invoice: Annotated[str | None, typer.Argument(metavar="[INVOICE]", help="The invoice to put on a plan.")] = None,
        split: Annotated[str | None, typer.Option("--split", help="Shares of the balance, e.g. 50,25,25.")] = None,
        every: Annotated[str | None, typer.Option("--every", help="Time between instalments, e.g. 30d.")] = None,
        start: Annotated[str | None, typer.Option("--start", help="The first instalment's date (default today).")
                         ] = None,
        dates: Annotated[str | None, typer.Option("--dates", help="Instalment dates, e.g. 2026-12-01,2027-01-01.")
                         ] = None,
        amounts: Annotated[str | None, typer.Option("--amounts", help="Their amounts (else equal parts).")] = None,
        list_: Annotated[bool, typer.Option("--list", help="The plans in force.")] = False,
        cancel: Annotated[bool, typer.Option("--cancel", help="End the invoice's plan.")] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Put an invoice on a payment plan of dated instalments; list or cancel plans."""
        execute(config, now, json_out, lambda env: _plan(env, invoice, split, every, start, dates, amounts, list_,
                                                          cancel), ctx)


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def _plan(env: Env, invoice: str | None, split: str | None, every: str | None, start: str | None,
          dates: str | None, amounts: str | None, list_: bool, cancel: bool) -> int:
    cfg = env.config()
    moment = env.now()
    loaded = load(cfg)
    with WorkspaceLock(cfg.state_path), State.open(cfg.state_path) as state:
        if list_ or invoice is None:
            active = plans.active(state)
            if env.json:
                env.emit_json({"plans": active})
                return ExitCode.OK
            if not active:
                say(env.console, "No invoice is on a payment plan.")
            for inv_id, p in active.items():
                card(env.console, f"{inv_id}: {len(p['instalments'])} instalments" + (" · broken" if p["broken_at"]
                                                                                      else ""),
                     [", ".join(f"#{i['number']} {env.money(Decimal(i['amount']))} on {i['due_date']}"
                                for i in p["instalments"])])
            return ExitCode.OK
        if cancel:
            plans.cancel(state, invoice, moment)
            env.emit_json({"cancelled": invoice}) if env.json else say(env.console, f"{invoice}: plan cancelled.")
            return ExitCode.OK
        inv = next((i for i in loaded.invoices if i.invoice_id == invoice), None)
        if inv is None:
            raise UsageError(f"invoice {invoice!r} is not in the invoice sources")
        balance = effective_balances(state, [inv])[invoice]
        try:
            shares = [Decimal(s) for s in split.split(",")] if split else None
            sums = [Decimal(a) for a in amounts.split(",")] if amounts else None
        except InvalidOperation:
            raise UsageError("--split and --amounts take numbers separated by commas") from None
        step = parse_duration(every) if every else None
        if every and step is None:
            raise UsageError(f"--every {every!r} is not a duration like 30d")
        if step is not None and step < timedelta(days=1):
            raise UsageError(f"--every {every!r}: instalments are at least a day apart (e.g. 7d or 30d)")
        instalments = plans.make(balance, split=shares, every=step,
                                 start=_day(start, "--start") if start else moment.astimezone(cfg.tz).date(),
                                 dates=[_day(d, "--dates") for d in dates.split(",")] if dates else None,
                                 amounts=sums)
        plans.add(state, invoice, instalments, moment)
    if env.json:
        env.emit_json({"invoice_id": invoice, "instalments": instalments})
        return ExitCode.OK
    card(env.console, f"{invoice} is on a plan of {len(instalments)} instalments",
         [f"#{i['number']}: {money(Decimal(i['amount']), inv.currency, cfg.business.locale)} on {i['due_date']}"
          for i in instalments])
    return ExitCode.OK
