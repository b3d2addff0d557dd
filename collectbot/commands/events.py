"""`collectbot events import FILE`: take in a SendGrid Event Webhook dump.

Point SendGrid's Event Webhook at anything that saves the posted JSON arrays (a small
serverless function, a request bin), then import the files. Each event is recorded once
(by `sg_event_id`), so importing the same file again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..delivery import import_sendgrid_events, read_events_file
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..state import State

events_app = typer.Typer(help="Provider events (SendGrid Event Webhook).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")


@events_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A JSON array of SendGrid webhook events (or JSON lines).")],
    config: ConfigOpt = None,
    now: NowOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import SendGrid events: delivered/open/click update messages; bounces, drops, spam reports and
    unsubscribes stop email to that address."""
    execute(config, now, json_out, lambda env: _import(env, file), ctx)


def _import(env: Env, file: Path) -> int:
    cfg = env.config()
    moment = env.now()
    try:
        events = read_events_file(file.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{file}: {exc}") from None
    with State.open(cfg.state_path) as state:
        report = import_sendgrid_events(state, events, moment)
    if env.json:
        env.emit_json(report.as_dict())
    else:
        env.print(f"{file}: {report.imported} event(s) imported, {report.duplicates} already known, "
                  f"{len(report.statuses)} status update(s), {len(report.suppressed)} address(es) suppressed"
                  + (f", {report.unmatched} not matched to any message or customer" if report.unmatched else ""))
        for s in report.suppressed:
            env.print(f"  no more email to {s['email']} ({s['reason']})")
        if report.resolved:
            env.print(f"  {len(report.resolved)} email(s) that may or may not have gone out did go out (SendGrid "
                      "reported on them): recorded as sent", highlight=False)
        for e in report.errors:
            env.warn(f"event #{e['index']}: {e['message']}")
    return ExitCode.PARTIAL if report.errors else ExitCode.OK
