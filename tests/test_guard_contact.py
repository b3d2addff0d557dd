"""Whom a message goes to, and how many: unsubscribes whatever the letter case, `uncertain`
messages in the daily cap, and the invoice's own WhatsApp number (SPEC 2, 3 rule 4; README
"Reaching the customer", "One message per customer and channel, and a daily cap").

Default book (tests/conftest.py) at NOW, Tuesday 2026-03-10 10:00 Asia/Kolkata: ACME's INV-001
and INV-002 are due 2026-03-13, so the `heads-up` step (due-3d = 03-10 09:00) is due for both.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from conftest import DEFAULT_INVOICES, NOW_DT

from collectbot import ledger
from collectbot.channels.base import SendResult
from collectbot.engine.types import PlannedMessage, PlannedTouch
from collectbot.state import State

ACME = [dict(r) for r in DEFAULT_INVOICES if r["customer_id"] == "acme"]  # INV-001, INV-002


def acme_invoices(email: str) -> list[dict[str, Any]]:
    return [{**r, "email": email} for r in ACME]


def unsubscribe_event(email: str) -> str:
    return json.dumps([{"event": "unsubscribe", "email": email, "sg_event_id": "sg-unsub-1",
                        "timestamp": 1773100000}])


# ---------------------------------------------------------------------------- 5. unsubscribes


@pytest.mark.parametrize(("unsubscribed", "on_invoice"), [
    ("AP@Acme.example", "ap@acme.example"),   # SendGrid reports the address in capitals
    ("ap@acme.example", "AP@Acme.EXAMPLE"),   # the export spells it in capitals
])
def test_unsubscribed_email_is_not_emailed_when_the_invoice_spells_it_in_another_case(make_workspace, tmp_path,
                                                                                    unsubscribed, on_invoice):
    ws = make_workspace(invoices=acme_invoices(on_invoice))
    events = tmp_path / "events.json"
    events.write_text(unsubscribe_event(unsubscribed), encoding="utf-8")
    # imported before any run: the state knows no customer for the address, so only the
    # address itself is suppressed (the case-insensitive address match is what is tested)
    code, doc = ws.json("events", "import", str(events))
    assert code == 0, doc
    code, doc = ws.json("run")
    assert code == 0, doc
    # heads-up (due 03-13 - 3d = 03-10 09:00) is due for both invoices, but email addresses are
    # case-insensitive: the unsubscribed address is the invoice's, so no email goes to ACME
    assert [m for m in doc["messages"] if m["customer_id"] == "acme"] == []
    assert [m for m in ws.sent() if m["to"].lower() == "ap@acme.example"] == []
    reasons = {(s["invoice_id"], s["step"]): s["reason"] for s in doc["skipped"]}
    assert reasons == {("INV-001", "heads-up"): "opted_out", ("INV-002", "heads-up"): "opted_out"}


# ---------------------------------------------------------------------------- 6. uncertain in the cap


def _heads_up_for_inv_001(at: datetime) -> PlannedMessage:
    return PlannedMessage(customer_id="acme", channel="email", to="ap@acme.example",
                          touches=[PlannedTouch("INV-001", "standard", "heads-up", "email", at)],
                          scheduled_at=at, body="INV-001 is due soon", subject="1 invoice(s) due soon")


def _died_mid_send(state: State, run_id: int, at: datetime) -> None:
    """Claimed (committed as `sending`) and never confirmed: the next run marks it uncertain."""
    assert ledger.claim(state, _heads_up_for_inv_001(at), "outbox", run_id, at) is not None


def _provider_timed_out(state: State, run_id: int, at: datetime) -> None:
    """Claimed, then the provider's answer was lost (a timeout): confirmed as uncertain."""
    mid = ledger.claim(state, _heads_up_for_inv_001(at), "outbox", run_id, at)
    assert mid is not None
    ledger.confirm(state, [(mid, SendResult(status="uncertain", error="timed out"))], at)


@pytest.mark.parametrize("how", [_died_mid_send, _provider_timed_out], ids=["died_mid_send", "provider_timed_out"])
def test_uncertain_message_counts_toward_per_customer_per_day_cap(make_workspace, how):
    # per_customer_per_day is 1 (conftest DEFAULT_CONFIG)
    ws = make_workspace(invoices=ACME)
    earlier = NOW_DT.replace(hour=9, minute=30)  # 09:30 the same day, within working hours
    with State.open(ws.db_path) as state:  # an earlier run today emailed ACME about INV-001 ...
        run_id = ledger.begin_run(state, earlier, 4242)
        how(state, run_id, earlier)
        ledger.finish_run(state, run_id, earlier, "failed", {})
    assert ws.rows("SELECT status FROM touches") != []
    # ... with an outcome nobody knows. At 10:00 INV-002's heads-up is due (03-13 - 3d = 03-10 09:00)
    # for the same customer on the same channel and day: the uncertain email may have arrived, so
    # it is the customer's one email today and INV-002 waits for the next working day.
    code, doc = ws.json("run")
    assert doc["messages"] == [], doc
    assert ws.sent() == []
    assert ws.rows("SELECT status FROM messages") == [{"status": "uncertain"}]  # the only email today
    skips = {(s["invoice_id"], s["step"]): s for s in doc["skipped"]}
    assert skips[("INV-002", "heads-up")]["reason"] == "daily_cap"
    # next working day after Tue 03-10 is Wed 03-11, 09:00 IST = 03:30 UTC
    assert skips[("INV-002", "heads-up")]["until"] == "2026-03-11T03:30:00+00:00"
    assert code in (0, 1), doc  # 1 when this run is the one that found the dead send uncertain


# ---------------------------------------------------------------------------- 7. WhatsApp number

WHATSAPP_PLAYBOOK = """\
name: wa
steps:
  - id: wa-nudge
    at: due
    channel: whatsapp
    template: nudge
"""


def test_invoice_whatsapp_number_takes_precedence_over_customer_file_number(make_workspace):
    invoice = {"invoice_id": "INV-WA", "customer_id": "wacust", "customer_name": "Wa Traders", "email": "",
               "phone": "+919800000300", "whatsapp": "+919822222222", "issue_date": "2026-02-08",
               "due_date": "2026-03-10", "amount": "600.00", "balance": "600.00", "status": "open"}
    customer = {"customer_id": "wacust", "name": "Wa Traders", "email": "", "phone": "+919800000301",
                "whatsapp": "+919811111111"}
    ws = make_workspace(invoices=[invoice], customers=[customer], playbooks={"wa.yaml": WHATSAPP_PLAYBOOK})
    code, doc = ws.json("run")
    assert code == 0, doc
    # due 03-10 09:00, run at 10:00 (working hours): one WhatsApp message, to the number on the
    # invoice row (+919822222222), not the customer file's (+919811111111) nor a phone number
    assert [(m["channel"], m["to"]) for m in doc["messages"]] == [("whatsapp", "+919822222222")]
    assert [m["to"] for m in ws.sent()] == ["+919822222222"]


def test_a_send_found_dead_is_reported_with_its_invoice_step_channel_and_address(make_workspace):
    # an earlier run at 09:30 claimed ACME's INV-001 heads-up email and died before the answer:
    # the next run finds it, marks it uncertain and names it, field by field and in words
    ws = make_workspace(invoices=ACME)
    earlier = NOW_DT.replace(hour=9, minute=30)
    with State.open(ws.db_path) as state:
        run_id = ledger.begin_run(state, earlier, 4242)
        _died_mid_send(state, run_id, earlier)
        ledger.finish_run(state, run_id, earlier, "failed", {})
    code, doc = ws.json("run")
    [found] = doc["uncertain"]
    assert (found["invoice_id"], found["playbook"], found["step"], found["channel"], found["customer_id"],
            found["to"]) == ("INV-001", "standard", "heads-up", "email", "acme", "ap@acme.example")
    words = str(ledger.UncertainTouch(**found))
    assert words == f"touch {found['touch_id']}: INV-001 standard/heads-up by email to ap@acme.example"


def test_the_daily_cap_counts_the_recipients_day_not_the_business_day(make_workspace):
    # ACME is in New York. Its INV-001 heads-up email went out at 01:00 UTC on 2026-03-10: 06:30 on
    # the 10th in Kolkata, but 21:00 on the 9th in New York (UTC-4 since 03-08). At 14:00 UTC
    # (10:00 in New York, the 10th) INV-002's heads-up is due (03-13 - 3d, 09:00 New York): ACME's
    # own day has had no email yet, so it goes, although the business's day has had one.
    from datetime import timezone

    ws = make_workspace(invoices=ACME, customers=[{"customer_id": "acme", "name": "ACME Ltd",
                                                   "timezone": "America/New_York"}])
    earlier = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)
    with State.open(ws.db_path) as state:
        run_id = ledger.begin_run(state, earlier, 4242)
        mid = ledger.claim(state, _heads_up_for_inv_001(earlier), "outbox", run_id, earlier)
        ledger.confirm(state, [(mid, SendResult(status="sent", provider_id="x"))], earlier)
        ledger.finish_run(state, run_id, earlier, "ok", {})
    code, doc = ws.json("run", now="2026-03-10T14:00:00+00:00")
    assert code == 0, doc
    assert [(m["invoice_ids"], m["status"]) for m in doc["messages"]] == [(["INV-002"], "sent")]


def test_a_daily_cap_of_two_lets_two_messages_through_and_holds_the_third(make_workspace):
    # ACME's three invoices all have their heads-up due at NOW, each to its own address, so they
    # are three messages for one customer on one channel: a cap of 2 sends two, the third waits
    rows = [dict(r) for r in ACME] + [dict(ACME[0], invoice_id="INV-009")]
    for r, email in zip(rows, ["ap@acme.example", "billing@acme.example", "cfo@acme.example"]):
        r["email"] = email
    ws = make_workspace(invoices=rows, config={"limits": {"per_customer_per_day": 2}})
    code, doc = ws.json("preview")
    assert len(doc["messages"]) == 2
    assert [s["reason"] for s in doc["skipped"] if s["step"] == "heads-up"] == ["daily_cap"]
