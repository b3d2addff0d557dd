"""Real `collectbot` processes against the local provider server: at most once, under every fault.

The run under test is always its own process (so it can be killed, overlap another, and talks
real HTTP); follow-up runs that only check the state use the in-process CLI to keep the suite fast.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provider_server import (API_KEY, CREDENTIALS, ProviderServer, cli, db_rows,  # noqa: F401
                             provider_server, write_workspace)

pytestmark = pytest.mark.slow

PATEL_EMAIL, MEHTA_EMAIL = "accounts@patel.example", "billing@mehta.example"
PATEL_PHONE = "+919820012345"
SMS_TWICE = ("name: standard\nsteps:\n  - id: a\n    at: due+3d\n    channel: sms\n    template: reminder\n"
             "  - id: b\n    at: due+10d\n    channel: sms\n    template: reminder\n")


def collectbot(config: Path, *args: str, now: str, env: dict[str, str] | None = None,
               wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    """The real CLI in its own process, with --json."""
    full_env = {**os.environ, **CREDENTIALS, **(env or {})}
    full_env = {k: v for k, v in full_env.items() if v is not None}
    cmd = [sys.executable, "-m", "collectbot", "--config", str(config), "--now", now, "--json", *args]
    if not wait:
        return subprocess.Popen(cmd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=60)


def doc(done: subprocess.CompletedProcess) -> dict:
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}") from None


def requests_to(server: ProviderServer, address: str) -> list[dict]:
    return [r for r in server.requests if r.get("to") in (address, f"whatsapp:{address}")]


def test_run_sends_exactly_the_planned_messages_and_a_rerun_sends_nothing(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    _, preview, _ = cli(config, "preview", now="2026-11-24T10:00")
    planned = {(m["channel"], m["to"]) for m in preview["messages"]}
    assert planned == {("email", PATEL_EMAIL), ("email", MEHTA_EMAIL)}
    done = collectbot(config, "run", now="2026-11-24T10:00")
    assert done.returncode == 0, done.stderr
    sent = provider_server.sent("sendgrid")
    assert {r["to"] for r in sent} == {PATEL_EMAIL, MEHTA_EMAIL} and len(sent) == 2
    patel = next(r for r in sent if r["to"] == PATEL_EMAIL)
    assert patel["headers"]["Authorization"] == f"Bearer {API_KEY}"
    body = patel["body"]
    assert body["from"] == {"email": "billing@sharma.example", "name": "Sharma Traders"}
    assert body["subject"] == "2 invoice(s) overdue at Sharma Traders"
    assert body["content"][0] == {"type": "text/plain", "value": "Dear Patel Fabrics, please pay INV-1 INV-2"}
    for m in preview["messages"]:  # every request carries exactly what preview planned
        request = next(r for r in sent if r["to"] == m["to"])
        assert (request["body"]["subject"], request["body"]["content"][0]["value"]) == (m["subject"], m["body"])
    # the HTML part is auto-escaped by the renderer and arrives as written
    assert body["content"][1]["type"] == "text/html" and "&lt;friend&gt;" in body["content"][1]["value"]
    assert body["personalizations"][0]["custom_args"]["invoice_ids"] == "INV-1,INV-2"
    recorded = db_rows(config, "SELECT id, to_addr, status, provider_id FROM messages ORDER BY id")
    assert all(r["status"] == "sent" and r["provider_id"] for r in recorded)
    assert {body["personalizations"][0]["custom_args"]["collectbot_message_id"]} <= {str(r["id"]) for r in recorded}
    code, again, _ = cli(config, "run", now="2026-11-24T11:00")
    assert code == 0 and again["messages"] == []
    assert len(provider_server.sent()) == 2


def test_a_429_is_retried_and_sent_once(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    provider_server.script(PATEL_EMAIL, {"status": 429, "headers": {"Retry-After": "1"}})
    started = time.monotonic()
    done = collectbot(config, "run", now="2026-11-24T10:00")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert [r["respond"] for r in requests_to(provider_server, PATEL_EMAIL)] == [429, 202]
    [row] = db_rows(config, "SELECT status, attempts FROM messages WHERE to_addr = ?", PATEL_EMAIL)
    assert row == {"status": "sent", "attempts": 2}


def test_persistent_500s_fail_with_exit_1_and_the_next_run_sends_once(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    provider_server.script(MEHTA_EMAIL, *[{"status": 500, "headers": {"Retry-After": "0"}}] * 4)
    done = collectbot(config, "run", now="2026-11-24T10:00")
    assert done.returncode == 1
    failed = [m for m in doc(done)["messages"] if m["status"] == "failed"]
    assert [m["to"] for m in failed] == [MEHTA_EMAIL]
    assert len(requests_to(provider_server, MEHTA_EMAIL)) == 4  # max_tries
    assert len(requests_to(provider_server, PATEL_EMAIL)) == 1
    code, again, _ = cli(config, "run", now="2026-11-24T11:00")
    assert code == 0
    assert [m["to"] for m in again["messages"]] == [MEHTA_EMAIL]
    assert [r["respond"] for r in requests_to(provider_server, MEHTA_EMAIL)] == [500] * 4 + [202]
    assert len(requests_to(provider_server, PATEL_EMAIL)) == 1


def test_21610_opts_the_customer_out_of_sms_for_later_steps(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, playbook=SMS_TWICE)
    provider_server.script(PATEL_PHONE, {"status": 400, "code": 21610})
    done = collectbot(config, "run", now="2026-11-24T10:00")
    assert done.returncode == 1
    [failed] = [m for m in doc(done)["messages"] if m["status"] == "failed"]
    assert failed["to"] == PATEL_PHONE
    assert db_rows(config, "SELECT customer_id, channel, reason FROM suppressions") == [
        {"customer_id": "C1", "channel": "sms", "reason": "opted_out"}]
    code, later, _ = cli(config, "run", now="2026-12-01T10:00")
    assert code == 0
    assert [m["customer_id"] for m in later["messages"]] == ["C2"]
    assert {(s["invoice_id"], s["reason"]) for s in later["skipped"] if s["step"] == "b"} == {
        ("INV-1", "opted_out"), ("INV-2", "opted_out")}
    assert len(requests_to(provider_server, PATEL_PHONE)) == 1


def test_kill_9_during_a_hung_request_leaves_it_uncertain_and_the_next_run_sends_the_rest(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, limits="  concurrency: 1\n")
    provider_server.script(PATEL_EMAIL, {"hang": True})
    proc = collectbot(config, "run", now="2026-11-24T10:00", wait=False)
    try:
        deadline = time.monotonic() + 20
        while not requests_to(provider_server, PATEL_EMAIL) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requests_to(provider_server, PATEL_EMAIL), "the run never reached the provider"
        time.sleep(0.2)
        assert proc.poll() is None  # still waiting for the hung request
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert requests_to(provider_server, MEHTA_EMAIL) == []  # concurrency 1: the second was not reached
    started = time.monotonic()
    nxt = collectbot(config, "run", now="2026-11-24T10:30")
    assert time.monotonic() - started < 15  # the dead run's lock was taken over, not waited on
    result = doc(nxt)
    assert nxt.returncode == 1  # finished, but one touch is uncertain
    assert [m["to"] for m in result["messages"] if m["status"] == "sent"] == [MEHTA_EMAIL]
    assert [u["invoice_id"] for u in result["uncertain"]] and {u["invoice_id"] for u in result["uncertain"]} == {
        "INV-1", "INV-2"}
    assert len(requests_to(provider_server, PATEL_EMAIL)) == 1  # never resent
    _, third, _ = cli(config, "run", now="2026-11-24T11:00")
    assert third["messages"] == [] and len(requests_to(provider_server, PATEL_EMAIL)) == 1
    touches = {r["invoice_id"]: r["status"] for r in db_rows(config, "SELECT invoice_id, status FROM touches")}
    assert touches == {"INV-1": "uncertain", "INV-2": "uncertain", "INV-3": "sent"}


def test_two_overlapping_runs_send_each_message_once(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    provider_server.delay = 0.5  # keep the first run busy while the second starts
    first = collectbot(config, "run", now="2026-11-24T10:00", wait=False)
    second = collectbot(config, "run", now="2026-11-24T10:00", wait=False)
    codes = sorted([first.wait(60), second.wait(60)])
    assert codes in ([0, 0], [0, 3])  # the loser either found nothing left or was refused by the lock
    assert sorted(r["to"] for r in provider_server.sent()) == [PATEL_EMAIL, MEHTA_EMAIL]


def test_missing_credentials_stop_the_run_naming_the_variable(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    code, result, _ = cli(config, "run", now="2026-11-24T10:00", env={"SENDGRID_API_KEY": None})
    assert code == 2
    assert "SENDGRID_API_KEY" in json.dumps(result)
    assert provider_server.requests == [] and db_rows(config, "SELECT * FROM messages") == []


def test_throughput_benchmark_sends_everything_it_claims():
    """The benchmark's harness works (timing is not asserted here: the machine may be busy)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_throughput.py"
    spec = importlib.util.spec_from_file_location("bench_throughput", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.run("twilio", 40, 0.02, 8)
    assert report["outcomes"] == {"sent": 40}
    assert report["bound_s"] == 0.1 and report["elapsed_s"] > 0
