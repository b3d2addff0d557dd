"""One judgement of the configuration (SPEC 2): `run` — and `run --dry-run`, which is `run`'s
checks without sending — refuses (exit 2, nothing sent, nothing recorded) whenever `check`
reports a config, playbook or template error. An error that only shows while rendering one
message affects that message alone.

The default book (tests/conftest.py) would send four messages at NOW; each broken
configuration below would otherwise let some of them through.
"""

from __future__ import annotations

import sqlite3

import pytest

BROKEN = {
    # a step's template file is missing (firm is the day-7 SMS of the standard playbook)
    "missing template": ({"firm.sms.j2": None}, None, "template file firm.sms.j2 not found"),
    # a template that does not parse (an `if` without a condition)
    "template does not parse": ({"nudge.email.j2": "Subject: x\n{% if %}\n"}, None, "nudge.email.j2"),
    # a playbook `match` that does not compile
    "match does not compile": ({}, "name: standard\nmatch: \"customer.tier ==\"\nsteps:\n  - id: heads-up\n"
                                   "    at: due-3d\n    channel: email\n    template: gentle\n", "match"),
}


def broken_workspace(make_workspace, templates, playbook):
    ws = make_workspace(playbooks={"standard.yaml": playbook} if playbook else None)
    for name, text in templates.items():
        path = ws.root / "templates" / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
    return ws


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_run_refuses_what_check_calls_unusable(make_workspace, case):
    templates, playbook, words = BROKEN[case]
    ws = broken_workspace(make_workspace, templates, playbook)
    code, doc = ws.json("check")
    assert code == 2 and not doc["ok"]
    assert any(words in p["message"] or words in p["key"] for p in doc["problems"]), doc["problems"]
    for args in (("run", "--dry-run"), ("run",)):
        code, doc = ws.json(*args)
        assert code == 2, (args, doc)
        assert doc["refused"].startswith("the configuration is not usable: ") and words in doc["refused"]
        assert "Nothing was sent" in doc["refused"] and doc["messages"] == []
    assert ws.sent() == []
    db = ws.root / "collectbot.db"
    if db.exists():  # nothing recorded: no run, no touch
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM touches").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_the_human_output_names_the_file_line_and_problem(make_workspace):
    ws = broken_workspace(make_workspace, {"firm.sms.j2": None}, None)
    result = ws.cli("run")
    assert result.exit_code == 2
    text = " ".join((result.stdout + result.stderr).split())
    assert "standard.yaml:" in text and "template file firm.sms.j2 not found" in text
    assert "Traceback" not in text


def test_an_error_while_rendering_one_message_stops_only_that_message(make_workspace):
    # `invoices[5]` exists only for a customer with six invoices: the ACME heads-up fails to render,
    # the other messages of the default book (Globex, Initech, Hooli) still go.
    nudge = "Subject: Overdue\n{{ invoices[0].invoice_id }} {{ (invoices|first).balance|money }}\n"
    gentle = "Subject: Soon\n{{ invoices[5].invoice_id.upper() }}\n"
    ws = make_workspace(templates={"gentle.email.j2": gentle, "nudge.email.j2": nudge})
    code, doc = ws.json("check")
    assert code == 0, doc
    code, doc = ws.json("run")
    assert code == 1, doc  # finished, but one message needs attention
    sent = sorted(i for m in doc["messages"] if m["status"] == "sent" for i in m["invoice_ids"])
    assert "INV-001" not in sent and {"INV-003", "INV-004", "INV-006"} <= set(sent)
    assert any("INV-001" == e.get("invoice_id") for e in doc["errors"]), doc["errors"]
