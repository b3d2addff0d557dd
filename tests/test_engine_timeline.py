"""`timeline` (preview --days N) and `explain` on a small book, with the real Renderer."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from test_engine_book import IST, NOW, NY, book, customer, invoice, sent, setup

from collectbot.engine import UnknownInvoice, explain, plan, timeline
from collectbot.jsondoc import default as _json_default


@pytest.fixture
def ws(tmp_path):
    return setup(tmp_path)


def events(plans):
    """(local date, customer, channel or 'task', invoice ids, steps) for everything sent or created."""
    out = []
    for p in plans:
        for m in p.messages:
            out.append((p.now.astimezone(IST).date(), m.customer_id, m.channel, m.invoice_ids, m.steps))
        for t in p.tasks:
            out.append((p.now.astimezone(IST).date(), t.customer_id, "task", t.invoice_ids, [t.step]))
    return out


# ---------------------------------------------------------------------------- timeline


def test_timeline_walks_the_whole_sequence_once_assuming_nobody_pays(ws):
    config, r = ws
    inp = book(config, [invoice("A", due=date(2026, 11, 26))])
    got = events(timeline(inp, r, 30))
    assert got == [
        (date(2026, 11, 23), "C1", "email", ["A"], ["heads-up"]),   # due-3d, today
        (date(2026, 11, 30), "C1", "whatsapp", ["A"], ["day-3"]),   # due+3d = Sun 29th -> Monday 09:00
        (date(2026, 12, 3), "C1", "sms", ["A"], ["day-7"]),
        (date(2026, 12, 10), "C1", "task", ["A"], ["day-14"]),
    ]
    assert inp.touches == {}  # the input is not changed by the simulation


def test_timeline_respects_conditions_holidays_and_consolidation(ws):
    config, r = ws
    invs = [invoice("A", due=date(2026, 11, 24), balance="100"), invoice("B", due=date(2026, 11, 24))]
    plans = timeline(book(config, invs), r, 20)
    got = events(plans)
    # day-3 of both is due Fri 27th, a holiday: one merged WhatsApp on Monday 30th
    assert (date(2026, 11, 30), "C1", "whatsapp", ["A", "B"], ["day-3"]) in got
    # day-7 only for B (A's balance is below the `if`), day-14 task for both, merged
    assert (date(2026, 12, 1), "C1", "sms", ["B"], ["day-7"]) in got
    assert (date(2026, 12, 8), "C1", "task", ["A", "B"], ["day-14"]) in got
    skipped = [(s.invoice_id, s.step, s.reason) for p in plans for s in p.skips if s.permanent]
    assert skipped == [("A", "day-7", "condition_false")]
    # every (invoice, step) at most once
    sent_keys = [(i, s) for (_, _, _, ids, steps) in got for i in ids for s in steps]
    assert len(sent_keys) == len(set(sent_keys))


def test_timeline_reaches_customers_in_their_own_morning(ws):
    config, r = ws
    inp = book(config, [invoice("A", "US", due=date(2026, 11, 27))], [customer("US", timezone="America/New_York")])
    plans = timeline(inp, r, 3)
    (first,) = [p for p in plans if p.messages]
    assert first.now.astimezone(NY) == datetime(2026, 11, 24, 9, 0, tzinfo=NY)  # heads-up, due-3d in New York


def test_timeline_daily_cap_moves_the_second_message_to_the_next_day(ws):
    config, r = ws
    invs = [invoice("A", due=date(2026, 11, 26)), invoice("B", due=date(2026, 11, 26), email="ap@example.com")]
    got = events(timeline(book(config, invs), r, 2))
    # same due date: ties go by address, so ap@ goes first and c1@ waits for tomorrow's cap
    assert [(d, ids) for d, _, ch, ids, _ in got if ch == "email"] == [(date(2026, 11, 23), ["B"]),
                                                                     (date(2026, 11, 24), ["A"])]


def test_timeline_of_a_quiet_book_is_empty(ws):
    config, r = ws
    assert timeline(book(config, [invoice("A", due=date(2027, 3, 1))]), r, 10) == []


# ---------------------------------------------------------------------------- explain


def test_explain_names_the_playbook_and_why(ws):
    config, r = ws
    inp = book(config, [invoice("V", "VIP", due=date(2026, 11, 25))], [customer("VIP", tier="vip")])
    ex = explain(inp, r, "V")
    assert ex.playbook == "vip" and "customer.tier == 'vip'" in ex.why and "standard" in ex.why
    assert [(c.name, c.matched) for c in ex.playbooks] == [("vip", True), ("standard", True)]
    # due+1bd from Wed 25th = Thu 26th 09:00 IST
    (step,) = ex.steps
    assert (step.state, step.reason, step.until) == ("waiting", "not_due", datetime(2026, 11, 26, 9, 0, tzinfo=IST))
    assert ex.next.at == datetime(2026, 11, 26, 9, 0, tzinfo=IST) and ex.next.step == "polite"


def test_explain_shows_each_steps_state(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 15), balance="100")
    ledger = [sent("A", "heads-up", datetime(2026, 11, 12, 9, 0, tzinfo=IST))]
    ex = explain(book(config, [inv], touches=ledger), r, "A")
    states = {s.step: (s.state, s.reason) for s in ex.steps}
    assert states == {
        "heads-up": ("sent", None),
        "day-3": ("due", None),                         # catch-up: day-3 is the latest step whose `if` holds
        "day-7": ("condition_false", "condition_false"),
        "day-14": ("waiting", "not_due"),
    }
    assert ex.steps[0].sent_at == datetime(2026, 11, 12, 9, 0, tzinfo=IST)
    assert ex.next.at == NOW and ex.next.step == "day-3" and "whatsapp" in ex.next.what


def test_explain_outside_hours_says_until_when(ws):
    config, r = ws
    inv = invoice("A", "US", due=date(2026, 11, 19))
    ex = explain(book(config, [inv], [customer("US", timezone="America/New_York")]), r, "A")
    day3 = [s for s in ex.steps if s.step == "day-3"][0]
    assert (day3.state, day3.reason) == ("waiting", "outside_hours")
    assert day3.until == datetime(2026, 11, 23, 9, 0, tzinfo=NY)
    assert ex.next.at == datetime(2026, 11, 23, 9, 0, tzinfo=NY)


def test_explain_a_stopped_invoice(ws):
    config, r = ws
    inp = book(config, [invoice("A", due=date(2026, 11, 15))], held_invoices={"A": "promise to pay"})
    ex = explain(inp, r, "A")
    assert ex.stopped == "promise to pay" and ex.next.at is None and "stopped" in ex.next.what
    assert {s.state for s in ex.steps} == {"stopped"}


def test_explain_waiting_on_the_previous_step(tmp_path):
    pb = ("name: p\nsteps:\n  - {id: first, at: due+10d, channel: email, template: gentle}\n"
          "  - {id: second, at: previous+2bd, channel: email, template: gentle}\n")
    config, r = setup(tmp_path, playbooks={"p": pb})
    ex = explain(book(config, [invoice("A", due=date(2026, 11, 20))]), r, "A")
    assert [(s.step, s.state, s.reason) for s in ex.steps] == [("first", "waiting", "not_due"),
                                                               ("second", "waiting", "waiting_on")]
    assert ex.next.step == "first" and ex.next.at == datetime(2026, 11, 30, 9, 0, tzinfo=IST)


def test_explain_when_every_step_is_done(ws):
    config, r = ws
    at = NOW - timedelta(days=1)
    rows = [sent("A", s, at, status=st) for s, st in
            (("heads-up", "sent"), ("day-3", "superseded"), ("day-7", "sent"), ("day-14", "task"))]
    ex = explain(book(config, [invoice("A", due=date(2026, 10, 1))], touches=rows), r, "A")
    assert [s.state for s in ex.steps] == ["sent", "superseded", "sent", "task"]
    assert ex.next.at is None and "done" in ex.next.what


def test_explain_as_dict_is_json_ready(ws):
    config, r = ws
    ex = explain(book(config, [invoice("A", due=date(2026, 11, 20))]), r, "A")
    doc = json.loads(json.dumps(ex.as_dict(), default=_json_default))
    assert doc["invoice_id"] == "A" and doc["playbook"] == "standard" and doc["balance"] == "1000"
    assert [s["state"] for s in doc["steps"]] == ["superseded", "due", "waiting", "waiting"]
    assert doc["next"]["at"] == "2026-11-23T04:30:00+00:00"


def test_explain_unknown_invoice(ws):
    config, r = ws
    with pytest.raises(UnknownInvoice):
        explain(book(config, [invoice("A", due=date(2026, 11, 20))]), r, "NOPE")


def test_explain_agrees_with_plan(ws):
    config, r = ws
    invs = [invoice(f"I{n}", f"C{n % 3}", due=date(2026, 11, 1) + timedelta(days=3 * n)) for n in range(10)]
    inp = book(config, invs)
    p = plan(inp, r)
    planned = {(t.invoice_id, t.step) for m in p.messages for t in m.touches} | {
        (t.invoice_id, t.step) for k in p.tasks for t in k.touches}
    explained = {(i.invoice_id, s.step) for i in invs for s in explain(inp, r, i.invoice_id).steps if s.state == "due"}
    assert planned == explained and planned


# ---------------------------------------------------------------------------- the timeline's shortcut


def naive_timeline(inp, r, days):
    """Every invoice in every simulated run: what `timeline` must equal (it skips idle invoices)."""
    from dataclasses import replace

    from collectbot.engine.timeline import event_moments, record, run_moments

    touches, recent, out = {k: list(v) for k, v in inp.touches.items()}, list(inp.recent_messages), []
    daily, events = run_moments(inp, days), event_moments(inp, days)
    for moment in sorted(set(daily) | set(events)):  # an event's moment: its sequences alone
        invoices = inp.invoices if moment in daily else [i for i in inp.invoices if i.invoice_id in events[moment]]
        p = plan(replace(inp, now=moment, invoices=invoices, touches=touches, recent_messages=recent), r)
        record(p, touches, recent)
        if p.messages or p.tasks or any(s.permanent for s in p.skips):
            out.append(p)
    return out


def outcome(plans):
    return [(p.now, [(m.customer_id, m.channel, m.invoice_ids, m.steps, m.body) for m in p.messages],
             [(t.invoice_ids, t.step, t.note) for t in p.tasks],
             [(s.invoice_id, s.step, s.reason) for s in p.skips if s.permanent]) for p in plans]


def test_timeline_equals_planning_every_invoice_in_every_run(tmp_path):
    import random

    from test_engine_book import CONFIG
    from test_engine_book import STANDARD, VIP
    config, r = setup(tmp_path, config=CONFIG.replace("per_customer_per_day: 1, max_messages_per_run: 500",
                                                      "per_customer_per_day: 1, max_messages_per_run: 2"),
                      playbooks={"vip": VIP, "standard": STANDARD.replace("at: due+7d", "at: previous+4d")})
    rnd = random.Random(3)
    custs = [customer(f"C{n}", timezone=rnd.choice([None, "America/New_York", "Europe/London"]), tier=rnd.choice(["vip", None, None]),
                      phone=rnd.choice([None, "+919800000002"])) for n in range(8)]
    invs = [invoice(f"I{n:02d}", f"C{rnd.randrange(8)}", due=NOW.date() + timedelta(days=rnd.randint(-20, 12)),
                    balance=str(rnd.choice([100, 800, 2000]))) for n in range(40)]
    inp = book(config, invs, custs)
    fast = timeline(inp, r, 21)
    assert outcome(fast) == outcome(naive_timeline(inp, r, 21))
    assert sum(len(p.messages) for p in fast) > 20 and any(p.capped for p in fast)
    assert any("day-7" in m.steps for p in fast for m in p.messages)  # the previous-anchored step happens


def test_timeline_follows_a_playbook_switch_as_an_invoice_ages(tmp_path):
    late = ("name: late\nmatch: \"invoice.days_overdue > 10\"\npriority: 5\n"
            "steps:\n  - {id: final, at: due+11d, channel: email, template: gentle}\n")
    early = "name: early\nsteps:\n  - {id: hello, at: due, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"late": late, "early": early})
    got = events(timeline(book(config, [invoice("A", due=date(2026, 11, 24))]), r, 14))
    # from Sat 5 Dec the invoice is 11 days overdue: `late` applies; its step waits for Monday's hours
    assert got == [(date(2026, 11, 24), "C1", "email", ["A"], ["hello"]),
                   (date(2026, 12, 7), "C1", "email", ["A"], ["final"])]


def test_timeline_at_an_event_moment_plans_only_that_events_sequences(tmp_path):
    """A `match` that reads the invoice makes every daily run plan the whole book; an event's
    `event+15m` moment must not: it plans the sequences due then (review: preview --days grew
    with events x invoices). The outcome equals planning every invoice at every moment."""
    from dataclasses import replace as copy

    cart = "name: cart\ntrigger: {event: cart_abandoned}\nsteps:\n  - {id: nudge, at: event+15m, channel: sms, template: firm}\n"
    late = ("name: late\nmatch: \"invoice.days_overdue > 10\"\npriority: 5\n"
            "steps:\n  - {id: final, at: due+11d, channel: email, template: gentle}\n")
    early = "name: early\nsteps:\n  - {id: hello, at: due, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"late": late, "early": early, "cart": cart})
    book_invoices = [invoice(f"I{n:02d}", f"C{n % 7}", due=NOW.date() - timedelta(days=n % 13)) for n in range(40)]
    sequences = []
    for n in range(6):  # carts abandoned 40 minutes apart, from 10:20 (each nudge 15 minutes later)
        at = NOW + timedelta(minutes=20 + 40 * n)
        sequences.append(copy(invoice(f"cart_abandoned@{n + 1}", f"S{n}", due=NOW.date(), balance="1499"),
                              trigger="cart_abandoned", event_at=at,
                              extra={"event": {"id": n + 1, "name": "cart_abandoned", "at": at, "data": {}}}))
    inp = book(config, book_invoices + sequences)
    plans = timeline(inp, r, 3)
    ids = {i.invoice_id for i in sequences}
    at_events = [p for p in plans if any(m.steps == ["nudge"] for m in p.messages)]
    assert [p.now.astimezone(IST).strftime("%H:%M") for p in at_events] == [
        "10:35", "11:15", "11:55", "12:35", "13:15", "13:55"]
    for p in at_events:  # only the sequence due then was planned, not the 40 invoices of the book
        assert set(p.playbook_of) <= ids and len(p.playbook_of) == 1, p.playbook_of
    assert outcome(plans) == outcome(naive_timeline(inp, r, 3))


@pytest.mark.parametrize("volatile", [False, True])
def test_an_event_moment_does_not_move_the_rest_of_the_book(tmp_path, volatile):
    """(review) with a `match` reading the invoice, an ordinary `previous+2h` step went out at a
    cart's event moment; without, the next morning: the simulated days must not depend on that.
    An event's moment plans its sequences alone, in both modes, and equals the plain reference."""
    from dataclasses import replace as copy

    cart = "name: cart\ntrigger: {event: cart_abandoned}\nsteps:\n  - {id: nudge, at: event+15m, channel: sms, template: firm}\n"
    late = ("name: late\nmatch: \"%s\"\npriority: 5\nsteps:\n  - {id: final, at: due+40d, channel: email, template: gentle}\n"
            % ("invoice.days_overdue > 30" if volatile else "customer.customer_id == 'nobody'"))
    early = ("name: early\nsteps:\n  - {id: hello, at: due, channel: email, template: gentle}\n"
             "  - {id: again, at: previous+2h, channel: sms, template: firm}\n")
    config, r = setup(tmp_path, playbooks={"late": late, "early": early, "cart": cart})
    at = NOW + timedelta(hours=3)
    seq = copy(invoice("cart_abandoned@1", "S1", due=NOW.date(), balance="1499"), trigger="cart_abandoned", event_at=at,
               extra={"event": {"id": 1, "name": "cart_abandoned", "at": at, "data": {}}})
    inp = book(config, [invoice("R1", "C1", due=NOW.date()), seq])
    plans = timeline(inp, r, 3)
    got = [(p.now.astimezone(IST).strftime("%m-%d %H:%M"), m.invoice_ids, m.steps) for p in plans for m in p.messages]
    assert got == [("11-23 10:00", ["R1"], ["hello"]), ("11-23 13:15", ["cart_abandoned@1"], ["nudge"]),
                   ("11-24 09:00", ["R1"], ["again"])]  # the morning run after `hello` + 2h, as without the cart
    assert outcome(plans) == outcome(naive_timeline(inp, r, 3))


def test_explain_a_failed_send_is_retried(ws):
    config, r = ws
    rows = [sent("A", "heads-up", NOW - timedelta(days=6)),
            sent("A", "day-3", NOW - timedelta(hours=1), channel="whatsapp", status="failed")]
    ex = explain(book(config, [invoice("A", due=date(2026, 11, 20))], touches=rows), r, "A")
    day3 = ex.steps[1]
    assert day3.state == "due" and day3.detail.startswith("retrying a failed send")


def test_explain_a_paid_invoice_without_playbook_says_stopped(tmp_path):
    vip_only = "name: vip\nmatch: \"customer.tier == 'vip'\"\nsteps:\n  - {id: a, at: due, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"vip": vip_only})
    ex = explain(book(config, [invoice("A", due=date(2026, 11, 1), status="paid")]), r, "A")
    assert ex.playbook is None and ex.stopped == "paid" and "stopped (paid)" in ex.next.what
    assert "no playbook" in ex.why
