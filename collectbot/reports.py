"""Human output for preview/run/history/queue/explain: rich tables and one-line summaries.

Functions here only format; they take plain values (an `Outcome`, dicts from the ledger) and
print to a rich Console, so the commands stay a few lines long.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape

from .human import card, clip, say, warning, when, who, words

STATUS_STYLE = {"sent": "green", "planned": "cyan", "failed": "red", "uncertain": "yellow", "not_sent": "dim"}


def print_messages(console: Console, messages: list[Any], names: dict[str, str], tz: Any = None) -> None:
    """One card per message: channel, customer, when and status; address, invoices and steps;
    the subject (or the start of the text)."""
    for mo in messages:
        m = mo.planned
        status = {"planned": "planned", "not_sent": "not sent"}.get(mo.status, mo.status)
        card(console, f"{m.channel} to {who(names.get(m.customer_id), m.customer_id)} · {when(m.scheduled_at, tz)} · "
                      f"{status}",
             [f"{m.to} · {', '.join(m.invoice_ids)} · {m.playbook}/{', '.join(m.steps)}"
              + (f" · variant {m.variant}" if getattr(m, "variant", None) else ""),
              clip(m.subject or m.body, 150), mo.error and f"{mo.error}"],
             style=f"bold {STATUS_STYLE.get(mo.status, '')}".strip())


def print_tasks(console: Console, tasks: list[dict[str, Any]], names: dict[str, str]) -> None:
    for t in tasks:
        number = f"#{t['task_id']} " if t.get("task_id") else ""
        card(console, f"{number}task for {t.get('assign') or 'a person'}: "
                      f"{who(names.get(t.get('customer_id') or ''), t.get('customer_id'))}",
             [f"{', '.join(t['invoice_ids'])} · {t['playbook']}/{t['step']}", clip(t.get("note"), 200)])


def print_outcome(console: Console, err: Console, outcome: Any, tz: Any = None) -> None:
    """The human report of preview / run / run --dry-run."""
    for w in outcome.warnings:
        warning(err, str(w))
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
            if not messages and not tasks:
                continue  # a simulated run that only recorded skips: nothing to show on that day
            console.print(f"[bold underline]{day}[/]", highlight=False)
            print_messages(console, [MessageOutcome(m) for m in messages], outcome.names, tz)
            print_tasks(console, [task_dict(t) for t in tasks], outcome.names)
        say(console, f"preview --days: {len(outcome.messages)} message(s) and {len(outcome.tasks)} task(s) "
            "over the period, assuming nobody pays")
    else:
        shown = [m for m in outcome.messages if m.status != "not_sent"]
        verb = {"preview": "would send", "dry-run": "would send", "run": "sent"}[outcome.mode]
        if shown:
            print_messages(console, shown, outcome.names, tz)
        else:
            console.print(f"Nothing to send at {when(outcome.now, tz)}.")
        print_tasks(console, outcome.tasks, outcome.names)
        s = outcome.summary()
        done = s["sent"] if outcome.mode == "run" else s["planned"]
        failed = f", {s['failed']} failed" if s["failed"] else ""
        line = f"{outcome.mode}: {verb} {done} message(s){failed}, {s['tasks']} task(s), {s['skipped']} skipped"
        console.print(line, highlight=False)
    sync = outcome.sync or {}
    if sync.get("gone_ids"):
        say(console, f"No longer in the invoice exports, so no longer chased: {', '.join(sync['gone_ids'])}")
    plan = outcome.plan
    if plan is not None and plan.skips:
        counts = Counter(s.reason for s in plan.skips)
        say(console, "Skipped: " + ", ".join(f"{n} {reason}" for reason, n in counts.most_common()))
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
        if not where and e.get("invoice_id"):  # a planning problem: the invoice and the step it happened at
            step = "/".join(x for x in (e.get("playbook"), e.get("step")) if x)
            where = e["invoice_id"] + (f" ({step})" if step else "")
        err.print(f"  {where + ': ' if where else ''}{e.get('message')}", highlight=False, markup=False)


def print_history(console: Console, entries: list[dict[str, Any]], title: str, tz: Any = None) -> None:
    """One line per entry — when, what, which invoice — and its detail in words under it."""
    console.print(f"[bold]{escape(title)}[/]", highlight=False)
    for e in entries:
        invoice = f" · {e['invoice_id']}" if e.get("invoice_id") else ""
        card(console, f"{when(e['at'], tz)}  {e['kind'].replace('_', ' ')}{invoice}", [clip(words(e.get("detail")), 300)],
             style="")


def money(amount: Any, currency: str, locale: str) -> str:
    from babel.numbers import format_currency

    try:
        return format_currency(amount, currency, locale=locale)
    except Exception:  # noqa: BLE001 - an odd currency code still prints
        return f"{amount} {currency}"
