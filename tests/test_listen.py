"""`collectbot listen` as a real process (issue 15's Twilio status callbacks; SPEC 11's receiver):
Twilio's status callback and an incoming message, signed as Twilio signs them (its own
RequestValidator computes the signature), and SendGrid's event webhook, recorded in the state;
an unsigned or wrongly signed request is refused and recorded nowhere."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from provider_server import (AUTH_TOKEN, CREDENTIALS, OUR_NUMBER, cli, db_rows, free_port, listen_process,  # noqa: F401
                             provider_server, write_workspace)


@pytest.fixture
def listening(provider_server, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = write_workspace(tmp_path / "ws", provider_server.url)
    config.write_text(config.read_text().replace('  sms:\n    provider: twilio\n',
                                                 f'  sms:\n    provider: twilio\n    status_callback: {url}/twilio/status\n'))
    assert cli(config, "run", now="2026-11-24T10:00")[0] == 0  # emails
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00")  # an SMS to each customer
    assert code == 0
    with listen_process(config, "2026-12-01T11:00", CREDENTIALS, port):
        yield config, url, {m["customer_id"]: m["provider_id"] for m in doc["messages"] if m["channel"] == "sms"}


def post(url: str, path: str, form: dict[str, str], *, sign: bool = True) -> tuple[int, dict]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign:  # what Twilio sends: the URL it called and the form, signed with the account's auth token
        headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(url + path, form)
    request = urllib.request.Request(url + path, data=urllib.parse.urlencode(form).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_a_status_callback_records_the_delivery(listening, provider_server):
    config, url, sids = listening
    sent = [r for r in provider_server.sent("twilio")]
    assert all(r["body"].get("StatusCallback") == f"{url}/twilio/status" for r in sent)
    status, body = post(url, "/twilio/status", {"MessageSid": sids["C1"], "MessageStatus": "delivered",
                                                "To": "+919820012345"})
    assert (status, body) == (200, {"recorded": True})
    (row,) = db_rows(config, "SELECT delivery_status FROM messages WHERE provider_id = ?", sids["C1"])
    assert row["delivery_status"] == "delivered"
    status, body = post(url, "/twilio/status", {"MessageSid": sids["C2"], "MessageStatus": "undelivered",
                                                "ErrorCode": "30003"}, sign=False)
    assert status == 401
    (row,) = db_rows(config, "SELECT delivery_status FROM messages WHERE provider_id = ?", sids["C2"])
    assert row["delivery_status"] != "undelivered"


def test_an_incoming_message_is_a_reply_that_holds_the_customer(listening):
    config, url, _ = listening
    status, body = post(url, "/twilio/inbound", {"MessageSid": "SMreply1", "From": "+919833344455", "To": OUR_NUMBER,
                                                 "Body": "We never received the goods"})
    assert (status, body) == (200, {"recorded": True})
    (item,) = db_rows(config, "SELECT kind, customer_id FROM tasks WHERE status = 'open'")
    assert item == {"kind": "dispute", "customer_id": "C2"}
    assert db_rows(config, "SELECT kind FROM holds WHERE customer_id = 'C2' AND released_at IS NULL") == [
        {"kind": "dispute"}]


def test_sendgrid_events_are_imported(listening, provider_server):
    config, url, _ = listening
    events = provider_server.sendgrid_events("open")
    request = urllib.request.Request(f"{url}/sendgrid/events", data=json.dumps(events).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert json.loads(r.read()) == {"imported": len(events), "duplicates": 0}
    assert {r["delivery_status"] for r in db_rows(config, "SELECT delivery_status FROM messages WHERE "
                                                          "channel = 'email'")} == {"opened"}
