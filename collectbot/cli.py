"""The typer app. Each command lives in `collectbot/commands/<name>.py` and registers itself
there with a `register(app)` function; this file only wires them together."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from . import __version__, commands
from .env import ConfigOpt, JsonOpt, NowOpt

# The order `collectbot --help` lists commands in; a command module not named here is listed after.
COMMAND_ORDER = ["init", "check", "preview", "run", "report", "reconcile", "match", "history", "explain", "queue",
                 "hold",
                 "resend", "send", "reply", "plan", "sync", "events", "listen", "schedule", "restore"]

app = typer.Typer(
    name="collectbot",
    help="Chase unpaid invoices: playbooks of reminders by email, WhatsApp and SMS, stopped the moment money arrives.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"collectbot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: ConfigOpt = None,
    now: NowOpt = None,
    json_out: JsonOpt = False,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Options given before the command apply to it (`collectbot -c demo preview`)."""
    ctx.obj = {"config": config, "now": now, "json": json_out}


def _command_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")]
    return sorted(names, key=lambda n: (COMMAND_ORDER.index(n) if n in COMMAND_ORDER else len(COMMAND_ORDER), n))


for _name in _command_modules():
    importlib.import_module(f"{commands.__name__}.{_name}").register(app)

# What `collectbot --help` lists beside each command: whole, never cut with "…" at 80 columns.
SHORT_HELP = {
    "init": "Write a runnable example workspace.",
    "check": "Validate config, playbooks, templates and sources.",
    "preview": "What `run` would send now, or over N days.",
    "run": "Send what is due, at most once; record it.",
    "reconcile": "Match payments and bank lines to invoices.",
    "match": "Link a recorded payment to invoices by hand.",
    "history": "Everything that happened to an invoice or customer.",
    "explain": "Why an invoice is chased, and what comes next.",
    "queue": "The items a person takes over, most urgent first.",
    "hold": "Pause, dispute or promise; list or release holds.",
    "resend": "Let the next run send an uncertain touch again.",
    "send": "Send one step of an invoice's playbook now.",
    "reply": "Record a reply received by email, phone or letter.",
    "sync": "Fetch Twilio delivery statuses and replies.",
    "listen": "Receive provider callbacks and events.",
    "schedule": "Run this workspace from cron, launchd or Windows.",
    "restore": "List copies of the state, or put one back.",
    "report": "Aging, DSO, collected, CEI, what each step achieves.",
    "plan": "Put an invoice on a plan of dated instalments.",
    "events": "Import SendGrid events.",
    "event": "Record a shop event that starts a `trigger:` playbook.",
}
for _info in app.registered_commands:
    _info.short_help = SHORT_HELP.get(_info.name or _info.callback.__name__, _info.short_help)
for _group in app.registered_groups:
    _group.short_help = SHORT_HELP.get(_group.name, _group.short_help)


def main() -> None:
    """The console script. A finished command leaves by `os._exit` once its output is flushed:
    every file and state transaction is closed by then (commands use `with` blocks, and the
    kernel drops the workspace lock), and tearing down a big book object by object before
    exiting cost a preview of 100k invoices about 0.2 s of CPU for nothing.

    Every problem collectbot knows of is a `CollectbotError`, said in words by `env.execute`.
    Anything else is a bug: it is said in one sentence too (exit 1), never as a traceback to a
    shop owner; `COLLECTBOT_DEBUG=1` shows the traceback instead (the tests set it)."""
    try:
        app()
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            raise  # a message for Python to print
        code = exc.code or 0
    except KeyboardInterrupt:
        sys.stderr.write("stopped (Ctrl-C). What was recorded before stays as it was.\n")
        code = 130
    except Exception as exc:  # noqa: BLE001 - the last line of "no input ends in a traceback"
        if os.environ.get("COLLECTBOT_DEBUG"):
            raise
        sys.stderr.write(f"error: collectbot stopped on a problem it did not expect ({type(exc).__name__}: "
                         f"{str(exc)[:200]}). What was recorded before stays as it was. Please report it, with "
                         "the command you ran; COLLECTBOT_DEBUG=1 shows the details.\n")
        code = 1
    else:
        code = 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, the disk is full, the stream is closed
            code = code or 1  # the output is incomplete: never report success
    os._exit(code)
