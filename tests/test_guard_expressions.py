"""What a `match`/`if` expression or an inline text reads (collectbot/engine/expressions.py), and
the planner's memo keyed on it: a memo key must tell apart every two contexts in which the code
gives different answers, must not fail where the code itself would not (or fail with other
words), and must let a text be rendered once per distinct set of values it reads.

Through the real CLI where the user sees the difference (preview's timeline, explain's step
states and errors), on the conftest workspace (NOW Tuesday 2026-03-10 10:00 IST, working hours
09:00-18:00 Mon-Fri, i.e. 03:30 UTC). Calendar used below (worked out by hand):

    Wed 03-11  Thu 03-12  Fri 03-13  Sat 03-14  Sun 03-15  Mon 03-16

Python's `date.weekday()` is 0 on Mondays, so Thursday is 3 and Friday is 4.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_engine_book import NOW, book, customer, invoice, sent, setup
from test_engine_memo import DUE, CountingRenderer, task_playbook
from test_guard_timing import LONG_LIVED, one_invoice, timeline_days

from collectbot.engine import plan
from collectbot.engine.expressions import memo_key

# ---------------------------------------------------------------------------- 1. `today` over days

WEEKDAYS = """\
name: weekdays
steps:
  - id: chase
    at: due+1d
    channel: email
    template: gentle
    if: "{condition}"
"""


@pytest.mark.parametrize("condition", [
    "today.weekday() < 4",  # Monday to Thursday (one name, one attribute)
    "today.weekday() < 4 and today.day <= 25",  # ... and not in the last days of the month (two attributes)
])
def test_a_condition_on_today_is_decided_afresh_each_day_of_the_preview(make_workspace, condition):
    ws = make_workspace(invoices=[one_invoice("2026-03-11", iid="INV-A", cid="alpha"),
                                  one_invoice("2026-03-12", iid="INV-B", cid="beta")],
                        playbooks={"weekdays.yaml": WEEKDAYS.format(condition=condition)}, config=LONG_LIVED)
    code, doc = ws.json("preview", "--days", "7")
    assert code == 0, doc
    # INV-A: due Wed 03-11 + 1d = Thu 03-12 (weekday 3 < 4, day 12 <= 25): the chase goes that morning.
    # INV-B: due Thu 03-12 + 1d = Fri 03-13 (weekday 4): the condition is false that day, so no chase,
    # even though the same condition was true (for INV-A) the day before.
    assert timeline_days(doc) == {"chase": ["2026-03-12"]}
    assert [m["invoice_ids"] for day in doc["timeline"] for m in day["messages"]] == [["INV-A"]]


# ---------------------------------------------------------------------------- 2. a field's length, `previous`

FOLLOW_UP = """\
name: po
steps:
  - id: first
    at: due
    channel: email
    template: gentle
    if: "invoice.po_number|length > 0"
  - id: second
    at: due+2d
    channel: email
    template: nudge
    if: "previous is not none"
"""


def test_a_follow_up_goes_only_where_the_first_reminder_went(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-11", iid="INV-A", cid="alpha", po_number="PO-7"),
                                  one_invoice("2026-03-11", iid="INV-B", cid="beta", po_number="")],
                        playbooks={"po.yaml": FOLLOW_UP}, config=LONG_LIVED)
    code, doc = ws.json("preview", "--days", "7")
    assert code == 0, doc
    # `first` at due, Wed 03-11: only INV-A has a PO number (INV-B's is empty, length 0).
    # `second` at due+2d, Fri 03-13: INV-A's previous touch is `first` (a dict, not none): it goes;
    # INV-B was never touched (previous is none): condition false.
    assert timeline_days(doc) == {"first": ["2026-03-11"], "second": ["2026-03-13"]}
    assert {inv for day in doc["timeline"] for m in day["messages"] for inv in m["invoice_ids"]} == {"INV-A"}
    assert doc["errors"] == []


# ---------------------------------------------------------------------------- 3. explain's states and errors

CONDITIONS = """\
name: conditions
steps:
  - id: parked
    at: due
    channel: sms
    template: firm
    if: "false"
  - id: lengthy
    at: due+3d
    channel: email
    template: nudge
    if: "previous|length == 0"
"""


def test_explain_shows_a_switched_off_step_and_the_words_of_a_failing_condition(make_workspace):
    ws = make_workspace(invoices=[one_invoice("2026-03-10", iid="INV-P", cid="parked"),
                                  one_invoice("2026-03-07", iid="INV-Q", cid="queried")],
                        playbooks={"conditions.yaml": CONDITIONS})
    # INV-P: due today (03-10): `parked` is due and its `if` (a constant, reading no name) is false.
    code, doc = ws.json("explain", "INV-P")
    assert code == 0, doc
    states = {s["step"]: s["state"] for s in doc["steps"]}
    assert states["parked"] == "condition_false"
    assert doc["errors"] == []
    # INV-Q: due 03-07 + 3d = 03-10: `lengthy` is due. It was never touched, so `previous` is none and
    # Jinja's `length` (Python's len) fails on it; the error names the expression it came from.
    code, doc = ws.json("explain", "INV-Q")
    assert code == 0, doc
    message = "expression 'previous|length == 0': object of type 'NoneType' has no len()"
    assert [(e["step"], e["message"]) for e in doc["errors"]] == [("lengthy", message)]
    step = next(s for s in doc["steps"] if s["step"] == "lengthy")
    assert (step["state"], step["detail"]) == ("error", message)


# ---------------------------------------------------------------------------- 4. the memo of task texts

def test_a_task_text_is_rendered_once_per_distinct_values_it_reads(tmp_path):
    # The note reads two attributes of `customer`, one of `previous` (none: nothing was sent yet)
    # and `today` whole; the assign reads one attribute of `previous` only.
    assign = "{{ previous.channel or 'collections' }}"
    note = "{{ customer.name }} ({{ customer.owner }}) on {{ today }}, last touch: {{ previous.channel or 'none' }}"
    config, r = setup(tmp_path, playbooks={"standard": task_playbook(assign, note)})
    names, owners = ["Alpha Co", "Beta Co"], ["asha", "ravi", "meera"]
    custs = [customer(f"C{n:02d}", name=names[n % 2], owner=owners[n % 3]) for n in range(12)]
    invs = [invoice(f"I{n:02d}", f"C{n:02d}", due=DUE) for n in range(12)]
    counting = CountingRenderer(r)
    p = plan(book(config, invs, custs), counting)
    assert len(p.tasks) == 12 and not p.errors
    by_customer = {t.customer_id: (t.assign, t.note) for t in p.tasks}
    # C01: name Beta Co (1 % 2), owner ravi (1 % 3); today is NOW's date, 2026-11-23; no previous touch.
    assert by_customer["C01"] == ("collections", "Beta Co (ravi) on 2026-11-23, last touch: none")
    assert by_customer["C06"] == ("collections", "Alpha Co (asha) on 2026-11-23, last touch: none")
    # (name, owner) repeats every 6 customers (n % 2 and n % 3): 6 notes; one assign for all (previous
    # is none for every task): 7 renders, not 24.
    assert counting.texts == 6 + 1


# ---------------------------------------------------------------------------- 5. keys of what is read


@pytest.mark.parametrize("expr,one,other", [
    # a list read through one of its methods: the answer depends on its items, not only on how many
    ("customer.tier == 'vip' or history.count('sms') > 0",
     {"customer": {"tier": "std"}, "history": ["sms"]}, {"customer": {"tier": "std"}, "history": ["email"]}),
    # a date read through an attribute: a key must not lump two days together
    ("today.weekday() < 4", {"today": NOW.date()}, {"today": NOW.date() + timedelta(days=4)}),
])
def test_contexts_with_different_answers_never_share_a_memo_key(expr, one, other):
    # Both pairs give different answers: 1 vs 0 items equal to 'sms'; Mon 2026-11-23 (weekday 0)
    # vs Fri 2026-11-27 (weekday 4). So the keys differ, or the expression is not memoised (None).
    k1, k2 = memo_key(expr, one), memo_key(expr, other)
    assert k1 is None or k2 is None or k1 != k2


# ---------------------------------------------------------------------------- a memo key that was too coarse

NO_STATUS_YET = """\
name: standard
steps:
  - {id: heads-up, at: due-30d, channel: email, template: gentle}
  - {id: chase, at: due+1d, channel: email, template: gentle, if: "previous.delivery_status is none"}
"""


def test_no_previous_touch_and_a_touch_without_status_do_not_share_an_answer(tmp_path):
    """`previous.delivery_status is none` is false for A (no previous touch at all: `previous` is
    None, and an undefined attribute of None is not none) and true for B (its heads-up went out
    30 days ago and no delivery status has come back). The memo once keyed both as (expr, None),
    so B took A's answer and was skipped; planned alone, B was chased."""
    config, r = setup(tmp_path, playbooks={"standard": NO_STATUS_YET})
    due = NOW.date() - timedelta(days=5)  # `chase` (due+1d) came due 4 days ago for both
    a, b = invoice("A", "C1", due=due), invoice("B", "C2", due=due)
    heads_up = sent("B", "heads-up", NOW - timedelta(days=30))
    both = plan(book(config, [a, b], touches=[heads_up]), r)
    alone = plan(book(config, [b], touches=[heads_up]), r)
    chased = lambda p: {t.invoice_id for m in p.messages for t in m.touches if t.step == "chase"}  # noqa: E731
    assert chased(alone) == {"B"}
    assert chased(both) == {"B"}
    assert memo_key("previous.delivery_status is none", {"previous": None}) != \
        memo_key("previous.delivery_status is none", {"previous": {"delivery_status": None}})
