"""The dispatcher (pool, rate limit, retries, fatal stop) and the outbox provider, without SQLite."""

from __future__ import annotations

import email
import json
import threading
import time
from email import policy

from collectbot.channels.base import OutgoingMessage, SendResult
from collectbot.channels.dispatch import TokenBucket, backoff, send_all
from collectbot.channels.outbox import OutboxChannel
from collectbot.config import ChannelConfig


def _msgs(n: int, channel: str = "sms") -> list[OutgoingMessage]:
    return [OutgoingMessage(message_id=i + 1, channel=channel, to=f"+9198000000{i:02d}", body=f"hi {i}",
                            customer_id=f"c{i}", invoice_ids=[f"INV-{i}"]) for i in range(n)]


class Scripted:
    """A channel answering from a script per recipient; records every call."""

    provider = "fake"

    def __init__(self, script=None, delay: float = 0.0):
        self.script = script or {}
        self.calls: list[str] = []
        self.delay = delay
        self.lock = threading.Lock()

    def send(self, message):
        with self.lock:
            self.calls.append(message.to)
            answers = self.script.get(message.to)
            answer = answers.pop(0) if answers else SendResult("sent", provider_id=f"id-{message.message_id}")
        if self.delay:
            time.sleep(self.delay)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_concurrent_sends_overlap_and_each_result_arrives_once():
    channel = Scripted(delay=0.05)
    results = []
    send_all(_msgs(16), {"sms": channel}, concurrency=8, rates={}, max_tries={}, on_result=lambda m, r: results.append(
        (m.message_id, r.status)))
    assert sorted(results) == [(i, "sent") for i in range(1, 17)]
    assert sorted(channel.calls) == sorted(m.to for m in _msgs(16))


def test_retryable_failures_are_retried_with_backoff_then_give_up():
    m = _msgs(2)
    retry = SendResult("failed", error="busy", retryable=True, retry_after=2.5)
    channel = Scripted({m[0].to: [retry, SendResult("sent", provider_id="ok")],
                        m[1].to: [SendResult("failed", error="down", retryable=True)] * 5})
    slept: list[float] = []
    results = {}
    send_all(m, {"sms": channel}, concurrency=1, rates={}, max_tries={"sms": 3}, sleep=slept.append,
             on_result=lambda msg, r: results.__setitem__(msg.message_id, r))
    assert results[1].status == "sent" and results[1].details["attempts"] == 2
    assert results[2].status == "failed" and results[2].details["attempts"] == 3
    assert channel.calls.count(m[1].to) == 3
    assert slept[0] == 2.5  # Retry-After honoured
    assert all(0 < s <= 30 for s in slept)


def test_fatal_answer_stops_new_sends_and_claims():
    m = _msgs(5)
    channel = Scripted({m[0].to: [SendResult("failed", error="bad API key", fatal=True)]})
    claimed, results = [], []
    ok = send_all(m, {"sms": channel}, concurrency=1, rates={}, max_tries={"sms": 3},
                  claim=lambda msg: claimed.append(msg.message_id) or True,
                  on_result=lambda msg, r: results.append(msg.message_id))
    assert ok is False
    assert claimed == [1] and results == [1] and channel.calls == [m[0].to]


def test_a_refused_claim_is_never_sent_and_an_exception_is_uncertain():
    m = _msgs(3)
    channel = Scripted({m[2].to: [RuntimeError("socket closed")]})
    results = {}
    send_all(m, {"sms": channel}, concurrency=2, rates={}, max_tries={"sms": 4}, claim=lambda msg: msg.message_id != 2,
             on_result=lambda msg, r: results.__setitem__(msg.message_id, r.status))
    assert results == {1: "sent", 3: "uncertain"}
    assert m[1].to not in channel.calls
    assert channel.calls.count(m[2].to) == 1  # an unknown outcome is never retried


def test_token_bucket_spaces_sends_at_the_rate():
    clock = [0.0]
    waits: list[float] = []

    def sleep(s):
        waits.append(s)
        clock[0] += s

    bucket = TokenBucket(2.0, sleep, clock=lambda: clock[0])
    for _ in range(6):
        bucket.take()
    assert abs(clock[0] - 2.0) < 1e-6  # burst of 2, then 4 more at 2/s


def test_backoff_grows_and_is_capped():
    assert backoff(1, None) <= 0.5 and backoff(4, None) >= 2.0
    assert backoff(20, None) <= 30 and backoff(1, 99) == 30


def test_outbox_writes_a_mail_file_and_a_json_line(tmp_path):
    box = OutboxChannel(ChannelConfig("email"), tmp_path / "outbox", "Test <billing@test.example>")
    msg = OutgoingMessage(message_id=7, channel="email", to="ap@acme.example", body="Please pay INV-1",
                          customer_id="acme co", invoice_ids=["INV-1", "INV-2"], subject="Reminder",
                          html="<p>Please &amp; pay</p>")
    result = box.send(msg)
    assert result.status == "sent" and result.provider_id == "7-email-acme_co.eml"
    parsed = email.message_from_bytes((tmp_path / "outbox" / result.provider_id).read_bytes(), policy=policy.default)
    assert parsed["To"] == "ap@acme.example" and parsed["Subject"] == "Reminder"
    assert parsed.get_body(("plain",)).get_content().strip() == "Please pay INV-1"
    assert "<p>Please &amp; pay</p>" in parsed.get_body(("html",)).get_content()
    line = json.loads((tmp_path / "outbox" / "messages.jsonl").read_text())
    assert line["invoice_ids"] == ["INV-1", "INV-2"] and line["message_id"] == 7 and line["subject"] == "Reminder"
    sms = box.send(OutgoingMessage(8, "sms", "+919800000001", "Pay now", "acme", ["INV-1"]))
    assert sms.provider_id == "8-sms-acme.txt"
    assert (tmp_path / "outbox" / "8-sms-acme.txt").read_text().endswith("Pay now\n")
    assert len((tmp_path / "outbox" / "messages.jsonl").read_text().splitlines()) == 2
