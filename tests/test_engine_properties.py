"""Hypothesis properties of the planner over random books and ledgers (real workspace and Renderer).

Whatever the book: a step with a settled ledger row is never planned; an invoice gets at most one
new touch per run (catch-up); a (customer, channel) never exceeds the daily cap; the run cap holds;
nothing goes out at night; and the plan does not depend on the order of the input.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_book import IST, NOW, book, customer, invoice, sent, setup, summary

from collectbot.engine import SentMessage, plan
from collectbot.engine.schedule import DONE_STATUSES

STEPS = ["heads-up", "day-3", "day-7", "day-14"]
STATUSES = ["sent", "sending", "uncertain", "superseded", "skipped", "task", "failed"]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return setup(tmp_path_factory.mktemp("ws"))


books = st.fixed_dictionaries({
    "invoices": st.lists(st.tuples(st.integers(0, 4), st.integers(-40, 10), st.sampled_from(["100", "900", "0"])),
                         min_size=1, max_size=14),
    "ledger": st.lists(st.tuples(st.integers(0, 13), st.sampled_from(STEPS), st.sampled_from(STATUSES)), max_size=10),
    "recent": st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["email", "sms", "whatsapp"])), max_size=4),
    "hour": st.integers(0, 23),
    "cap": st.none() | st.integers(0, 4),
    "no_phone": st.sets(st.integers(0, 4)),
})


def make(config, b):
    now = datetime(2026, 11, 23, b["hour"], 30, tzinfo=IST)
    invs = [invoice(f"I{n:02d}", f"C{c}", due=NOW.date() + timedelta(days=d), balance=bal)
            for n, (c, d, bal) in enumerate(b["invoices"])]
    custs = [customer(f"C{c}", phone=None if c in b["no_phone"] else "+919800000001",
                      timezone="America/New_York" if c == 4 else None) for c in range(5)]
    ledger = [sent(f"I{i:02d}", s, now - timedelta(days=2), status=st_) for i, s, st_ in b["ledger"]
              if i < len(invs)]
    recent = [SentMessage(f"C{c}", ch, now - timedelta(minutes=5)) for c, ch in b["recent"]]
    return book(config, invs, custs, now=now, touches=ledger, recent_messages=recent, max_messages=b["cap"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(b=books)
def test_planner_invariants(ws, b):
    config, r = ws
    inp = make(config, b)
    p = plan(inp, r)
    planned = [t for m in p.messages for t in m.touches] + [t for k in p.tasks for t in k.touches]
    settled = {(row.invoice_id, row.step) for rows in inp.touches.values() for row in rows
               if row.status in DONE_STATUSES}
    assert not settled & {(t.invoice_id, t.step) for t in planned}
    assert not settled & {(s.invoice_id, s.step) for s in p.skips}
    per_invoice = [t.invoice_id for t in planned]
    assert len(per_invoice) == len(set(per_invoice))
    sent_before: dict[tuple[str, str], int] = {}
    for m in inp.recent_messages:
        sent_before[(m.customer_id, m.channel)] = sent_before.get((m.customer_id, m.channel), 0) + 1
    for m in p.messages:
        assert sent_before.get((m.customer_id, m.channel), 0) == 0  # the cap is 1 a day
    keys = [(m.customer_id, m.channel) for m in p.messages]
    assert len(keys) == len(set(keys))
    limit = config.limits.max_messages_per_run if b["cap"] is None else min(b["cap"], 500)
    assert len(p.messages) <= limit
    for m in p.messages:
        tz = IST if m.customer_id != "C4" else __import__("zoneinfo").ZoneInfo("America/New_York")
        local = inp.now.astimezone(tz)
        assert 9 <= local.hour < 18 and local.weekday() < 5 and local.date() not in (date(2026, 11, 27),)
    for iid in p.stopped:
        assert iid not in per_invoice
    shuffled = make(config, b)
    shuffled.invoices.reverse()
    assert summary(plan(shuffled, r)) == summary(p)
