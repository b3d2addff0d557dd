"""The Twilio provider against the local provider server: real HTTP through the official client."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from collectbot.channels.base import MissingCredentials, OutgoingMessage, make_channel
from collectbot.channels.twilio_messaging import RebasedHttpClient, TwilioMessaging
from collectbot.config import ChannelConfig
from provider_server import ACCOUNT_SID, AUTH_TOKEN, provider_server  # noqa: F401 - the fixture

OUR_NUMBER = "+14155550100"
CUSTOMER = "+919820012345"


def message(**overrides) -> OutgoingMessage:
    values = dict(message_id=7, channel="sms", to=CUSTOMER, body="INV-1001: ₹48,500.00 is due. Pay: upi://pay?pa=x",
                  customer_id="C001", invoice_ids=["INV-1001"])
    values.update(overrides)
    return OutgoingMessage(**values)


def twilio(server, channel="sms", **kw) -> TwilioMessaging:
    kw.setdefault("sender", OUR_NUMBER)
    kw.setdefault("timeout", 2.0)
    return TwilioMessaging(kw.pop("sid", ACCOUNT_SID), kw.pop("token", AUTH_TOKEN), channel=channel,
                           base_url=server.url, **kw)


def test_sms_request_and_sid(provider_server):
    result = twilio(provider_server).send(message())
    assert result.status == "sent" and result.provider_id.startswith("SM") and len(result.provider_id) == 34
    assert result.details["delivery_status"] == "queued"
    [request] = provider_server.requests
    assert request["method"] == "POST"
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["body"] == {"To": CUSTOMER, "From": OUR_NUMBER, "Body": message().body}
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"
    assert request["sid"] == result.provider_id


def test_sms_through_a_messaging_service(provider_server):
    ch = twilio(provider_server, sender=None, messaging_service_sid="MG" + "a" * 32)
    assert ch.send(message()).status == "sent"
    assert provider_server.requests[0]["body"] == {"To": CUSTOMER, "MessagingServiceSid": "MG" + "a" * 32,
                                                   "Body": message().body}


def test_whatsapp_free_text_uses_whatsapp_addresses(provider_server):
    assert twilio(provider_server, "whatsapp").send(message(channel="whatsapp")).status == "sent"
    body = provider_server.requests[0]["body"]
    assert body == {"To": f"whatsapp:{CUSTOMER}", "From": f"whatsapp:{OUR_NUMBER}", "Body": message().body}


def test_whatsapp_template_sends_content_sid_and_variables_and_no_body(provider_server):
    variables = {"1": "Patel Fabrics", "2": "₹48,500.00", "3": "26 Nov 2026"}
    m = message(channel="whatsapp", whatsapp_content_sid="HX" + "b" * 32, content_variables=variables)
    assert twilio(provider_server, "whatsapp").send(m).status == "sent"
    body = provider_server.requests[0]["body"]
    assert body["ContentSid"] == "HX" + "b" * 32
    assert json.loads(body["ContentVariables"]) == variables
    assert "Body" not in body and body["To"] == f"whatsapp:{CUSTOMER}"


def test_429_with_retry_after_is_retryable(provider_server):
    provider_server.script(CUSTOMER, {"status": 429, "code": 20429, "headers": {"Retry-After": "4"}})
    result = twilio(provider_server).send(message())
    assert result.retryable and result.retry_after == 4.0 and result.error_code == "20429" and not result.fatal


def test_500_is_retryable(provider_server):
    provider_server.script(CUSTOMER, {"status": 503, "code": 20503})
    result = twilio(provider_server).send(message())
    assert result.retryable and "Twilio had a problem" in result.error


def test_invalid_number_suppresses_the_address(provider_server):
    provider_server.script(CUSTOMER, {"status": 400, "code": 21211})
    result = twilio(provider_server).send(message())
    assert (result.retryable, result.fatal, result.suppress) == (False, False, "invalid")
    assert result.error == f"Twilio says {CUSTOMER} is not a valid mobile number for SMS"


def test_server_rejects_a_malformed_number_with_21211(provider_server):
    result = twilio(provider_server).send(message(to="98200 12345"))
    assert result.suppress == "invalid" and result.error_code == "21211"


def test_unsubscribed_recipient_is_opted_out(provider_server):
    provider_server.script(CUSTOMER, {"status": 400, "code": 21610})
    result = twilio(provider_server).send(message())
    assert result.suppress == "opted_out" and not result.retryable and "STOP" in result.error


def test_region_not_enabled_is_permanent_without_suppression(provider_server):
    provider_server.script(CUSTOMER, {"status": 400, "code": 21408})
    result = twilio(provider_server).send(message())
    assert (result.retryable, result.fatal, result.suppress) == (False, False, None)
    assert "Geo permissions" in result.error


def test_bad_credentials_are_fatal(provider_server):
    result = twilio(provider_server, token="wrong",
                    credential_variables=("SHOP_TWILIO_SID", "SHOP_TWILIO_TOKEN")).send(message())
    assert result.fatal and result.error_code == "20003"
    assert "SHOP_TWILIO_SID" in result.error and "SHOP_TWILIO_TOKEN" in result.error


def test_hang_times_out_as_retryable(provider_server):
    provider_server.script(CUSTOMER, {"hang": True})
    started = time.monotonic()
    result = twilio(provider_server, timeout=0.5).send(message())
    assert time.monotonic() - started < 2.0
    assert result.retryable and result.error_code == "timeout"


def test_dropped_connection_is_retryable(provider_server):
    provider_server.script(CUSTOMER, {"drop": True}, {"delay": 0.2})
    result = twilio(provider_server).send(message())
    assert result.retryable and result.error_code == "connection"
    assert twilio(provider_server).send(message()).status == "sent"


def test_fetch_reports_the_scripted_delivery_status(provider_server):
    ch = twilio(provider_server, "whatsapp")
    sid = ch.send(message(channel="whatsapp")).provider_id
    assert ch.fetch(sid)["status"] == "queued"
    provider_server.set_delivery(sid, "undelivered", 63016)
    fetched = ch.fetch(sid)
    assert (fetched["status"], fetched["error_code"]) == ("undelivered", 63016)
    assert provider_server.requests[-1]["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"


def test_inbound_reads_every_page_through_the_rebased_host(provider_server):
    base = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    for i in range(5):
        provider_server.add_inbound(CUSTOMER, OUR_NUMBER, f"reply {i}", date_sent=(base + timedelta(hours=i)).isoformat())
    provider_server.add_inbound(CUSTOMER, OUR_NUMBER, "too old", date_sent=(base - timedelta(days=30)).isoformat())
    provider_server.add_inbound(CUSTOMER, "+14155559999", "to another number", date_sent=base.isoformat())
    replies = twilio(provider_server).inbound(base - timedelta(days=1), page_size=2)
    assert [r["body"] for r in replies] == [f"reply {i}" for i in range(5)]
    pages = [r for r in provider_server.requests if r["method"] == "GET"]
    assert len(pages) == 3  # 2 + 2 + 1: the next_page_uri links were followed to the local server
    assert pages[0]["query"]["To"] == OUR_NUMBER and pages[0]["query"]["PageSize"] == "2"
    assert pages[2]["query"]["Page"] == "2"


def test_rebase_keeps_path_and_query():
    client = RebasedHttpClient("http://127.0.0.1:9999/prefix/", timeout=1)
    assert (client.rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B1&Page=1")
            == "http://127.0.0.1:9999/prefix/2010-04-01/Accounts/AC1/Messages.json?To=%2B1&Page=1")
    assert RebasedHttpClient(None).rebase("https://api.twilio.com/x") == "https://api.twilio.com/x"


def test_factory_names_the_missing_variable(provider_server):
    block = ChannelConfig(name="sms", provider="twilio", sender=OUR_NUMBER, account_sid_env="SHOP_SID",
                          auth_token_env="SHOP_TOKEN", base_url=provider_server.url)
    with pytest.raises(MissingCredentials) as err:
        make_channel(block, None, {"SHOP_SID": ACCOUNT_SID})
    assert err.value.variable == "SHOP_TOKEN"
    with pytest.raises(MissingCredentials) as err:
        make_channel(block, None, {"SHOP_TOKEN": AUTH_TOKEN})
    assert err.value.variable == "SHOP_SID"
    ch = make_channel(block, None, {"SHOP_SID": ACCOUNT_SID, "SHOP_TOKEN": AUTH_TOKEN})
    assert ch.send(message()).status == "sent"
