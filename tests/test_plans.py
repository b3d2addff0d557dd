"""Payment plans (issue 18, SPEC 9): `plan INV --split 50,25,25 --every 30d` makes three
instalments that sum exactly to the balance; reminders name the instalment and its amount and the
UPI link asks for it; paying the first instalment stops only its reminders; an instalment unpaid
past `limits.plan_grace` opens `plan_broken`. Through the real CLI."""

from __future__ import annotations

CONFIG = {"limits": {"max_source_age": "100d"},
          "payment_link": {"upi": {"vpa": "shop@upi", "name": "Test Traders"}}}
GENTLE = {"gentle.email.j2": "Subject: due soon\n{% for i in invoices %}{{ i.invoice_id }}: instalment "
                             "{{ i.instalment.number }} of {{ i.instalment.of }}, {{ i.balance|money }} due "
                             "{{ i.due_date }} {{ i.pay_link }}\n{% endfor %}"}


def umbrella(doc):
    return [m for m in doc["messages"] if m["customer_id"] == "umbrella"]


def test_a_plan_of_three_instalments_chased_one_by_one(make_workspace):
    ws = make_workspace(config=CONFIG, templates=GENTLE)
    code, doc = ws.json("plan", "INV-005", "--split", "50,25,25", "--every", "30d", "--start", "2026-03-12")
    # INV-005 owes 9,000.00: 4,500.00 on 03-12, 2,250.00 on 04-11, 2,250.00 on 05-11 (sum 9,000.00)
    assert code == 0 and [(i["number"], i["due_date"], i["amount"]) for i in doc["instalments"]] == [
        (1, "2026-03-12", "4500.00"), (2, "2026-04-11", "2250.00"), (3, "2026-05-11", "2250.00")]
    code, doc = ws.json("run")  # NOW 03-10: the heads-up (due-3d) of instalment 1 only
    (m,) = umbrella(doc)
    assert m["invoice_ids"] == ["INV-005#1"] and m["instalment"] == 1 and m["steps"] == ["heads-up"]
    assert m["body"].startswith("INV-005#1: instalment 1 of 3, ₹4,500.00 due 2026-03-12 upi://pay?")
    assert "&am=4500.00&cu=INR" in m["body"]  # the link asks for the instalment
    # the first instalment is paid on 03-13: its reminders stop, the next one's start in time
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-13,INV-005,4500.00,Umbrella Corp\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-13T10:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-16T10:00:00")  # #1 would be 4 days late: paid, so nothing
    assert umbrella(doc) == []
    code, doc = ws.json("run", now="2026-04-08T10:00:00")  # #2's heads-up (04-11 − 3 days)
    assert [(m["invoice_ids"], m["instalment"]) for m in umbrella(doc)] == [(["INV-005#2"], 2)]
    assert "&am=2250.00&cu=INR" in umbrella(doc)[0]["body"]


def test_an_instalment_unpaid_past_the_grace_breaks_the_plan(make_workspace):
    ws = make_workspace(config=CONFIG, templates=GENTLE)
    assert ws.json("plan", "INV-005", "--split", "50,50", "--every", "30d", "--start", "2026-03-12")[0] == 0
    code, doc = ws.json("run", now="2026-03-19T10:00:00")  # 03-12 + 7d = 03-19: not past the grace yet
    assert "plan_broken" not in (doc.get("queue") or {}) or doc["queue"]["plan_broken"] == []
    code, doc = ws.json("run", now="2026-03-20T10:00:00")
    (item_id,) = doc["queue"]["plan_broken"]
    (item,) = [i for i in ws.json("queue", now="2026-03-20T10:05:00")[1]["items"] if i["id"] == item_id]
    assert item["kind"] == "plan_broken" and item["invoice_ids"] == ["INV-005"]
    assert item["note"] == "instalment 1 of 2 of INV-005 (4500.00, due 2026-03-12) is unpaid"
    assert item["suggested"] == "call; agree new dates for the instalments"
    code, doc = ws.json("run", now="2026-03-23T10:00:00")
    assert not (doc.get("queue") or {}).get("plan_broken")  # once per plan


def test_plans_refuse_what_does_not_add_up(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("plan", "INV-005", "--split", "50,40", "--every", "30d")
    assert code == 2 and doc["errors"][0]["message"] == (
        "--split must be positive shares adding up to 100 (these add up to 90)")
    code, doc = ws.json("plan", "INV-005", "--dates", "2026-04-01,2026-05-01", "--amounts", "5000,3000")
    assert code == 2 and doc["errors"][0]["message"] == "the amounts add up to 8000, not the balance 9000.00"
    code, doc = ws.json("plan", "INV-005", "--dates", "2026-04-01,2026-05-01")
    assert code == 0 and [i["amount"] for i in doc["instalments"]] == ["4500.00", "4500.00"]
    assert ws.json("plan", "--list")[1]["plans"]["INV-005"]["instalments"][0]["due_date"] == "2026-04-01"
    assert ws.json("plan", "INV-005", "--cancel")[0] == 0 and ws.json("plan", "--list")[1]["plans"] == {}
    # (audit) `--every 0d` made every instalment due the same day
    code, doc = ws.json("plan", "INV-005", "--split", "50,50", "--every", "0d")
    assert code == 2 and doc["errors"][0]["message"] == (
        "--every '0d': instalments are at least a day apart (e.g. 7d or 30d)")
    result = ws.cli("plan", "--list")  # money formatted in the list
    assert result.exit_code == 0 and "No invoice is on a payment plan." in result.stdout
    assert ws.json("plan", "INV-005", "--dates", "2026-04-01,2026-05-01")[0] == 0
    assert "#1 ₹4,500.00 on 2026-04-01, #2 ₹4,500.00 on 2026-05-01" in ws.cli("plan", "--list").stdout


def test_explain_of_an_invoice_on_a_plan_names_its_instalments(make_workspace):
    ws = make_workspace(config=CONFIG, templates=GENTLE)
    assert ws.json("plan", "INV-005", "--split", "50,50", "--every", "30d", "--start", "2026-03-12")[0] == 0
    code, doc = ws.json("explain", "INV-005")
    assert code == 2 and doc["errors"][0]["message"] == (
        "INV-005 is on a payment plan: its instalments are chased one by one; explain one of them "
        "(INV-005#1, INV-005#2)")
    code, doc = ws.json("explain", "INV-005#1")
    assert code == 0 and doc["playbook"] == "standard"
