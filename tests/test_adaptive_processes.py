"""Issue 19's "done when", end to end in real processes (`python -m collectbot`) against the local
provider server (the official SendGrid and Twilio clients talking HTTP to it):

* a WhatsApp message Twilio reports `read` leads to the `read` branch of `choose:`, an unread one
  to the other;
* 10,000 customers split 70/30 by `variants:` within ±2 points, the same arm in every run;
* `repeat` sends exactly `times` messages 7 days apart and stops on payment;
* `goto` moves the invoice and `explain` says so;
* an event posted to `listen` with a valid signature produces exactly one message 15 minutes
  later with a cron run every 5 minutes; an unsigned one produces nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from provider_server import CREDENTIALS, db_rows, listen_process, provider_server, write_workspace  # noqa: F401

PATEL, MEHTA = "+919820012345", "+919833344455"


def collectbot(config: Path, now: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "collectbot", "--config", str(config), "--now", now, "--json", *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, **CREDENTIALS, **(env or {})})
    assert "Traceback" not in done.stderr, done.stderr
    try:
        return done.returncode, json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"exit {done.returncode}: {done.stdout[:2000]}\n{done.stderr[:2000]}") from None


CHOOSE = """name: standard
steps:
  - id: first
    at: due+3d
    channel: whatsapp
    template: reminder
  - id: second
    at: previous+2d
    choose:
      - {if: "previous.status == 'read'", channel: sms, template: reminder}
      - {channel: email, template: reminder}
"""


def test_a_read_whatsapp_takes_the_read_branch(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, playbook=CHOOSE)
    code, doc = collectbot(config, "2026-11-23T10:00", "run")  # due 11-20 + 3 days: WhatsApp to both
    assert code == 0
    sids = {m["customer_id"]: m["provider_id"] for m in doc["messages"]}
    assert {m["channel"] for m in doc["messages"]} == {"whatsapp"} and set(sids) == {"C1", "C2"}
    provider_server.set_delivery(sids["C1"], "read")       # Patel read it
    provider_server.set_delivery(sids["C2"], "delivered")  # Mehta's was delivered, never read
    code, doc = collectbot(config, "2026-11-24T10:00", "sync")
    assert code == 0 and {(c["customer_id"], c["status"]) for c in doc["statuses"]} == {("C1", "read"),
                                                                                        ("C2", "delivered")}
    code, doc = collectbot(config, "2026-11-25T10:00", "run")
    assert code == 0
    assert {(m["customer_id"], m["channel"], tuple(m["steps"])) for m in doc["messages"]} == {
        ("C1", "sms", ("second",)), ("C2", "email", ("second",))}
    sent = provider_server.sent("twilio")[-1]
    assert sent["body"]["To"] == PATEL and "whatsapp" not in sent["body"]["To"]
    assert collectbot(config, "2026-11-25T11:00", "run")[1]["messages"] == []  # once


VARIANTS = """name: standard
steps:
  - id: first
    at: due+3d
    channel: email
    template: reminder
    variants:
      - {name: firm, template: reminder, weight: 70}
      - {name: text, template: reminder, channel: sms, weight: 30}
"""


def test_ten_thousand_customers_split_seventy_thirty_the_same_in_every_run(tmp_path):
    rows = ["invoice_id,customer_id,customer_name,email,phone,issue_date,due_date,amount,balance,currency,status"]
    rows += [f"INV-{n},C{n},Customer {n},c{n}@example.com,+9198{n:08d},2026-10-01,2026-11-20,100.00,100.00,INR,open"
             for n in range(10_000)]
    config = write_workspace(tmp_path / "ws", "http://127.0.0.1:9", playbook=VARIANTS,
                             invoices="\n".join(rows) + "\n", limits="  per_customer_per_day: 1\n")
    text = config.read_text().replace("provider: sendgrid", "provider: outbox").replace("provider: twilio",
                                                                                        "provider: outbox")
    config.write_text(text.replace("limits:\n", "limits:\n  max_messages_per_run: 20000\n"))
    code, first = collectbot(config, "2026-11-23T10:00", "preview")
    assert code == 0 and len(first["messages"]) == 10_000
    arms = {m["customer_id"]: (m["variant"], m["channel"]) for m in first["messages"]}
    share = sum(v == "firm" for v, _ in arms.values()) / len(arms)
    assert 0.68 <= share <= 0.72, share
    assert all((v == "firm") == (ch == "email") for v, ch in arms.values())  # each arm its own channel
    code, doc = collectbot(config, "2026-11-23T10:00", "run")  # the run sends the arms preview showed
    assert code == 0 and {m["customer_id"]: (m["variant"], m["channel"]) for m in doc["messages"]} == arms
    stored = {r["customer_id"]: r["variant"] for r in db_rows(config, "SELECT customer_id, variant FROM messages")}
    assert stored == {c: v for c, (v, _) in arms.items()}


REPEAT = """name: standard
steps:
  - id: remind
    at: due+1d
    channel: email
    template: reminder
    repeat: {every: 7d, times: 3}
"""


def test_repeat_sends_times_messages_a_week_apart_and_stops_on_payment(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, playbook=REPEAT)
    sent: dict[str, list[str]] = {"C1": [], "C2": []}
    day = datetime(2026, 11, 21, 10)
    for n in range(40):  # a daily cron for 40 days
        moment = day + timedelta(days=n)
        if moment.date().isoformat() == "2026-11-29":  # Mehta pays after its second reminder
            (config.parent / "pay.csv").write_text("Date,Invoice,Amount,Payer\n2026-11-29,INV-3,8900.00,Mehta\n")
            assert collectbot(config, moment.isoformat(), "reconcile", str(config.parent / "pay.csv"))[0] == 0
        code, doc = collectbot(config, moment.isoformat(), "run")
        assert code == 0
        for m in doc["messages"]:
            sent[m["customer_id"]].append(moment.date().isoformat())
    assert sent["C1"] == ["2026-11-21", "2026-11-28", "2026-12-05"]  # exactly three, 7 days apart
    assert sent["C2"] == ["2026-11-21", "2026-11-28"]  # paid on 11-29: no third
    assert len(provider_server.sent("sendgrid")) == 5


GOTO = """name: standard
steps:
  - id: first
    at: due+3d
    channel: email
    template: reminder
  - id: escalate
    at: previous+7d
    goto: legal
"""
LEGAL = """name: legal
match: "false"
steps:
  - id: notice
    at: previous+0d
    channel: sms
    template: reminder
"""


def test_goto_moves_the_invoice_and_explain_says_so(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url, playbook=GOTO)
    (config.parent / "playbooks" / "legal.yaml").write_text(LEGAL)
    config.write_text(config.read_text().replace("  - playbooks/standard.yaml\n",
                                                 "  - playbooks/standard.yaml\n  - playbooks/legal.yaml\n"))
    assert collectbot(config, "2026-11-23T10:00", "check")[0] == 0
    assert {m["channel"] for m in collectbot(config, "2026-11-23T10:00", "run")[1]["messages"]} == {"email"}
    code, doc = collectbot(config, "2026-11-30T10:00", "run")
    assert code == 0 and {(m["customer_id"], m["channel"], tuple(m["steps"])) for m in doc["messages"]} == {
        ("C1", "sms", ("notice",)), ("C2", "sms", ("notice",))}
    code, doc = collectbot(config, "2026-12-01T10:00", "explain", "INV-3")
    assert code == 0 and doc["playbook"] == "legal"
    assert doc["why"] == "legal: moved here by `goto:` (step 'escalate' of standard) on 2026-11-30 10:00"
    assert [(s["step"], s["state"]) for s in doc["steps"]] == [("notice", "sent")]


def test_a_signed_event_gives_exactly_one_message_fifteen_minutes_later(tmp_path):
    import shutil

    ws = tmp_path / "shop"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "shop-events", ws)
    stamp = datetime.fromisoformat("2026-12-05T08:00:00+05:30").timestamp()
    for f in ws.glob("*.csv"):
        os.utime(f, (stamp, stamp))
    config = ws / "collectbot.yaml"
    assert collectbot(config, "2026-12-05T09:00", "run")[0] == 0  # the state exists; the morning's orders
    secret = "a-long-shared-secret"

    def post(url: str, body: dict, sign: bool) -> int:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            headers["X-Collectbot-Signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        try:
            with urllib.request.urlopen(urllib.request.Request(url + "/events", data=raw, headers=headers),
                                        timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    with listen_process(config, "2026-12-05T10:00:00", {"SHOP_EVENTS_SECRET": secret}) as url:
        cart = {"amount": "999.00", "name": "Kiran", "phone": "+91 98200 55555", "cart_url": "https://x.example/c/1"}
        assert post(url, {"event": "cart_abandoned", "customer_id": "guest-1", "data": cart}, sign=True) == 200
        assert post(url, {"event": "cart_abandoned", "customer_id": "guest-2", "data": cart}, sign=False) == 401
    got = []
    for minute in range(0, 35, 5):  # cron every 5 minutes, 10:00 to 10:30
        code, doc = collectbot(config, f"2026-12-05T10:{minute:02d}:00", "run")
        assert code == 0
        got += [(minute, m["customer_id"], m["steps"]) for m in doc["messages"] if m["playbook"] == "cart"]
    assert got == [(15, "guest-1", ["nudge"])]
