"""The command environment: the one place that touches the terminal, the clock and the config path.

Every command builds an `Env` through `execute()`, which also turns the library's errors
into exit codes and clear messages (like httpie's Environment and sqlite-utils' CLI).
Below the CLI nothing reads the clock: code receives `env.now(...)` as a value.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Annotated, Any, TextIO
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from . import jsondoc
from .config import Config, find_config, load_config
from .errors import CollectbotError, ExitCode, UsageError
from .masking import mask
from .models import EARLIEST_DATE, LATEST_DATE


# Options every command takes. Use them as parameter annotations in command functions.
ConfigOpt = Annotated[str | None, typer.Option("--config", "-c", help="Path to collectbot.yaml (or its folder).",
                                               show_default=False)]
NowOpt = Annotated[str | None, typer.Option("--now", help="Act as if it were this moment (ISO 8601; "
                                            "without an offset, in the business time zone).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]


def parse_now(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 -> aware datetime. No offset: business time zone. A bare date means noon that day."""
    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            dt = datetime.combine(date.fromisoformat(raw), time(12, 0), tzinfo=tz)
        else:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:  # also 2026-02-30 and 2026-13-01: the shape of a date, but no such day
        raise UsageError(f"--now {text!r} is not a real date or date-time (e.g. 2026-11-23T10:00)") from None
    if not EARLIEST_DATE.year <= dt.year <= LATEST_DATE.year:
        raise UsageError(f"--now {text!r} is before 1970 or after 2100")
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)


@dataclass
class Env:
    config_option: str | None = None
    now_option: str | None = None
    json: bool = False
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    console: Console = field(default_factory=Console)  # human output
    err_console: Console = field(default_factory=lambda: Console(stderr=True))  # progress, warnings
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    _config: Config | None = None

    @property
    def config_path(self):
        return find_config(self.config_option)

    def config(self) -> Config:
        """Load (once) and validate collectbot.yaml and its playbooks; raises ConfigError."""
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def now(self, tz: ZoneInfo | None = None) -> datetime:
        """The moment the command acts at: --now, else the real clock. Aware."""
        if tz is None:
            tz = self.config().tz if (self._config or self.config_path.exists()) else ZoneInfo("UTC")
        if self.now_option:
            return parse_now(self.now_option, tz)
        return self.clock().astimezone(tz)

    def emit_json(self, document: Any) -> None:
        # Compact: Python's fast C encoder is used only without `indent`, and a big run's document
        # (hundreds of thousands of skips) would otherwise cost seconds. Pipe through `jq` to read it.
        jsondoc.write(document, self.stdout)
        self.stdout.write("\n")
        self.stdout.flush()

    def money(self, amount: Any, currency: str | None = None) -> str:
        """`₹30,000.00`: an amount as the owner reads it, in `currency` (default: the business's)
        and the business locale."""
        from .reports import money

        business = self.config().business
        return money(amount, currency or business.currency, business.locale)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Human output; silent under --json (stdout then carries only the JSON document)."""
        if not self.json:
            self.console.print(*objects, **kwargs)

    def working(self, what: str) -> Any:
        """A spinner with `what` on stderr while long work runs: on a terminal only, never with --json
        (a cron log gets no spinner)."""
        from contextlib import nullcontext

        if self.json or not self.err_console.is_terminal:
            return nullcontext()
        return self.err_console.status(what, spinner="dots")

    def warn(self, message: str) -> None:
        """`warning: …` on stderr, wrapped at spaces under a two-space indent (80 columns in a cron log)."""
        from .human import warning

        warning(self.err_console, mask(message))


def _report(env: Env, exc: CollectbotError) -> None:
    if env.json:
        env.emit_json({"errors": exc.details()})
        return
    style = "bold yellow" if exc.exit_code == ExitCode.LOCKED else "bold red"
    if exc.title:
        env.err_console.print(f"[{style}]{exc.title}[/]", highlight=False)
        for line in exc.lines():
            env.err_console.print(f"  {line}", highlight=False, markup=False)
        return
    for line in exc.lines():
        if exc.exit_code == ExitCode.LOCKED:  # not an error: the other run is doing the work
            env.err_console.print(line, style=style, highlight=False, markup=False)
        else:
            # one print, so the wrap at the console's width counts the "error: " before the sentence
            env.err_console.print(f"[{style}]error:[/] " + escape(line), highlight=False)


def execute(config: str | None, now: str | None, json_out: bool, body: Callable[[Env], int | None],
            ctx: typer.Context | None = None) -> None:
    """Run one command body with a fresh Env, mapping errors to exit codes. Never returns normally."""
    parent = (ctx.find_root().obj if ctx is not None else None) or {}
    env = Env(
        config_option=config or parent.get("config"),
        now_option=now or parent.get("now"),
        json=json_out or bool(parent.get("json")),
    )
    try:
        code = body(env)
    except CollectbotError as exc:
        _report(env, exc)
        code = exc.exit_code
    except OSError as exc:  # a folder that cannot be written, a full disk, a lock file that is a folder
        where = f" {exc.filename}" if exc.filename else ""
        _report(env, UsageError(f"could not read or write{where}: {exc.strerror or exc}. collectbot writes its state, "
                                "lock, copies and outbox in the workspace folder: check that folder's permissions and "
                                "the free space. What was recorded before stays as it was"))
        code = ExitCode.BAD_INPUT
    except sqlite3.DatabaseError as exc:  # damage found after opening, a full disk, a read-only file
        _report(env, UsageError(f"the state file could not be read or written ({exc}). What was recorded before "
                                "stays as it was; check the disk and the file's permissions, or put it back from a "
                                "backup (`collectbot restore`)"))
        code = ExitCode.BAD_INPUT
    raise typer.Exit(int(code or 0))
