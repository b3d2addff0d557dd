"""Money is never added across currencies (SPEC 2): a message to a customer with a ₹36,000 and
a $1,500 invoice states each currency's total, and a template that sums balances across
currencies fails for that message alone instead of saying "$37,500.00"."""

from __future__ import annotations

from tests.conftest import DEFAULT_INVOICES

# ACME's two invoices (due 2026-03-13: the heads-up email at NOW, one message for both),
# now one in rupees and one in dollars.
MIXED = [dict(DEFAULT_INVOICES[0], amount="36000.00", balance="36000.00", currency="INR"),
         dict(DEFAULT_INVOICES[1], amount="1500.00", balance="1500.00", currency="USD"),
         *DEFAULT_INVOICES[2:]]


def acme_message(doc: dict) -> dict:
    (m,) = [m for m in doc["messages"] if m["customer_id"] == "acme"]
    return m


def test_one_message_states_each_currencys_total(make_workspace):
    ws = make_workspace(invoices=MIXED, templates={
        "gentle.email.j2": "Subject: {{ invoices|length }} invoices due\nYou owe {{ totals|amounts }}.\n"})
    code, doc = ws.json("preview")
    m = acme_message(doc)
    assert sorted(m["invoice_ids"]) == ["INV-001", "INV-002"]
    # en_IN formats both: ₹36,000.00 for the rupees, $1,500.00 for the dollars — never one sum
    assert "You owe ₹36,000.00 and $1,500.00." in m["body"], m["body"]
    assert "37,500" not in m["body"]


def test_a_sum_across_currencies_stops_that_message_only(make_workspace):
    ws = make_workspace(invoices=MIXED, templates={
        "gentle.email.j2": "Subject: due\nTotal {{ invoices|sum(attribute='balance')|money }}\n"})
    code, doc = ws.json("run")
    assert code == 1, doc  # finished; one message needs attention
    assert all(m["customer_id"] != "acme" for m in doc["messages"])
    errs = [e for e in doc["errors"] if e.get("invoice_id") in ("INV-001", "INV-002")]
    assert errs and "money in different currencies cannot be added" in errs[0]["message"]
    assert all("37,500" not in line.get("body", "") for line in ws.sent())
    # the other customers' messages went out
    assert {m["customer_id"] for m in doc["messages"] if m["status"] == "sent"} >= {"globex", "initech"}


def test_a_sum_in_one_currency_still_works(make_workspace):
    ws = make_workspace(templates={"gentle.email.j2": "Subject: due\nTotal {{ invoices|sum(attribute='balance')|money }}\n"})
    code, doc = ws.json("preview")
    # ACME's INV-001 1000.00 + INV-002 500.00, both INR
    assert "Total ₹1,500.00" in acme_message(doc)["body"]


def test_the_sample_workspace_templates_use_totals(tmp_path):
    from pathlib import Path

    import collectbot

    folder = Path(collectbot.__file__).parent / "workspace"
    for path in [*folder.glob("templates/*.j2"), *folder.glob("playbooks/*.yaml")]:
        assert "sum(attribute='balance')" not in path.read_text(encoding="utf-8"), path.name
