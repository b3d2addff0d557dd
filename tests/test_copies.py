"""Copies to a second accounts contact (issue 18, SPEC 9 "Copies"): a `cc` column of the
customers file or the invoices adds copies to every email of that customer — SendGrid's `cc`,
deduplicated, never the `to` address; SMS and WhatsApp get none. The official SendGrid client
against the local provider server."""

from __future__ import annotations

from provider_server import cli, provider_server, write_workspace  # noqa: F401

BOOK = """invoice_id,customer_id,customer_name,email,phone,whatsapp,issue_date,due_date,amount,balance,currency,status,cc
INV-1,C1,Patel Fabrics,accounts@patel.example,+919820012345,+919820012345,2026-10-01,2026-11-20,48500.00,48500.00,INR,open,"owner@patel.example; Accounts@Patel.example"
INV-2,C1,Patel Fabrics,accounts@patel.example,+919820012345,+919820012345,2026-10-01,2026-11-20,1250.00,1250.00,INR,open,owner@patel.example
INV-3,C2,Mehta Hardware,billing@mehta.example,+919833344455,+919833344455,2026-10-01,2026-11-20,8900.00,8900.00,INR,open,
"""


def test_cc_reaches_sendgrid_deduplicated_and_never_the_to_address(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, invoices=BOOK)
    code, doc, _ = cli(config, "run", now="2026-11-24T10:00")  # step `first`: an email to each customer
    assert code == 0
    by_customer = {m["customer_id"]: m for m in doc["messages"]}
    # owner@ twice (both invoices) is one copy; Accounts@Patel is the `to` address in other letters: none
    assert by_customer["C1"]["cc"] == ["owner@patel.example"] and "cc" not in by_customer["C2"]
    sent = {r["to"]: r["body"]["personalizations"][0] for r in provider_server.sent("sendgrid")}
    assert sent["accounts@patel.example"]["cc"] == [{"email": "owner@patel.example"}]
    assert "cc" not in sent["billing@mehta.example"]


def test_sms_gets_no_copies(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, invoices=BOOK)
    cli(config, "run", now="2026-11-24T10:00")
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00")  # step `second`: SMS
    assert code == 0 and all("cc" not in m for m in doc["messages"] if m["channel"] == "sms")
