"""`choose:` — branch on behaviour (issue 19, SPEC 11): a step takes the first branch whose `if`
holds, with `previous.status` the provider's delivery status of the last message (here from
SendGrid events: an email opened, or not). Through the real CLI."""

from __future__ import annotations

import json

PLAYBOOK = """\
name: standard
steps:
  - id: first
    at: due+1d
    channel: email
    template: gentle
  - id: second
    at: previous+3d
    choose:
      - {if: "previous.status == 'opened'", channel: sms, template: firm}
      - {channel: whatsapp, template: nudge}
"""
TEMPLATES = {"nudge.whatsapp.j2": "{{ customer.name }}: a nudge about {{ invoice.invoice_id }}"}


def test_the_branch_follows_what_the_provider_saw(make_workspace):
    ws = make_workspace(playbooks={"standard.yaml": PLAYBOOK}, templates=TEMPLATES,
                        config={"limits": {"max_source_age": "60d"}})
    code, doc = ws.json("run")  # 03-10: `first` by email to Globex (INV-003), Initech (INV-004), …
    firsts = {m["customer_id"]: m["message_id"] for m in doc["messages"]}
    assert {"globex", "initech"} <= set(firsts)
    # SendGrid says Globex opened its email; Initech's was only delivered
    events = [{"event": kind, "email": f"x@{c}.example", "sg_event_id": f"{c}-{kind}", "timestamp": 1773000000,
               "custom_args": {"collectbot_message_id": str(firsts[c])}}
              for c, kind in (("globex", "delivered"), ("globex", "open"), ("initech", "delivered"))]
    (ws.root / "events.json").write_text(json.dumps(events))
    assert ws.json("events", "import", str(ws.root / "events.json"), now="2026-03-10T12:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-13T10:00:00")  # `second` (previous + 3 days)
    got = {m["customer_id"]: (m["channel"], m["steps"]) for m in doc["messages"]}
    assert got["globex"] == ("sms", ["second"])          # opened: the SMS branch
    assert got["initech"] == ("whatsapp", ["second"])    # not opened: the last branch, which has no `if`
    assert got["initech"] and "a nudge about INV-004" in [m["body"] for m in doc["messages"]
                                                           if m["customer_id"] == "initech"][0]


def test_check_names_a_branch_without_a_channel_and_a_missing_branch_template(make_workspace):
    bad = PLAYBOOK.replace("{channel: whatsapp, template: nudge}", "{template: nudge}").replace(
        "template: firm}", "template: stern}")
    ws = make_workspace(playbooks={"standard.yaml": bad}, templates=TEMPLATES)
    result = ws.cli("check")
    assert result.exit_code == 2
    out = result.stdout + result.stderr
    assert "standard.yaml" in out and "choose[1]" in out and "needs a `channel`" in out
    assert "stern.sms.j2" in out  # the first branch's template does not exist for its channel


def test_no_branch_holding_skips_the_step_with_a_reason(make_workspace):
    only_opened = PLAYBOOK.replace("      - {channel: whatsapp, template: nudge}\n", "")
    ws = make_workspace(playbooks={"standard.yaml": only_opened}, templates=TEMPLATES,
                        config={"limits": {"max_source_age": "60d"}})
    assert ws.json("run")[0] == 0
    code, doc = ws.json("preview", now="2026-03-13T10:00:00")
    assert not [m for m in doc["messages"] if "second" in m["steps"]]
    skipped = [s for s in doc.get("skipped", []) if s.get("step") == "second"]
    assert skipped and all("choose" in (s.get("detail") or "") for s in skipped)


def test_check_on_the_mistakes_a_user_makes_with_choose(make_workspace):
    """(audit) a fallback or a channel beside `choose` was silently ignored; a branch `if` was not
    compiled by `check`; a branch without `if` before others made them unreachable unsaid."""
    def problems(playbook):
        ws = make_workspace(playbooks={"standard.yaml": playbook}, templates=TEMPLATES)
        code, doc = ws.json("check")
        return code, [(p["severity"], p["key"], p["message"]) for p in doc["problems"]]

    code, got = problems(PLAYBOOK.replace("    choose:\n", "    fallback: sms\n    choose:\n"))
    assert code == 2 and any(k == "steps[1].choose" and "takes no channel, template, fallback or variants" in m
                             for _, k, m in got)
    code, got = problems(PLAYBOOK.replace("channel: whatsapp, template: nudge", "channel: task, template: nudge"))
    assert code == 2 and [k for s, k, _ in got if s == "error"] == ["steps[1].choose[1].channel"]
    code, got = problems(PLAYBOOK.replace("previous.status == 'opened'", "previous.status = 'opened'"))
    assert code == 2 and any(k == "steps[1].choose[0].if" and "does not compile" in m for _, k, m in got)
    swapped = PLAYBOOK.replace(
        "      - {if: \"previous.status == 'opened'\", channel: sms, template: firm}\n"
        "      - {channel: whatsapp, template: nudge}\n",
        "      - {channel: whatsapp, template: nudge}\n"
        "      - {if: \"previous.status == 'opened'\", channel: sms, template: firm}\n")
    code, got = problems(swapped)
    assert code == 0 and ("warning", "steps[1].choose[0]", "this branch has no `if`, so it is always taken: the "
                          "branches after it never are (put it last)") in got
