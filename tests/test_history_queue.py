"""`history`, `explain`, `queue`, `queue done` and `resend` through the CLI after a real run."""

from __future__ import annotations

from datetime import timedelta

from conftest import DEFAULT_INVOICES, NOW_DT


def test_history_of_an_invoice_and_of_a_customer_in_time_order(workspace):
    assert workspace.json("run")[0] == 0
    workspace.set_mtime("invoices.csv", NOW_DT + timedelta(days=6))  # a fresh export that morning
    assert workspace.json("run", now="2026-03-16T10:00")[0] == 0  # ACME day-3 (due+3d = 03-16) goes out
    code, doc = workspace.json("history", "INV-001")
    assert code == 0 and doc["kind"] == "invoice"
    kinds = [e["kind"] for e in doc["entries"]]
    assert kinds[0] == "imported"
    assert kinds.count("touch sent") == 2 and kinds.count("message sent") == 2
    times = [e["at"] for e in doc["entries"]]
    assert times == sorted(times)
    steps = [e["step"] for e in doc["entries"] if e["kind"] == "touch sent"]
    assert steps == ["heads-up", "day-3"]
    code, doc = workspace.json("history", "acme")
    assert code == 0 and doc["kind"] == "customer"
    assert {e["invoice_id"] for e in doc["entries"] if e["kind"].startswith("touch")} == {"INV-001", "INV-002"}
    code, doc = workspace.json("history", "INV-004")
    assert [e["status"] for e in doc["entries"] if e["kind"].startswith("touch")].count("superseded") == 2
    result = workspace.cli("history", "INV-005")
    assert result.exit_code == 0 and "item opened" in result.stdout and "Umbrella" in result.stdout
    result = workspace.cli("history", "NOPE-1")
    assert result.exit_code == 2 and "NOPE-1" in result.stderr


def test_explain_shows_each_step_state(workspace):
    assert workspace.json("run")[0] == 0
    code, doc = workspace.json("explain", "INV-004")
    assert code == 0 and doc["playbook"] == "standard"
    states = {s["step"]: s["state"] for s in doc["steps"]}
    assert states["heads-up"] == "superseded" and states["day-3"] == "superseded" and states["day-7"] == "sent"
    result = workspace.cli("explain", "INV-004")
    assert result.exit_code == 0 and "day-14" in result.stdout
    assert workspace.cli("explain", "NOPE-1").exit_code == 2


def test_queue_orders_by_amount_times_days_overdue_and_done_closes(make_workspace):
    rows = DEFAULT_INVOICES + [
        {"invoice_id": "INV-020", "customer_id": "small", "customer_name": "Small Shop", "email": "a@small.example",
         "issue_date": "2026-01-10", "due_date": "2026-02-10", "amount": "100.00", "balance": "100.00",
         "status": "open"},
    ]
    ws = make_workspace(invoices=rows)
    code, doc = ws.json("run")
    assert code == 0 and sorted(t["invoice_ids"][0] for t in doc["tasks"]) == ["INV-005", "INV-020"]
    code, doc = ws.json("queue")
    assert code == 0
    assert [(t["kind"], t["invoice_ids"], t["days_overdue"], t["amount"]) for t in doc["items"]] == [
        ("task", ["INV-005"], 18, "9000.00"), ("task", ["INV-020"], 28, "100.00")]
    first = doc["items"][0]["id"]
    result = ws.cli("queue", "done", str(first))
    assert result.exit_code == 0
    assert [t["invoice_ids"] for t in ws.json("queue")[1]["items"]] == [["INV-020"]]
    assert ws.cli("queue", "done", str(first)).exit_code == 2  # already done
    assert ws.cli("queue", "finish", "1").exit_code == 2
    result = ws.cli("queue")
    assert result.exit_code == 0 and "INV-020" in result.stdout


def test_resend_refuses_a_touch_that_was_sent(workspace):
    assert workspace.json("run")[0] == 0
    touch = workspace.touches()[("INV-003", "day-3")]
    result = workspace.cli("resend", str(touch["id"]))
    assert result.exit_code == 2 and "only an uncertain or failed touch" in result.stderr
    assert workspace.cli("resend", "9999").exit_code == 2


def test_every_command_of_this_area_is_documented_with_its_flags():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    doc = (root / "README.md").read_text() + "".join(p.read_text() for p in (root / "docs").glob("*.md"))
    for usage in ("collectbot preview", "collectbot preview --days", "collectbot run", "collectbot run --dry-run",
                  "collectbot run --limit", "collectbot run --force", "collectbot run --strict",
                  "collectbot explain", "collectbot history", "collectbot queue", "collectbot queue done",
                  "collectbot resend", "collectbot resend --message", "COLLECTBOT_OUTBOX_DELAY"):
        assert usage in doc, usage
