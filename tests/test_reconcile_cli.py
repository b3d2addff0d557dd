"""`collectbot reconcile` and `collectbot match` end to end: real files, real CLI, real SQLite.

The default workspace (tests/conftest.py) is in INR at NOW = 2026-03-10 10:00 Asia/Kolkata, with
ACME INV-001 (1000) + INV-002 (500), Globex INV-003 (2000), Initech INV-004 (750), ...
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "statements"

BANK = """\
Date,Narration,Payer Name,Amount,Currency
2026-03-09,NEFT/123456789012/INV 3 part payment,Globex,800.00,INR
2026-03-09,NEFT CR 998877665544,ACME LTD,"1,500.00",INR
2026-03-09,INV-004 refund,Initech,-750.00,INR
2026-03-09,[URGENT] CASH DEP 4455,,123.45,INR
2026-03-09,UPI/INITECH,INITECH,100.00,INR
"""


def payments(ws) -> list[dict]:
    return ws.rows("SELECT * FROM payments ORDER BY id")


def applied(ws) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for r in ws.rows("SELECT invoice_id, amount FROM allocations WHERE applied = 1"):
        out[r["invoice_id"]] = out.get(r["invoice_id"], Decimal(0)) + Decimal(r["amount"])
    return out


@pytest.fixture
def ws(workspace):
    workspace.write("bank.csv", BANK)
    return workspace


def test_reconcile_json_shape_and_what_it_records(ws):
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert code == 0, doc
    assert {"matches", "review", "unmatched", "errors", "summary"} <= doc.keys()
    by_amount = {m["amount"]: m for m in doc["matches"]}
    partial = by_amount["800.00"]
    for key in ("transaction_id", "date", "amount", "description", "invoice_ids", "confidence", "applied"):
        assert key in partial
    assert partial["description"] == "NEFT/123456789012/INV 3 part payment"
    assert (partial["invoice_ids"], partial["confidence"], partial["applied"]) == (["INV-003"], "high", True)
    both = by_amount["1500.00"]
    assert both["invoice_ids"] == ["INV-001", "INV-002"] and both["applied"]
    assert [(r["invoice_ids"], r["applied"]) for r in doc["review"]] == [(["INV-004"], False)]
    assert [u["amount"] for u in doc["unmatched"]] == ["123.45"]
    assert doc["summary"]["debits_ignored"] == 1

    assert applied(ws) == {"INV-003": Decimal("800.00"), "INV-001": Decimal("1000.00"),
                           "INV-002": Decimal("500.00")}
    rows = payments(ws)
    assert sorted(r["status"] for r in rows) == ["matched", "matched", "review", "unmatched"]
    assert all(Decimal(r["amount"]) > 0 for r in rows)  # the debit is never recorded
    tasks = ws.rows("SELECT kind FROM tasks WHERE status = 'open' ORDER BY kind")
    assert [t["kind"] for t in tasks] == ["review", "unmatched_payment"]
    kinds = [e["kind"] for e in ws.rows("SELECT kind FROM events WHERE kind LIKE 'payment%'")]
    assert kinds.count("payment") == 2 and "payment_suggested" in kinds and "payment_unmatched" in kinds


def test_importing_twice_changes_nothing(ws):
    assert ws.json("reconcile", str(ws.root / "bank.csv"))[0] == 0
    before = (payments(ws), ws.rows("SELECT * FROM allocations"), ws.rows("SELECT * FROM tasks"))
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert code == 0
    assert doc["matches"] == doc["review"] == doc["unmatched"] == []
    assert doc["summary"]["already_imported"] == 4
    assert (payments(ws), ws.rows("SELECT * FROM allocations"), ws.rows("SELECT * FROM tasks")) == before


def test_dry_run_records_nothing(ws):
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / "bank.csv"))
    assert code == 0 and doc["dry_run"] and len(doc["matches"]) == 2
    assert not ws.db_path.exists() or payments(ws) == []


def test_human_output_lists_matches_review_and_unmatched(ws):
    result = ws.cli("reconcile", str(ws.root / "bank.csv"))
    assert result.exit_code == 0
    out = result.stdout
    assert "Matched" in out and "For review" in out and "Unmatched" in out
    assert "NEFT/123456789012/INV 3 part payment" in out and "[URGENT] CASH DEP 4455" in out


def test_partial_payment_leaves_the_right_balance_and_later_lines_see_it(ws):
    ws.write("second.csv", "Date,Narration,Payer Name,Amount,Currency\n"
                           "2026-03-09,INV-003 rest,Globex,1500.00,INR\n")
    assert ws.json("reconcile", str(ws.root / "bank.csv"))[0] == 0
    code, doc = ws.json("reconcile", str(ws.root / "second.csv"))
    assert code == 0
    [m] = doc["matches"]
    assert m["allocations"] == {"INV-003": "1200.00"} and m["credit"] == "300.00"
    assert applied(ws)["INV-003"] == Decimal("2000.00")
    credit = ws.rows("SELECT customer_id, data FROM events WHERE kind = 'customer_credit'")
    assert len(credit) == 1 and credit[0]["customer_id"] == "globex" and '"300.00"' in credit[0]["data"]


def test_a_bad_file_is_reported_and_the_others_go_on(ws):
    ws.write("broken.ofx", "OFXHEADER:100\n<OFX><BANKTRANLIST><STMTTRN><TRNAMT>abc</STMTTRN>")
    code, doc = ws.json("reconcile", str(ws.root / "broken.ofx"), str(ws.root / "missing.csv"),
                        str(ws.root / "bank.csv"))
    assert code == 1
    files = {e["file"] for e in doc["errors"]}
    assert str(ws.root / "missing.csv") in files
    assert len(doc["matches"]) == 2


def test_usage_errors(ws):
    assert ws.cli("reconcile").exit_code == 2
    assert ws.cli("reconcile", "--format", "pdf", str(ws.root / "bank.csv")).exit_code == 2


def test_locked_workspace_exits_3(ws):
    from collectbot.state import WorkspaceLock

    with WorkspaceLock(ws.db_path):
        assert ws.cli("reconcile", str(ws.root / "bank.csv")).exit_code == 3
        assert ws.cli("reconcile", "--dry-run", str(ws.root / "bank.csv")).exit_code == 0


# ---------------------------------------------------------------------------- review, accept, reject, match


def test_review_accept_and_reject(ws):
    ws.write("more.csv", "Date,Narration,Payer Name,Amount,Currency\n"
                         "2026-03-09,UPI/HOOLI,HOOLI,50.00,INR\n")
    ws.json("reconcile", str(ws.root / "bank.csv"), str(ws.root / "more.csv"))
    code, doc = ws.json("reconcile", "--review")
    assert code == 0
    pending = {p["payer"]: p for p in doc["review"]}
    assert set(pending) == {"INITECH", "HOOLI"}
    initech, hooli = pending["INITECH"]["id"], pending["HOOLI"]["id"]

    code, doc = ws.json("reconcile", "--accept", str(initech))
    assert code == 0 and doc["done"][0]["allocations"] == {"INV-004": "100.00"}
    assert applied(ws)["INV-004"] == Decimal("100.00")
    code, doc = ws.json("reconcile", "--reject", str(hooli))
    assert code == 0
    assert "INV-006" not in applied(ws)
    statuses = {r["id"]: r["status"] for r in payments(ws)}
    assert statuses[initech] == "matched" and statuses[hooli] == "unmatched"
    assert ws.json("reconcile", "--review")[1]["review"] == []
    # a decision is not taken twice
    assert ws.json("reconcile", "--accept", str(initech))[0] == 2


def test_match_links_a_payment_by_hand(ws):
    ws.json("reconcile", str(ws.root / "bank.csv"))
    [unmatched] = ws.rows("SELECT id FROM payments WHERE status = 'unmatched'")
    code, doc = ws.json("match", str(unmatched["id"]), "INV-006=100", "INV-008")
    assert code == 0, doc
    assert doc["allocations"] == {"INV-006": "100", "INV-008": "23.45"}
    rows = ws.rows("SELECT invoice_id, method, applied FROM allocations WHERE payment_id = ?", unmatched["id"])
    assert {(r["invoice_id"], r["method"], r["applied"]) for r in rows} == {("INV-006", "manual", 1),
                                                                           ("INV-008", "manual", 1)}
    assert ws.rows("SELECT status FROM tasks WHERE kind = 'unmatched_payment'")[0]["status"] == "done"
    assert ws.json("match", "99999", "INV-006")[0] == 2
    assert ws.json("match", str(unmatched["id"]), "NOPE-1")[0] == 2
    # (audit) more than the payment holds: linked what it holds, and said so
    result = ws.cli("match", str(unmatched["id"]), "INV-006=99999")
    out = " ".join(result.stdout.split())
    assert result.exit_code == 0 and "linked → INV-006 ₹123.45" in out
    assert "note: ₹99,999.00 was asked for INV-006, but only ₹123.45 could be linked" in out


def test_match_by_line_key_prefix(make_workspace):
    ws = make_workspace()
    ws.write("bank.csv", "Date,Narration,Amount,Transaction ID\n2026-03-09,MYSTERY,42.00,UTR77001122\n")
    ws.json("reconcile", str(ws.root / "bank.csv"))
    code, doc = ws.json("match", "UTR7700", "INV-006")
    assert code == 0 and doc["allocations"] == {"INV-006": "42.00"}


# ---------------------------------------------------------------------------- the same lines in four formats


SAME_BOOK = [
    {"invoice_id": "INV-0042", "customer_id": "bansal", "customer_name": "Bansal & Sons", "due_date": "2026-02-20",
     "amount": "1180.00", "balance": "1180.00", "status": "open", "email": "a@b.example"},
    {"invoice_id": "A-101", "customer_id": "acme", "customer_name": "Acme Traders", "due_date": "2026-02-25",
     "amount": "500.00", "balance": "500.00", "status": "open", "email": "a@c.example"},
    {"invoice_id": "INV-0043", "customer_id": "kumar", "customer_name": "Kumar Enterprises", "due_date": "2026-02-10",
     "amount": "1000.00", "balance": "1000.00", "status": "open", "email": "a@d.example"},
    {"invoice_id": "INV-0044", "customer_id": "kumar", "customer_name": "Kumar Enterprises", "due_date": "2026-02-11",
     "amount": "1400.00", "balance": "1400.00", "status": "open", "email": "a@d.example"},
]


@pytest.mark.parametrize("name", ["same.csv", "same.ofx", "same.sta", "same.camt053.xml"])
def test_the_same_lines_in_four_formats_give_identical_matches(make_workspace, name):
    ws = make_workspace(invoices=SAME_BOOK, config={"business": {"currency": "EUR"}})
    shutil.copy(FIXTURES / "same" / name, ws.root / name)
    code, doc = ws.json("reconcile", "--dry-run", str(ws.root / name))
    assert code == 0, doc
    got = sorted((m["date"], Decimal(m["amount"]), tuple(m["invoice_ids"]),
                  tuple(sorted((k, Decimal(v)) for k, v in m["allocations"].items())), m["confidence"], m["applied"])
                 for m in doc["matches"] + doc["review"] + doc["unmatched"])
    assert got == [
        ("2026-03-02", Decimal("1180"), ("INV-0042",), (("INV-0042", Decimal("1180")),), "high", True),
        ("2026-03-03", Decimal("500"), ("A-101",), (("A-101", Decimal("500")),), "high", True),
        ("2026-03-05", Decimal("2400"), ("INV-0043", "INV-0044"),
         (("INV-0043", Decimal("1000")), ("INV-0044", Decimal("1400"))), "high", True),
        ("2026-03-06", Decimal("75.50"), (), (), None, False),
    ]
    assert doc["summary"]["debits_ignored"] == 2


# ---------------------------------------------------------------------------- the next run


def test_a_matched_invoice_gets_no_more_reminders_and_a_partial_shows_its_balance(ws):
    assert ws.json("reconcile", str(ws.root / "bank.csv"))[0] == 0
    code, doc = ws.json("run")
    assert code in (0, 1), doc
    covered = {i for m in doc["messages"] for i in m["invoice_ids"]}
    assert "INV-001" not in covered and "INV-002" not in covered  # settled by the 1500.00 payment
    [globex] = [m for m in doc["messages"] if "INV-003" in m["invoice_ids"]]
    text = (globex["subject"] or "") + (globex["body"] or "")  # the test template renders into both
    assert "1,200.00" in text and "2,000.00" not in text


def test_without_reconcile_the_same_run_chases_them(workspace):
    code, doc = workspace.json("run")
    covered = {i for m in doc["messages"] for i in m["invoice_ids"]}
    assert {"INV-001", "INV-002", "INV-003"} <= covered
    [globex] = [m for m in doc["messages"] if "INV-003" in m["invoice_ids"]]
    assert "2,000.00" in (globex["subject"] or "") + (globex["body"] or "")


def test_queue_and_history_show_the_payments(ws):
    ws.json("reconcile", str(ws.root / "bank.csv"))
    code, doc = ws.json("queue")
    assert code == 0
    # a line to review and a line that matched nothing: both payments for a person to check
    kinds = sorted(t["kind"] for t in doc["items"] if t["kind"] == "review")
    assert kinds == ["review", "review"]
    code, doc = ws.json("history", "INV-003")
    assert code == 0
    assert any(e["kind"] == "payment applied" and "800.00" in e["detail"] for e in doc["entries"])


def test_payments_csv_with_an_invoice_column(workspace):
    workspace.write("received.csv", "Date,Invoice,Amount,Payer\n"
                                    "2026-03-08,INV-004,750.00,Initech\n"
                                    "2026-03-08,inv 6,300.00,Hooli\n")
    code, doc = workspace.json("reconcile", str(workspace.root / "received.csv"))
    assert code == 0, doc
    assert doc["files"][0]["format"] == "payments"
    assert sorted(tuple(m["invoice_ids"]) for m in doc["matches"]) == [("INV-004",), ("INV-006",)]
    assert all(m["method"] == "invoice_number" for m in doc["matches"])


def test_history_says_a_suggestion_was_applied_when_it_was_accepted(ws):
    """(audit) `history` listed a payment waiting for review as "payment applied" at its import,
    though the balance had not moved; and printed holds twice, stamps in UTC and raw amounts."""
    ws.json("reconcile", str(ws.root / "bank.csv"), now="2026-03-10T10:00:00")
    (initech,) = [p["id"] for p in ws.json("reconcile", "--review")[1]["review"] if p["payer"] == "INITECH"]
    code, doc = ws.json("history", "INV-004", now="2026-03-10T11:00:00")
    (entry,) = [e for e in doc["entries"] if e["kind"].startswith("payment")]
    assert entry["kind"] == "payment suggested" and "not applied until you accept it" in entry["detail"]
    assert ws.json("hold", "INV-004", "--promise", "2026-03-13", now="2026-03-11T10:00:00")[0] == 0
    assert ws.json("reconcile", "--accept", str(initech), now="2026-03-12T10:00:00")[0] == 0
    result = ws.cli("history", "INV-004", now="2026-03-12T11:00:00")
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "2026-03-12 10:00 payment applied · INV-004 ₹100.00 of payment #" in out
    assert "2026-03-10 10:00 payment applied" not in out and "payment suggested" not in out
    assert "payment #%d of ₹100.00 (paid 2026-03-09) accepted: INV-004 ₹100.00" % initech in out
    assert out.count("hold promise") == 1 and "promised to pay by 2026-03-13" in out
    assert "imported · INV-004 ₹750.00 due" in out and "+00:00" not in out and "payment id:" not in out


def test_a_statement_that_cannot_be_read_is_bad_input_and_amounts_are_money(ws):
    """(audit) a missing statement exited 1 ("finished but something failed"), though nothing was
    read; the summary and the decisions printed raw amounts ("matched 2 (2300.00)")."""
    result = ws.cli("reconcile", str(ws.root / "nothing.csv"))
    assert result.exit_code == 2 and "cannot read the file" in result.stderr
    result = ws.cli("reconcile", str(ws.root / "bank.csv"))
    out = " ".join(result.stdout.split())
    assert result.exit_code == 0 and "matched 2 (₹2,300.00)" in out and "→ INV-003 (₹800.00)" in out
    (initech,) = [p["id"] for p in ws.json("reconcile", "--review")[1]["review"] if p["payer"] == "INITECH"]
    result = ws.cli("reconcile", "--accept", str(initech))
    assert result.exit_code == 0 and f"payment {initech}: accepted → INV-004 ₹100.00" in result.stdout
