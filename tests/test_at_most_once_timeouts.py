"""A timed-out or dropped request may have been delivered: it becomes `uncertain`, never a retry.

Only failures where the provider certainly did not take the message (5xx, 429, a refused
connection) are retried within the run. Driven through the real CLI, the official client
libraries and the local provider server.
"""

from __future__ import annotations

import socket

from provider_server import cli, db_rows, provider_server, write_workspace  # noqa: F401

PATEL, MEHTA = "accounts@patel.example", "billing@mehta.example"
NOW = "2026-11-24T10:00"


def test_a_timeout_is_uncertain_and_not_sent_again(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    config.write_text(config.read_text().replace("timeout: 2\n", "timeout: 0.5\n"))  # channel timeout 0.5 s
    provider_server.script(PATEL, {"delay": 1.5})  # answers only after the client gave up
    code, doc, _ = cli(config, "run", now=NOW)
    assert code == 1  # finished, but something needs the owner's attention
    by_to = {m["to"]: m for m in doc["messages"]}
    assert by_to[PATEL]["status"] == "uncertain" and by_to[MEHTA]["status"] == "sent"
    assert len([r for r in provider_server.sent("sendgrid") if r["to"] == PATEL]) == 1, "a timeout was retried"

    # later runs leave it alone (the server may well have delivered it)...
    code, doc, _ = cli(config, "run", now="2026-11-24T12:00")
    assert doc["messages"] == []
    assert len([r for r in provider_server.sent("sendgrid") if r["to"] == PATEL]) == 1
    touch = db_rows(config, "SELECT id, status FROM touches WHERE invoice_id = 'INV-1'")[0]
    assert touch["status"] == "uncertain"

    # ...until the owner decides to send it again
    code, _, _ = cli(config, "resend", str(touch["id"]), now="2026-11-24T12:30")
    assert code == 0
    code, doc, _ = cli(config, "run", now="2026-11-24T13:00")
    assert code == 0 and [m["to"] for m in doc["messages"]] == [PATEL]
    assert len([r for r in provider_server.sent("sendgrid") if r["to"] == PATEL]) == 2


def test_a_dropped_connection_is_uncertain_too(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    provider_server.script(MEHTA, {"drop": True})
    code, doc, _ = cli(config, "run", now=NOW)
    assert code == 1
    assert {m["to"]: m["status"] for m in doc["messages"]} == {PATEL: "sent", MEHTA: "uncertain"}
    assert len([r for r in provider_server.requests if r.get("to") == MEHTA]) == 1, "a dropped request was retried"


def test_a_refused_connection_is_retried_then_failed_and_sent_by_the_next_run(provider_server, tmp_path):
    with socket.socket() as probe:  # a port with nobody listening: the request never leaves
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    config = write_workspace(tmp_path / "ws", closed, limits="  concurrency: 1\n")
    # two tries per message keep the real backoff short (one wait of 0.25-0.5 s a message)
    config.write_text(config.read_text().replace("    timeout: 2\n  sms:", "    timeout: 2\n    max_tries: 2\n  sms:"))
    code, doc, _ = cli(config, "run", now=NOW)
    assert code == 1
    assert {m["status"] for m in doc["messages"]} == {"failed"}
    # a refused connection never left: retried within the run, up to max_tries, and recorded so
    tries = db_rows(config, "SELECT attempts FROM messages WHERE status = 'failed'")
    assert [r["attempts"] for r in tries] == [2] * len(doc["messages"]) and len(tries) == 2
    # the provider is back: the next run sends each failed message once
    config.write_text(config.read_text().replace(closed, provider_server.url))
    code, doc, _ = cli(config, "run", now="2026-11-24T11:00")
    assert code == 0 and sorted(m["to"] for m in doc["messages"]) == sorted([MEHTA, PATEL])
    assert len(provider_server.sent("sendgrid")) == 2
