"""The SendGrid provider against the local provider server: real HTTP through the official client."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator

from collectbot.channels.base import MissingCredentials, OutgoingMessage, make_channel
from collectbot.channels.sendgrid_email import SendGridEmail, retry_after_seconds
from collectbot.config import ChannelConfig
from provider_server import API_KEY, provider_server  # noqa: F401 - the fixture

CONTRACT = Path(__file__).parent / "fixtures" / "contracts" / "tsg_mail_v3.json"


def message(**overrides) -> OutgoingMessage:
    values = dict(message_id=42, channel="email", to="accounts@patel.example", body="Dear Patel,\nplease pay.",
                  customer_id="C001", invoice_ids=["INV-1001", "INV-1002"], subject="2 invoices due",
                  html="<p>Dear Patel &amp; Co</p>")
    values.update(overrides)
    return OutgoingMessage(**values)


def channel(server, **kw) -> SendGridEmail:
    kw.setdefault("timeout", 2.0)
    return SendGridEmail(kw.pop("api_key", API_KEY), sender="billing@shop.example", from_name="Sharma & Sons",
                         reply_to="accounts@shop.example", base_url=server.url, **kw)


def test_sends_the_exact_request_and_records_the_message_id(provider_server):
    result = channel(provider_server).send(message())
    assert result.status == "sent" and not result.error
    [request] = provider_server.requests
    assert request["method"] == "POST" and request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    body = request["body"]
    assert body["from"] == {"email": "billing@shop.example", "name": "Sharma & Sons"}
    assert body["reply_to"] == {"email": "accounts@shop.example"}
    assert body["subject"] == "2 invoices due"
    assert body["personalizations"] == [{
        "to": [{"email": "accounts@patel.example"}],
        "custom_args": {"collectbot_message_id": "42", "invoice_ids": "INV-1001,INV-1002"},
    }]
    assert body["content"] == [{"type": "text/plain", "value": "Dear Patel,\nplease pay."},
                               {"type": "text/html", "value": "<p>Dear Patel &amp; Co</p>"}]
    assert result.provider_id and len(result.provider_id) == 22  # the X-Message-Id header of the answer


def test_request_body_matches_the_official_contract(provider_server):
    channel(provider_server).send(message(html=None))
    spec = json.loads(CONTRACT.read_text())
    ref = spec["paths"]["/v3/mail/send"]["post"]["requestBody"]["$ref"]  # #/components/requestBodies/PostMailSend
    schema = {"$ref": ref + "/content/application~1json/schema", "components": spec["components"]}
    body = provider_server.requests[0]["body"]
    OAS31Validator(schema).validate(body)
    # why custom_args sit in the personalization: the contract types the top-level one as a string
    assert not OAS31Validator(schema).is_valid({**body, "custom_args": {"collectbot_message_id": "42"}})
    assert [c["type"] for c in body["content"]] == ["text/plain"]


def test_wrong_key_is_fatal_and_names_the_variable(provider_server):
    result = channel(provider_server, api_key="SG.wrong", key_variable="SHOP_SENDGRID_KEY").send(message())
    assert result.status == "failed" and result.fatal and not result.retryable
    assert result.error == "SendGrid rejected the API key (401): check SHOP_SENDGRID_KEY"
    assert result.error_code == "401"


def test_403_is_fatal(provider_server):
    provider_server.script("accounts@patel.example", {"status": 403, "message": "The from address does not match "
                                                      "a verified Sender Identity.", "field": "from"})
    result = channel(provider_server).send(message())
    assert result.fatal and "verified" in result.error and "billing@shop.example" in result.error


def test_429_is_retryable_with_retry_after(provider_server):
    provider_server.script("accounts@patel.example", {"status": 429, "headers": {"Retry-After": "7"}})
    result = channel(provider_server).send(message())
    assert result.retryable and not result.fatal and result.retry_after == 7.0
    assert channel(provider_server).send(message()).status == "sent"  # the script is used up


def test_429_with_rate_limit_reset_epoch(provider_server):
    # the reset is measured against the server's Date header, not our clock
    reset = int(time.time()) + 30
    provider_server.script("accounts@patel.example", {"status": 429, "headers": {"X-RateLimit-Reset": str(reset)}})
    result = channel(provider_server).send(message())
    assert result.retryable and 27 <= result.retry_after <= 31


def test_500_is_retryable_and_400_is_not(provider_server):
    provider_server.script("accounts@patel.example", {"status": 500},
                           {"status": 400, "message": "Invalid email address", "field": "personalizations.0.to"})
    first = channel(provider_server).send(message())
    assert first.retryable and first.error_code == "500" and "SendGrid had a problem" in first.error
    second = channel(provider_server).send(message())
    assert not second.retryable and not second.fatal and second.error_code == "400"
    assert "accounts@patel.example" in second.error and "Invalid email address" in second.error


def test_malformed_request_gets_a_400_from_the_server(provider_server):
    result = channel(provider_server).send(message(subject=None))
    assert result.status == "failed" and result.error_code == "400" and "subject" in result.error


def test_hang_ends_as_retryable_timeout_within_the_configured_timeout(provider_server):
    provider_server.script("accounts@patel.example", {"hang": True})
    started = time.monotonic()
    result = channel(provider_server, timeout=0.5).send(message())
    assert time.monotonic() - started < 2.0
    assert result.retryable and result.error_code == "timeout" and "0.5 s" in result.error
    assert result.details["maybe_delivered"] is True


def test_dropped_connection_is_retryable(provider_server):
    provider_server.script("accounts@patel.example", {"drop": True})
    result = channel(provider_server).send(message())
    assert result.retryable and result.error_code == "connection"


def test_refused_connection_is_retryable():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ch = SendGridEmail(API_KEY, sender="billing@shop.example", base_url=f"http://127.0.0.1:{port}", timeout=1)
    result = ch.send(message())
    assert result.retryable and result.error_code == "connection" and f"127.0.0.1:{port}" in result.error
    assert result.details["maybe_delivered"] is False


def test_factory_reads_the_named_variable_and_base_url(provider_server):
    block = ChannelConfig(name="email", provider="sendgrid", sender="billing@shop.example",
                          api_key_env="SHOP_KEY", base_url=provider_server.url, timeout=3)
    with pytest.raises(MissingCredentials) as err:
        make_channel(block, None, {})
    assert err.value.variable == "SHOP_KEY" and "SHOP_KEY" in str(err.value)
    ch = make_channel(block, None, {"SHOP_KEY": API_KEY})
    assert ch.provider == "sendgrid" and ch.client.client.timeout == 3
    assert ch.send(message()).status == "sent"


@pytest.mark.parametrize("headers, expected", [
    ({"Retry-After": "12"}, 12.0),
    ({"Retry-After": "Mon, 23 Nov 2026 10:00:30 GMT", "Date": "Mon, 23 Nov 2026 10:00:00 GMT"}, 30.0),
    ({"X-RateLimit-Reset": "1795428060", "Date": "Mon, 23 Nov 2026 10:00:00 GMT"}, 60.0),
    ({"Retry-After": "Mon, 23 Nov 2026 10:00:30 GMT"}, None),  # a date without a reference point
    ({}, None),
])
def test_retry_after_seconds(headers, expected):
    assert retry_after_seconds(headers) == expected
