"""Send failures through the real CLI and ledger: a failed step is retried by the next run and
sent once; bad credentials stop the run and leave the unsent messages for later.

The outbox provider is wrapped by a scripted one (the provider interface is the seam); the
real SendGrid/Twilio classifications are tested against the local provider server elsewhere.
"""

from __future__ import annotations

import pytest

from collectbot.channels import base, load_providers
from collectbot.channels.base import SendResult


@pytest.fixture
def scripted(monkeypatch):
    """Answers by recipient address: a list of SendResults or exceptions to raise (consumed), else the
    real outbox."""
    load_providers()
    real = base.PROVIDERS["outbox"]
    script: dict[str, list[SendResult]] = {}
    calls: list[str] = []

    def factory(channel, config, environ):
        inner = real(channel, config, environ)

        class Scripted:
            provider = "outbox"

            def send(self, message):
                calls.append(message.to)
                if script.get(message.to):
                    answer = script[message.to].pop(0)
                    if isinstance(answer, Exception):
                        raise answer
                    return answer
                return inner.send(message)

        return Scripted()

    monkeypatch.setitem(base.PROVIDERS, "outbox", factory)
    return script, calls


def test_a_failed_message_exits_1_and_the_next_run_sends_it_once(workspace, scripted):
    script, calls = scripted
    script["pay@globex.example"] = [SendResult("failed", error="mailbox unavailable", error_code="550")]
    code, doc = workspace.json("run")
    assert code == 1
    globex = next(m for m in doc["messages"] if m["customer_id"] == "globex")
    assert globex["status"] == "failed" and globex["error"] == "mailbox unavailable"
    assert any("mailbox unavailable" in e["message"] and e["invoice_ids"] == ["INV-003"] for e in doc["errors"])
    assert workspace.touches()[("INV-003", "day-3")]["status"] == "failed"
    assert sum(m["status"] == "sent" for m in doc["messages"]) == 3
    result = workspace.cli("run", now="2026-03-10T11:00")
    assert result.exit_code == 0 and "sent 1 message(s)" in result.stdout
    assert workspace.touches()[("INV-003", "day-3")]["status"] == "sent"
    assert calls.count("pay@globex.example") == 2
    assert [m["invoice_ids"] for m in workspace.sent()].count(["INV-003"]) == 1
    code, doc = workspace.json("history", "INV-003")
    assert [e["status"] for e in doc["entries"] if e["kind"].startswith("message")] == ["failed", "sent"]


def test_retryable_failures_are_retried_within_the_run(workspace, scripted):
    script, calls = scripted
    script["ap@acme.example"] = [SendResult("failed", error="rate limited", retryable=True, retry_after=0)]
    code, doc = workspace.json("run")
    assert code == 0 and all(m["status"] == "sent" for m in doc["messages"])
    assert calls.count("ap@acme.example") == 2
    assert workspace.rows("SELECT attempts FROM messages WHERE customer_id = 'acme'") == [{"attempts": 2}]


def test_bad_credentials_stop_the_run_and_leave_the_rest_for_later(make_workspace, scripted):
    script, calls = scripted
    ws = make_workspace(config={"limits": {"concurrency": 1}})
    code, doc = ws.json("preview")
    first_to = doc["messages"][0]["to"]
    script[first_to] = [SendResult("failed", error="the API key was refused", error_code="401", fatal=True)]
    code, doc = ws.json("run")
    assert code == 2 and "API key" in doc["stopped"]
    assert len(calls) == 1 and ws.sent() == []
    assert len(doc["not_sent"]) == 3
    assert ws.rows("SELECT COUNT(*) AS n FROM messages") == [{"n": 1}]  # only the refused one is recorded
    code, doc = ws.json("run", now="2026-03-10T11:00")
    assert code == 0 and len(doc["messages"]) == 4 and len(ws.sent()) == 4


def test_a_provider_crash_makes_the_message_uncertain_not_resent(workspace, scripted):
    script, calls = scripted
    script["pay@globex.example"] = [ConnectionResetError("connection reset after the request was written")]
    code, doc = workspace.json("run")
    assert code == 1
    assert next(m for m in doc["messages"] if m["customer_id"] == "globex")["status"] == "uncertain"
    assert workspace.touches()[("INV-003", "day-3")]["status"] == "uncertain"
    code, doc = workspace.json("run", now="2026-03-11T10:00")
    assert all("INV-003" not in m["invoice_ids"] for m in doc["messages"])
    assert calls.count("pay@globex.example") == 1
