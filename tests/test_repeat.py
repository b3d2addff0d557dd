"""`repeat: {every, times}` (issue 19, SPEC 11): a step sent again every N days while the invoice is
open, `times` sends in all (the first included), each repetition at most once (`remind#2`,
`remind#3` in the ledger), and none after it is paid. Through the real CLI."""

from __future__ import annotations

from conftest import REMIND_PLAYBOOK

PLAYBOOK = REMIND_PLAYBOOK + "    repeat: {every: 7d, times: 3}\n"


def globex(doc):
    return [m["steps"] for m in doc["messages"] if m["customer_id"] == "globex"]


def test_a_step_sent_three_times_a_week_apart_each_once(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK}, config={"limits": {"max_source_age": "60d"}})
    # Globex INV-003 due 03-07: remind on 03-10 (due+1d has passed), again 7 days later, and once more
    assert globex(ws.json("run")[1]) == [["remind"]]
    assert globex(ws.json("run", now="2026-03-16T10:00:00")[1]) == []  # 6 days: not yet
    assert globex(ws.json("run", now="2026-03-17T10:00:00")[1]) == [["remind#2"]]
    assert globex(ws.json("run", now="2026-03-17T11:00:00")[1]) == []  # once
    assert globex(ws.json("run", now="2026-03-24T10:00:00")[1]) == [["remind#3"]]
    assert globex(ws.json("run", now="2026-03-31T10:00:00")[1]) == []  # times: 3 — three sends in all


def test_no_repeat_once_paid(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK}, config={"limits": {"max_source_age": "60d"}})
    assert globex(ws.json("run")[1]) == [["remind"]]
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-12,INV-003,2000.00,Globex\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-12T10:00:00")[0] == 0
    assert globex(ws.json("run", now="2026-03-17T10:00:00")[1]) == []


def test_a_bad_repeat_is_said_with_its_line(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK.replace("every: 7d", "every: soon")})
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["key"].endswith("repeat.every")]
    assert code == 2 and p["line"] == 7 and p["message"] == "expected a positive duration in hours, days or weeks like 7d or 12h, got 'soon'"


def test_repeat_mistakes_are_said_plainly(make_workspace):
    for text, message in [("every: 0d", "expected a positive duration in hours, days or weeks like 7d or 12h, got '0d'"),
                          ("every: 5bd", "expected a positive duration in hours, days or weeks like 7d or 12h, got '5bd'")]:
        ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK.replace("every: 7d", text)})
        code, doc = ws.json("check")
        assert code == 2 and [p["message"] for p in doc["problems"] if p["key"].endswith("repeat.every")] == [message]
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK.replace("every: 7d, ", "")})
    code, doc = ws.json("check")
    assert code == 2 and [p["message"] for p in doc["problems"] if p["key"].endswith("repeat.every")] == [
        "say how often: every: 7d (hours h, days d or weeks w)"]


def test_absurd_numbers_are_refused_by_check_and_run(make_workspace):
    """(hostile-input audit) `times: 1000000000` made `check`, `preview` and `run` grow without end
    (9.6 GB); `at: due+99999999999999d` passed `check` and then crashed `run` (OverflowError);
    `every: 99999999999999w` crashed `check`; `goto: ''` passed and then skipped as `no_address`."""
    cases = {
        "times: 1000000000": (PLAYBOOK.replace("times: 3", "times: 1000000000"), "must be at most 100"),
        "at: due+99999999999999d": (PLAYBOOK.replace("at: due+1d", "at: due+99999999999999d"), "at most ten years"),
        "every: 99999999999999w": (PLAYBOOK.replace("every: 7d", "every: 99999999999999w"),
                                   "expected a positive duration"),
        "goto: ''": (PLAYBOOK + "  - id: away\n    at: previous+1d\n    goto: ''\n", "name the playbook"),
    }
    for what, (playbook, said) in cases.items():
        ws = make_workspace(playbooks={"standard.yaml": playbook})
        code, doc = ws.json("check")
        assert code == 2 and any(said in p["message"] for p in doc["problems"]), (what, doc["problems"])
        for command in ("preview", "run"):
            assert ws.json(command)[0] == 2, (what, command)
        assert ws.sent() == []
    trigger = "name: carts\ntrigger: {event: 5}\nsteps:\n  - {id: a, at: event+1h, channel: email, template: gentle}\n"
    code, doc = make_workspace(playbooks={"standard.yaml": PLAYBOOK, "carts.yaml": trigger}).json("check")
    assert code == 2 and any("is not an event name" in p["message"] for p in doc["problems"])
