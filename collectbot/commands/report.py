"""`collectbot report [--period 30d] [--json] [--csv DIR] [--html FILE]`: is it working? Aging,
DSO, collected, CEI and what each step achieves (library: `collectbot/report.py`, the page:
`collectbot/report_html.py`)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import report as reports
from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..human import card, say
from ..pipeline import open_readonly
from ..reports import money


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        ctx: typer.Context,
        period: Annotated[str, typer.Option("--period", help="The period the figures cover, ending now: 30d, 12w, "
                                            "90d.")] = "30d",
        csv_dir: Annotated[Path | None, typer.Option("--csv", help="Write one CSV file per table into this folder.",
                                                     show_default=False)] = None,
        html_file: Annotated[Path | None, typer.Option("--html", help="Write one self-contained page with charts.",
                                                       show_default=False)] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Aging, DSO, collected, CEI and what each step achieves; --csv and --html too."""
        execute(config, now, json_out, lambda env: _report(env, period, csv_dir, html_file), ctx)


def _days(period: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*([dw])\s*", period)
    if not m or int(m.group(1)) == 0:
        raise UsageError(f"--period {period!r}: give days or weeks, like 30d or 12w")
    return int(m.group(1)) * (7 if m.group(2) == "w" else 1)


def _report(env: Env, period: str, csv_dir: Path | None, html_file: Path | None) -> int:
    cfg = env.config()
    state = open_readonly(cfg)
    try:
        arms = {(pb.name, step.id): [arm[0] for arm in step.variants] for pb in cfg.playbooks for step in pb.steps
                if step.variants}
        rep = reports.build(state, env.now(), cfg.tz, _days(period), arm_order=arms)
    finally:
        state.close()
    cash = lambda amount, currency: money(amount, currency, cfg.business.locale)  # noqa: E731
    written = []
    if csv_dir is not None:
        written += write_csv(rep, csv_dir)
    if html_file is not None:
        from ..report_html import page

        try:
            html_file.write_text(page(rep, cfg.business.name, cash), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {html_file}: {exc.strerror or exc}") from None
        written.append(str(html_file))
    if env.json:
        env.emit_json({**rep.as_dict(), "written": written})
        return ExitCode.OK
    _print(env, rep, cash)
    for path in written:
        say(env.console, f"Written: {path}")
    return ExitCode.OK


def _print(env: Env, rep: reports.Report, cash: Any) -> None:
    console = env.console
    say(console, f"As of {rep.today}, over the last {rep.period_days} days.")
    for cur in sorted(rep.collected):
        dso, cei = rep.dso.get(cur), rep.cei.get(cur)
        card(console, f"{cur}: collected {cash(rep.collected[cur], cur)}",
             [f"DSO {dso} days" if dso is not None else "DSO: nothing invoiced in the period",
              f"CEI {cei}%" if cei is not None else "CEI: no receivables in the period"])
    for cur, buckets in sorted(rep.aging.items()):
        console.print(f"[bold]Aging ({cur})[/]", highlight=False)
        top = max(buckets.values()) or 1
        for b in reports.BUCKETS:
            bar = "█" * int(round(float(buckets[b] / top) * 30))
            console.print(f"  {b:>7} {cash(buckets[b], cur):>16} {bar}", highlight=False, markup=False)
    if rep.customers:
        console.print("[bold]Who owes the most[/]", highlight=False)
        for c in rep.customers:
            overdue = sum((c[b] for b in reports.BUCKETS[1:]), reports.ZERO)
            card(console, f"{c['name'] or c['customer_id']} ({c['customer_id']}): {cash(c['open'], c['currency'])}",
                 [f"{c['invoices']} invoice(s); {cash(overdue, c['currency'])} overdue"], style="", indent="  ")
    if rep.effectiveness:
        console.print("[bold]What each step achieves[/]", highlight=False)
        for e in rep.effectiveness:
            median = f"; median {e['median_days_to_pay']:g} days to pay" if e["median_days_to_pay"] is not None else ""
            arm = f" · variant {e['variant']}" if e.get("variant") else ""
            card(console, f"{e['playbook']}/{e['step']} · {e['channel']}{arm}",
                 [f"sent {e['sent']}, delivered {e['delivered']}, read {e['read']}, paid within 7 days "
                  f"{e['paid_7d']}{median}"], style="", indent="  ")
    if rep.experiments:
        console.print("[bold]Experiments[/] (paid within 7 days; p-value against the first arm)", highlight=False)
        for x in rep.experiments:
            lines_ = [f"{a['variant']} ({', '.join(a['channels'])}): {a['paid_7d']} of {a['sent']}"
                      + (f" = {a['rate']:.0%}" if a["rate"] is not None else "")
                      + (f", p = {a['p_value']}" if a["p_value"] is not None else "") for a in x["arms"]]
            card(console, f"{x['playbook']}/{x['step']}", lines_, style="", indent="  ")


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(cell: Any) -> str:
    """A cell a spreadsheet shows and never runs: one starting with = + - @ gets a leading '."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA) else text


def write_csv(rep: reports.Report, folder: Path) -> list[str]:
    tables = {
        "summary.csv": (["currency", "collected", "dso_days", "cei_percent"],
                        [[c, rep.collected[c], rep.dso.get(c), rep.cei.get(c)] for c in sorted(rep.collected)]),
        "aging.csv": (["currency", *reports.BUCKETS],
                      [[c, *(v[b] for b in reports.BUCKETS)] for c, v in sorted(rep.aging.items())]),
        "customers.csv": (["customer_id", "name", "currency", "open", "invoices", *reports.BUCKETS],
                          [[c["customer_id"], c["name"], c["currency"], c["open"], c["invoices"],
                            *(c[b] for b in reports.BUCKETS)] for c in rep.customers]),
        "effectiveness.csv": (["playbook", "step", "channel", "variant", "sent", "delivered", "read", "paid_7d",
                               "median_days_to_pay"],
                              [[e[k] for k in ("playbook", "step", "channel", "variant", "sent", "delivered", "read",
                                               "paid_7d", "median_days_to_pay")] for e in rep.effectiveness]),
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for name, (head, rows) in tables.items():
            with (folder / name).open("w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(head)
                w.writerows([[safe(c) for c in row] for row in rows])
            out.append(str(folder / name))
    except OSError as exc:
        raise UsageError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    return out
