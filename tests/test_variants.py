"""`variants:` — experiments between templates (issue 19, SPEC 11): each customer gets one arm of a
step's variants, always the same; the message's JSON names it; `report` compares the arms (paid
within 7 days of the touch, a two-proportion test's p-value). Through the real CLI."""

from __future__ import annotations

import math
from statistics import NormalDist

from conftest import REMIND_PLAYBOOK

PLAYBOOK = REMIND_PLAYBOOK + """\
    variants:
      - {name: a, template: gentle}
      - {name: b, template: nudge}
"""
CUSTOMERS = [f"c{n}" for n in range(12)]


def book():
    return [{"invoice_id": f"INV-{c}", "customer_id": c, "customer_name": c.upper(), "email": f"ap@{c}.example",
             "phone": "", "issue_date": "2026-02-01", "due_date": "2026-03-02", "amount": "100.00",
             "balance": "100.00", "status": "open"} for c in CUSTOMERS]


def arms(make_workspace):
    ws = make_workspace(invoices=book(), playbooks={"standard.yaml": PLAYBOOK},
                        config={"limits": {"max_source_age": "60d"}})
    code, doc = ws.json("run")
    assert code == 0
    return ws, {m["customer_id"]: m for m in doc["messages"]}


def test_each_customer_gets_one_arm_always_the_same(make_workspace):
    ws1, first = arms(make_workspace)
    ws2, second = arms(make_workspace)  # another workspace, the same book: the same arms
    assert {c: m["variant"] for c, m in first.items()} == {c: m["variant"] for c, m in second.items()}
    assert {m["variant"] for m in first.values()} == {"a", "b"}  # both arms in use
    for m in first.values():  # and each arm's own template: gentle's subject vs nudge's
        assert (m["variant"] == "a") == (m["subject"] == "1 invoice(s) due soon")
    stored = {r["customer_id"]: r["variant"] for r in ws1.rows("SELECT customer_id, variant FROM messages")}
    assert stored == {c: m["variant"] for c, m in first.items()}


def test_report_compares_the_arms(make_workspace):
    ws, sent = arms(make_workspace)
    a = sorted(c for c, m in sent.items() if m["variant"] == "a")
    b = sorted(c for c, m in sent.items() if m["variant"] == "b")
    paid = a[:3]  # three customers of arm a pay within the week, nobody of arm b
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n" + "".join(f"2026-03-12,INV-{c},100.00,{c.upper()}\n"
                                                                  for c in paid))
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-12T10:00:00")[0] == 0
    code, doc = ws.json("report", now="2026-03-20T10:00:00")
    (experiment,) = doc["experiments"]
    got = {arm["variant"]: arm for arm in experiment["arms"]}
    assert (got["a"]["sent"], got["a"]["paid_7d"], got["b"]["sent"], got["b"]["paid_7d"]) == (len(a), 3, len(b), 0)
    # the two-proportion z-test by hand: pooled rate p = 3 / 12, z = (3/len(a) − 0) / √(p(1−p)(1/len(a) + 1/len(b)))
    pooled = 3 / (len(a) + len(b))
    z = (3 / len(a)) / math.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
    assert got["b"]["p_value"] == round(2 * (1 - NormalDist().cdf(z)), 4) and got["a"]["p_value"] is None


def test_an_arm_may_use_another_channel(make_workspace):
    playbook = PLAYBOOK.replace("      - {name: b, template: nudge}", "      - {name: b, template: firm, channel: sms}")
    rows = [dict(r, phone=f"+9198000000{n:02d}") for n, r in enumerate(book())]
    ws = make_workspace(invoices=rows, playbooks={"standard.yaml": playbook}, config={"limits": {"max_source_age": "60d"}})
    code, doc = ws.json("run")
    assert code == 0
    channels = {m["variant"]: {x["channel"] for x in doc["messages"] if x["variant"] == m["variant"]}
                for m in doc["messages"]}
    assert channels == {"a": {"email"}, "b": {"sms"}}
    # the report compares the two arms although they went by different channels (audit): one
    # experiment, the first arm the playbook's first, each arm with its channel
    paid = sorted(m["customer_id"] for m in doc["messages"] if m["variant"] == "b")  # every arm-b customer pays
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n" + "".join(f"2026-03-12,INV-{c},100.00,{c.upper()}\n"
                                                                  for c in paid))
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-12T10:00:00")[0] == 0
    code, rep = ws.json("report", now="2026-03-20T10:00:00")
    (experiment,) = rep["experiments"]
    assert [(a["variant"], a["channels"], a["paid_7d"]) for a in experiment["arms"]] == [
        ("a", ["email"], 0), ("b", ["sms"], len(paid))]
    assert experiment["arms"][0]["p_value"] is None and experiment["arms"][1]["p_value"] is not None
    text = ws.cli("report", now="2026-03-20T10:00:00", env={"COLUMNS": "80"}).stdout
    assert "standard/remind · sms · variant b" in text and "Experiments" in text and f"b (sms): {len(paid)} of {len(paid)}" in text


def test_the_arm_is_said_in_preview_and_history(make_workspace):
    fresh = make_workspace(invoices=book(), playbooks={"standard.yaml": PLAYBOOK},
                           config={"limits": {"max_source_age": "60d"}})
    code, doc = fresh.json("preview")
    arm_of = {m["customer_id"]: m["variant"] for m in doc["messages"]}
    text = fresh.cli("preview", env={"COLUMNS": "200"}).stdout
    for customer, arm in arm_of.items():
        assert f"INV-{customer} · standard/remind · variant {arm}" in text
    ws, sent = arms(make_workspace)
    customer, message = next(iter(sent.items()))
    code, doc = ws.json("history", customer)
    assert code == 0 and any(f"variant {message['variant']}" in e["detail"] for e in doc["entries"]
                             if e["kind"].startswith("message"))
