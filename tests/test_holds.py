"""`collectbot hold`: disputes, promises to pay and pauses stop the chase (SPEC 3 rule 1), through the CLI."""

from __future__ import annotations


def sent_invoices(doc) -> set[str]:
    return {i for m in doc["messages"] for i in m["invoice_ids"]} | {i for t in doc["tasks"] for i in t["invoice_ids"]}


def test_a_disputed_invoice_is_not_chased_until_released(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("hold", "INV-003", "--dispute", "--note", "says goods arrived damaged")
    assert code == 0 and doc["holds"][0]["kind"] == "dispute" and doc["holds"][0]["invoice_id"] == "INV-003"
    code, doc = ws.json("run")
    assert code == 0
    assert "INV-003" not in sent_invoices(doc) and "INV-004" in sent_invoices(doc)  # the rest goes on
    code, explained = ws.json("explain", "INV-003")
    assert "disputed" in str(explained["stopped"])
    code, _ = ws.json("hold", "--release", str(1), now="2026-03-10T11:00:00")
    assert code == 0
    code, doc = ws.json("run", now="2026-03-10T12:00:00")
    assert "INV-003" in sent_invoices(doc)


def test_a_promise_to_pay_holds_through_its_day_and_its_grace_then_the_chase_resumes(make_workspace):
    ws = make_workspace(config={"limits": {"max_source_age": "30d"}})  # (the export is not refreshed here)
    code, doc = ws.json("hold", "INV-004", "--promise", "2026-03-12")
    assert code == 0 and doc["holds"][0]["until"] == "2026-03-12T18:30:00+00:00"  # end of that day, IST
    code, doc = ws.json("run")
    assert "INV-004" not in sent_invoices(doc)
    code, doc = ws.json("run", now="2026-03-12T17:00:00")
    assert "INV-004" not in sent_invoices(doc)
    # limits.promise_grace (default 1d): the 13th still belongs to the promise
    code, doc = ws.json("run", now="2026-03-13T10:00:00")
    assert "INV-004" not in sent_invoices(doc) and "queue" not in doc
    code, doc = ws.json("run", now="2026-03-16T10:00:00")  # Monday: promise broken, reminders resume
    assert "INV-004" in sent_invoices(doc)
    (item,) = [i for i in ws.json("queue", now="2026-03-16T10:05:00")[1]["items"] if i["kind"] == "promise_broken"]
    assert doc["queue"]["promise_broken"] == [item["id"]]
    assert item["invoice_ids"] == ["INV-004"] and item["suggested"] == "call; offer a payment plan"
    assert item["note"] == "the promise to pay INV-004 by 2026-03-12 was not kept"


def test_pausing_a_customer_holds_all_its_invoices(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("hold", "acme", "--pause", "--until", "2026-03-31")
    assert code == 0 and doc["holds"][0]["customer_id"] == "acme" and doc["holds"][0]["invoice_id"] is None
    code, doc = ws.json("run")
    assert not {"INV-001", "INV-002"} & sent_invoices(doc)
    code, listed = ws.json("hold")
    assert [h["customer_id"] for h in listed["holds"]] == ["acme"]


def test_bad_holds_are_refused_with_a_reason(make_workspace):
    ws = make_workspace()
    result = ws.cli("hold", "NOPE-1", "--dispute")
    assert result.exit_code == 2 and "no invoice or customer 'NOPE-1'" in result.stderr
    result = ws.cli("hold", "acme", "--promise", "2026-03-20")
    assert result.exit_code == 2 and "promise to pay is made for an invoice" in result.stderr
    result = ws.cli("hold", "INV-003", "--promise", "2026-03-01")
    assert result.exit_code == 2 and "is in the past (today is 2026-03-10)" in result.stderr
    result = ws.cli("hold", "INV-003", "--pause", "--dispute")
    assert result.exit_code == 2
    result = ws.cli("hold", "--release", "99")
    assert result.exit_code == 2 and "no hold 99" in result.stderr
    assert ws.rows("SELECT * FROM holds") == []
