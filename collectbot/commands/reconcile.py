"""`collectbot reconcile FILE…` — match incoming money to invoices and record it (SPEC 7).

Also the review desk for doubtful matches: `--review` lists them, `--accept ID` applies a
suggestion, `--reject ID` drops it (the payment then waits in the queue as unmatched).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from ..human import card, clip, say
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError


def register(app: typer.Typer) -> None:
    @app.command("reconcile")
    def reconcile(
        ctx: typer.Context,
        files: Annotated[list[str] | None, typer.Argument(metavar="[FILE]...", help="Payments CSV or bank statements (CSV, OFX/QFX, "
                                                          "MT940, CAMT.053/054).", show_default=False)] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the matches without recording them.")] = False,
        fmt: Annotated[str | None, typer.Option("--format", help="Statement format when detection is not enough: "
                                                "payments, bank_csv, ofx, qfx, mt940, camt053, camt054.",
                                                show_default=False)] = None,
        review: Annotated[bool, typer.Option("--review", help="List payments waiting for a decision.")] = False,
        accept: Annotated[list[str] | None, typer.Option("--accept", metavar="PAYMENT_ID",
                                                         help="Apply the suggested match of this payment.",
                                                         show_default=False)] = None,
        reject: Annotated[list[str] | None, typer.Option("--reject", metavar="PAYMENT_ID",
                                                         help="Drop the suggested match of this payment.",
                                                         show_default=False)] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Match payments and bank lines to open invoices and record the matches."""

        def body(env: Env) -> int:
            if accept or reject or review:
                if files:
                    raise UsageError("give statement files or --review/--accept/--reject, not both")
                return _decide(env, accept or [], reject or [])
            if not files:
                raise UsageError("give at least one payments or statement file (or --review)")
            if fmt is not None:
                from ..reconcile.readers import FORMATS

                if fmt not in FORMATS:
                    raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
            return _reconcile(env, files, dry_run, fmt)

        execute(config, now, json_out, body, ctx)


# ---------------------------------------------------------------------------- reconcile FILE…


def _reconcile(env: Env, files: list[str], dry_run: bool, fmt: str | None) -> int:
    from ..reconcile import reconcile_files

    config = env.config()
    now = env.now()
    with env.working("reading the statements and matching…"):  # on a terminal only
        report = reconcile_files(config, files, now, dry_run=dry_run, format=fmt)
    if env.json:
        from ..gcpause import gc_paused

        with gc_paused():  # a statement's document: hundreds of thousands of small dicts, all alive until written
            env.emit_json(report.as_dict())
        return report.exit_code
    _print_report(env, report)
    return report.exit_code


def _print_lines(env: Env, title: str, entries: list[dict[str, Any]], *, with_invoices: bool = True) -> None:
    """One card per statement line: date, amount, and where it went (or why it did not)."""
    env.print(f"[bold]{escape(title)}[/]")
    for e in entries:
        text = e["description"] or ""
        if e.get("payer") and e["payer"] not in text:
            text = f"{e['payer']} — {text}"
        number = f"#{e['payment_id']} " if e.get("payment_id") else ""
        cur = e.get("currency")
        head = f"{number}{e['date']} · {env.money(e['amount'], cur)}"
        body = [clip(text, 160)]
        if with_invoices:
            allocs = e.get("allocations") or {}
            went = ", ".join(f"{k} ({env.money(v, cur)})" for k, v in allocs.items()) or ", ".join(e["invoice_ids"])
            if e.get("credit"):
                went += f" + credit {env.money(e['credit'], cur)}"
            body.append(f"→ {went} · {e['method']} · {e['confidence']}")
            if e.get("reason") and not e.get("applied"):
                body.append(e["reason"])
        else:
            body.append(e.get("reason") or "")
        card(env.console, head, body, style="")


TABLE_ROWS = 100  # a terminal table longer than this helps nobody; --json has everything


def _print_report(env: Env, report) -> None:
    s = report.summary()
    for title, entries, with_invoices in (
            ("Matched (applied)" if not report.dry_run else "Matched (would be applied)", report.matches, True),
            ("For review (not applied)", report.review, True),
            ("Unmatched credits", report.unmatched, False)):
        if not entries:
            continue
        _print_lines(env, title, [e.as_dict() for e in entries[:TABLE_ROWS]], with_invoices=with_invoices)
        if len(entries) > TABLE_ROWS:
            env.print(f"… and {len(entries) - TABLE_ROWS} more (all of them: --json)")
    for err in report.errors:
        where = err.get("file") or ""
        if err.get("row") is not None:
            where += f", row {err['row']}"
        env.err_console.print(f"[red]error:[/] {escape(where)}: {escape(str(err['message']))}", highlight=False)
    verb = "would match" if report.dry_run else "matched"
    currencies = {e.verdict.line.currency or env.config().business.currency for e in report.matches}
    total = (f" ({env.money(s['matched_amount'], currencies.pop())})" if len(currencies) == 1
             else f" ({s['matched_amount']} in {len(currencies)} currencies)" if currencies else "")
    say(env.console, f"{s['lines']} line(s) in {s['files']} file(s): {verb} {s['matched']}{total}, "
        f"{s['review']} for review, {s['unmatched']} unmatched, {s['debits_ignored']} debit(s) ignored, "
        f"{s['already_imported']} already imported." + (" Dry run: nothing recorded." if report.dry_run else ""))
    if report.review and not report.dry_run:
        say(env.console, "Review them with `collectbot reconcile --review`, then --accept ID or --reject ID.")
    if report.settled:
        env.print(f"{len(report.settled)} queue item(s) closed: their invoices are paid.", highlight=False)


# ---------------------------------------------------------------------------- --review / --accept / --reject


def _decide(env: Env, accept: list[str], reject: list[str]) -> int:
    from ..pipeline import _closing
    from ..reconcile import record
    from ..state import State, WorkspaceLock

    config = env.config()
    now = env.now()
    done: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    if not accept and not reject:
        pending = []
        if config.state_path.exists():
            with _closing(State.open(config.state_path)) as state:
                pending = record.pending_reviews(state)
        if env.json:
            env.emit_json({"review": pending})
            return ExitCode.OK
        _print_pending(env, pending)
        return ExitCode.OK
    with WorkspaceLock(config.state_path), _closing(State.open(config.state_path)) as state:
        for action, refs in (("accept", accept), ("reject", reject)):
            for ref in refs:
                try:
                    outcome = record.accept(state, ref, now) if action == "accept" else record.reject(state, ref, now)
                    done.append({"action": action, **outcome})
                except record.RecordError as exc:
                    errors.append({"payment": ref, "message": str(exc)})
    if env.json:
        env.emit_json({"done": done, "errors": errors})
    else:
        for d in done:
            allocs = ", ".join(f"{k} {env.money(v)}" for k, v in (d.get("allocations") or {}).items())
            env.print(f"payment {d['payment_id']}: {d['action']}ed" + (f" → {allocs}" if allocs else "")
                      + (f" (credit {env.money(d['credit'])})" if d.get("credit") else ""), highlight=False, markup=False)
        for e in errors:
            env.err_console.print(f"[red]error:[/] {escape(e['message'])}", highlight=False)
    if errors:
        return ExitCode.BAD_INPUT if not done else ExitCode.PARTIAL
    return ExitCode.OK


def _print_pending(env: Env, pending: list[dict[str, Any]]) -> None:
    if not pending:
        env.print("No payment is waiting for review.")
        return
    env.print("[bold]Payments waiting for review[/]")
    for p in pending:
        sugg = ", ".join(f"{a['invoice_id']} ({a['amount']})" for a in p["allocations"]) or "—"
        how = ", ".join(sorted({f"{a['method']} · {a['confidence']}" for a in p["allocations"]})) or ""
        text = p["description"] or ""
        if p.get("payer") and p["payer"] not in text:
            text = f"{p['payer']} — {text}"
        card(env.console, f"#{p['id']} {p['date']} · {p['amount']} {p.get('currency') or ''}".rstrip(),
             [clip(text, 160), f"suggested: {sugg}" + (f" · {how}" if how else "")], style="")
    say(env.console, "Accept: collectbot reconcile --accept ID · Reject: collectbot reconcile --reject ID · "
                     "Link by hand: collectbot match ID INVOICE…")
