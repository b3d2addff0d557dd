"""Shared fixtures: a small, real workspace on disk, and the CLI to drive it.

    def test_something(make_workspace):
        ws = make_workspace()                      # collectbot.yaml + playbook + templates + invoices.csv
        code, doc = ws.json("run")                 # `collectbot --config WS --now NOW --json run`
        assert code == 0 and ws.sent()             # outbox/messages.jsonl lines

`make_workspace(invoices=..., customers=..., config=..., playbooks=..., templates=...)` writes
what it is given over the defaults below; `config` is deep-merged into DEFAULT_CONFIG.
The default book is planned so that at NOW (Tuesday 2026-03-10 10:00, Asia/Kolkata):

* ACME has INV-001 and INV-002 due 2026-03-13: one consolidated `heads-up` email (due-3d);
* Globex INV-003 due 2026-03-07: `day-3` email (heads-up superseded);
* Initech INV-004 due 2026-03-03: `day-7` SMS (two earlier steps superseded);
* Umbrella INV-005 due 2026-02-20: the `day-14` task;
* Hooli INV-006 due 2026-03-07 has no email: `day-3` falls back to SMS;
* Paid Co INV-007 is paid; Future Ltd INV-008 is due 2026-04-30 (nothing yet).

Keep these stable: other test files rely on them.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

# A bug in a CLI process the tests start shows its traceback (`cli.main` otherwise says it in one sentence).
os.environ.setdefault("COLLECTBOT_DEBUG", "1")

NOW = "2026-03-10T10:00:00"  # a Tuesday, 10:00 in the business time zone
TZ = ZoneInfo("Asia/Kolkata")
NOW_DT = datetime.fromisoformat(NOW).replace(tzinfo=TZ)

INVOICE_FIELDS = ["invoice_id", "customer_id", "customer_name", "email", "phone", "issue_date", "due_date",
                  "amount", "balance", "status"]

DEFAULT_INVOICES: list[dict[str, Any]] = [
    {"invoice_id": "INV-001", "customer_id": "acme", "customer_name": "ACME Ltd", "email": "ap@acme.example",
     "phone": "+919800000001", "issue_date": "2026-02-11", "due_date": "2026-03-13", "amount": "1000.00",
     "balance": "1000.00", "status": "open"},
    {"invoice_id": "INV-002", "customer_id": "acme", "customer_name": "ACME Ltd", "email": "ap@acme.example",
     "phone": "+919800000001", "issue_date": "2026-02-11", "due_date": "2026-03-13", "amount": "500.00",
     "balance": "500.00", "status": "open"},
    {"invoice_id": "INV-003", "customer_id": "globex", "customer_name": "Globex", "email": "pay@globex.example",
     "phone": "+919800000003", "issue_date": "2026-02-05", "due_date": "2026-03-07", "amount": "2000.00",
     "balance": "2000.00", "status": "open"},
    {"invoice_id": "INV-004", "customer_id": "initech", "customer_name": "Initech", "email": "ap@initech.example",
     "phone": "+919800000004", "issue_date": "2026-02-01", "due_date": "2026-03-03", "amount": "750.00",
     "balance": "750.00", "status": "open"},
    {"invoice_id": "INV-005", "customer_id": "umbrella", "customer_name": "Umbrella Corp",
     "email": "ap@umbrella.example", "phone": "+919800000005", "issue_date": "2026-01-20", "due_date": "2026-02-20",
     "amount": "9000.00", "balance": "9000.00", "status": "open"},
    {"invoice_id": "INV-006", "customer_id": "hooli", "customer_name": "Hooli", "email": "",
     "phone": "+919800000006", "issue_date": "2026-02-05", "due_date": "2026-03-07", "amount": "300.00",
     "balance": "300.00", "status": "open"},
    {"invoice_id": "INV-007", "customer_id": "paidco", "customer_name": "Paid Co", "email": "ap@paid.example",
     "phone": "+919800000007", "issue_date": "2026-02-05", "due_date": "2026-03-07", "amount": "100.00",
     "balance": "0.00", "status": "paid"},
    {"invoice_id": "INV-008", "customer_id": "future", "customer_name": "Future Ltd", "email": "ap@future.example",
     "phone": "+919800000008", "issue_date": "2026-03-01", "due_date": "2026-04-30", "amount": "400.00",
     "balance": "400.00", "status": "open"},
]

DEFAULT_CONFIG: dict[str, Any] = {
    "business": {
        "name": "Test Traders",
        "timezone": "Asia/Kolkata",
        "currency": "INR",
        "locale": "en_IN",
        "country": "IN",
        "working_hours": {"start": "09:00", "end": "18:00", "days": ["mon", "tue", "wed", "thu", "fri"]},
    },
    "sources": {"invoices": ["invoices.csv"]},
    "channels": {
        "email": {"provider": "outbox", "from": "billing@test-traders.example"},
        "sms": {"provider": "outbox", "from": "+911140000000"},
        "whatsapp": {"provider": "outbox", "from": "+911140000000"},
    },
    "limits": {"per_customer_per_day": 1, "max_messages_per_run": 500, "max_source_age": "3d"},
    "playbooks": ["playbooks/standard.yaml"],
}

# one email step a day after the due date: the playbook of the tests that look at one step closely
REMIND_PLAYBOOK = """\
name: standard
steps:
  - id: remind
    at: due+1d
    channel: email
    template: gentle
"""

STANDARD_PLAYBOOK = """\
name: standard
steps:
  - id: heads-up
    at: due-3d
    channel: email
    template: gentle
  - id: day-3
    at: due+3d
    channel: email
    template: nudge
    fallback: sms
  - id: day-7
    at: due+7d
    channel: sms
    template: firm
  - id: day-14
    at: due+14d
    channel: task
    assign: "{{ customer.owner or 'owner' }}"
    note: "Call {{ customer.name }}: {{ invoices|length }} invoice(s) overdue"
"""

DEFAULT_TEMPLATES: dict[str, str] = {
    "gentle.email.j2": (
        "Subject: {{ invoices|length }} invoice(s) due soon\n"
        "Hello {{ customer.name }},\n\n"
        "{% for i in invoices %}- {{ i.invoice_id }}: {{ i.balance|money }} due {{ i.due_date|date }}\n{% endfor %}\n"
        "Thank you.\n"
    ),
    "gentle.email.html.j2": "<p>Hello {{ customer.name }},</p><ul>{% for i in invoices %}<li>{{ i.invoice_id }}</li>"
                            "{% endfor %}</ul>\n",
    "nudge.email.j2": (
        "Subject: Overdue: {% for i in invoices %}{{ i.invoice_id }} {% endfor %}\n"
        "Hello {{ customer.name }}, {% for i in invoices %}{{ i.invoice_id }} ({{ i.balance|money }}) "
        "{% endfor %}is overdue.\n"
    ),
    "nudge.sms.j2": "{{ customer.name }}: {% for i in invoices %}{{ i.invoice_id }} {% endfor %}is overdue.\n",
    "nudge.whatsapp.j2": "{{ customer.name }}: {% for i in invoices %}{{ i.invoice_id }} {% endfor %}is overdue.\n",
    "firm.sms.j2": "{{ customer.name }}: please pay {% for i in invoices %}{{ i.invoice_id }} {% endfor %}today.\n",
}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` wins; nested dicts merge; a value of None deletes the key."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def csv_text(rows: list[dict[str, Any]], fields: list[str] | None = None) -> str:
    fields = fields or list(dict.fromkeys(k for r in rows for k in r)) or INVOICE_FIELDS
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in fields})
    return buf.getvalue()


@dataclass
class Workspace:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "collectbot.yaml"

    @property
    def db_path(self) -> Path:
        return self.root / "collectbot.db"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    # -- writing ----------------------------------------------------------------------------

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_invoices(self, rows: list[dict[str, Any]] | str, name: str = "invoices.csv",
                       mtime: datetime | None = NOW_DT) -> Path:
        """Rewrite an invoice file (rows or raw text); its mtime is set to `mtime` (fresh at NOW)."""
        path = self.write(name, rows if isinstance(rows, str) else csv_text(rows, INVOICE_FIELDS
                          if all(set(r) <= set(INVOICE_FIELDS) for r in rows) else None))
        if mtime is not None:
            self.set_mtime(name, mtime)
        return path

    def set_mtime(self, relpath: str, when: datetime) -> None:
        ts = when.timestamp()
        os.utime(self.root / relpath, (ts, ts))

    def write_config(self, config: dict[str, Any]) -> None:
        self.write("collectbot.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

    # -- running ----------------------------------------------------------------------------

    def cli(self, *args: str, now: str | None = NOW, json: bool = False, env: dict[str, str] | None = None):
        """Run the real CLI in-process (typer CliRunner); returns click's Result (.exit_code, .stdout, .stderr)."""
        from typer.testing import CliRunner

        from collectbot.cli import app

        head = ["--config", str(self.config_path)]
        if now is not None:
            head += ["--now", now]
        if json:
            head.append("--json")
        env = {"COLUMNS": "200", **(env or {})}  # wide tables, so words are not wrapped in assertions
        return CliRunner().invoke(app, [*head, *args], env=env, catch_exceptions=False)

    def json(self, *args: str, now: str | None = NOW, env: dict[str, str] | None = None) -> tuple[int, Any]:
        """Run with --json; returns (exit code, parsed stdout). Fails the test if stdout is not one JSON document."""
        result = self.cli(*args, now=now, json=True, env=env)
        try:
            doc = json.loads(result.stdout)
        except ValueError:
            raise AssertionError(f"stdout is not JSON (exit {result.exit_code}):\n{result.stdout}\n--- stderr:\n"
                                 f"{result.stderr}") from None
        return result.exit_code, doc

    # -- reading ----------------------------------------------------------------------------

    def sent(self) -> list[dict[str, Any]]:
        """Every line of outbox/messages.jsonl (what the outbox provider sent)."""
        path = self.outbox / "messages.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Query the state file (read only)."""
        conn = sqlite3.connect(f"{self.db_path.as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def touches(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(invoice_id, step) -> touch row."""
        return {(r["invoice_id"], r["step"]): r for r in self.rows("SELECT * FROM touches")}


@pytest.fixture
def make_workspace(tmp_path: Path):
    """Factory: make_workspace(invoices=None, customers=None, config=None, playbooks=None, templates=None,
    name="ws") -> Workspace. `playbooks`/`templates` map file names to text and are added to the defaults
    (a playbooks dict replaces the default list in collectbot.yaml unless config says otherwise)."""
    counter = iter(range(1000))

    def make(invoices: list[dict[str, Any]] | str | None = None, customers: list[dict[str, Any]] | None = None,
             config: dict[str, Any] | None = None, playbooks: dict[str, str] | None = None,
             templates: dict[str, str] | None = None, name: str | None = None) -> Workspace:
        root = tmp_path / (name or f"ws{next(counter)}")
        root.mkdir(parents=True)
        ws = Workspace(root)
        cfg = copy.deepcopy(DEFAULT_CONFIG)
        if playbooks is not None:
            cfg["playbooks"] = [f"playbooks/{n}" for n in playbooks]
            for n, text in playbooks.items():
                ws.write(f"playbooks/{n}", text)
        else:
            ws.write("playbooks/standard.yaml", STANDARD_PLAYBOOK)
        if customers is not None:
            ws.write("customers.csv", csv_text(customers))
            cfg["sources"]["customers"] = "customers.csv"
        cfg = deep_merge(cfg, config or {})
        ws.write_config(cfg)
        for n, text in {**DEFAULT_TEMPLATES, **(templates or {})}.items():
            ws.write(f"templates/{n}", text)
        ws.write_invoices(DEFAULT_INVOICES if invoices is None else invoices)
        return ws

    return make


@pytest.fixture
def workspace(make_workspace) -> Workspace:
    """The default workspace (see the module docstring for what it plans at NOW)."""
    return make_workspace()
