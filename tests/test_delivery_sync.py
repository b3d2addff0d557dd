"""`collectbot sync` against the local provider server: statuses, opt-outs, opt-ins and replies."""

from __future__ import annotations

import pytest

from provider_server import OUR_NUMBER, cli, db_rows, provider_server, write_workspace  # noqa: F401

PATEL = "+919820012345"  # customer C1 (INV-1, INV-2)
MEHTA = "+919833344455"  # customer C2 (INV-3)


@pytest.fixture
def workspace(provider_server, tmp_path):
    return write_workspace(tmp_path / "ws", provider_server.url)


def sent_sms(config) -> dict[str, str]:
    """Run on 2026-12-01 (step `second`, an SMS to each customer); customer -> Twilio sid."""
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00")
    assert code == 0, doc
    sids = {m["customer_id"]: m["provider_id"] for m in doc["messages"] if m["channel"] == "sms"}
    assert set(sids) == {"C1", "C2"} and all(s.startswith("SM") for s in sids.values())
    return sids


def fetches(server) -> list[str]:
    return [r["path"].rsplit("/", 1)[1] for r in server.requests if r["method"] == "GET" and "/Messages/" in r["path"]]


def test_sync_records_delivery_statuses_once(workspace, provider_server):
    sids = sent_sms(workspace)
    provider_server.set_delivery(sids["C1"], "delivered")
    provider_server.set_delivery(sids["C2"], "undelivered", 30005)
    code, doc, _ = cli(workspace, "sync", now="2026-12-01T12:00")
    assert code == 0 and doc["errors"] == []
    assert doc["checked"] == 2
    changes = {c["customer_id"]: c for c in doc["statuses"]}
    assert (changes["C1"]["status"], changes["C1"]["error_code"]) == ("delivered", None)
    assert (changes["C2"]["status"], changes["C2"]["error_code"]) == ("undelivered", "30005")
    assert "no longer in service" in changes["C2"]["explanation"]
    rows = {r["customer_id"]: r for r in db_rows(workspace, "SELECT * FROM messages WHERE channel = 'sms'")}
    assert rows["C1"]["delivery_status"] == "delivered"
    assert (rows["C2"]["delivery_status"], rows["C2"]["error_code"]) == ("undelivered", "30005")
    events = db_rows(workspace, "SELECT * FROM events WHERE kind = 'delivery' ORDER BY id")
    assert len(events) == 2 and {e["at"] for e in events} == {"2026-12-01T12:00:00+00:00"}
    # both statuses are final for SMS: the next sync asks Twilio nothing and records nothing
    asked = len(fetches(provider_server))
    code, doc, _ = cli(workspace, "sync", now="2026-12-01T13:00")
    assert code == 0 and doc["checked"] == 0 and doc["statuses"] == []
    assert len(fetches(provider_server)) == asked
    assert len(db_rows(workspace, "SELECT * FROM events WHERE kind = 'delivery'")) == 2


def test_whatsapp_goes_on_from_delivered_to_read_and_explains_63016(workspace, provider_server):
    sent_sms(workspace)
    code, doc, _ = cli(workspace, "run", now="2026-12-08T10:00")  # step `third`: WhatsApp
    assert code == 0
    wa = {m["customer_id"]: m["provider_id"] for m in doc["messages"] if m["channel"] == "whatsapp"}
    # sends run concurrently, so the two WhatsApp requests may arrive in either order
    assert sorted(r["body"]["To"] for r in provider_server.sent("twilio")[-2:]) == sorted(
        [f"whatsapp:{PATEL}", f"whatsapp:{MEHTA}"])
    provider_server.set_delivery(wa["C1"], "delivered")
    provider_server.set_delivery(wa["C2"], "undelivered", 63016)
    code, doc, _ = cli(workspace, "sync", now="2026-12-08T11:00")
    changes = {c["customer_id"]: c for c in doc["statuses"] if c["channel"] == "whatsapp"}
    assert changes["C1"]["status"] == "delivered"
    assert "24 hours" in changes["C2"]["explanation"]
    provider_server.set_delivery(wa["C1"], "read")
    code, doc, _ = cli(workspace, "sync", now="2026-12-08T12:00")
    assert [(c["customer_id"], c["was"], c["status"]) for c in doc["statuses"]] == [("C1", "delivered", "read")]
    row = db_rows(workspace, "SELECT delivery_status FROM messages WHERE provider_id = ?", wa["C1"])[0]
    assert row["delivery_status"] == "read"


def test_only_messages_sent_within_the_window_are_checked(workspace, provider_server):
    sent_sms(workspace)
    code, doc, _ = cli(workspace, "sync", "--days", "3", now="2026-12-10T10:00")
    assert code == 0 and doc["checked"] == 0 and fetches(provider_server) == []
    code, doc, _ = cli(workspace, "sync", "--days", "10", now="2026-12-10T10:00")
    assert doc["checked"] == 2


def test_replies_opt_out_opt_in_and_queue(workspace, provider_server):
    sent_sms(workspace)
    provider_server.add_inbound(PATEL, OUR_NUMBER, "Stop", date_sent="2026-12-01T11:00:00Z")
    provider_server.add_inbound(MEHTA, OUR_NUMBER, "Will pay INV-3 on Friday, sorry", date_sent="2026-12-01T11:05:00Z")
    provider_server.add_inbound(f"whatsapp:{MEHTA}", f"whatsapp:{OUR_NUMBER}", "UNSUBSCRIBE",
                                date_sent="2026-12-01T11:06:00Z")
    provider_server.add_inbound(PATEL, "+14155559999", "STOP", date_sent="2026-12-01T11:00:00Z")  # not our number
    code, doc, _ = cli(workspace, "sync", now="2026-12-01T12:00")
    assert code == 0
    assert sorted((r["channel"], r["customer_id"], r["action"]) for r in doc["replies"]) == [
        ("sms", "C1", "opt_out"), ("sms", "C2", "queued"), ("whatsapp", "C2", "opt_out")]
    active = db_rows(workspace, "SELECT customer_id, channel, address, reason FROM suppressions "
                     "WHERE released_at IS NULL ORDER BY channel")
    assert active == [{"customer_id": "C1", "channel": "sms", "address": PATEL, "reason": "opted_out"},
                      {"customer_id": "C2", "channel": "whatsapp", "address": MEHTA, "reason": "opted_out"}]
    [task] = db_rows(workspace, "SELECT * FROM tasks WHERE kind = 'reply'")
    assert task["customer_id"] == "C2" and task["invoice_ids"] == '["INV-3"]' and task["status"] == "open"
    assert "Will pay INV-3 on Friday, sorry" in task["note"]
    # the same replies again change nothing
    code, doc, _ = cli(workspace, "sync", now="2026-12-01T12:30")
    assert doc["replies"] == []
    assert len(db_rows(workspace, "SELECT * FROM tasks WHERE kind = 'reply'")) == 1
    assert len(db_rows(workspace, "SELECT * FROM suppressions")) == 2
    # START lifts the SMS opt-out only
    provider_server.add_inbound(PATEL, OUR_NUMBER, "start", date_sent="2026-12-02T09:00:00Z")
    code, doc, _ = cli(workspace, "sync", now="2026-12-02T10:00")
    assert [(r["customer_id"], r["action"]) for r in doc["replies"]] == [("C1", "opt_in")]
    active = db_rows(workspace, "SELECT customer_id, channel FROM suppressions WHERE released_at IS NULL")
    assert active == [{"customer_id": "C2", "channel": "whatsapp"}]


def test_opted_out_customer_gets_no_later_sms(workspace, provider_server):
    """The pipeline reads the suppression sync wrote: C1's next SMS step is skipped."""
    playbook = ("name: standard\nsteps:\n  - id: a\n    at: due+3d\n    channel: sms\n    template: reminder\n"
                "  - id: b\n    at: due+10d\n    channel: sms\n    template: reminder\n")
    config = write_workspace(workspace.parent / "ws2", provider_server.url, playbook=playbook)
    code, doc, _ = cli(config, "run", now="2026-11-24T10:00")
    assert code == 0 and len(doc["messages"]) == 2
    provider_server.add_inbound(PATEL, OUR_NUMBER, "STOP", date_sent="2026-11-25T09:00:00Z")
    cli(config, "sync", now="2026-11-25T10:00")
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00")
    assert [m["customer_id"] for m in doc["messages"]] == ["C2"]
    assert {(s["invoice_id"], s["reason"]) for s in doc["skipped"] if s["invoice_id"] in ("INV-1", "INV-2")} == {
        ("INV-1", "opted_out"), ("INV-2", "opted_out")}


def test_missing_credentials_exit_2_naming_the_variable(workspace):
    code, doc, _ = cli(workspace, "sync", now="2026-12-01T12:00", env={"TWILIO_AUTH_TOKEN": ""})
    assert code == 2 and "TWILIO_AUTH_TOKEN" in doc["errors"][0]["message"]


def test_wrong_credentials_stop_sync_with_exit_2(workspace, provider_server):
    sent_sms(workspace)
    code, doc, _ = cli(workspace, "sync", now="2026-12-01T12:00", env={"TWILIO_AUTH_TOKEN": "wrong"})
    assert code == 2 and doc["fatal"] is True
    assert doc["errors"] == [{"message": "Twilio rejected the account credentials: check TWILIO_ACCOUNT_SID and "
                                         "TWILIO_AUTH_TOKEN"}]
    assert len([r for r in provider_server.requests if r["method"] == "GET"]) == 1  # stopped at the first refusal


def test_human_output(workspace, provider_server):
    sids = sent_sms(workspace)
    provider_server.set_delivery(sids["C2"], "undelivered", 30005)
    provider_server.add_inbound(MEHTA, OUR_NUMBER, "Paid yesterday by NEFT", date_sent="2026-12-01T11:05:00Z")
    from typer.testing import CliRunner

    from collectbot.cli import app
    from provider_server import CREDENTIALS

    result = CliRunner().invoke(app, ["--config", str(workspace), "--now", "2026-12-01T12:00", "sync"],
                                env={**CREDENTIALS, "COLUMNS": "200"})
    assert result.exit_code == 0
    assert "undelivered" in result.stdout and "no longer in service" in result.stdout
    assert "Paid yesterday by NEFT" in result.stdout and "added to the queue" in result.stdout


def test_sync_exits_3_while_another_command_holds_the_workspace(workspace, provider_server):
    """`sync` writes the state like `run`: while another command holds the workspace lock it
    exits 3 and fetches nothing (issue 20)."""
    from collectbot.state import WorkspaceLock

    sent_sms(workspace)
    asked = len(provider_server.requests)
    with WorkspaceLock(workspace.parent / "collectbot.db"):
        code, doc, result = cli(workspace, "sync", now="2026-12-01T12:00")
    assert code == 3 and "holds the workspace lock" in doc["errors"][0]["message"]
    assert len(provider_server.requests) == asked
    assert cli(workspace, "sync", now="2026-12-01T12:00")[0] == 0
