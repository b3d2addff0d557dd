"""Guards found by the fourth mutation sample (benchmarks/mutation.py --seed 4) in the engine:
a step skipped for good does not block the `previous` step after it.

Calendar as in test_guard_timing.py: 2026-03-11 is a Wednesday, working hours 09:00-18:00
Mon-Fri in Asia/Kolkata (UTC+05:30).
"""

from __future__ import annotations

from tests.test_guard_timing import LONG_LIVED, one_invoice, timeline_days
from tests.test_sources_columns_say import ON_DUE

SKIPPED_MIDDLE = """\
name: chain
steps:
  - id: first
    at: due
    channel: email
    template: gentle
  - id: text
    at: due+3d
    channel: sms
    template: firm
  - id: third
    at: previous+2d
    channel: email
    template: nudge
"""


def test_a_step_skipped_for_good_lets_the_previous_anchored_step_after_it_go(make_workspace):
    # The invoice has no phone, so `text` (SMS) can never go: it is skipped for good (no_address)
    # when it comes due. `third` follows the nearest step that was *sent* (`first`), and waits
    # only while the step right before it is undecided — once `text` is settled it goes.
    ws = make_workspace(invoices=[one_invoice("2026-03-11", phone="")], playbooks={"chain.yaml": SKIPPED_MIDDLE},
                        config=LONG_LIVED)
    code, doc = ws.json("preview", "--days", "30")
    assert code == 0, doc
    # first: due Wed 03-11. text: due+3d = Sat 03-14 -> Mon 03-16, where it is skipped; third is then
    # past due (first's send + 2d = Fri 03-13) and goes that same Monday. No SMS day anywhere.
    assert timeline_days(doc) == {"first": ["2026-03-11"], "third": ["2026-03-16"]}

    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert [m["steps"] for m in doc["messages"] if m["status"] == "sent"] == [["first"]]
    code, doc = ws.json("run", now="2026-03-16T10:00:00")  # decides `text`: skipped, nothing sent
    assert code == 0 and doc["messages"] == [], doc
    code, doc = ws.json("explain", "INV-100", now="2026-03-16T10:01:00")
    steps = {s["step"]: s for s in doc["steps"]}
    assert steps["text"]["state"] == "skipped" and steps["text"]["reason"] == "no_address"
    # third = first's send (Wed 03-11 10:00 IST) + 2 days -> Fri 03-13, start of working hours 09:00 IST
    assert steps["third"]["state"] == "due" and steps["third"]["due_at"] == "2026-03-13T03:30:00+00:00"
    code, doc = ws.json("run", now="2026-03-16T10:05:00")
    assert [m["steps"] for m in doc["messages"] if m["status"] == "sent"] == [["third"]]


def test_preview_days_reaches_a_customer_a_whole_day_ahead_of_the_business(make_workspace):
    # Business in Etc/GMT+12 (UTC-12), open 00:00-23:00 every day; the customer in Pacific/Kiritimati
    # (UTC+14), 26 hours ahead. --now 2026-03-10 23:00 business = 2026-03-11 11:00 UTC; --days 1 ends
    # 2026-03-12 11:00 UTC. The invoice is due 2026-03-13: the customer's 00:00 that day is
    # 2026-03-12 10:00 UTC, inside the window — the message must be in the timeline then.
    ws = make_workspace(
        invoices=[one_invoice("2026-03-13", cid="kiri")],
        customers=[{"customer_id": "kiri", "name": "Kiri Ltd", "email": "ap@kiri.example",
                    "timezone": "Pacific/Kiritimati"}],
        playbooks={"on-due.yaml": ON_DUE},
        config={**LONG_LIVED, "business": {"timezone": "Etc/GMT+12", "working_hours": {
            "start": "00:00", "end": "23:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}})
    code, doc = ws.json("preview", "--days", "1", now="2026-03-10T23:00:00")
    assert code == 0, doc
    moments = [m["scheduled_at"] for day in doc["timeline"] for m in day["messages"]]
    assert moments == ["2026-03-12T10:00:00+00:00"], doc["timeline"]


def test_a_problem_in_a_flow_style_playbook_names_the_right_step(make_workspace):
    # every step on one line: the second step's broken note is steps[1].note, not steps[0].note
    flow = ("name: flow\nsteps: [{id: a, at: due, channel: email, template: gentle}, "
            "{id: b, at: due+7d, channel: task, note: '{{ customer.name '}]\n")
    ws = make_workspace(playbooks={"flow.yaml": flow})
    code, doc = ws.json("check")
    assert code == 2
    (p,) = [p for p in doc["problems"] if p["key"].endswith(".note")]
    assert p["key"] == "steps[1].note" and p["line"] == 2
