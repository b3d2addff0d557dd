"""The planner's rules (SPEC 3), each on a small book at a fixed moment, with the real Renderer."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from test_engine_book import IST, NOW, NY, STANDARD, UTC, book, customer, invoice, sent, setup, summary

from collectbot.engine import SentMessage, plan


@pytest.fixture
def ws(tmp_path):
    return setup(tmp_path)


def reasons(p, iid):
    return {s.step: s.reason for s in p.skips if s.invoice_id == iid}


def messages_for(p, iid):
    return [m for m in p.messages if iid in m.invoice_ids]


# ---------------------------------------------------------------------------- 1. playbook choice


def test_highest_priority_matching_playbook_wins_and_is_recorded(ws):
    config, r = ws
    invs = [invoice("V1", "VIP", due=date(2026, 11, 20)), invoice("S1", "STD", due=date(2026, 11, 20))]
    p = plan(book(config, invs, [customer("VIP", tier="vip"), customer("STD", tier="gold")]), r)
    assert p.playbook_of == {"S1": "standard", "V1": "vip"}
    # vip's only step is due+1bd (Mon 23rd 09:00): sent now; the standard invoice gets its day-3 step
    assert [(m.customer_id, m.steps) for m in p.messages] == [("STD", ["day-3"]), ("VIP", ["polite"])]


def test_priority_tie_goes_to_the_first_playbook_in_collectbot_yaml(tmp_path):
    other = STANDARD.replace("name: standard", "name: other")
    config, r = setup(tmp_path, playbooks={"vip": other, "standard": STANDARD})  # both match, priority 0
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))]), r)
    assert p.playbook_of == {"A": "other"}  # listed first (playbooks/vip.yaml holds `other`)


def test_no_matching_playbook_means_nothing_planned(tmp_path):
    vip_only = "name: vip\nmatch: \"customer.tier == 'vip'\"\nsteps:\n  - {id: a, at: due, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"vip": vip_only})
    p = plan(book(config, [invoice("A", due=date(2026, 11, 1))]), r)
    assert p.playbook_of == {} and p.messages == [] and p.skips == []


# ---------------------------------------------------------------------------- 2. due moments


def test_day_offset_lands_at_working_start_in_the_recipients_zone(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 20))  # due+3d = Mon 23rd 09:00 IST = 03:30Z
    before = plan(book(config, [inv], now=datetime(2026, 11, 23, 8, 59, tzinfo=IST)), r)
    # at 08:59 day-3 is not due yet: heads-up (due-3d) is the latest due step, and it waits for hours
    (waiting,) = before.skips
    assert (waiting.step, waiting.reason) == ("heads-up", "outside_hours")
    assert waiting.until == datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    at_nine = plan(book(config, [inv], now=datetime(2026, 11, 23, 9, 0, tzinfo=IST)), r)
    assert [m.steps for m in at_nine.messages] == [["day-3"]]
    assert reasons(at_nine, "A") == {"heads-up": "superseded"}


def test_a_day_step_not_yet_due_is_not_planned(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 11, 27))]), r)  # heads-up due 24th
    assert p.messages == [] and p.skips == [] and p.playbook_of == {"A": "standard"}


def test_business_days_skip_weekends_and_holidays(tmp_path):
    pb = "name: bd\nsteps:\n  - {id: a, at: due+1bd, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"bd": pb})
    # due Thu 26 Nov; Fri 27 Nov is a configured holiday, 28/29 a weekend -> due+1bd = Mon 30 Nov
    inv = invoice("A", due=date(2026, 11, 26))
    for not_yet in (datetime(2026, 11, 27, 12, 0, tzinfo=IST), datetime(2026, 11, 29, 12, 0, tzinfo=IST),
                    datetime(2026, 11, 30, 8, 59, tzinfo=IST)):
        p = plan(book(config, [inv], now=not_yet), r)
        assert p.messages == [] and p.skips == []
    assert len(plan(book(config, [inv], now=datetime(2026, 11, 30, 9, 0, tzinfo=IST)), r).messages) == 1


def test_country_holiday_calendar_counts_for_business_days(tmp_path):
    from test_engine_book import CONFIG
    cfg = CONFIG.replace("holidays: {dates: [2026-12-25, 2026-11-27]}", "holidays: {country: US}")
    pb = "name: bd\nsteps:\n  - {id: a, at: due+1bd, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, config=cfg, playbooks={"bd": pb})
    inv = invoice("A", due=date(2026, 11, 25))  # Wed; Thu 26 Nov 2026 is US Thanksgiving -> Fri 27th
    assert plan(book(config, [inv], now=datetime(2026, 11, 26, 12, 0, tzinfo=IST)), r).messages == []
    assert len(plan(book(config, [inv], now=datetime(2026, 11, 27, 12, 0, tzinfo=IST)), r).messages) == 1


def test_on_weekdays_waits_for_the_next_allowed_day(tmp_path):
    pb = "name: thu\nsteps:\n  - {id: a, at: due, on: [thu], channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"thu": pb})
    inv = invoice("A", due=date(2026, 11, 23))  # Monday -> waits for Thursday 26th
    assert plan(book(config, [inv], now=datetime(2026, 11, 25, 12, 0, tzinfo=IST)), r).messages == []
    assert len(plan(book(config, [inv], now=datetime(2026, 11, 26, 9, 0, tzinfo=IST)), r).messages) == 1


def test_on_monthdays(tmp_path):
    pb = "name: m\nsteps:\n  - {id: a, at: due+1d, on: [1, 15], channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"m": pb})
    inv = invoice("A", due=date(2026, 11, 20))  # due+1d = 21st -> waits for 1 Dec (a Tuesday)
    assert plan(book(config, [inv], now=datetime(2026, 11, 30, 12, 0, tzinfo=IST)), r).messages == []
    assert len(plan(book(config, [inv], now=datetime(2026, 12, 1, 9, 0, tzinfo=IST)), r).messages) == 1


def test_hour_offsets_count_from_the_working_start_of_the_anchor_date(tmp_path):
    pb = "name: h\nsteps:\n  - {id: a, at: due+2h, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"h": pb})
    inv = invoice("A", due=date(2026, 11, 23))
    assert plan(book(config, [inv], now=datetime(2026, 11, 23, 10, 59, tzinfo=IST)), r).messages == []
    assert len(plan(book(config, [inv], now=datetime(2026, 11, 23, 11, 0, tzinfo=IST)), r).messages) == 1


def test_issued_anchor_without_issue_date_is_skipped_with_a_reason(tmp_path):
    pb = "name: i\nsteps:\n  - {id: a, at: issued+30d, channel: email, template: gentle}\n"
    config, r = setup(tmp_path, playbooks={"i": pb})
    p = plan(book(config, [invoice("A", due=date(2026, 11, 1), issued=None),
                           invoice("B", due=date(2026, 11, 1), issued=date(2026, 10, 1))]), r)
    assert [(s.invoice_id, s.reason, s.permanent) for s in p.skips] == [("A", "no_issue_date", False)]
    assert [m.invoice_ids for m in p.messages] == [["B"]]


def test_previous_anchor_waits_for_the_previous_step_to_be_sent(tmp_path):
    pb = ("name: p\nsteps:\n  - {id: first, at: due, channel: email, template: gentle}\n"
          "  - {id: second, at: previous+2d, channel: email, template: gentle}\n")
    config, r = setup(tmp_path, playbooks={"p": pb})
    inv = invoice("A", due=date(2026, 11, 2))
    # nothing recorded yet: only `first` is due, `second` is not (it is not superseding anything)
    p = plan(book(config, [inv]), r)
    assert [m.steps for m in p.messages] == [["first"]] and p.skips == []
    # first failed: still not due
    failed = sent("A", "first", datetime(2026, 11, 2, 4, 0, tzinfo=UTC), playbook="p", status="failed")
    assert [m.steps for m in plan(book(config, [inv], touches=[failed]), r).messages] == [["first"]]
    # sent Fri 20 Nov 15:00 IST -> second due Sun 22nd 09:00 -> waits for Monday's hours; sent at Mon 10:00
    at = datetime(2026, 11, 20, 15, 0, tzinfo=IST)
    done = [sent("A", "first", at, playbook="p")]
    sunday = plan(book(config, [inv], touches=done, now=datetime(2026, 11, 21, 12, 0, tzinfo=IST)), r)
    assert sunday.messages == [] and sunday.skips == []
    assert [m.steps for m in plan(book(config, [inv], touches=done), r).messages] == [["second"]]


# ---------------------------------------------------------------------------- 3. stop


def test_stop_rules_record_why_and_plan_nothing(ws):
    config, r = ws
    due = date(2026, 11, 10)
    invs = [invoice("PAID", due=due, status="paid"), invoice("VOID", due=due, status="void"),
            invoice("ZERO", due=due), invoice("HELD", due=due), invoice("CUST", "C9", due=due),
            invoice("OPEN", "C2", due=due)]
    inp = book(config, invs, held_invoices={"HELD": "disputed"}, held_customers={"C9": "paused"})
    inp.balances["ZERO"] = Decimal("0.00")  # paid through reconcile, the export does not know yet
    p = plan(inp, r)
    assert p.stopped == {"CUST": "customer paused", "HELD": "disputed", "PAID": "paid", "VOID": "void",
                         "ZERO": "settled"}
    assert {iid for m in p.messages for iid in m.invoice_ids} | {s.invoice_id for s in p.skips} == {"OPEN"}


def test_partial_payment_keeps_chasing_the_effective_balance(ws):
    config, r = ws
    inp = book(config, [invoice("A", due=date(2026, 11, 15), balance="1000")])
    inp.balances["A"] = Decimal("400")  # below the day-7 condition `invoice.balance >= 500`
    p = plan(inp, r)
    assert reasons(p, "A") == {"day-7": "condition_false", "heads-up": "superseded"}
    assert [m.steps for m in p.messages] == [["day-3"]]


# ---------------------------------------------------------------------------- 4. once


@pytest.mark.parametrize("status", ["sent", "sending", "uncertain", "superseded", "skipped"])
def test_a_step_with_a_ledger_row_is_never_planned_again(ws, status):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 20))
    rows = [sent("A", "heads-up", NOW - timedelta(days=6), status="sent"),
            sent("A", "day-3", NOW - timedelta(hours=1), channel="whatsapp", status=status)]
    p = plan(book(config, [inv], touches=rows), r)
    assert p.messages == [] and all(s.step != "day-3" for s in p.skips)


def test_a_failed_step_is_planned_again(ws):
    config, r = ws
    rows = [sent("A", "heads-up", NOW - timedelta(days=6), status="sent"),
            sent("A", "day-3", NOW - timedelta(hours=1), channel="whatsapp", status="failed")]
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))], touches=rows), r)
    assert [m.steps for m in p.messages] == [["day-3"]] and p.skips == []


def test_rerun_after_recording_plans_nothing(ws):
    config, r = ws
    invs = [invoice("A", due=date(2026, 11, 5)), invoice("B", "C2", due=date(2026, 11, 20))]
    first = plan(book(config, invs), r)
    rows = [sent(t.invoice_id, t.step, NOW, channel=t.channel) for m in first.messages for t in m.touches]
    rows += [sent(t.invoice_id, t.step, NOW, channel="task", status="task") for k in first.tasks for t in k.touches]
    rows += [sent(s.invoice_id, s.step, NOW, status="superseded" if s.reason == "superseded" else "skipped")
             for s in first.skips if s.permanent]
    assert first.messages and first.tasks
    again = plan(book(config, invs, touches=rows, now=NOW + timedelta(minutes=5)), r)
    assert again.messages == [] and again.tasks == [] and again.skips == []


# ---------------------------------------------------------------------------- 5. catch-up and conditions


def test_catch_up_sends_only_the_latest_due_step(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 11, 15))]), r)  # 8 days late: day-7 due, day-14 not
    assert [m.steps for m in p.messages] == [["day-7"]] and p.messages[0].channel == "sms"
    assert reasons(p, "A") == {"heads-up": "superseded", "day-3": "superseded"}
    assert all(s.permanent for s in p.skips)


def test_a_false_condition_skips_for_good_and_the_next_earlier_step_is_sent(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 11, 15), balance="100")]), r)
    assert reasons(p, "A") == {"day-7": "condition_false", "heads-up": "superseded"}
    assert [(m.channel, m.steps) for m in p.messages] == [("whatsapp", ["day-3"])]


def test_an_invoice_imported_very_late_goes_straight_to_the_task(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 10, 1), balance="2500")],
                  [customer("C1", name="Ravi Traders", owner="asha")]), r)
    assert p.messages == []
    assert [(t.invoice_ids, t.step, t.assign, t.note, t.amount) for t in p.tasks] == [
        (["A"], "day-14", "asha", "Call Ravi Traders: 1 invoices overdue", Decimal("2500"))]
    assert set(reasons(p, "A").values()) == {"superseded"} and len(p.skips) == 3


# ---------------------------------------------------------------------------- 6. reachability


def test_fallback_when_the_customer_has_no_whatsapp_or_phone(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))], [customer("C1", phone=None)]), r)
    assert [(m.channel, m.to, m.steps) for m in p.messages] == [("email", "c1@example.com", ["day-3"])]
    assert "[nudge-email lead=A]" in p.messages[0].body  # the step's template, rendered for the fallback channel


def test_no_address_at_all_is_a_permanent_skip(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))], [customer("C1", phone=None, email=None)]), r)
    assert p.messages == []
    skip = [s for s in p.skips if s.step == "day-3"][0]
    assert skip.reason == "no_address" and skip.permanent and "fallback email" in skip.detail


def test_invoice_level_contact_overrides_the_customer(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 20), whatsapp="+919811111111")
    p = plan(book(config, [inv]), r)
    assert [(m.channel, m.to) for m in p.messages] == [("whatsapp", "+919811111111")]


def test_opted_out_channel_uses_the_fallback_else_skips(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 20))
    p = plan(book(config, [inv], suppressed={("C1", "whatsapp"): "opted_out"}), r)
    assert [m.channel for m in p.messages] == ["email"]
    p = plan(book(config, [inv], suppressed={("C1", "whatsapp"): "opted_out", ("C1", "email"): "unsubscribed"}), r)
    assert p.messages == [] and reasons(p, "A")["day-3"] == "opted_out"


def test_a_bounced_address_counts_as_no_address(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 25))  # only heads-up (email) is due
    p = plan(book(config, [inv], suppressed_addresses={("email", "c1@example.com"): "bounced"}), r)
    assert p.messages == [] and reasons(p, "A") == {"heads-up": "no_address"}


def test_a_disabled_channel_is_unreachable(tmp_path):
    from test_engine_book import CONFIG
    cfg = CONFIG.replace("whatsapp: {provider: outbox}", "whatsapp: {provider: outbox, enabled: false}")
    config, r = setup(tmp_path, config=cfg)
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))]), r)
    assert [(m.channel, m.steps) for m in p.messages] == [("email", ["day-3"])]


# ---------------------------------------------------------------------------- 7. one message per customer, daily cap


def test_touches_for_one_customer_and_channel_merge_into_one_message(ws):
    config, r = ws
    # heads-up (email) is due for A (due 26th) and B (due 25th), both of customer C1
    invs = [invoice("A", due=date(2026, 11, 26), balance="1500"), invoice("B", due=date(2026, 11, 25), balance="250"),
            invoice("X", "C2", due=date(2026, 11, 26))]
    p = plan(book(config, invs), r)
    assert [(m.customer_id, m.channel, m.invoice_ids) for m in p.messages] == [
        ("C1", "email", ["B", "A"]), ("C2", "email", ["X"])]
    m = p.messages[0]
    assert m.subject == "2 invoice(s) from Acme Traders"
    assert "B: ₹250.00\nA: ₹1,500.00" in m.body


def test_the_merged_message_uses_the_template_of_the_latest_due_step(ws):
    config, r = ws
    # C1 has no phone, so A's day-3 (whatsapp) falls back to email and merges with B's heads-up;
    # A's day-3 came due Mon 23rd 09:00, later than B's heads-up (Sun 22nd 09:00): day-3's template speaks
    invs = [invoice("A", due=date(2026, 11, 20)), invoice("B", due=date(2026, 11, 25))]
    p = plan(book(config, invs, [customer("C1", phone=None)]), r)
    assert len(p.messages) == 1
    m = p.messages[0]
    assert m.invoice_ids == ["A", "B"] and m.steps == ["day-3", "heads-up"]
    assert "[nudge-email lead=A]" in m.body and m.body.startswith("2 invoice(s) overdue")


def test_daily_cap_counts_messages_already_sent_today_in_the_recipients_zone(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 26))
    earlier = SentMessage("C1", "email", datetime(2026, 11, 23, 9, 5, tzinfo=IST))
    p = plan(book(config, [inv], recent_messages=[earlier]), r)
    assert p.messages == []
    (skip,) = p.skips
    assert skip.reason == "daily_cap" and not skip.permanent
    assert skip.until == datetime(2026, 11, 24, 9, 0, tzinfo=IST)
    # yesterday's message does not count; another channel does not count
    other = [SentMessage("C1", "email", datetime(2026, 11, 22, 17, 0, tzinfo=IST)),
             SentMessage("C1", "sms", datetime(2026, 11, 23, 9, 5, tzinfo=IST))]
    assert len(plan(book(config, [inv], recent_messages=other), r).messages) == 1


def test_two_addresses_of_one_customer_respect_the_daily_cap(ws):
    config, r = ws
    invs = [invoice("A", due=date(2026, 11, 26)), invoice("B", due=date(2026, 11, 25), email="ap@example.com")]
    p = plan(book(config, invs), r)
    assert [(m.to, m.invoice_ids) for m in p.messages] == [("ap@example.com", ["B"])]  # most overdue first
    assert [(s.invoice_id, s.reason) for s in p.skips] == [("A", "daily_cap")]


# ---------------------------------------------------------------------------- 8. polite hours


def test_a_customer_in_another_zone_waits_for_their_morning(ws):
    config, r = ws
    inv = invoice("A", "US", due=date(2026, 11, 19))  # due+3d = Sun 22nd in New York -> Monday 09:00 NY
    us = customer("US", timezone="America/New_York")
    night = plan(book(config, [inv], [us]), r)  # 10:00 IST = 23:30 Sunday in New York
    (skip,) = [s for s in night.skips if s.step == "day-3"]
    assert skip.reason == "outside_hours" and skip.until == datetime(2026, 11, 23, 9, 0, tzinfo=NY)
    morning = plan(book(config, [inv], [us], now=datetime(2026, 11, 23, 9, 30, tzinfo=NY)), r)
    assert [m.steps for m in morning.messages] == [["day-3"]]


def test_a_holiday_waits_for_the_next_working_day(ws):
    config, r = ws
    inv = invoice("A", due=date(2026, 11, 24))  # day-3 due Fri 27th, a configured holiday
    p = plan(book(config, [inv], now=datetime(2026, 11, 27, 11, 0, tzinfo=IST)), r)
    (skip,) = [s for s in p.skips if s.step == "day-3"]
    assert skip.reason == "holiday" and skip.until == datetime(2026, 11, 30, 9, 0, tzinfo=IST)


def test_tasks_are_never_delayed_by_hours(ws):
    config, r = ws
    p = plan(book(config, [invoice("A", due=date(2026, 11, 1))], now=datetime(2026, 11, 22, 23, 0, tzinfo=IST)), r)
    assert [t.step for t in p.tasks] == ["day-14"]


# ---------------------------------------------------------------------------- 9. safety cap


def test_run_cap_keeps_the_most_overdue_and_says_how_many_wait(ws):
    config, r = ws
    invs = [invoice("A", "C1", due=date(2026, 11, 25)), invoice("B", "C2", due=date(2026, 11, 20)),
            invoice("C", "C3", due=date(2026, 11, 17))]
    p = plan(book(config, invs, max_messages=1), r)
    assert [m.customer_id for m in p.messages] == ["C3"] and p.capped == 2
    assert sorted((s.invoice_id, s.reason) for s in p.skips if s.reason == "cap") == [("A", "cap"), ("B", "cap")]
    assert not any(s.permanent for s in p.skips if s.reason == "cap")


def test_limits_max_messages_per_run_applies_without_limit_flag(ws):
    config, r = ws
    config.limits.max_messages_per_run = 2
    invs = [invoice(f"I{n}", f"C{n}", due=date(2026, 11, 20)) for n in range(5)]
    p = plan(book(config, invs, max_messages=10), r)
    assert len(p.messages) == 2 and p.capped == 3


# ---------------------------------------------------------------------------- 10. pinned sequences


def test_a_renamed_step_counts_as_new_and_a_removed_step_is_not_sent(tmp_path):
    renamed = STANDARD.replace("id: day-3,", "id: day-3-nudge,").replace(
        "  - {id: heads-up, at: due-3d, channel: email, template: gentle}\n", "")
    config, r = setup(tmp_path, playbooks={"standard": renamed})
    inv = invoice("A", due=date(2026, 11, 20))
    ledger = [sent("A", "day-3", NOW - timedelta(hours=2), channel="whatsapp")]  # sent under the old id
    p = plan(book(config, [inv], touches=ledger), r)
    assert [m.steps for m in p.messages] == [["day-3-nudge"]]
    assert all(s.step != "heads-up" for s in p.skips) and p.messages[0].touches[0].step != "heads-up"


def test_an_edited_step_already_sent_is_not_sent_again(tmp_path):
    edited = STANDARD.replace("at: due+3d, channel: whatsapp", "at: due+2d, channel: sms").replace(
        "template: nudge, fallback: email", "template: firm")
    config, r = setup(tmp_path, playbooks={"standard": edited})
    ledger = [sent("A", "heads-up", NOW - timedelta(days=6)), sent("A", "day-3", NOW - timedelta(days=1), channel="whatsapp")]
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))], touches=ledger), r)
    assert p.messages == [] and p.skips == []


# ---------------------------------------------------------------------------- 11. errors stay local


def test_a_failing_condition_affects_only_its_invoice(tmp_path):
    pb = STANDARD.replace('if: "invoice.balance >= 500"', 'if: "invoice.balance / invoice.divisor > 1"')
    config, r = setup(tmp_path, playbooks={"standard": pb})
    invs = [invoice("BAD", due=date(2026, 11, 15), extra={"divisor": Decimal(0)}),
            invoice("GOOD", "C2", due=date(2026, 11, 15), extra={"divisor": Decimal(2)})]
    p = plan(book(config, invs), r)
    assert [m.invoice_ids for m in p.messages] == [["GOOD"]]
    (err,) = p.errors
    assert err["invoice_id"] == "BAD" and err["playbook"] == "standard" and err["step"] == "day-7" and err["message"]
    assert all(s.invoice_id == "GOOD" for s in p.skips)  # nothing decided for BAD: it is retried next run


def test_a_failing_template_affects_only_its_message(tmp_path):
    config, r = setup(tmp_path, templates={"firm.sms.j2": "{{ invoice.note.upper() }}\n"})
    invs = [invoice("BAD", due=date(2026, 11, 15)), invoice("GOOD", "C2", due=date(2026, 11, 15), extra={"note": "x"})]
    p = plan(book(config, invs), r)
    assert [(m.invoice_ids, m.body) for m in p.messages] == [(["GOOD"], "X")]
    assert [(e["invoice_id"], e["step"]) for e in p.errors] == [("BAD", "day-7")]


def test_a_failing_match_is_reported_and_the_next_playbook_applies(tmp_path):
    from test_engine_book import VIP
    vip = VIP.replace("customer.tier == 'vip'", "invoice.risk.level == 'high'")
    config, r = setup(tmp_path, playbooks={"vip": vip, "standard": STANDARD})
    p = plan(book(config, [invoice("A", due=date(2026, 11, 20))]), r)
    assert p.playbook_of == {"A": "standard"}
    assert p.errors and p.errors[0]["playbook"] == "vip" and p.errors[0]["step"] is None


# ---------------------------------------------------------------------------- determinism


def test_identical_input_in_any_order_gives_an_identical_plan(ws):
    config, r = ws
    invs = [invoice(f"I{n:02d}", f"C{n % 4}", due=date(2026, 11, 1) + timedelta(days=n % 29), balance=str(100 + n * 37))
            for n in range(40)]
    reference = summary(plan(book(config, invs), r))
    shuffled = invs[:]
    random.Random(7).shuffle(shuffled)
    assert summary(plan(book(config, shuffled), r)) == reference
    assert reference["messages"] and reference["skips"]


def test_plan_is_pure(ws):
    config, r = ws
    inp = book(config, [invoice("A", due=date(2026, 11, 10))], touches=[sent("A", "heads-up", NOW - timedelta(days=9))])
    snapshot = (list(inp.invoices), {k: list(v) for k, v in inp.touches.items()}, dict(inp.balances))
    plan(inp, r)
    plan(replace(inp), r)
    assert snapshot == (list(inp.invoices), {k: list(v) for k, v in inp.touches.items()}, dict(inp.balances))


def test_a_permanent_skip_is_recorded_for_good_and_a_waiting_skip_is_tried_again(make_workspace):
    """Globex INV-003 is due 2026-03-07: at Tuesday 2026-03-10 its `heads-up` (due-3d) is superseded
    by `day-3` (due+3d = 03-10). At 20:00 the business is closed (09:00-18:00), so `day-3` waits."""
    ws = make_workspace()
    code, doc = ws.json("run", now="2026-03-10T20:00:00")
    assert code == 0 and doc["messages"] == []
    reasons = {(s["invoice_id"], s["step"]): s["reason"] for s in doc["skipped"]}
    assert reasons[("INV-003", "heads-up")] == "superseded" and reasons[("INV-003", "day-3")] == "outside_hours"
    touches = ws.touches()
    assert touches[("INV-003", "heads-up")]["status"] == "superseded"  # permanent: in the ledger for good
    assert ("INV-003", "day-3") not in touches  # waiting: nothing recorded, the next run decides again
    # Wednesday 10:00, open: the waiting step goes; the superseded one is never sent
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    steps = {(i, step) for m in doc["messages"] for i in m["invoice_ids"] for step in m["steps"]}
    assert ("INV-003", "day-3") in steps and ("INV-003", "heads-up") not in steps
    assert ws.touches()[("INV-003", "heads-up")]["status"] == "superseded"


def test_planning_leaves_the_garbage_collector_as_it_found_it(ws):
    import gc

    config, r = ws
    assert gc.isenabled()
    plan(book(config, [invoice("A", due=date(2026, 11, 10))]), r)
    assert gc.isenabled()
    gc.disable()
    try:
        plan(book(config, [invoice("A", due=date(2026, 11, 10))]), r)
        assert not gc.isenabled()
    finally:
        gc.enable()
