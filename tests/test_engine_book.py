"""A small book at a fixed moment, shared by the engine tests (and a few sanity tests of it).

The workspace is real (collectbot.yaml, playbooks and templates on disk, loaded by
`load_config`, rendered by the real `Renderer`); the invoices and the ledger are plain values,
because the planner is a pure function of them.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from collectbot.config import load_config
from collectbot.engine import PlanInput, TouchRecord
from collectbot.models import Customer, Invoice
from collectbot.render import Renderer

IST = ZoneInfo("Asia/Kolkata")
NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
# Monday 23 November 2026, 10:00 in the business zone (Asia/Kolkata): a working day, in hours.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=IST)

CONFIG = """\
business:
  name: Acme Traders
  timezone: Asia/Kolkata
  currency: INR
  locale: en_IN
  working_hours: {start: "09:00", end: "18:00", days: [mon, tue, wed, thu, fri]}
  holidays: {dates: [2026-12-25, 2026-11-27]}
sources:
  invoices: invoices.csv
channels:
  email: {provider: outbox}
  sms: {provider: outbox}
  whatsapp: {provider: outbox}
limits: {per_customer_per_day: 1, max_messages_per_run: 500}
playbooks:
  - playbooks/vip.yaml
  - playbooks/standard.yaml
"""

STANDARD = """\
name: standard
steps:
  - {id: heads-up, at: due-3d, channel: email, template: gentle}
  - {id: day-3, at: due+3d, channel: whatsapp, template: nudge, fallback: email}
  - {id: day-7, at: due+7d, channel: sms, template: firm, if: "invoice.balance >= 500"}
  - id: day-14
    at: due+14d
    channel: task
    assign: "{{ customer.owner or 'owner' }}"
    note: "Call {{ customer.name }}: {{ invoices|length }} invoices overdue"
"""

VIP = """\
name: vip
match: "customer.tier == 'vip'"
priority: 10
steps:
  - {id: polite, at: due+1bd, channel: email, template: gentle}
"""

TEMPLATES = {
    "gentle.email.j2": "Subject: {{ invoices|length }} invoice(s) from {{ business.name }}\n"
                       "Dear {{ customer.name }},\n{% for i in invoices %}{{ i.invoice_id }}: {{ i.balance|money }}\n"
                       "{% endfor %}[step-gentle lead={{ invoice.invoice_id }}]\n",
    "nudge.whatsapp.j2": "{{ customer.name }}, {{ invoices|length }} invoice(s) overdue [nudge]\n",
    "nudge.email.j2": "Subject: Overdue\n{{ invoices|length }} invoice(s) overdue [nudge-email lead={{ invoice.invoice_id }}]\n",
    "firm.sms.j2": "{{ invoice.invoice_id }} is {{ invoice.days_overdue }} days overdue [firm]\n",
}


def workspace(root: Path, *, config: str = CONFIG, playbooks: dict[str, str] | None = None,
              templates: dict[str, str] | None = None) -> Path:
    """Write a workspace under `root` and return its collectbot.yaml."""
    (root / "playbooks").mkdir(parents=True, exist_ok=True)
    (root / "templates").mkdir(exist_ok=True)
    playbooks = playbooks or {"vip": VIP, "standard": STANDARD}
    listed = "".join(f"  - playbooks/{name}.yaml\n" for name in playbooks)  # in the order given
    (root / "collectbot.yaml").write_text(config.split("playbooks:\n")[0] + "playbooks:\n" + listed)
    for name, text in playbooks.items():
        (root / "playbooks" / f"{name}.yaml").write_text(textwrap.dedent(text))
    for name, text in {**TEMPLATES, **(templates or {})}.items():
        (root / "templates" / name).write_text(text)
    return root / "collectbot.yaml"


def setup(root: Path, **kw):
    """(config, renderer) for a workspace written under `root`."""
    config = load_config(workspace(root, **kw))
    return config, Renderer(config)


def invoice(iid: str, cust: str = "C1", *, due: date, balance: str = "1000", **kw) -> Invoice:
    return Invoice(invoice_id=iid, customer_id=cust, due_date=due, amount=Decimal(kw.pop("amount", balance)),
                   balance=Decimal(balance), currency="INR", issue_date=kw.pop("issued", due - timedelta(days=30)),
                   **kw)


def customer(cid: str = "C1", **kw) -> Customer:
    kw.setdefault("name", f"Customer {cid}")
    kw.setdefault("email", f"{cid.lower()}@example.com")
    kw.setdefault("phone", "+919800000001")
    return Customer(cid, **kw)


def book(config, invoices: list[Invoice], customers: list[Customer] | None = None, *, now: datetime = NOW,
         touches: list[TouchRecord] | None = None, **kw) -> PlanInput:
    custs = {c.customer_id: c for c in (customers or [])}
    for inv in invoices:
        custs.setdefault(inv.customer_id, customer(inv.customer_id))
    ledger: dict[str, list[TouchRecord]] = {}
    for t in touches or []:
        ledger.setdefault(t.invoice_id, []).append(t)
    return PlanInput(now=now, config=config, invoices=invoices, customers=custs,
                     balances={i.invoice_id: i.balance for i in invoices}, touches=ledger, **kw)


def sent(iid: str, step: str, at: datetime, *, playbook: str = "standard", channel: str = "email",
         status: str = "sent") -> TouchRecord:
    return TouchRecord(iid, playbook, step, channel, status, at)


def summary(p) -> dict:
    """A plan as plain comparable values."""
    return {
        "messages": [(m.customer_id, m.channel, m.to, [(t.invoice_id, t.step) for t in m.touches], m.subject, m.body)
                     for m in p.messages],
        "tasks": [(t.customer_id, t.invoice_ids, t.step, t.assign, t.note, t.amount) for t in p.tasks],
        "skips": [(s.invoice_id, s.step, s.reason, s.until) for s in p.skips],
        "stopped": p.stopped, "playbook_of": p.playbook_of, "capped": p.capped, "errors": p.errors,
    }


def test_workspace_loads_with_both_playbooks_in_order(tmp_path):
    config, _ = setup(tmp_path)
    assert [(p.name, p.priority, p.order) for p in config.playbooks] == [("vip", 10, 0), ("standard", 0, 1)]
    assert config.business.holiday_dates == frozenset({date(2026, 12, 25), date(2026, 11, 27)})
