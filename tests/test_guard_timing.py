"""When steps come due: `previous` anchors, week offsets, `on:` days, steps after a task, the
`previous` template value, and time only moving forward (SPEC 3, README "When is a step due?").

Each test pins one behaviour that a small slip in collectbot/engine/schedule.py, planner.py or
ledger.py would break. Calendar used throughout (worked out by hand; 2026-03-10 is a Tuesday):

    Wed 03-11  Thu 03-12  Fri 03-13  Sat 03-14  Sun 03-15
    Mon 03-16  Tue 03-17  Wed 03-18  Thu 03-19  Fri 03-20  Sat 03-21  Sun 03-22
    Mon 03-23  Tue 03-24  Wed 03-25

Working hours are 09:00-18:00 Mon-Fri in Asia/Kolkata (UTC+05:30), so "the start of working
hours" on a date is 03:30 UTC that day. No holidays are configured.
"""

from __future__ import annotations

from typing import Any

# A book of one invoice for one customer; `max_source_age` is long so that runs weeks after the
# export (whose mtime is the conftest NOW, 2026-03-10 10:00) are not refused as stale.
LONG_LIVED = {"limits": {"max_source_age": "365d"}}


def one_invoice(due: str, *, iid: str = "INV-100", cid: str = "solo", **extra: str) -> dict[str, Any]:
    row = {"invoice_id": iid, "customer_id": cid, "customer_name": f"{cid.title()} Ltd",
           "email": f"ap@{cid}.example", "phone": "+919800000100", "issue_date": "2026-02-01",
           "due_date": due, "amount": "800.00", "balance": "800.00", "status": "open"}
    row.update(extra)
    return row


def timeline_days(doc: dict[str, Any]) -> dict[str, list[str]]:
    """step id -> the dates (business zone) of the timeline days on which a message carries it."""
    out: dict[str, list[str]] = {}
    for day in doc["timeline"]:
        for m in day["messages"]:
            for step in m["steps"]:
                out.setdefault(step, []).append(str(day["date"]))
    return out


def timeline_moments(doc: dict[str, Any]) -> dict[str, list[str]]:
    """step id -> scheduled_at (UTC text) of every timeline message that carries it."""
    out: dict[str, list[str]] = {}
    for day in doc["timeline"]:
        for m in day["messages"]:
            for step in m["steps"]:
                out.setdefault(step, []).append(m["scheduled_at"])
    return out


def sent_steps(doc: dict[str, Any]) -> list[str]:
    return [s for m in doc["messages"] if m["status"] == "sent" for s in m["steps"]]


# ---------------------------------------------------------------------------- 1. `previous`

PREVIOUS_CHAIN = """\
name: chain
steps:
  - id: first
    at: due
    channel: email
    template: gentle
  - id: second
    at: due+3d
    channel: email
    template: nudge
  - id: third
    at: previous+2d
    channel: email
    template: nudge
"""


def test_previous_anchored_step_waits_for_the_step_before_it_and_counts_from_its_actual_send(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11")], playbooks={"chain.yaml": PREVIOUS_CHAIN})
    code, doc = ws.json("preview", "--days", "30")
    assert code == 0, doc
    days = timeline_days(doc)
    # first: due Wed 03-11, start of working hours -> sent on 03-11.
    # second: due+3d = Sat 03-14, not a working day -> waits for Mon 03-16 09:00 and goes then.
    # third: previous+2d counts from when `second` actually went out (Mon 03-16) -> Wed 03-18.
    #   It must not go on Fri 03-13 (first's send + 2d) while `second` has not gone out yet,
    #   nor on Mon 03-16 (second's nominal due Sat 03-14 + 2d).
    assert days == {"first": ["2026-03-11"], "second": ["2026-03-16"], "third": ["2026-03-18"]}
    moments = timeline_moments(doc)
    assert moments["third"] == ["2026-03-18T03:30:00+00:00"]  # Wed 03-18 09:00 IST
    assert moments["third"][0] > moments["second"][0]  # never before the step it follows


PREVIOUS_HOURS = """\
name: hours
steps:
  - id: first
    at: due
    channel: email
    template: gentle
  - id: follow-up
    at: previous+2h
    channel: sms
    template: firm
"""


def test_previous_plus_hours_goes_that_long_after_the_previous_step_was_sent_never_earlier(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11")], playbooks={"hours.yaml": PREVIOUS_HOURS},
                        config=LONG_LIVED)
    # due Wed 03-11: `first` is due at 09:00 and the 10:00 run sends it (sent_at = 10:00 IST)
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert code == 0 and sent_steps(doc) == ["first"], doc
    # follow-up = previous+2h = 10:00 + 2h = 12:00 IST: not yet at 10:30 nor at 11:59
    for early in ("2026-03-11T10:30:00", "2026-03-11T11:59:00"):
        code, doc = ws.json("run", now=early)
        assert code == 0 and sent_steps(doc) == [], (early, doc)
    code, doc = ws.json("run", now="2026-03-11T12:00:00")
    assert code == 0 and sent_steps(doc) == ["follow-up"], doc
    assert [(m["channel"], m["at"]) for m in ws.sent()] == [
        ("email", "2026-03-11T04:30:00+00:00"),  # 10:00 IST
        ("sms", "2026-03-11T06:30:00+00:00"),    # 12:00 IST, two hours later
    ]


# ---------------------------------------------------------------------------- 2. weeks

WEEKS = """\
name: weeks
steps:
  - id: fortnight
    at: due+2w
    channel: email
    template: nudge
"""


def test_due_plus_two_weeks_comes_fourteen_days_after_the_due_date(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11")], playbooks={"weeks.yaml": WEEKS})
    code, doc = ws.json("preview", "--days", "30")
    assert code == 0, doc
    # due Wed 03-11 + 2 weeks = 14 days = Wed 03-25, at the start of working hours (09:00 IST = 03:30 UTC).
    # Not Fri 03-13 (2 days, weeks read as days) and not 02-25 (before the due date: it would go today).
    assert timeline_days(doc) == {"fortnight": ["2026-03-25"]}
    assert timeline_moments(doc) == {"fortnight": ["2026-03-25T03:30:00+00:00"]}


# ---------------------------------------------------------------------------- 3. `on:`

ON_MONDAYS = """\
name: mondays
steps:
  - id: monday-nudge
    at: due+5d
    on: [mon]
    channel: email
    template: nudge
"""


def test_on_weekday_step_fires_on_its_own_day_when_that_day_is_allowed_and_otherwise_the_next_one(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11", iid="INV-ON", cid="onday"),
                                  one_invoice("2026-03-12", iid="INV-OFF", cid="offday")],
                        playbooks={"mondays.yaml": ON_MONDAYS})
    code, doc = ws.json("preview", "--days", "30")
    assert code == 0, doc
    by_invoice = {m["invoice_ids"][0]: (str(day["date"]), m["scheduled_at"])
                  for day in doc["timeline"] for m in day["messages"]}
    # INV-ON: due Wed 03-11 + 5d = Mon 03-16, already a Monday -> goes Mon 03-16 09:00 (not a week later, 03-23)
    # INV-OFF: due Thu 03-12 + 5d = Tue 03-17, not a Monday -> waits for the next Monday, 03-23 09:00
    assert by_invoice == {"INV-ON": ("2026-03-16", "2026-03-16T03:30:00+00:00"),
                          "INV-OFF": ("2026-03-23", "2026-03-23T03:30:00+00:00")}


# ---------------------------------------------------------------------------- 4. after a task

AFTER_TASK = """\
name: after-task
steps:
  - id: call
    at: due
    channel: task
    assign: owner
    note: "Call {{ customer.name }}"
  - id: after-call
    at: previous+2d
    channel: email
    template: nudge
"""


def test_step_anchored_on_a_task_comes_due_after_the_task_in_real_runs(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11")], playbooks={"after-task.yaml": AFTER_TASK},
                        config=LONG_LIVED)
    # due Wed 03-11: the `call` task is created by the 10:00 run that day (a task counts as sent)
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert code == 0 and [t["step"] for t in doc["tasks"]] == ["call"] and doc["messages"] == [], doc
    # after-call = previous+2d = 03-11 + 2 = Fri 03-13 09:00: nothing on Thu 03-12
    code, doc = ws.json("run", now="2026-03-12T10:00:00")
    assert code == 0 and doc["messages"] == [] and doc["tasks"] == [], doc
    code, doc = ws.json("run", now="2026-03-13T10:00:00")
    assert code == 0 and sent_steps(doc) == ["after-call"], doc
    assert [(m["invoice_ids"], m["at"]) for m in ws.sent()] == [(["INV-100"], "2026-03-13T04:30:00+00:00")]


def test_step_anchored_on_a_task_is_in_the_preview_two_days_after_the_task(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11")], playbooks={"after-task.yaml": AFTER_TASK})
    code, doc = ws.json("preview", "--days", "30")
    assert code == 0, doc
    tasks = [(str(day["date"]), t["step"]) for day in doc["timeline"] for t in day["tasks"]]
    # the task on its due date Wed 03-11; the email previous+2d later, Fri 03-13 09:00 (not "never")
    assert tasks == [("2026-03-11", "call")]
    assert timeline_moments(doc) == {"after-call": ["2026-03-13T03:30:00+00:00"]}


# ---------------------------------------------------------------------------- 8. `previous` in templates

FOUR_TOUCHES = """\
name: four
steps:
  - id: a
    at: due
    channel: email
    template: gentle
  - id: b
    at: due+1d
    channel: sms
    template: firm
  - id: c
    at: due+2d
    channel: email
    template: nudge
  - id: d
    at: due+3d
    channel: email
    template: recap
"""
RECAP = "Subject: Recap\nLast touch: {{ previous.step }} by {{ previous.channel }}\n"


def test_previous_in_a_template_is_the_most_recent_touch_not_an_older_one(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-16")], playbooks={"four.yaml": FOUR_TOUCHES},
                        templates={"recap.email.j2": RECAP}, config=LONG_LIVED)
    # due Mon 03-16: a on Mon 03-16, b on Tue 03-17, c on Wed 03-18, d on Thu 03-19, each sent by
    # that day's 10:00 run (one step per day, so nothing is superseded and the daily cap is not hit)
    for day, step in (("16", "a"), ("17", "b"), ("18", "c"), ("19", "d")):
        code, doc = ws.json("run", now=f"2026-03-{day}T10:00:00")
        assert code == 0 and sent_steps(doc) == [step], (day, doc)
    # when d goes out the touches are a, b, c (oldest first): the most recent one is c, by email
    assert ws.sent()[-1]["body"].strip() == "Last touch: c by email"


# ---------------------------------------------------------------------------- 9. time moves forward


def test_back_dated_run_is_refused_when_two_runs_exist_even_if_it_is_after_the_first(make_workspace):
    ws = make_workspace(config=LONG_LIVED)
    assert ws.json("run", now="2026-03-10T10:00:00")[0] == 0
    assert ws.json("run", now="2026-03-12T10:00:00")[0] == 0
    sent_before = len(ws.sent())
    runs_before = ws.rows("SELECT COUNT(*) AS n FROM runs")[0]["n"]
    # the last run acted at 03-12 10:00; 03-11 10:00 is later than the first run but earlier than
    # the last one, so time would move backwards: refused (exit 2), nothing sent, no run recorded
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert code == 2
    assert "earlier than the last recorded run" in doc["refused"]
    assert doc["messages"] == []
    assert len(ws.sent()) == sent_before
    assert ws.rows("SELECT COUNT(*) AS n FROM runs")[0]["n"] == runs_before == 2
