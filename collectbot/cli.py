"""The typer app. Each command lives in `collectbot/commands/<name>.py` and registers itself
there with a `register(app)` function; this file only wires them together."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from . import __version__, commands
from .env import ConfigOpt, JsonOpt, NowOpt

# The order `collectbot --help` lists commands in; a command module not named here is listed after.
COMMAND_ORDER = ["init", "check", "preview", "run", "reconcile", "match", "history", "explain", "queue", "hold",
                 "resend", "sync", "events"]

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


def main() -> None:
    app()
