"""`collectbot check`: validate everything at once and report every problem with file and line.

Three layers, each reported even when another fails: the configuration and playbooks
(`config.read_config`), the expressions and templates they use (`render.compile_problems`),
and the invoice/customer sources (`sources.load_sources`). Exit 2 on any config, playbook or
template error (or a source file that cannot be read), 1 when only source rows are bad,
0 when clean. Warnings (a value that looks like a secret, an unset credential variable)
never change the exit code.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from babel.numbers import format_currency

from ..checking import CheckReport, run_check
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode
from ..human import card, when

MAX_ROWS_SHOWN = 50  # source problems printed; --json has them all


# ---------------------------------------------------------------------------- output


def _where(file: str, line: int | None, root: Path) -> str:
    try:
        shown = Path(file).resolve().relative_to(root).as_posix()
    except ValueError:
        shown = file
    return f"{shown}:{line}" if line else shown


def _money(amount: str, currency: str, locale: str) -> str:
    try:
        return format_currency(Decimal(amount), currency, locale=locale)
    except Exception:  # noqa: BLE001 - an odd currency code still prints
        return f"{amount} {currency}"


def print_report(env: Env, report: CheckReport) -> None:
    root = Path(report.summary.get("config", ".")).parent.resolve()
    if report.problems and not env.json:
        env.print("[bold]Configuration, playbooks and templates[/]")
        for p in sorted(report.problems, key=lambda p: (p.severity != "error", p.file, p.line or 0)):
            card(env.console, f"{p.severity} · {_where(p.file, p.line, root)}" + (f" · {p.key}" if p.key else ""),
                 [p.message], style="red" if p.severity == "error" else "yellow")
    if report.errors and not env.json:
        env.print("[bold]Sources[/]")
        for e in report.errors[:MAX_ROWS_SHOWN]:
            where = _where(e.file, None, root) + (f", sheet {e.sheet}" if e.sheet else "")
            where += (f", row {e.row}" if e.row is not None else "") + (f", column {e.column!r}" if e.column else "")
            card(env.console, where, [e.message], style="")
        if len(report.errors) > MAX_ROWS_SHOWN:
            env.print(f"... and {len(report.errors) - MAX_ROWS_SHOWN} more (use --json for all of them)")
    s = report.summary
    if not s.get("loaded"):
        env.print("[bold red]The configuration could not be read.[/]")
        return
    parts = []
    if "invoices" in s:
        owed = ", ".join(_money(amount, cur, s["locale"]) for cur, amount in s["outstanding"].items()) or "nothing"
        parts.append(f"{s['invoices']} invoices ({s['open_invoices']} open, {owed} outstanding), "
                     f"{s['customers']} customers")
    if "playbook_usage" in s:
        used = ", ".join(f"{name} {n}" for name, n in s["playbook_usage"].items())
        started = [f"{name} on {event}" for name, event in s.get("started_by_events", {}).items()]
        parts.append(f"{len(s['playbooks'])} playbooks ({s['steps']} steps; open invoices per playbook: {used}"
                     + (f"; started by events: {', '.join(started)}" if started else "") + ")")
    else:
        parts.append(f"{len(s['playbooks'])} playbooks ({s['steps']} steps)")
    parts.append(f"{s['templates']} templates")
    env.print("; ".join(parts) + ".", highlight=False)
    if s.get("state"):
        st = s["state"]
        tz = ZoneInfo(s.get("timezone") or "UTC")
        env.print(f"State: {Path(st['path']).name}, sound (SQLite's integrity check), "
                  + (f"latest run #{st['latest_run']} at {when(st['latest_run_at'], tz)}."
                     if st["latest_run"] else "no run yet."), highlight=False)
    if s.get("not_invoices"):
        kinds = ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in s["not_invoices"].items())
        env.print(f"Rows that are not invoices (not chased, not errors): {kinds}.", highlight=False)
    if s.get("credits"):
        applied = [c for c in s["credits"] if Decimal(c["applied"])]
        if applied:
            env.print("Customers' credits taken off their oldest open invoices in the same currency: " + "; ".join(
                f"{c['kind']}{' ' + c['reference'] if c['reference'] else ''} "
                f"{_money(c['applied'], c['currency'], s['locale'])} off {', '.join(c['invoice_ids'])}"
                for c in applied[:5]) + (f"; and {len(applied) - 5} more" if len(applied) > 5 else "") + ".",
                highlight=False)
        left = len(s["credits"]) - len(applied)
        if left:
            env.print(f"{left} credit(s) found no open invoice of that customer in that currency (see --json).",
                      highlight=False)
    code = report.exit_code
    counts = (f"{s['config_errors']} config/playbook/template errors, {s['file_errors']} unreadable sources, "
              f"{s['bad_rows']} bad rows, {s['warnings']} warnings")
    if code == ExitCode.OK:
        env.print(f"[green]OK[/] - {counts}.", highlight=False)
    elif code == ExitCode.PARTIAL:
        env.print(f"[yellow]Usable, but some rows are bad[/] (they will be skipped and reported) - {counts}.",
                  highlight=False)
    else:
        env.print(f"[red]Not usable until fixed[/] - {counts}.", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_command(
        ctx: typer.Context,
        strict: Annotated[bool, typer.Option("--strict", help="Treat any bad source row as an error (exit 2).")] = False,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Validate the config, playbooks, templates and sources; report every problem at once."""

        def body(env: Env) -> int:
            report = run_check(env.config_path, strict=strict, now=lambda cfg: env.now(cfg.tz))
            if env.json:
                env.emit_json(report.as_dict())
            else:
                print_report(env, report)
            return report.exit_code

        execute(config, now, json_out, body, ctx)
