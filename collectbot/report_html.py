"""`report --html FILE`: one self-contained page with three charts — aging bars, cash collected per
week, a funnel per playbook step. The charts are drawn by matplotlib as SVG and written into the
page inline: nothing is fetched when the page is viewed, no script runs, and the SVG scales to a
phone as to a laptop.

Why matplotlib: it is the charting library Python people already trust and maintain, it writes
clean SVG without a browser or JavaScript, and it is imported only when a page is asked for.
"""

from __future__ import annotations

import html
import io
from decimal import Decimal
from typing import Any

from .report import BUCKETS, Report

COLORS = ("#2e7d32", "#f9a825", "#ef6c00", "#d84315", "#b71c1c")


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # inline: without the XML prolog and DOCTYPE


def _figure(height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 10, "axes.spines.top": False,
                         "axes.spines.right": False})
    return plt.subplots(figsize=(7.5, height))


def aging_chart(rep: Report) -> str:
    fig, ax = _figure(0.6 + 0.7 * max(len(rep.aging), 1))
    currencies = sorted(rep.aging) or ["—"]
    for row, cur in enumerate(currencies):
        left = 0.0
        for n, b in enumerate(BUCKETS):
            value = float(rep.aging.get(cur, {}).get(b, Decimal(0)))
            ax.barh(row, value, left=left, color=COLORS[n], label=b if row == 0 else None)
            left += value
    ax.set_yticks(range(len(currencies)), currencies)
    ax.set_xlabel("open balance by days past due")
    ax.legend(ncols=5, loc="upper center", bbox_to_anchor=(0.5, 1.35), frameon=False)
    return _svg(fig)


def weekly_chart(rep: Report) -> str:
    fig, ax = _figure(2.6)
    weeks = sorted({w for per in rep.weekly.values() for w in per})
    width = 0.8 / max(len(rep.weekly), 1)
    for n, (cur, per) in enumerate(sorted(rep.weekly.items())):
        ax.bar([i + n * width for i in range(len(weeks))], [float(per.get(w, 0)) for w in weeks], width=width,
               label=cur, color=COLORS[n % len(COLORS)])
    ax.set_xticks(range(len(weeks)), [w[5:] for w in weeks] or [])
    ax.set_xlabel("week starting (month-day)")
    ax.set_ylabel("collected")
    if rep.weekly:
        ax.legend(frameon=False)
    return _svg(fig)


def funnel_chart(rep: Report) -> str:
    rows = rep.effectiveness or [{"playbook": "—", "step": "—", "channel": "", "sent": 0, "delivered": 0, "read": 0,
                                  "paid_7d": 0}]
    fig, ax = _figure(0.8 + 0.45 * len(rows))
    labels = [f"{r['playbook']}/{r['step']} ({r['channel']})" for r in rows]
    for n, key in enumerate(("sent", "delivered", "read", "paid_7d")):
        ax.barh([i + n * 0.2 for i in range(len(rows))], [r[key] for r in rows], height=0.2, label=key.replace("_", " "),
                color=COLORS[n])
    ax.set_yticks([i + 0.3 for i in range(len(rows))], labels)
    ax.invert_yaxis()
    ax.set_xlabel("touches")
    ax.legend(frameon=False, loc="lower right")
    return _svg(fig)


def page(rep: Report, business: str, money: Any) -> str:
    def table(head: list[str], rows: list[list[str]]) -> str:
        th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"

    figures = [("Aging of open balances", "aging", aging_chart(rep)),
               ("Cash collected per week", "collected", weekly_chart(rep)),
               ("What each step achieves", "funnel", funnel_chart(rep))]
    summary = table(["currency", "collected", "DSO (days)", "CEI (%)"],
                    [[c, money(rep.collected.get(c, 0), c), rep.dso.get(c) if rep.dso.get(c) is not None else "—",
                      rep.cei.get(c) if rep.cei.get(c) is not None else "—"] for c in sorted(rep.collected)])
    customers = table(["customer", "open", *BUCKETS],
                      [[f"{c['name'] or c['customer_id']} ({c['customer_id']})", money(c["open"], c["currency"]),
                        *(money(c[b], c["currency"]) for b in BUCKETS)] for c in rep.customers])
    charts = "".join(f'<section><h2>{html.escape(t)}</h2><figure class="chart" id="{i}">{svg}</figure></section>'
                     for t, i, svg in figures)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(business)} — collections report {rep.today}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }}
h1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.1rem; margin-top: 2rem; }}
figure.chart {{ margin: 0; }} figure.chart svg {{ width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; }}
th, td {{ text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; }}
.scroll {{ overflow-x: auto; }}
</style></head><body>
<h1>{html.escape(business)}: collections as of {rep.today} (the last {rep.period_days} days)</h1>
<div class="scroll">{summary}</div>
{charts}
<section><h2>Customers who owe the most</h2><div class="scroll">{customers}</div></section>
</body></html>
"""
