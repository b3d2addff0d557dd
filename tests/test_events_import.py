"""`collectbot events import FILE`: SendGrid Event Webhook dumps update messages and suppress addresses."""

from __future__ import annotations

import json

import pytest

from provider_server import cli, db_rows, provider_server, write_workspace  # noqa: F401

TWO_EMAILS = ("name: standard\nsteps:\n  - id: a\n    at: due+3d\n    channel: email\n    template: reminder\n"
              "  - id: b\n    at: due+10d\n    channel: email\n    template: reminder\n")


@pytest.fixture
def sent(provider_server, tmp_path):
    """A workspace where run sent one email to each customer; returns (config, {customer: message})."""
    config = write_workspace(tmp_path / "ws", provider_server.url, playbook=TWO_EMAILS)
    code, doc, _ = cli(config, "run", now="2026-11-24T10:00")
    assert code == 0
    return config, {m["customer_id"]: m for m in doc["messages"]}


def write_events(tmp_path, events, name="events.json"):
    path = tmp_path / name
    path.write_text(json.dumps(events))
    return path


def event(kind, email, sg_event_id, **extra):
    return {"email": email, "timestamp": 1795500000, "event": kind, "sg_event_id": sg_event_id, **extra}


def test_import_updates_statuses_suppresses_and_dedupes(sent, tmp_path):
    config, messages = sent
    patel, mehta = messages["C1"], messages["C2"]
    xid = db_rows(config, "SELECT provider_id FROM messages WHERE id = ?", patel["message_id"])[0]["provider_id"]
    events = [
        # matched by the sg_message_id prefix (the X-Message-Id we recorded)
        event("delivered", "accounts@patel.example", "ev-1", sg_message_id=f"{xid}.filterdrecv-5F5A9B8B-1.0"),
        # matched by our custom arg, which SendGrid puts at the top level of each event
        event("open", "accounts@patel.example", "ev-2", collectbot_message_id=str(patel["message_id"])),
        event("delivered", "accounts@patel.example", "ev-3", collectbot_message_id=str(patel["message_id"])),
        event("bounce", "Billing@Mehta.example", "ev-4", collectbot_message_id=str(mehta["message_id"]),
              type="bounce", reason="550 5.1.1 The email account does not exist"),
        event("bounce", "accounts@patel.example", "ev-5", collectbot_message_id=str(patel["message_id"]),
              type="blocked", reason="temporarily deferred"),
        event("spamreport", "stranger@elsewhere.example", "ev-6"),
        {"event": "delivered", "email": "no-id@example.com"},  # not a webhook event: reported, not fatal
    ]
    code, doc, _ = cli(config, "events", "import", str(write_events(tmp_path, events)), now="2026-11-25T09:00")
    assert code == 1  # one unreadable entry
    assert (doc["imported"], doc["duplicates"], doc["unmatched"]) == (6, 0, 1)
    assert doc["errors"] == [{"index": 6, "message": "not a SendGrid event (needs `event` and `sg_event_id`)"}]
    status = {r["customer_id"]: r["delivery_status"] for r in db_rows(config, "SELECT * FROM messages")}
    assert status == {"C1": "opened", "C2": "bounced"}  # the late `delivered` did not undo `opened`
    suppressions = db_rows(config, "SELECT customer_id, channel, address, reason FROM suppressions ORDER BY id")
    assert suppressions == [
        {"customer_id": "C2", "channel": "email", "address": "billing@mehta.example", "reason": "bounced"},
        {"customer_id": None, "channel": "email", "address": "stranger@elsewhere.example", "reason": "spamreport"},
    ]
    kinds = [r["kind"] for r in db_rows(config, "SELECT kind FROM events WHERE kind LIKE 'email_%' ORDER BY id")]
    assert kinds == ["email_delivered", "email_open", "email_delivered", "email_bounce", "email_bounce",
                     "email_spamreport"]
    # the same file again: every event already known, nothing changes
    code, doc, _ = cli(config, "events", "import", str(write_events(tmp_path, events[:6])), now="2026-11-26T09:00")
    assert code == 0 and (doc["imported"], doc["duplicates"]) == (0, 6)
    assert len(db_rows(config, "SELECT * FROM suppressions")) == 2
    assert len(db_rows(config, "SELECT * FROM events WHERE kind LIKE 'email_%'")) == 6


def test_bounced_address_gets_no_more_email(sent, tmp_path):
    config, messages = sent
    events = [event("bounce", "billing@mehta.example", "b-1", type="bounce",
                    collectbot_message_id=str(messages["C2"]["message_id"]))]
    cli(config, "events", "import", str(write_events(tmp_path, events)), now="2026-11-25T09:00")
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00")
    assert code == 0
    assert [m["customer_id"] for m in doc["messages"]] == ["C1"]
    [skip] = [s for s in doc["skipped"] if s["invoice_id"] == "INV-3"]
    assert skip["reason"] == "no_address" and "bounced" in skip["detail"], skip


def test_unsubscribe_and_resubscribe(sent, tmp_path):
    config, _ = sent
    cli(config, "events", "import", str(write_events(tmp_path, [
        event("group_unsubscribe", "accounts@patel.example", "u-1", asm_group_id=42)])), now="2026-11-25T09:00")
    active = db_rows(config, "SELECT customer_id, reason FROM suppressions WHERE released_at IS NULL")
    assert active == [{"customer_id": "C1", "reason": "unsubscribed"}]
    cli(config, "events", "import", str(write_events(tmp_path, [
        event("group_resubscribe", "accounts@patel.example", "u-2", asm_group_id=42)])), now="2026-11-26T09:00")
    assert db_rows(config, "SELECT * FROM suppressions WHERE released_at IS NULL") == []


def test_json_lines_are_accepted_and_bad_files_exit_2(sent, tmp_path):
    config, _ = sent
    lines = tmp_path / "events.jsonl"
    lines.write_text(json.dumps(event("delivered", "accounts@patel.example", "l-1")) + "\n"
                     + json.dumps(event("open", "accounts@patel.example", "l-2")) + "\n")
    code, doc, _ = cli(config, "events", "import", str(lines), now="2026-11-25T09:00")
    assert code == 0 and doc["imported"] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[{not json")
    code, doc, _ = cli(config, "events", "import", str(bad), now="2026-11-25T09:00")
    assert code == 2 and "bad.json" in doc["errors"][0]["message"]
    code, doc, _ = cli(config, "events", "import", str(tmp_path / "missing.json"), now="2026-11-25T09:00")
    assert code == 2 and "missing.json" in doc["errors"][0]["message"]
