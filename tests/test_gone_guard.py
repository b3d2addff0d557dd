"""An empty export is not "everyone paid" (SPEC 2): when a sync would close (`gone`) more than
`limits.max_gone` of the invoices the state knows as present (default 50 %), and more than 5,
`run` sends nothing and records nothing (exit 2, naming the file) unless `--force`;
`run --dry-run` says the same; `reconcile` refuses to record.
"""

from __future__ import annotations

import sqlite3

import pytest

from collectbot.sync import too_many_gone
from tests.conftest import DEFAULT_INVOICES

HEADER_ONLY = "invoice_id,customer_id,customer_name,email,phone,issue_date,due_date,amount,balance,status\n"
BANK = "Date,Description,Amount\n2026-03-10,NEFT INV-003 GLOBEX,2000.00\n"


def states(ws) -> dict[str, str]:
    with sqlite3.connect(ws.root / "collectbot.db") as conn:
        return dict(conn.execute("SELECT invoice_id, state FROM invoices"))


def test_a_header_only_export_closes_nothing_and_sends_nothing(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0 and doc["summary"]["sent"] > 0
    sent_before = len(ws.sent())
    n = len(DEFAULT_INVOICES)  # 8 invoices, all present in the state after the first run
    ws.write_invoices(HEADER_ONLY)
    for args in (("run", "--dry-run"), ("run",)):
        code, doc = ws.json(*args, now="2026-03-10T11:00:00")
        assert code == 2, (args, doc)
        # all 8 would go: more than 5, and more than 50 % of 8
        assert doc["refused"].startswith(f"invoices.csv would close {n} of the {n} invoices collectbot knows")
        assert "--force" in doc["refused"] and doc["messages"] == []
    assert set(states(ws).values()) == {"open"} and len(ws.sent()) == sent_before
    ws.write("bank.csv", BANK)
    code, doc = ws.json("reconcile", "bank.csv", now="2026-03-10T11:00:00")
    assert code == 2 and "collectbot run --force" in doc["errors"][0]["message"]
    assert set(states(ws).values()) == {"open"}
    with sqlite3.connect(ws.root / "collectbot.db") as conn:
        assert conn.execute("SELECT count(*) FROM payments").fetchone()[0] == 0
    # the owner confirms: they really are all gone
    code, doc = ws.json("run", "--force", now="2026-03-10T11:05:00")
    assert code == 0 and doc["sync"]["gone"] == n, doc
    assert set(states(ws).values()) == {"gone"}


def test_a_few_invoices_leaving_the_book_is_ordinary(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0
    # 3 of 8 leave: not more than 5, so they are simply closed
    ws.write_invoices(DEFAULT_INVOICES[3:])
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert code == 0 and doc["sync"]["gone_ids"] == ["INV-001", "INV-002", "INV-003"]


def test_max_gone_100_percent_turns_the_guard_off_and_a_bad_value_is_a_config_error(make_workspace):
    ws = make_workspace(config={"limits": {"max_gone": "100%"}})
    assert ws.json("run")[0] == 0
    ws.write_invoices(HEADER_ONLY)
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert code == 0 and doc["sync"]["gone"] == len(DEFAULT_INVOICES)
    ws = make_workspace(config={"limits": {"max_gone": "half"}})
    code, doc = ws.json("check")
    assert code == 2
    (p,) = doc["problems"]
    assert p["key"] == "limits.max_gone" and "'half'" in p["message"] and p["line"]


@pytest.mark.parametrize("gone, known, share, refused", [
    (5, 5, 0.5, False),    # all of them, but only 5: a small book can empty out
    (6, 6, 0.5, True),     # 6 > 5 and 6 > 3
    (6, 12, 0.5, False),   # exactly half is not more than half
    (7, 12, 0.5, True),    # 7 > 6
    (7, 12, 0.6, False),   # 7 <= 7.2
    (8, 12, 0.6, True),    # 8 > 7.2
    (10, 10, 1.0, False),  # 100 %: never
    (6, 6, 0.0, True),     # 0 %: any sync closing more than 5
])
def test_the_rule(gone, known, share, refused):
    assert too_many_gone(gone, known, share) is refused
