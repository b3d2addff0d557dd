"""`collectbot hold`: pause, dispute or promise-to-pay an invoice or a customer; list and release holds.

    collectbot hold                                   # the holds in force
    collectbot hold INV-1007 --dispute --note "says goods arrived damaged"
    collectbot hold INV-1007 --promise 2026-12-05     # promised to pay by then: no reminders until after
    collectbot hold C004 --pause --until 2026-12-31   # a whole customer (or without --until: until released)
    collectbot hold --release 3
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from .. import holds
from ..human import card, clip, when
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..sources import load_sources
from ..models import EARLIEST_DATE, LATEST_DATE
from ..state import State


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise UsageError(f"{option} {text!r} is before 1970 or after 2100: give the real day")
    return day


def register(app: typer.Typer) -> None:
    @app.command()
    def hold(
        ctx: typer.Context,
        ident: Annotated[str | None, typer.Argument(metavar="[INVOICE_OR_CUSTOMER]",
                                                    help="What to hold; without it, list the holds in force.")] = None,
        pause: Annotated[bool, typer.Option("--pause", help="Stop chasing until --until (or until released).")] = False,
        dispute: Annotated[bool, typer.Option("--dispute", help="The customer disputes it: stop until released.")] = False,
        promise: Annotated[str | None, typer.Option("--promise", metavar="DATE",
                                                    help="Promised to pay by DATE: no reminders through that day.")] = None,
        until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="With --pause: through that day.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="Why (shown in history).")] = None,
        release: Annotated[int | None, typer.Option("--release", metavar="ID", help="End hold ID now.")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Pause, dispute or promise-to-pay an invoice or a customer; list or release holds."""

        def body(env: Env) -> int:
            cfg = env.config()
            moment = env.now()
            kinds = [k for k, on in (("pause", pause), ("dispute", dispute), ("promise", promise is not None)) if on]
            if len(kinds) > 1:
                raise UsageError("give one of --pause, --dispute, --promise")
            if until is not None and kinds != ["pause"]:
                raise UsageError("--until goes with --pause (a promise carries its own date)")
            with State.open(cfg.state_path) as state:
                if release is not None:
                    done = holds.release(state, release, moment)
                    return _show(env, [done], f"Released hold {done.id}: the next run chases again.")
                if ident is None:
                    if kinds:
                        raise UsageError("say what to hold: an invoice id or a customer id")
                    return _show(env, holds.active(state, moment), None)
                if not kinds:
                    raise UsageError("say what kind of hold: --pause, --dispute or --promise DATE")
                loaded = load_sources(cfg)
                invoice_id, customer_id = holds.resolve(
                    state, ident, {i.invoice_id for i in loaded.invoices}, set(loaded.customers))
                day = _day(promise, "--promise") or _day(until, "--until")
                today = moment.astimezone(cfg.tz).date()
                if day is not None and day < today:
                    raise UsageError(f"{'--promise' if promise is not None else '--until'} {day} is in the past "
                                     f"(today is {today}): give today or a later day")
                added = holds.add(state, kind=kinds[0], now=moment, invoice_id=invoice_id,
                                  customer_id=customer_id, note=note,
                                  until=holds.end_of_day(day, cfg.tz) if day else None)
            return _show(env, [added], f"Hold {added.id} ({added.kind}) on {ident}: nothing is sent for it "
                                      f"{'through ' + str(day) if day else 'until you release it'}.")

        execute(config, now, json_out, body, ctx)


def _show(env: Env, rows: list[holds.Hold], message: str | None) -> int:
    if env.json:
        env.emit_json({"holds": [h.as_dict() for h in rows]})
        return ExitCode.OK
    if message:
        env.print(message)
        return ExitCode.OK
    if not rows:
        env.print("No holds in force.")
        return ExitCode.OK
    tz = env.config().tz
    for h in rows:
        end = f"until {when(h.until, tz)}" if h.until else "until released"
        card(env.console, f"#{h.id} {h.kind} · {h.invoice_id or 'customer ' + (h.customer_id or '?')} · {end}",
             [clip(h.note, 200)], style="")
    return ExitCode.OK
