"""`collectbot sync`: read back from Twilio what happened to recent SMS/WhatsApp messages.

Delivery statuses (delivered, undelivered with the reason, read) go into the state, and
replies to our numbers are handled: STOP-words opt the customer out of that channel, START
opts them back in, anything else lands in the human queue. The work is in `delivery.py`.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..channels.base import make_channel
from ..delivery import SyncReport, sync_twilio
from ..human import card, clip
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode
from ..state import State, WorkspaceLock


def register(app: typer.Typer) -> None:
    @app.command()
    def sync(
        ctx: typer.Context,
        days: Annotated[int, typer.Option("--days", min=1, help="Look at messages sent, and replies received, "
                                          "in the last N days.")] = 7,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Fetch delivery statuses and replies from Twilio; handle STOP/START and queue other replies."""
        execute(config, now, json_out, lambda env: _sync(env, days), ctx)


def _sync(env: Env, days: int) -> int:
    cfg = env.config()
    moment = env.now()
    clients = {name: make_channel(channel, cfg, os.environ) for name, channel in cfg.channels.items()
               if channel.provider == "twilio" and channel.enabled}  # MissingCredentials: exit 2, nothing fetched
    if not clients:
        if env.json:
            env.emit_json({**SyncReport().as_dict(), "note": "no Twilio channel configured"})
        else:
            env.print("No channel uses Twilio; nothing to sync.")
        return ExitCode.OK
    with WorkspaceLock(cfg.state_path), State.open(cfg.state_path) as state:  # one writer at a time, like `run`
        report = sync_twilio(state, clients, moment, days=days, replies=cfg.replies)
    if env.json:
        env.emit_json(report.as_dict())
    else:
        _print(env, report)
    if report.fatal:
        return ExitCode.BAD_INPUT
    return ExitCode.PARTIAL if report.errors else ExitCode.OK


def _print(env: Env, report: SyncReport) -> None:
    env.print(f"Checked {report.checked} message(s); {len(report.statuses)} status change(s), "
              f"{len(report.replies)} new repl(ies).")
    if report.resolved or report.still_uncertain:
        env.print(f"{len(report.resolved)} message(s) that may or may not have gone out did go out (Twilio lists "
                  f"them) and are recorded as sent; {report.still_uncertain} still wait for your decision "
                  "(`collectbot resend TOUCH`).", highlight=False)
    for s in report.statuses:
        card(env.console, f"message #{s['message_id']} · {s['channel']} to {s['customer_id'] or '?'}: "
                          f"{s['was'] or 'sent'} → {s['status']}", [s["explanation"] or ""], style="")
    done = {"opt_out": "opted out of this channel", "opt_in": "opted back in", "queued": "added to the queue"}
    for r in report.replies:
        card(env.console, f"reply by {r['channel']} from {r['customer_id'] or r['from'] or '?'}: {done[r['action']]}",
             [clip(r["body"], 200)], style="")
    for e in report.errors:
        env.warn(str(e["message"]))
