"""Real processes: overlapping cron runs and a run killed mid-send (SPEC 3 rule 2).

The outbox provider's testing aid `COLLECTBOT_OUTBOX_DELAY` (seconds per send) keeps a run
inside its sends long enough to overlap another one or to be killed there.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from conftest import NOW

pytestmark = pytest.mark.slow


def _start(ws, *args: str, delay: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "COLLECTBOT_OUTBOX_DELAY": str(delay)}
    return subprocess.Popen([sys.executable, "-m", "collectbot", "--config", str(ws.config_path), "--now", NOW,
                             "--json", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def _finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, dict]:
    out, err = proc.communicate(timeout=timeout)
    try:
        return proc.returncode, json.loads(out)
    except ValueError:
        raise AssertionError(f"exit {proc.returncode}, stdout not JSON:\n{out}\nstderr:\n{err}") from None


def _book(n: int) -> list[dict]:
    return [{"invoice_id": f"B-{i:03d}", "customer_id": f"cust{i:03d}", "customer_name": f"Customer {i}",
             "email": f"ap{i}@example.com", "issue_date": "2026-02-11", "due_date": "2026-03-13",
             "amount": "100.00", "balance": "100.00", "status": "open"} for i in range(n)]


def test_two_runs_started_at_once_send_each_message_once(make_workspace):
    ws = make_workspace(invoices=_book(30), config={"limits": {"concurrency": 2}})
    first, second = _start(ws, "run", delay=0.05), _start(ws, "run", delay=0.05)
    results = [_finish(first), _finish(second)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 3]), results
    sent = Counter(inv for m in ws.sent() for inv in m["invoice_ids"])
    assert len(sent) == 30 and set(sent.values()) == {1}
    reported = sum(len(doc.get("messages", [])) for _, doc in results)
    assert reported == 30  # the loser either exited 3 or found nothing left to send
    if codes == [0, 3]:
        locked = next(doc for code, doc in results if code == 3)
        assert "lock" in locked["errors"][0]["message"]
    assert ws.rows("SELECT COUNT(*) AS n FROM touches WHERE status = 'sent'") == [{"n": 30}]


def _wait_for_sending(ws, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ws.db_path.exists():
            try:
                conn = sqlite3.connect(f"{ws.db_path.as_uri()}?mode=ro", uri=True, timeout=1)
                conn.row_factory = sqlite3.Row
                row = conn.execute("SELECT * FROM messages WHERE status = 'sending'").fetchone()
                conn.close()
                if row:
                    return dict(row)
            except sqlite3.Error:  # the file may be mid-creation
                pass
        time.sleep(0.05)
    raise AssertionError("the run never reached a send")


def test_a_run_killed_mid_send_leaves_the_touch_uncertain_and_is_not_resent(make_workspace):
    ws = make_workspace(config={"limits": {"concurrency": 1}})
    victim = _start(ws, "run", delay=60)
    try:
        in_flight = _wait_for_sending(ws)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    assert ws.sent() == []  # it died before the provider wrote anything

    started = time.monotonic()
    code, doc = _finish(_start(ws, "run"))
    assert time.monotonic() - started < 30  # the dead run's lock is taken over, not waited on
    assert code == 1, doc  # something needs the owner's attention
    uncertain = doc["uncertain"]
    assert [u["message_id"] for u in uncertain] == [in_flight["id"]] * len(uncertain) and uncertain
    killed_invoices = {u["invoice_id"] for u in uncertain}
    sent_now = [inv for m in doc["messages"] for inv in m["invoice_ids"]]
    assert not killed_invoices & set(sent_now)
    assert len(doc["messages"]) == 3  # the other planned messages went out
    assert {inv for m in ws.sent() for inv in m["invoice_ids"]} == set(sent_now)
    assert ws.rows("SELECT status FROM messages WHERE id = ?", in_flight["id"]) == [{"status": "uncertain"}]

    # the rest in-process (same code path, faster): preview keeps reminding, a later run does not resend it
    code, doc = ws.json("preview")
    assert code == 0 and any("may or may not have gone out" in w for w in doc["warnings"])
    code, doc = ws.json("run")
    assert code == 0 and doc["messages"] == [] and doc["uncertain"] == []

    touch_id = uncertain[0]["touch_id"]
    result = ws.cli("resend", str(touch_id))  # the owner decides it did not arrive
    assert result.exit_code == 0, result.stderr
    code, doc = ws.json("run")
    assert code == 0 and sorted(i for m in doc["messages"] for i in m["invoice_ids"]) == sorted(killed_invoices)
    assert ws.touches()[(uncertain[0]["invoice_id"], uncertain[0]["step"])]["status"] == "sent"
    assert Counter(i for m in ws.sent() for i in m["invoice_ids"])[uncertain[0]["invoice_id"]] == 1
