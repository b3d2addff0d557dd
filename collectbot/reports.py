"""Human output for preview/run/history/queue/explain: rich tables and one-line summaries.

Functions here only format; they take plain values (an `Outcome`, dicts from the ledger) and
print to a rich Console, so the commands stay a few lines long.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

STATUS_STYLE = {"sent": "green", "planned": "cyan", "failed": "red", "uncertain": "yellow", "not_sent": "dim"}


def _when(value: Any, tz: Any = None) -> str:
    if isinstance(value, datetime):
        v = value.astimezone(tz) if tz else value
        return v.strftime("%Y-%m-%d %H:%M %Z").strip()
    return "" if value is None else str(value)


def messages_table(messages: list[Any], title: str, tz: Any = None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in ("customer", "channel", "to", "invoices", "playbook/steps", "scheduled", "status", "subject"):
        table.add_column(col, overflow="fold")
    for mo in messages:
        m = mo.planned
        style = STATUS_STYLE.get(mo.status, "")
        table.add_row(m.customer_id, m.channel, m.to, ", ".join(m.invoice_ids), f"{m.playbook}/{', '.join(m.steps)}",
                      _when(m.scheduled_at, tz), f"[{style}]{mo.status}[/]" if style else mo.status,
                      m.subject or (m.body[:40] + ("…" if len(m.body) > 40 else "")))
    return table


def tasks_table(tasks: list[dict[str, Any]], title: str = "Tasks for a person") -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("id", "customer", "invoices", "playbook/step", "assign", "note"):
        table.add_column(col, overflow="fold")
    for t in tasks:
        table.add_row(str(t.get("task_id", "")), str(t.get("customer_id") or ""), ", ".join(t["invoice_ids"]),
                      f"{t['playbook']}/{t['step']}", str(t.get("assign") or ""), str(t.get("note") or ""))
    return table


def print_outcome(console: Console, err: Console, outcome: Any, tz: Any = None) -> None:
    """The human report of preview / run / run --dry-run."""
    for w in outcome.warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)
    if outcome.uncertain:
        err.print(f"[bold yellow]{len(outcome.uncertain)} message(s) may or may not have gone out[/] (a previous run "
                  "stopped before the provider answered); they will not be sent again unless you ask:", highlight=False)
        for u in outcome.uncertain:
            err.print(f"  {u}  ->  collectbot resend {u.touch_id}", highlight=False, markup=False)
    if outcome.refused:
        err.print(f"[bold red]refused:[/] {outcome.refused}", highlight=False)
        _print_errors(err, outcome.errors)
        return
    queue = getattr(outcome, "queue", None) or {}
    if queue.get("promise_broken"):
        console.print(f"{len(queue['promise_broken'])} promise(s) to pay passed unpaid: chasing resumes, and the "
                      "queue has an item for each (`collectbot queue`).", highlight=False)
    if queue.get("settled"):
        console.print(f"{len(queue['settled'])} queue item(s) closed: their invoices are paid.", highlight=False)
    if outcome.timeline:
        from .pipeline import MessageOutcome, task_dict

        for day, messages, tasks in outcome.days():
            if messages:
                console.print(messages_table([MessageOutcome(m) for m in messages], f"{day}", tz))
            if tasks:
                console.print(tasks_table([task_dict(t) for t in tasks], f"{day}: tasks for a person"))
        console.print(f"preview --days: {len(outcome.messages)} message(s) and {len(outcome.tasks)} task(s) "
                      "over the period, assuming nobody pays", highlight=False)
    else:
        shown = [m for m in outcome.messages if m.status != "not_sent"]
        verb = {"preview": "would send", "dry-run": "would send", "run": "sent"}[outcome.mode]
        if shown:
            console.print(messages_table(shown, f"Messages ({outcome.mode})", tz))
        else:
            console.print(f"Nothing to send at {_when(outcome.now, tz)}.")
        if outcome.tasks:
            console.print(tasks_table(outcome.tasks))
        s = outcome.summary()
        done = s["sent"] if outcome.mode == "run" else s["planned"]
        failed = f", {s['failed']} failed" if s["failed"] else ""
        line = f"{outcome.mode}: {verb} {done} message(s){failed}, {s['tasks']} task(s), {s['skipped']} skipped"
        console.print(line, highlight=False)
    sync = outcome.sync or {}
    if sync.get("gone_ids"):
        console.print(f"No longer in the invoice exports, so no longer chased: {', '.join(sync['gone_ids'])}",
                      highlight=False)
    plan = outcome.plan
    if plan is not None and plan.skips:
        counts = Counter(s.reason for s in plan.skips)
        console.print("Skipped: " + ", ".join(f"{n} {reason}" for reason, n in counts.most_common()), highlight=False)
    if plan is not None and plan.capped:
        console.print(f"[yellow]{plan.capped} message(s) held back by the per-run cap; the next run sends them.[/]")
    if outcome.stopped_early:
        err.print(f"[bold red]stopped:[/] {outcome.stopped_early}; the remaining messages were not sent", highlight=False)
    _print_errors(err, outcome.errors)


def _print_errors(err: Console, errors: list[dict[str, Any]]) -> None:
    if not errors:
        return
    err.print(f"[bold red]{len(errors)} problem(s):[/]")
    for e in errors:
        where = e.get("file") or ""
        if e.get("sheet"):
            where += f", sheet {e['sheet']!r}"
        if e.get("row") is not None:
            where += f", row {e['row']}"
        if e.get("column"):
            where += f", column {e['column']!r}"
        err.print(f"  {where + ': ' if where else ''}{e.get('message')}", highlight=False, markup=False)


def history_table(entries: list[dict[str, Any]], title: str, tz: Any = None) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("when", "what", "invoice"):
        table.add_column(col, overflow="fold")
    table.add_column("detail", overflow="fold", min_width=30, ratio=1)
    for e in entries:
        table.add_row(_when(e["at"], tz), e["kind"], str(e.get("invoice_id") or ""), str(e.get("detail") or ""))
    return table


def money(amount: Any, currency: str, locale: str) -> str:
    from babel.numbers import format_currency

    try:
        return format_currency(amount, currency, locale=locale)
    except Exception:  # noqa: BLE001 - an odd currency code still prints
        return f"{amount} {currency}"
