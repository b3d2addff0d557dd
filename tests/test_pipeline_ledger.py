"""The touch ledger on a real SQLite file: claims are exclusive, failures can be retried,
dead sends become uncertain, and only the owner re-queues them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from collectbot import ledger
from collectbot.channels.base import SendResult
from collectbot.engine.types import Plan, PlannedMessage, PlannedTask, PlannedTouch, Skip
from collectbot.state import State

NOW = datetime(2026, 3, 10, 4, 30, tzinfo=timezone.utc)


def _message(*invoices: str, step: str = "heads-up", customer: str = "acme") -> PlannedMessage:
    return PlannedMessage(customer_id=customer, channel="email", to=f"ap@{customer}.example",
                          touches=[PlannedTouch(i, "standard", step, "email", NOW) for i in invoices],
                          scheduled_at=NOW, body="Please pay", subject="Reminder")


@pytest.fixture
def state(tmp_path):
    with State.open(tmp_path / "collectbot.db") as s:
        yield s


def test_a_step_is_claimed_once(state):
    first = ledger.claim(state, _message("INV-1", "INV-2"), "outbox", None, NOW)
    assert first is not None
    assert ledger.claim(state, _message("INV-2"), "outbox", None, NOW) is None  # INV-2 heads-up is taken
    rows = state.conn.execute("SELECT invoice_id, status, message_id FROM touches ORDER BY invoice_id").fetchall()
    assert [tuple(r) for r in rows] == [("INV-1", "sending", first), ("INV-2", "sending", first)]
    # the losing claim left no message row behind
    assert state.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_confirm_then_a_failed_touch_can_be_claimed_again(state):
    sent_id = ledger.claim(state, _message("INV-1"), "outbox", None, NOW)
    failed_id = ledger.claim(state, _message("INV-9", customer="globex"), "outbox", None, NOW)
    ledger.confirm(state, [(sent_id, SendResult("sent", provider_id="p-1")),
                           (failed_id, SendResult("failed", error="mailbox full", error_code="552"))], NOW)
    msgs = {r["id"]: dict(r) for r in state.conn.execute("SELECT * FROM messages")}
    assert msgs[sent_id]["status"] == "sent" and msgs[sent_id]["provider_id"] == "p-1" and msgs[sent_id]["sent_at"]
    assert msgs[failed_id]["status"] == "failed" and msgs[failed_id]["error"] == "mailbox full"
    assert ledger.claim(state, _message("INV-1"), "outbox", None, NOW) is None  # sent: never again
    retry = ledger.claim(state, _message("INV-9", customer="globex"), "outbox", None, NOW + timedelta(days=1))
    assert retry is not None and retry != failed_id
    row = state.conn.execute("SELECT status, message_id FROM touches WHERE invoice_id = 'INV-9'").fetchone()
    assert tuple(row) == ("sending", retry)
    assert state.conn.execute("SELECT message_id FROM events WHERE kind = 'retry'").fetchone()[0] == failed_id


def test_sending_left_by_a_dead_process_becomes_uncertain_and_waits_for_the_owner(state):
    mid = ledger.claim(state, _message("INV-1"), "outbox", None, NOW)
    found = ledger.mark_uncertain(state, NOW + timedelta(hours=1))
    assert [(u.invoice_id, u.message_id) for u in found] == [("INV-1", mid)]
    assert state.conn.execute("SELECT status FROM messages").fetchone()[0] == "uncertain"
    facts = ledger.planner_facts(state, NOW)
    assert [t.status for t in facts.touches["INV-1"]] == ["uncertain"]
    assert ledger.claim(state, _message("INV-1"), "outbox", None, NOW) is None  # not resent by itself
    touch_id = found[0].touch_id
    assert ledger.requeue(state, touch_id=touch_id, now=NOW) == [touch_id]
    with pytest.raises(ledger.NotResendable):
        ledger.requeue(state, touch_id=touch_id + 100, now=NOW)
    assert ledger.claim(state, _message("INV-1"), "outbox", None, NOW) is not None


def test_a_sent_touch_cannot_be_requeued(state):
    mid = ledger.claim(state, _message("INV-1"), "outbox", None, NOW)
    ledger.confirm(state, [(mid, SendResult("sent", provider_id="x"))], NOW)
    with pytest.raises(ledger.NotResendable, match="'sent'"):
        ledger.requeue(state, message_id=mid, now=NOW)


def test_permanent_skips_and_tasks_are_recorded_once(state):
    plan = Plan(now=NOW, skips=[Skip("INV-1", "standard", "heads-up", "superseded", "email"),
                                Skip("INV-1", "standard", "day-3", "outside_hours", "email"),
                                Skip("INV-2", "standard", "heads-up", "no_address", "email")])
    assert ledger.record_plan_skips(state, plan, None, NOW) == 2
    assert ledger.record_plan_skips(state, plan, None, NOW) == 0
    rows = {(r[0], r[1]): (r[2], r[3]) for r in state.conn.execute("SELECT invoice_id, step, status, reason FROM touches")}
    assert rows == {("INV-1", "heads-up"): ("superseded", "superseded"), ("INV-2", "heads-up"): ("skipped", "no_address")}
    task = PlannedTask("acme", [PlannedTouch("INV-3", "standard", "day-14", "task", NOW)], "owner", "Call", NOW)
    assert len(ledger.record_tasks(state, [task], None, NOW)) == 1
    assert ledger.record_tasks(state, [task], None, NOW) == []
    assert state.conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0] == 1


def test_suppression_from_a_provider_answer_reaches_the_planner(state):
    mid = ledger.claim(state, _message("INV-1"), "twilio", None, NOW)
    ledger.confirm(state, [(mid, SendResult("failed", error="recipient replied STOP", suppress="opted_out"))], NOW)
    facts = ledger.planner_facts(state, NOW)
    assert facts.suppressed[("acme", "email")] == "opted_out"
    assert facts.suppressed_addresses[("email", "ap@acme.example")] == "opted_out"


# ---------------------------------------------------------------------------- property

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_OPS = st.lists(st.tuples(st.sampled_from(["claim", "sent", "failed", "crash", "requeue"]),
                          st.sets(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3)),
                min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_no_step_ever_has_two_live_messages(tmp_path_factory, ops):
    """Whatever order claims, answers, crashes and owner re-queues come in, each (invoice, step)
    has at most one message that was not a definite failure: it went out at most once."""
    with State.open(tmp_path_factory.mktemp("p") / "s.db") as state:
        open_ids: list[int] = []
        covers: dict[int, set[str]] = {}  # message id -> invoices it was claimed for (kept by the test)
        for op, invoices in ops:
            if op == "claim":
                mid = ledger.claim(state, _message(*sorted(invoices)), "outbox", None, NOW)
                if mid is not None:
                    open_ids.append(mid)
                    covers[mid] = set(invoices)
            elif op in ("sent", "failed") and open_ids:
                ledger.confirm(state, [(open_ids.pop(0), SendResult(op, error=None if op == "sent" else "no"))], NOW)
            elif op == "crash":
                ledger.mark_uncertain(state, NOW)
                open_ids.clear()
            elif op == "requeue":
                for (tid,) in state.conn.execute("SELECT id FROM touches WHERE status = 'uncertain'").fetchall():
                    ledger.requeue(state, touch_id=tid, now=NOW)
            live = [r[0] for r in state.conn.execute(
                "SELECT id FROM messages WHERE status IN ('sending', 'sent', 'uncertain')")]
            for invoice in "ABC":
                assert sum(invoice in covers[m] for m in live) <= 1, (invoice, live, covers)
            sent_steps = state.conn.execute("SELECT COUNT(*) FROM touches WHERE status = 'sent'").fetchone()[0]
            assert sent_steps <= 3
