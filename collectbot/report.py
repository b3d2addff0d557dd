"""`collectbot report`: is it working? Figures from the state as of a moment (SPEC 10).

Definitions (docs/reports.md says the same, with examples):

* **Open balance** of an invoice: its effective balance now (min(export balance, amount − payments
  recorded)), as everywhere in collectbot; settled, void and gone invoices owe nothing here.
* **Aging**: open balances by days past due on `today` (the business date of `now`): `current`
  (not yet due), `1-30`, `31-60`, `61-90`, `90+`; per currency, and for the top customers.
* **Collected**: money that came in, per invoice, from two records — payments `reconcile` or
  `match` applied (on the payment's date), and drops of the export's balance a sync saw (on the
  sync's date). A drop first absorbs the payments already recorded for that invoice and not yet
  seen in the export, so money is never counted twice. "Collected in the period" is what came in
  after `today − period` up to `today`.
* **DSO** = open balance ÷ invoiced in the period × period days (invoiced: the amounts of the
  invoices issued in the period).
* **CEI** = (B + S − E) ÷ (B + S − C) × 100, with B the receivables at the start of the period
  (the open balance now of the invoices issued by then, plus what they paid since), S invoiced in
  the period, E the open balance now and C its part not yet due.
* **Effectiveness** per playbook, step, channel and variant: touches sent; delivered and read as
  the provider reported (delivered, read; for email delivered, opened, clicked); `paid_7d` the
  touched invoices settled within 7 days after the touch; the median days from touch to the
  settling payment.

Each figure is per currency: collectbot never adds money across currencies.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from . import receipts
from .state import State, parse_iso, stored_amount, stored_day

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
DELIVERED = ("delivered", "read", "opened", "clicked")
READ = ("read", "opened", "clicked")
ZERO = Decimal(0)
TOP_CUSTOMERS = 10


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    return "1-30" if days_past_due <= 30 else "31-60" if days_past_due <= 60 else "61-90" if days_past_due <= 90 \
        else "90+"


@dataclass
class Report:
    today: date
    period_days: int
    aging: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    dso: dict[str, float | None] = field(default_factory=dict)
    collected: dict[str, Decimal] = field(default_factory=dict)
    cei: dict[str, float | None] = field(default_factory=dict)
    effectiveness: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    weekly: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # currency -> week start -> collected
    experiments: list[dict[str, Any]] = field(default_factory=list)  # variants of a step compared

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.today.isoformat(), "period_days": self.period_days, "aging": self.aging, "dso": self.dso,
                "collected": self.collected, "cei": self.cei, "effectiveness": self.effectiveness,
                "customers": self.customers, "collected_per_week": self.weekly, "experiments": self.experiments}


def build(state: State, now: datetime, tz: ZoneInfo, period_days: int = 30,
          arm_order: dict[tuple[str, str], list[str]] | None = None) -> Report:
    """`arm_order`: per (playbook, step), its variants' names in the playbook's order (the first is
    the one the others are compared with)."""
    from .sync import recorded_payments

    today = now.astimezone(tz).date()
    start = today - timedelta(days=period_days)
    rep = Report(today=today, period_days=period_days)
    paid_by_collectbot = recorded_payments(state)
    invoices: dict[str, dict[str, Any]] = {}
    for r in state.conn.execute("SELECT invoice_id, customer_id, customer_name, issue_date, due_date, amount, "
                                "source_balance, currency, source_status, state FROM invoices"):
        amount, source = stored_amount(r[5], "invoices"), stored_amount(r[6], "invoices")
        balance = min(source, amount - paid_by_collectbot.get(r[0], ZERO))
        open_ = r[9] != "gone" and r[8] not in ("paid", "void", "written_off") and balance > 0
        invoices[r[0]] = {"customer_id": r[1], "name": r[2], "issued": stored_day(r[3], "invoices") if r[3] else None,
                          "due": stored_day(r[4], "invoices"), "amount": amount, "balance": balance if open_ else ZERO,
                          "currency": r[7], "gone": r[9] == "gone"}
    events = _collected_events(state, tz)
    _aging(rep, invoices)
    _money_figures(rep, invoices, events, start)
    rep.effectiveness = _effectiveness(state, invoices, events, tz)
    rep.experiments = compare_variants(rep.effectiveness, arm_order or {})
    return rep


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """The two-sided p-value that two rates (x1/n1, x2/n2) differ only by chance (a z-test of two
    proportions, pooled); None when it cannot be computed."""
    import math

    if not n1 or not n2:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0, 1):
        return None
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return round(math.erfc(abs(z) / math.sqrt(2)), 4)


def compare_variants(effectiveness: list[dict[str, Any]],
                     arm_order: dict[tuple[str, str], list[str]] | None = None) -> list[dict[str, Any]]:
    """Per step with variants: each arm's paid-within-7-days rate, and the p-value of each arm
    against the first (paid_7d / sent). An arm is one variant whatever channel it went by (an arm
    may use another channel, a fallback another still); the first arm is the first in the
    playbook (`arm_order`), else the first by name."""
    steps: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for e in effectiveness:
        if e["variant"]:
            arm = steps[(e["playbook"], e["step"])].setdefault(
                e["variant"], {"variant": e["variant"], "channels": [], "sent": 0, "paid_7d": 0})
            arm["channels"].append(e["channel"])
            arm["sent"] += e["sent"]
            arm["paid_7d"] += e["paid_7d"]
    out = []
    for (playbook, step), by_name in sorted(steps.items()):
        if len(by_name) < 2:
            continue
        order = (arm_order or {}).get((playbook, step), [])
        arms = sorted(by_name.values(), key=lambda a: (order.index(a["variant"]) if a["variant"] in order
                                                        else len(order), a["variant"]))
        first = arms[0]
        out.append({"playbook": playbook, "step": step, "arms": [
            {"variant": a["variant"], "channels": sorted(set(a["channels"])), "sent": a["sent"],
             "paid_7d": a["paid_7d"], "rate": round(a["paid_7d"] / a["sent"], 4) if a["sent"] else None,
             "p_value": None if a is first else two_proportion_p(a["paid_7d"], a["sent"], first["paid_7d"],
                                                                  first["sent"])}
            for a in arms]})
    return out


def _collected_events(state: State, tz: ZoneInfo) -> dict[str, list[tuple[date, Decimal]]]:
    """Per invoice, (date, amount) of money that came in: recorded payments, then the part of
    each balance drop the export showed that recorded payments had not already explained."""
    raw: dict[str, list[tuple[date, int, Decimal]]] = defaultdict(list)
    for inv, amount, day in state.conn.execute(
            "SELECT a.invoice_id, a.amount, p.date FROM allocations a JOIN payments p ON p.id = a.payment_id "
            "WHERE a.applied = 1"):
        raw[inv].append((stored_day(day, "payments"), 0, stored_amount(amount, "allocations")))
    for inv, at, before, after in state.conn.execute("SELECT invoice_id, at, before, after FROM balance_changes"):
        raw[inv].append((parse_iso(at).astimezone(tz).date(), 1,
                         stored_amount(before, "balance_changes") - stored_amount(after, "balance_changes")))
    out: dict[str, list[tuple[date, Decimal]]] = {}
    for inv, items in raw.items():
        unreflected = ZERO
        got = []
        for day, kind, amount in sorted(items, key=lambda e: (e[0], e[1])):
            if kind == 0:  # a payment reconcile recorded
                unreflected += amount
                got.append((day, amount))
            else:  # the export's balance dropped: the part not already recorded is new money
                absorbed = min(unreflected, amount)
                unreflected -= absorbed
                if amount - absorbed > 0:
                    got.append((day, amount - absorbed))
        out[inv] = got
    return out


def _aging(rep: Report, invoices: dict[str, dict[str, Any]]) -> None:
    per_customer: dict[tuple[str, str], dict[str, Any]] = {}
    for inv in invoices.values():
        if inv["balance"] <= 0:
            continue
        b = bucket((rep.today - inv["due"]).days)
        cur = rep.aging.setdefault(inv["currency"], {k: ZERO for k in BUCKETS})
        cur[b] += inv["balance"]
        c = per_customer.setdefault((inv["customer_id"], inv["currency"]), {
            "customer_id": inv["customer_id"], "name": inv["name"], "currency": inv["currency"], "open": ZERO,
            "invoices": 0, **{k: ZERO for k in BUCKETS}})
        c["open"] += inv["balance"]
        c["invoices"] += 1
        c[b] += inv["balance"]
        c["name"] = c["name"] or inv["name"]
    rep.customers = sorted(per_customer.values(), key=lambda c: (-c["open"], c["customer_id"]))[:TOP_CUSTOMERS]


def _money_figures(rep: Report, invoices: dict[str, dict[str, Any]], events: dict[str, list[tuple[date, Decimal]]],
                   start: date) -> None:
    begin: dict[str, Decimal] = defaultdict(Decimal)
    sales: dict[str, Decimal] = defaultdict(Decimal)
    end: dict[str, Decimal] = defaultdict(Decimal)
    current: dict[str, Decimal] = defaultdict(Decimal)
    collected: dict[str, Decimal] = defaultdict(Decimal)
    weekly: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    currencies = set()
    for inv_id, inv in invoices.items():
        cur = inv["currency"]
        currencies.add(cur)
        since = sum((a for d, a in events.get(inv_id, []) if start < d <= rep.today), ZERO)
        collected[cur] += since
        for d, a in events.get(inv_id, []):
            if start < d <= rep.today:
                week = d - timedelta(days=d.weekday())
                weekly[cur][week.isoformat()] += a
        if inv["gone"]:
            continue  # what became of it is not known: neither owed nor collected
        end[cur] += inv["balance"]
        if inv["due"] >= rep.today:
            current[cur] += inv["balance"]
        issued = inv["issued"]
        if issued is not None and start < issued <= rep.today:
            sales[cur] += inv["amount"]
        elif issued is None or issued <= start:
            begin[cur] += inv["balance"] + since
    for cur in sorted(currencies):
        rep.collected[cur] = collected[cur]
        rep.dso[cur] = round(float(end[cur] / sales[cur]) * rep.period_days, 1) if sales[cur] else None
        denominator = begin[cur] + sales[cur] - current[cur]
        rep.cei[cur] = round(float((begin[cur] + sales[cur] - end[cur]) / denominator) * 100, 1) if denominator \
            else None
        rep.weekly[cur] = dict(sorted(weekly[cur].items()))


def _effectiveness(state: State, invoices: dict[str, dict[str, Any]], events: dict[str, list[tuple[date, Decimal]]],
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    settled_on: dict[str, date] = {}
    for inv_id, inv in invoices.items():  # the day the last payment settled it
        if inv["balance"] <= 0 and not inv["gone"] and events.get(inv_id):
            settled_on[inv_id] = max(d for d, _ in events[inv_id])
    groups: dict[tuple, dict[str, Any]] = {}
    for playbook, step, channel, inv_id, sent_at, delivery, variant in state.conn.execute(
            "SELECT t.playbook, t.step, t.channel, t.invoice_id, coalesce(m.sent_at, t.updated_at, t.created_at), "
            "m.delivery_status, m.variant FROM touches t LEFT JOIN messages m ON m.id = t.message_id "
            "WHERE t.status = 'sent' ORDER BY t.playbook, t.step, t.channel"):
        if playbook == receipts.PLAYBOOK:  # one ledger step per payment thanked for: one row for them all
            step = "receipt"
        g = groups.setdefault((playbook, step, channel, variant), {
            "playbook": playbook, "step": step, "channel": channel, "variant": variant, "sent": 0, "delivered": 0,
            "read": 0, "paid_7d": 0, "_days": []})
        g["sent"] += 1
        g["delivered"] += delivery in DELIVERED
        g["read"] += delivery in READ
        touched = parse_iso(sent_at).astimezone(tz).date()
        paid = settled_on.get(inv_id)
        if paid is not None and paid >= touched:
            g["_days"].append((paid - touched).days)
            g["paid_7d"] += (paid - touched).days <= 7
    out = []
    for g in groups.values():
        days = g.pop("_days")
        g["median_days_to_pay"] = statistics.median(days) if days else None
        out.append(g)
    return out


def json_safe(doc: dict[str, Any]) -> str:
    return json.dumps(doc, default=str)
