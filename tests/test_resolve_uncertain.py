"""`uncertain` messages resolved from the provider where it can tell (issue 14, item 9): a request
that timed out after Twilio took the message is listed by Twilio (same number, same text), so
`sync` records it as sent with Twilio's sid; one Twilio never took (the connection dropped before)
is not listed and stays for a person. SendGrid reports on an email it took through its events,
which carry our message id in `custom_args`: `events import` records it as sent. Real CLI,
official client libraries, the local provider server."""

from __future__ import annotations

import json
import time

from provider_server import cli, db_rows, provider_server, write_workspace  # noqa: F401

PATEL, MEHTA = "+919820012345", "+919833344455"
PATEL_EMAIL = "accounts@patel.example"


def _wait_until(predicate, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "the provider server never finished the delayed request"
        time.sleep(0.05)


def test_sync_records_as_sent_what_twilio_lists_and_leaves_the_rest(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    config.write_text(config.read_text().replace("timeout: 2\n", "timeout: 0.5\n"))
    assert cli(config, "run", now="2026-11-24T10:00")[0] == 0  # the emails (step `first`)
    provider_server.script(PATEL, {"delay": 1.5})  # Twilio takes it, but answers after the client gave up
    provider_server.script(MEHTA, {"drop": True})  # the connection drops before Twilio takes anything
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00")  # step `second`: an SMS to each
    assert code == 1
    assert {m["to"]: m["status"] for m in doc["messages"]} == {PATEL: "uncertain", MEHTA: "uncertain"}
    _wait_until(lambda: any(m["to"] == PATEL for m in provider_server.messages.values()))
    (sid,) = [s for s, m in provider_server.messages.items() if m["to"] == PATEL]

    code, doc, _ = cli(config, "sync", now="2026-12-01T11:00")
    assert code == 0, doc
    assert [(r["sid"], r["status"]) for r in doc["resolved"]] == [(sid, "queued")]
    assert doc["still_uncertain"] == 1  # Mehta's: Twilio does not list it
    rows = {r["to_addr"]: r for r in db_rows(config, "SELECT to_addr, status, provider_id FROM messages "
                                                     "WHERE channel = 'sms'")}
    assert (rows[PATEL]["status"], rows[PATEL]["provider_id"]) == ("sent", sid)
    assert rows[MEHTA]["status"] == "uncertain"
    touches = {r["invoice_id"]: r["status"] for r in db_rows(config, "SELECT invoice_id, status FROM touches "
                                                                     "WHERE step = 'second'")}
    assert touches == {"INV-1": "sent", "INV-2": "sent", "INV-3": "uncertain"}
    # a dry run names Mehta's alone as waiting for a decision; the next run sends nothing again
    code, doc, _ = cli(config, "run", "--dry-run", now="2026-12-01T12:00")
    assert any(w.startswith("1 earlier message(s) may or may not have gone out") for w in doc["warnings"]), doc
    code, doc, _ = cli(config, "run", now="2026-12-01T12:00")
    assert code == 0 and doc["messages"] == []
    assert len([r for r in provider_server.sent("twilio") if r["to"] == PATEL]) == 1
    # a second sync changes nothing more
    code, doc, _ = cli(config, "sync", now="2026-12-01T13:00")
    assert doc["resolved"] == [] and doc["still_uncertain"] == 1


def test_a_sendgrid_event_for_an_uncertain_email_records_it_as_sent(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    config.write_text(config.read_text().replace("timeout: 2\n", "timeout: 0.5\n"))
    provider_server.script(PATEL_EMAIL, {"delay": 1.5})
    code, doc, _ = cli(config, "run", now="2026-11-24T10:00")
    (mine,) = [m for m in doc["messages"] if m["to"] == PATEL_EMAIL]
    assert code == 1 and mine["status"] == "uncertain"
    _wait_until(lambda: any(r.get("to") == PATEL_EMAIL for r in provider_server.sent("sendgrid")))
    (sent,) = [r for r in provider_server.sent("sendgrid") if r["to"] == PATEL_EMAIL]
    args = sent["body"]["personalizations"][0]["custom_args"]  # what SendGrid echoes back in its events
    assert args["collectbot_message_id"] == str(mine["message_id"])
    events = tmp_path / "events.json"
    events.write_text(json.dumps([{"event": "delivered", "email": PATEL_EMAIL, "timestamp": 1764583200,
                                   "sg_event_id": "ZGVsaXZlcmVk", "sg_message_id": "abc123.filter0001",
                                   "custom_args": args}]))
    code, doc, _ = cli(config, "events", "import", str(events), now="2026-11-24T11:00")
    assert code == 0 and doc["resolved"] == [{"message_id": mine["message_id"], "event": "delivered"}]
    (row,) = db_rows(config, "SELECT status, provider_id, delivery_status FROM messages WHERE id = ?",
                     mine["message_id"])
    assert row == {"status": "sent", "provider_id": "abc123", "delivery_status": "delivered"}
    assert {r["status"] for r in db_rows(config, "SELECT status FROM touches WHERE message_id = ?",
                                         mine["message_id"])} == {"sent"}
