"""What a task note can read, and invoices no playbook applies to. Through the real CLI on the
default workspace (tests/conftest.py: NOW Tuesday 2026-03-10 10:00 IST; Umbrella's INV-005,
₹9,000 due 2026-02-20, gets the `day-14` task now; nothing has been sent to anyone yet)."""

from __future__ import annotations

import json

from conftest import STANDARD_PLAYBOOK


def playbook_with_note(note: str) -> str:
    """The standard playbook whose day-14 task has this note (a JSON string is a YAML string)."""
    old = 'note: "Call {{ customer.name }}: {{ invoices|length }} invoice(s) overdue"'
    assert old in STANDARD_PLAYBOOK
    return STANDARD_PLAYBOOK.replace(old, "note: " + json.dumps(note))


def umbrella_task(ws) -> dict:
    code, doc = ws.json("preview")
    assert code == 0 and doc["errors"] == [], doc
    [task] = [t for t in doc["tasks"] if t["invoice_ids"] == ["INV-005"]]
    return task


def test_a_task_note_reads_the_invoice_and_the_previous_touch(make_workspace):
    # `invoice` and `previous` are built only when a note reads them; the note must still get them.
    # INV-005's earlier steps were superseded, never sent: there is no previous touch.
    note = "{{ invoice.invoice_id }} ({{ invoice.balance|money }}), last: {{ previous.step if previous else 'none' }}"
    ws = make_workspace(playbooks={"standard.yaml": playbook_with_note(note)})
    assert umbrella_task(ws)["note"] == "INV-005 (₹9,000.00), last: none"


def test_a_task_note_counts_the_history_and_the_invoices(make_workspace):
    # one invoice in the task; no touch recorded for INV-005 yet
    note = "{{ invoices|length }} invoice(s), {{ history|length }} earlier touch(es)"
    ws = make_workspace(playbooks={"standard.yaml": playbook_with_note(note)})
    assert umbrella_task(ws)["note"] == "1 invoice(s), 0 earlier touch(es)"


def test_an_invoice_no_playbook_applies_to_is_left_alone_without_an_error(make_workspace):
    # the only playbook applies from ₹1,000 up: Initech's INV-004 (₹750) and Hooli's INV-006 (₹300)
    # are not chased, and that is not an error; Globex's INV-003 (₹2,000) gets its day-3 email.
    big = STANDARD_PLAYBOOK.replace("name: standard\n", "name: standard\nmatch: \"invoice.balance >= 1000\"\n")
    ws = make_workspace(playbooks={"standard.yaml": big})
    code, doc = ws.json("preview")
    assert code == 0 and doc["errors"] == []
    chased = {i for m in doc["messages"] for i in m["invoice_ids"]} | {i for t in doc["tasks"] for i in t["invoice_ids"]}
    assert "INV-003" in chased and not chased & {"INV-004", "INV-006"}
    code, doc = ws.json("explain", "INV-004")
    assert doc["playbook"] is None and doc["next"]["what"] == "nothing: no playbook applies to this invoice"


def test_a_plain_task_note_gets_the_invoice_it_names(make_workspace):
    # a note of plain fields only is filled without Jinja; `invoice` must still be built for it
    ws = make_workspace(playbooks={"standard.yaml": playbook_with_note("Call about {{ invoice.invoice_id }}")})
    assert umbrella_task(ws)["note"] == "Call about INV-005"


def test_a_task_for_several_invoices_leads_with_the_most_overdue(make_workspace):
    # Umbrella also has INV-013, due 2026-02-10 (28 days overdue at NOW, INV-005 is 18): one
    # day-14 task covers both, and its `invoice` is the most overdue one, INV-013.
    from conftest import DEFAULT_INVOICES

    rows = [dict(r) for r in DEFAULT_INVOICES]
    rows.append(dict(rows[4], invoice_id="INV-013", issue_date="2026-01-10", due_date="2026-02-10"))
    ws = make_workspace(invoices=rows,
                        playbooks={"standard.yaml": playbook_with_note("{{ invoice.invoice_id }} of {{ invoices|length }}")})
    code, doc = ws.json("preview")
    [task] = [t for t in doc["tasks"] if "INV-005" in t["invoice_ids"]]
    assert sorted(task["invoice_ids"]) == ["INV-005", "INV-013"]
    assert task["note"] == "INV-013 of 2"


def test_a_superseded_step_says_which_step_superseded_it(workspace):
    # Initech's INV-004 (due 03-03): day-7 (03-10) is due now, so heads-up and day-3 are superseded by it
    code, doc = workspace.json("preview")
    details = {s["step"]: s.get("detail") for s in doc["skipped"] if s["invoice_id"] == "INV-004"}
    assert details == {"heads-up": "superseded by step 'day-7'", "day-3": "superseded by step 'day-7'"}


def test_a_skip_lists_only_the_fields_it_has(workspace):
    # a superseded step has no `until` (it waits for nothing); a step held back by closed hours has one
    code, doc = workspace.json("preview", now="2026-03-10T20:00:00")
    superseded = [s for s in doc["skipped"] if s["reason"] == "superseded"]
    waiting = [s for s in doc["skipped"] if s["reason"] == "outside_hours"]
    assert superseded and all(set(s) == {"invoice_id", "playbook", "step", "reason", "detail"} for s in superseded)
    assert waiting and all(set(s) == {"invoice_id", "playbook", "step", "reason", "until", "detail"} for s in waiting)
