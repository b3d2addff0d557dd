"""The planner's choices a user sees, guarded through the real CLI: a playbook chosen per invoice
when its `match` reads the invoice (never remembered per customer), a broken `match` reported
for every invoice even when a later playbook's match is false, the daily cap counting only the
messages sent today up to `--now` (and each one once), tasks listed per customer in (playbook,
step) order, and a held invoice with a small balance stopped for its hold, not as settled.

tests/conftest.py: NOW Tuesday 2026-03-10 10:00 IST; ACME owes INV-001 (₹1,000) and INV-002
(₹500), both due 03-13; Globex owes INV-003 (₹2,000) due 03-07; Umbrella INV-005 due 02-20.
"""

from __future__ import annotations

from conftest import DEFAULT_INVOICES, STANDARD_PLAYBOOK
from tests.test_guard_planner import PICKY


def _rows() -> list[dict]:
    return [dict(r) for r in DEFAULT_INVOICES]


def _messages_of(doc: dict, customer_id: str) -> list[tuple]:
    return sorted((m["channel"], m["steps"], m["invoice_ids"]) for m in doc["messages"]
                  if m["customer_id"] == customer_id)


BIG = """\
name: big
match: "invoice.balance >= 800"
priority: 10
steps:
  - {id: big-sms, at: due-3d, channel: sms, template: firm}
"""


def test_a_match_on_the_invoice_chooses_per_invoice_not_per_customer(make_workspace):
    # `big` reads the invoice: ACME's INV-001 (₹1,000 >= 800) takes big's SMS, INV-002 (₹500) is
    # left to `standard` and its heads-up email (due-3d = 03-10: due at NOW). The first invoice's
    # choice must not be reused for the customer's second one.
    ws = make_workspace(playbooks={"big.yaml": BIG, "standard.yaml": STANDARD_PLAYBOOK})
    code, doc = ws.json("preview")
    assert code == 0 and doc["errors"] == []
    assert _messages_of(doc, "acme") == [("email", ["heads-up"], ["INV-002"]), ("sms", ["big-sms"], ["INV-001"])]


NOBODY = """\
name: nobody
match: "customer.name == 'Nobody at all'"
priority: 5
steps:
  - {id: n1, at: due, channel: email, template: gentle}
"""


def test_a_broken_match_is_reported_for_each_invoice_even_after_a_false_one(make_workspace):
    # picky (priority 10) cannot be evaluated (text > number), nobody (5) is false, standard (no
    # match) applies. Since picky failed, the customer's answer is not settled: ACME's second
    # invoice INV-002 must get picky's error too, not a remembered choice without it.
    ws = make_workspace(playbooks={"picky.yaml": PICKY, "nobody.yaml": NOBODY, "standard.yaml": STANDARD_PLAYBOOK})
    code, doc = ws.json("preview")
    acme_errors = sorted(e["invoice_id"] for e in doc["errors"]
                         if e["playbook"] == "picky" and e["invoice_id"] in ("INV-001", "INV-002"))
    assert acme_errors == ["INV-001", "INV-002"]
    # both still fall to standard: one heads-up email for the two
    assert _messages_of(doc, "acme") == [("email", ["heads-up"], ["INV-001", "INV-002"])]


def _with_globex_inv009(ws) -> None:
    # a second Globex invoice like INV-003 (due 03-07: day-3 due since 03-10 09:00), same address
    rows = _rows()
    rows.append(dict(rows[2], invoice_id="INV-009", amount="400.00", balance="400.00"))
    ws.write_invoices(rows)


def test_the_daily_cap_counts_each_message_sent_today_once(make_workspace):
    # two messages a day per customer and channel: the 10:00 run sends Globex one email (INV-003's
    # day-3); at 11:00 a new invoice INV-009 is due: one sent today < 2, so its email goes
    ws = make_workspace(config={"limits": {"per_customer_per_day": 2}})
    code, doc = ws.json("run")
    assert code == 0 and _messages_of(doc, "globex") == [("email", ["day-3"], ["INV-003"])]
    _with_globex_inv009(ws)
    code, doc = ws.json("preview", now="2026-03-10T11:00:00")
    assert _messages_of(doc, "globex") == [("email", ["day-3"], ["INV-009"])]
    assert not [s for s in doc["skipped"] if s["reason"] == "daily_cap"]


def test_the_daily_cap_does_not_count_a_message_sent_after_now(make_workspace):
    # one message a day: a run at 12:00 sends Globex its email. A preview at 11:00 the same day
    # looks at the day as it was at 11:00: that email was not sent yet, so INV-009's email may go.
    ws = make_workspace()
    code, doc = ws.json("run", now="2026-03-10T12:00:00")
    assert code == 0 and _messages_of(doc, "globex") == [("email", ["day-3"], ["INV-003"])]
    _with_globex_inv009(ws)
    code, doc = ws.json("preview", now="2026-03-10T11:00:00")
    assert _messages_of(doc, "globex") == [("email", ["day-3"], ["INV-009"])]


def test_a_customers_tasks_are_listed_by_playbook_and_step(make_workspace):
    # standard gains a `day-30` task. Umbrella's INV-0045 (due 02-01, 37 days overdue) gets day-30
    # (day-14 superseded); INV-005 (due 02-20, 18 days) gets day-14. INV-0045 is planned first
    # (invoice id order), but the tasks come in (playbook, step) order: day-14, then day-30.
    playbook = STANDARD_PLAYBOOK + ('  - id: day-30\n    at: due+30d\n    channel: task\n'
                                    '    note: "Escalate {{ customer.name }}"\n')
    rows = _rows()
    rows.append(dict(rows[4], invoice_id="INV-0045", issue_date="2026-01-01", due_date="2026-02-01"))
    ws = make_workspace(invoices=rows, playbooks={"standard.yaml": playbook})
    code, doc = ws.json("preview")
    assert code == 0 and doc["errors"] == []
    assert [(t["step"], t["invoice_ids"]) for t in doc["tasks"] if t["customer_id"] == "umbrella"] == [
        ("day-14", ["INV-005"]), ("day-30", ["INV-0045"])]


def test_a_held_invoice_with_a_small_balance_is_stopped_for_its_hold(make_workspace):
    # INV-003 owes ₹0.50 (more than nothing, so not settled) and is disputed: it is stopped
    # because of the dispute ("disputed"), and explain says so
    rows = _rows()
    rows[2].update(balance="0.50")
    ws = make_workspace(invoices=rows)
    code, _ = ws.json("hold", "INV-003", "--dispute")
    assert code == 0
    code, doc = ws.json("explain", "INV-003")
    assert doc["stopped"] == "disputed"
