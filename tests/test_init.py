"""`collectbot init`: a workspace that is valid, dated from --now, and never overwritten by accident.

Also checks the ready-made playbooks in the repository's `playbooks/` folder against the
templates `init` writes, and (once `preview` exists) the demo's required outcome.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectbot.cli import app
from collectbot.config import load_config, read_playbook
from collectbot.render import compile_problems

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00"
TODAY = date(2026, 11, 23)
runner = CliRunner()


def init(tmp_path: Path, *args: str):
    return runner.invoke(app, ["init", str(tmp_path / "demo"), "--now", NOW, *args])


def test_init_writes_a_valid_workspace(tmp_path):
    result = init(tmp_path)
    assert result.exit_code == 0, result.output
    demo = tmp_path / "demo"
    for name in ("collectbot.yaml", "playbooks/standard.yaml", "playbooks/vip.yaml", "customers.csv",
                 "invoices.csv", "templates/heads-up.email.j2", "templates/heads-up.email.html.j2",
                 "templates/nudge.whatsapp.j2", "templates/firm.sms.j2"):
        assert (demo / name).is_file(), name
    assert f"collectbot -c {demo}/collectbot.yaml preview --days 30" in result.output.replace("\n", " ") or \
        "preview --days 30" in result.output

    cfg = load_config(demo / "collectbot.yaml")
    assert cfg.warnings == []
    assert (cfg.business.timezone, cfg.business.currency, cfg.business.locale) == ("Asia/Kolkata", "INR", "en_IN")
    assert cfg.business.holiday_country == "IN" and cfg.business.working_hours.days == (0, 1, 2, 3, 4, 5)
    assert {ch.provider for ch in cfg.channels.values()} == {"outbox"}
    assert cfg.payment_link.upi_vpa
    vip = next(pb for pb in cfg.playbooks if pb.name == "vip")
    standard = next(pb for pb in cfg.playbooks if pb.name == "standard")
    assert vip.priority > standard.priority and "vip" in (vip.match or "")
    assert {s.channel for s in standard.steps} == {"email", "whatsapp", "sms", "task"}
    assert compile_problems(cfg) == []


def test_invoice_dates_are_relative_to_now(tmp_path):
    assert init(tmp_path).exit_code == 0
    with open(tmp_path / "demo" / "invoices.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    due = {r["invoice_id"]: date.fromisoformat(r["due_date"]) for r in rows}
    offsets = sorted({(d - TODAY).days for d in due.values()})
    assert {3, -3, -7, -14, -30} <= set(offsets)
    assert "today" not in (tmp_path / "demo" / "invoices.csv").read_text()
    assert any(r["status"] == "paid" for r in rows)
    by_customer: dict[tuple[str, date], int] = {}
    for r in rows:
        if r["status"] != "paid":
            key = (r["customer_id"], due[r["invoice_id"]])
            by_customer[key] = by_customer.get(key, 0) + 1
    assert max(by_customer.values()) >= 2  # two open invoices of one customer due the same day

    with open(tmp_path / "demo" / "customers.csv", newline="") as fh:
        customers = list(csv.DictReader(fh))
    assert any(c["email"] == "" for c in customers)  # exercises fallback
    assert any(c["timezone"] not in ("", "Asia/Kolkata") for c in customers)
    assert {c["tier"] for c in customers} >= {"vip", "standard"} and any(c["owner"] for c in customers)


def test_init_refuses_to_overwrite_without_force(tmp_path):
    assert init(tmp_path).exit_code == 0
    config = tmp_path / "demo" / "collectbot.yaml"
    config.write_text("# my edits\n")
    result = init(tmp_path)
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output
    assert config.read_text() == "# my edits\n"

    (tmp_path / "demo" / "collectbot.db").write_text("state")
    result = init(tmp_path, "--force")
    assert result.exit_code == 0, result.output
    assert "business:" in config.read_text()
    assert (tmp_path / "demo" / "collectbot.db").read_text() == "state"  # state is never touched


def test_init_json(tmp_path):
    result = runner.invoke(app, ["--json", "init", str(tmp_path / "w"), "--now", NOW])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["today"] == "2026-11-23" and "collectbot.yaml" in doc["files"]
    again = runner.invoke(app, ["init", str(tmp_path / "w"), "--json"])
    assert again.exit_code == 2 and json.loads(again.stdout)["ok"] is False


@pytest.mark.parametrize("name", ["gentle-b2b", "firm", "pre-due-only"])
def test_ready_made_playbooks_are_valid_with_the_workspace_templates(tmp_path, name):
    path = REPO / "playbooks" / f"{name}.yaml"
    pb, problems = read_playbook(path)
    assert problems == [] and pb is not None and pb.name == name and pb.steps

    assert init(tmp_path).exit_code == 0
    demo = tmp_path / "demo"
    shutil.copy(path, demo / "playbooks" / path.name)
    cfg_path = demo / "collectbot.yaml"
    text = cfg_path.read_text()
    cfg_path.write_text(text.replace("  - playbooks/vip.yaml\n  - playbooks/standard.yaml\n",
                                     f"  - playbooks/{path.name}\n"))
    cfg = load_config(cfg_path)
    assert [p.name for p in cfg.playbooks] == [name]
    assert compile_problems(cfg) == []


def test_demo_preview_shows_email_whatsapp_sms_and_task(tmp_path):
    assert init(tmp_path).exit_code == 0
    cfg = str(tmp_path / "demo" / "collectbot.yaml")
    result = runner.invoke(app, ["-c", cfg, "--now", NOW, "--json", "preview", "--days", "30"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    messages = doc["messages"]
    emails = [m for m in messages if m["channel"] == "email"]
    assert any(len(m["invoice_ids"]) >= 2 for m in emails), "no consolidated email"
    assert any(m["channel"] == "whatsapp" for m in messages)
    assert any(m["channel"] == "sms" for m in messages)
    assert doc["tasks"], "no task"
    consolidated = next(m for m in emails if len(m["invoice_ids"]) >= 2)
    assert "₹" in consolidated["body"] and "upi://pay?" in consolidated["body"]
    assert not (tmp_path / "demo" / "outbox" / "messages.jsonl").exists()  # preview sends nothing
    assert (TODAY + timedelta(days=30)).isoformat() >= min(m["scheduled_at"] for m in messages)[:10]


def test_init_without_a_directory_uses_the_current_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "collectbot.yaml").is_file()
    assert "collectbot -c collectbot.yaml check" in result.output


def test_the_sample_statement_pays_part_of_the_sample_book(tmp_path):
    """`init` also writes `bank.csv`, dated like the book, and the tour's `reconcile` on it shows each
    kind of line once: paid by invoice number, by payer and exact amount, in part, for review,
    unmatched, and a debit left alone. Paid invoices then drop out of `run`; the part-paid one
    keeps its remaining balance."""
    assert init(tmp_path).exit_code == 0
    demo = tmp_path / "demo"
    text = (demo / "bank.csv").read_text()
    assert "today" not in text and (TODAY - timedelta(days=3)).isoformat() in text
    cfg = str(demo / "collectbot.yaml")
    result = runner.invoke(app, ["-c", cfg, "--json", "reconcile", str(demo / "bank.csv"), "--now", NOW])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(m["invoice_ids"], m["method"]) for m in doc["matches"]] == [
        (["INV-1005"], "invoice_number"), (["INV-1008"], "payer_amount"), (["INV-1004"], "invoice_number")]
    assert [(r["invoice_ids"], r["method"]) for r in doc["review"]] == [(["INV-1001"], "payer")]
    assert [u["description"] for u in doc["unmatched"]] == ["INTEREST CREDIT"]
    assert doc["summary"]["debits_ignored"] == 1

    result = runner.invoke(app, ["-c", cfg, "--json", "explain", "INV-1004", "--now", NOW])
    assert json.loads(result.stdout)["balance"] == "16000.00"
    result = runner.invoke(app, ["-c", cfg, "--json", "preview", "--days", "30", "--now", NOW])
    assert result.exit_code == 0, result.output
    chased = {i for m in json.loads(result.stdout)["messages"] for i in m["invoice_ids"]}
    assert chased and not chased & {"INV-1005", "INV-1008"}


def test_the_sample_workspace_shows_receipts_a_hindi_customer_and_a_copy(tmp_path):
    """Issue 18: `init` shows some money features — C004 (language hi) gets its SMS in Hindi,
    C001's emails are copied to its second contact, and after `reconcile` the next run thanks
    each customer whose payment arrived, once."""
    from typer.testing import CliRunner

    from collectbot.cli import app
    import json as _json

    root = tmp_path / "demo"
    runner = CliRunner()

    def cli(*args, now):
        result = runner.invoke(app, ["--now", now, "-c", str(root), "--json", *args])
        return _json.loads(result.stdout)

    assert runner.invoke(app, ["--now", "2026-11-23T10:00", "init", str(root)]).exit_code == 0
    doc = cli("run", now="2026-11-23T10:00")
    by = {(m["customer_id"], m["channel"]): m for m in doc["messages"]}
    assert "देय" in by[("C004", "sms")]["body"]  # "due", from heads-up.sms.hi.j2
    assert by[("C001", "email")]["cc"] == ["owner@patelfabrics.example"]
    cli("reconcile", str(root / "bank.csv"), now="2026-11-25T10:00")
    doc = cli("run", now="2026-11-25T11:00")  # (the 24th is a public holiday in the demo's calendar)
    thanked = sorted(m["customer_id"] for m in doc["messages"] if m["playbook"] == "receipts")
    assert thanked == ["C002", "C003", "C005"]  # the three payments matched by the sample statement
    doc = cli("run", now="2026-11-25T12:00")
    assert [m for m in doc["messages"] if m["playbook"] == "receipts"] == []
