"""SPEC 3 rules through the real CLI on a real temp workspace, at a fixed --now.

The default book (tests/conftest.py) at NOW = Tue 2026-03-10 10:00 Asia/Kolkata plans:
ACME heads-up email for INV-001+INV-002, Globex day-3 email, Initech day-7 SMS, Hooli day-3
falling back to SMS, and the Umbrella day-14 task.
"""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

from conftest import DEFAULT_INVOICES, NOW_DT, STANDARD_PLAYBOOK

ACME_DUE_SOON = [r for r in DEFAULT_INVOICES if r["customer_id"] == "acme"]


def _keys(messages):
    return sorted((m["customer_id"], m["channel"], tuple(m["invoice_ids"]), tuple(m["steps"])) for m in messages)


def test_first_run_consolidates_catches_up_falls_back_and_makes_a_task(workspace):
    code, doc = workspace.json("run")
    assert code == 0, doc
    assert _keys(doc["messages"]) == [
        ("acme", "email", ("INV-001", "INV-002"), ("heads-up",)),
        ("globex", "email", ("INV-003",), ("day-3",)),
        ("hooli", "sms", ("INV-006",), ("day-3",)),
        ("initech", "sms", ("INV-004",), ("day-7",)),
    ]
    assert all(m["status"] == "sent" for m in doc["messages"])
    hooli = next(m for m in doc["messages"] if m["customer_id"] == "hooli")
    assert hooli["to"] == "+919800000006"
    # one consolidated email listing both invoices, as a real mail file
    acme = next(m for m in workspace.sent() if m["customer_id"] == "acme")
    mail = email.message_from_bytes((workspace.outbox / acme["file"]).read_bytes(), policy=policy.default)
    text = mail.get_body(("plain",)).get_content()
    assert mail["To"] == "ap@acme.example" and "INV-001" in text and "INV-002" in text
    assert len(workspace.sent()) == 4
    assert {m["at"] for m in workspace.sent()} == {"2026-03-10T04:30:00+00:00"}  # the run's --now, not the clock
    # catch-up: earlier steps of late invoices are superseded, not sent
    touches = workspace.touches()
    assert touches[("INV-004", "heads-up")]["status"] == "superseded"
    assert touches[("INV-004", "day-3")]["status"] == "superseded"
    assert touches[("INV-004", "day-7")]["status"] == "sent"
    assert {s["invoice_id"] for s in doc["skipped"] if s["reason"] == "superseded"} >= {"INV-003", "INV-004", "INV-005"}
    # the task is in the queue, with its touch marked `task`
    assert [(t["invoice_ids"], t["step"], t["assign"]) for t in doc["tasks"]] == [(["INV-005"], "day-14", "owner")]
    assert touches[("INV-005", "day-14")]["status"] == "task"
    # nothing for the paid invoice or the one not yet due
    assert not any(k[0] in ("INV-007", "INV-008") for k in touches)


def test_rerun_sends_nothing_and_records_runs(workspace):
    assert workspace.json("run")[0] == 0
    code, doc = workspace.json("run")
    assert code == 0 and doc["messages"] == [] and doc["tasks"] == []
    assert len(workspace.sent()) == 4
    assert [r["status"] for r in workspace.rows("SELECT status FROM runs ORDER BY id")] == ["done", "done"]


def test_preview_then_run_at_the_same_now_plan_and_send_the_same(workspace):
    code, preview = workspace.json("preview")
    assert code == 0 and all(m["status"] == "planned" for m in preview["messages"])
    assert not workspace.db_path.exists(), "preview must not create the state file"
    code, run = workspace.json("run")
    assert code == 0

    def shape(ms):
        return sorted((m["customer_id"], m["channel"], m["to"], m["invoice_ids"], m["playbook"], m["steps"],
                       m["scheduled_at"], m["subject"], m["body"]) for m in ms)

    assert shape(preview["messages"]) == shape(run["messages"]) and len(run["messages"]) == 4
    assert preview["tasks"] == [{k: v for k, v in t.items() if k != "task_id"} for t in run["tasks"]]
    # and after the run, preview (reading the state without changing it) has nothing left
    before = workspace.db_path.read_bytes()
    code, again = workspace.json("preview")
    assert code == 0 and again["messages"] == []
    assert workspace.db_path.read_bytes() == before


def test_dry_run_records_nothing(workspace):
    code, doc = workspace.json("run", "--dry-run")
    assert code == 0 and len(doc["messages"]) == 4 and {m["status"] for m in doc["messages"]} == {"planned"}
    assert workspace.sent() == [] and not workspace.db_path.exists()


def test_polite_hours_in_the_customer_time_zone(make_workspace):
    ws = make_workspace(
        invoices=[{"invoice_id": "NY-1", "customer_id": "nyc", "customer_name": "NYC Inc", "email": "ap@nyc.example",
                   "issue_date": "2026-02-11", "due_date": "2026-03-12", "amount": "100", "balance": "100",
                   "status": "open"}],  # heads-up due 03-09 in New York: already due, but it is night there
        customers=[{"customer_id": "nyc", "name": "NYC Inc", "email": "ap@nyc.example",
                    "timezone": "America/New_York"}],
    )
    code, doc = ws.json("run")  # 10:00 in India = 00:30 in New York: too early there
    assert code == 0 and doc["messages"] == []
    assert [(s["invoice_id"], s["reason"]) for s in doc["skipped"]] == [("NY-1", "outside_hours")]
    code, doc = ws.json("run", now="2026-03-10T19:30")  # 10:00 in New York
    assert code == 0 and [m["invoice_ids"] for m in doc["messages"]] == [["NY-1"]]
    assert doc["messages"][0]["status"] == "sent"


def test_nothing_goes_out_on_a_holiday(make_workspace):
    ws = make_workspace(invoices=ACME_DUE_SOON, config={"business": {"holidays": ["2026-03-10"]}})
    code, doc = ws.json("run")
    assert code == 0 and doc["messages"] == []
    assert {s["reason"] for s in doc["skipped"]} == {"holiday"}
    code, doc = ws.json("run", now="2026-03-11T10:00")
    assert code == 0 and len(doc["messages"]) == 1 and doc["messages"][0]["invoice_ids"] == ["INV-001", "INV-002"]


def test_one_message_per_customer_per_channel_per_day(make_workspace):
    ws = make_workspace(invoices=ACME_DUE_SOON[:1])
    assert [m["invoice_ids"] for m in ws.json("run")[1]["messages"]] == [["INV-001"]]
    ws.write_invoices(ACME_DUE_SOON, mtime=NOW_DT + timedelta(hours=4))  # INV-002 appears the same afternoon
    code, doc = ws.json("run", now="2026-03-10T14:00")
    assert code == 0 and doc["messages"] == []
    assert [(s["invoice_id"], s["reason"]) for s in doc["skipped"]] == [("INV-002", "daily_cap")]
    code, doc = ws.json("run", now="2026-03-11T10:00")
    assert [m["invoice_ids"] for m in doc["messages"]] == [["INV-002"]]


def test_run_cap_and_limit_hold_messages_for_the_next_run(make_workspace):
    ws = make_workspace(config={"limits": {"max_messages_per_run": 3}})
    code, doc = ws.json("run", "--limit", "2")
    assert code == 0 and len(doc["messages"]) == 2 and doc["summary"]["capped"] == 2
    assert sum(1 for s in doc["skipped"] if s["reason"] == "cap") >= 2
    code, doc = ws.json("run", now="2026-03-10T10:05")
    assert len(doc["messages"]) == 2 and doc["summary"]["capped"] == 0
    sent = [tuple(m["invoice_ids"]) for m in ws.sent()]
    assert len(sent) == len(set(sent)) == 4


def test_stale_source_is_refused_by_name_unless_forced(workspace):
    workspace.set_mtime("invoices.csv", NOW_DT - timedelta(days=4))
    result = workspace.cli("run")
    assert result.exit_code == 2
    assert "invoices.csv" in result.stderr and "stale" in result.stderr
    assert workspace.sent() == []
    code, doc = workspace.json("run", "--dry-run")
    assert code == 2 and "invoices.csv" in doc["refused"] and doc["messages"] == []
    code, doc = workspace.json("preview")  # preview only warns
    assert code == 0 and len(doc["messages"]) == 4 and any("invoices.csv" in w for w in doc["warnings"])
    code, doc = workspace.json("run", "--force")
    assert code == 0 and len(workspace.sent()) == 4


def test_a_run_back_in_time_is_refused(workspace):
    assert workspace.json("run")[0] == 0
    result = workspace.cli("run", now="2026-03-09T10:00")
    assert result.exit_code == 2 and "earlier than the last recorded run" in result.stderr
    # in the business time zone, to the minute (not UTC ISO stamps)
    assert "--now 2026-03-09 10:00 is earlier than the last recorded run (2026-03-10 10:00)" in \
        " ".join(result.stderr.split())
    assert len(workspace.rows("SELECT * FROM runs")) == 1


def test_an_invoice_gone_from_the_export_is_no_longer_chased(workspace):
    assert workspace.json("run")[0] == 0
    later = "2026-03-16T10:00"  # Globex INV-003 day-7 (due+7d = 03-14) would now be due
    code, doc = workspace.json("preview", now=later)
    assert ("INV-003",) in [tuple(m["invoice_ids"]) for m in doc["messages"]]
    workspace.write_invoices([r for r in DEFAULT_INVOICES if r["invoice_id"] != "INV-003"],
                             mtime=NOW_DT + timedelta(days=6))
    code, doc = workspace.json("run", now=later)
    assert code == 0 and all("INV-003" not in m["invoice_ids"] for m in doc["messages"])
    assert doc["sync"]["gone_ids"] == ["INV-003"]
    assert workspace.rows("SELECT state FROM invoices WHERE invoice_id = 'INV-003'") == [{"state": "gone"}]
    result = workspace.cli("explain", "INV-003", now=later)
    assert result.exit_code == 2 and "gone" in result.stderr


def test_a_renamed_step_counts_as_new_and_a_removed_one_is_not_sent(workspace):
    assert workspace.json("run")[0] == 0
    workspace.write("playbooks/standard.yaml", STANDARD_PLAYBOOK.replace("id: day-3\n", "id: day-3-renamed\n")
                    .replace("  - id: day-7\n    at: due+7d\n    channel: sms\n    template: firm\n", ""))
    code, doc = workspace.json("run", now="2026-03-11T10:00")
    assert code == 0
    got = _keys(doc["messages"])
    assert ("globex", "email", ("INV-003",), ("day-3-renamed",)) in got
    assert all("day-7" not in k[3] for k in got)
    assert workspace.touches()[("INV-003", "day-3")]["status"] == "sent"  # the old row stays as history


def test_strict_refuses_bad_rows_before_anything_is_sent(make_workspace):
    rows = [dict(r) for r in DEFAULT_INVOICES]
    rows[1]["amount"] = "lots"
    ws = make_workspace(invoices=rows)
    code, doc = ws.json("run", "--strict")
    assert code == 2 and ws.sent() == [] and doc["messages"] == []
    assert any(e.get("row") == 3 and "invoices.csv" in str(e.get("file")) for e in doc["errors"])
    code, doc = ws.json("run")  # without --strict: the good rows go, the bad one is reported, exit 1
    assert code == 1 and len(doc["messages"]) == 4
    assert any(e.get("row") == 3 for e in doc["errors"])
    assert all("INV-002" not in m["invoice_ids"] for m in doc["messages"])


def test_missing_credentials_stop_the_run_before_anything_is_sent(make_workspace):
    ws = make_workspace(config={"channels": {"email": {"provider": "sendgrid", "api_key_env": "CB_TEST_NO_SUCH_KEY"}}})
    result = ws.cli("run", env={"CB_TEST_NO_SUCH_KEY": None})
    assert result.exit_code == 2 and "CB_TEST_NO_SUCH_KEY" in result.stderr
    assert ws.sent() == []
    assert ws.rows("SELECT COUNT(*) AS n FROM messages") == [{"n": 0}]


def test_human_output_lists_messages_and_tasks(workspace):
    result = workspace.cli("preview")
    assert result.exit_code == 0
    assert "acme" in result.stdout and "heads-up" in result.stdout and "Umbrella" in result.stdout
    result = workspace.cli("run")
    assert result.exit_code == 0 and "sent 4 message(s)" in result.stdout


def test_preview_days_shows_a_timeline(workspace):
    code, doc = workspace.json("preview", "--days", "10")
    assert code == 0 and doc["timeline"]
    days = [d["date"] for d in doc["timeline"]]
    assert days == sorted(days) and days[0] == "2026-03-10"
    later = [(d["date"], tuple(m["invoice_ids"]), tuple(m["steps"])) for d in doc["timeline"] for m in d["messages"]]
    assert ("2026-03-10", ("INV-001", "INV-002"), ("heads-up",)) in later
    assert any(steps == ("day-7",) and inv == ("INV-003",) for _, inv, steps in later)  # due+7d = 03-14 -> Monday 16th?
    assert not workspace.db_path.exists()


def test_a_locked_workspace_exits_3_with_the_usual_json_shape(workspace):
    from collectbot.state import WorkspaceLock

    with WorkspaceLock(workspace.db_path):  # another run holds it
        code, doc = workspace.json("run")
        result = workspace.cli("run")
    assert code == 3 and doc["locked"] is True and doc["messages"] == [] and "lock" in doc["errors"][0]["message"]
    assert result.exit_code == 3 and "lock" in result.stderr
    assert workspace.sent() == []
    assert workspace.json("run")[0] == 0  # released: the next run goes


def test_preview_says_when_run_would_refuse_the_configuration(make_workspace):
    """(audit) `preview` showed a full plan for a configuration `run` refuses (a missing template)."""
    ws = make_workspace()
    (ws.root / "templates" / "firm.sms.j2").unlink()
    code, doc = ws.json("preview")
    assert code == 1 and any(w.startswith("`run` would refuse to send any of this: the configuration is not usable")
                             for w in doc["warnings"])
    assert ws.json("run")[0] == 2


def test_a_planning_problem_names_its_invoice_and_step(make_workspace):
    ws = make_workspace(templates={"nudge.email.j2": "Subject: x\n{{ invoice.balanse + 1 }}"})
    result = ws.cli("preview", env={"COLUMNS": "200"})
    assert "INV-003 (standard/day-3): " in result.stderr
