"""`goto:` — jump to another playbook (issue 19, SPEC 11): a step moves the invoice to another
playbook from that moment, whose first `previous` is the jump; `check` refuses a loop that would
visit a playbook twice, and an unknown target. Through the real CLI."""

from __future__ import annotations

STANDARD = """\
name: standard
steps:
  - id: first
    at: due+1d
    channel: email
    template: gentle
  - id: escalate
    at: previous+3d
    goto: legal
  - id: never
    at: previous+1d
    channel: sms
    template: nudge
"""
LEGAL = """\
name: legal
match: "false"
steps:
  - id: letter
    at: previous+0d
    channel: sms
    template: firm
  - id: final
    at: previous+7d
    channel: whatsapp
    template: nudge
"""


def globex(doc):
    return [(m["channel"], m["steps"]) for m in doc["messages"] if m["customer_id"] == "globex"]


def workspace(make_workspace, standard=STANDARD, legal=LEGAL):
    return make_workspace(playbooks={"standard.yaml": standard, "legal.yaml": legal},
                          config={"limits": {"max_source_age": "60d"}})


def test_the_invoice_moves_and_the_new_playbook_counts_from_the_jump(make_workspace):
    ws = workspace(make_workspace)
    # Globex INV-003, due 03-07: `first` on 03-10; the jump 3 days later, and legal's letter with it
    assert globex(ws.json("run")[1]) == [("email", ["first"])]
    assert globex(ws.json("run", now="2026-03-12T10:00:00")[1]) == []
    code, doc = ws.json("run", now="2026-03-13T10:00:00")
    assert code == 0 and globex(doc) == [("sms", ["letter"])]
    jumped = ws.rows("SELECT playbook, step, status FROM touches WHERE invoice_id = 'INV-003' AND status = 'jumped'")
    assert jumped == [{"playbook": "standard", "step": "escalate", "status": "jumped"}]
    # once: the jump and the letter are not done again, standard's `never` never comes
    assert globex(ws.json("run", now="2026-03-13T11:00:00")[1]) == []
    assert globex(ws.json("run", now="2026-03-19T10:00:00")[1]) == []
    assert globex(ws.json("run", now="2026-03-20T10:00:00")[1]) == [("whatsapp", ["final"])]  # letter + 7 days
    code, doc = ws.json("explain", "INV-003", now="2026-03-21T10:00:00")
    assert doc["playbook"] == "legal" and "goto" in doc["why"] and "escalate" in doc["why"]
    assert [s["step"] for s in doc["steps"]] == ["letter", "final"]
    code, doc = ws.json("history", "INV-003", now="2026-03-21T10:00:00")
    assert [e["detail"] for e in doc["entries"] if e["kind"] == "touch jumped"] == [
        "standard/escalate: moved to playbook legal (`goto:`)"]


def test_preview_days_shows_the_jump_ahead(make_workspace):
    ws = workspace(make_workspace)
    assert ws.json("run")[0] == 0
    code, doc = ws.json("preview", "--days", "12")
    ahead = [(d["date"], m["channel"], m["steps"]) for d in doc["timeline"] for m in d["messages"]
             if m["customer_id"] == "globex"]
    assert ahead[:2] == [("2026-03-13", "sms", ["letter"]), ("2026-03-20", "whatsapp", ["final"])]


def test_paid_before_the_jump_nothing_moves(make_workspace):
    ws = workspace(make_workspace)
    assert ws.json("run")[0] == 0
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-11,INV-003,2000.00,Globex\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-11T10:00:00")[0] == 0
    assert globex(ws.json("run", now="2026-03-13T10:00:00")[1]) == []
    assert ws.rows("SELECT * FROM touches WHERE status = 'jumped' AND invoice_id = 'INV-003'") == []


def test_check_refuses_a_loop_and_an_unknown_target(make_workspace):
    loop = LEGAL.replace("  - id: final\n", "  - id: back\n    at: previous+1d\n    goto: standard\n  - id: final\n")
    ws = workspace(make_workspace, legal=loop)
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["key"] == "goto"]
    assert code == 2 and "standard -> legal -> standard" in p["message"] or "legal -> standard -> legal" in p["message"]
    assert ws.json("run")[0] == 2 and ws.sent() == []  # a configuration `check` refuses sends nothing
    ws = workspace(make_workspace, standard=STANDARD.replace("goto: legal", "goto: lawyers"))
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["key"].endswith("goto")]
    assert code == 2 and p["file"].endswith("standard.yaml") and p["line"] == 9
    assert "no playbook is named 'lawyers'" in p["message"]


def test_a_goto_step_takes_no_channel_and_only_a_target_may_start_on_previous(make_workspace):
    ws = workspace(make_workspace, standard=STANDARD.replace("    goto: legal\n", "    goto: legal\n    channel: sms\n"))
    code, doc = ws.json("check")
    assert code == 2 and any("takes no channel" in p["message"] for p in doc["problems"])
    no_goto = STANDARD.replace("goto: legal", "channel: task\n    note: call")
    ws = workspace(make_workspace, standard=no_goto, legal=LEGAL.replace('match: "false"\n', ""))
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["key"] == "steps[0].at"]
    assert code == 2 and p["file"].endswith("legal.yaml") and "cannot be anchored on `previous`" in p["message"]
    # `match: "false"`: a former target that only invoices moved before still follow — a warning
    code, doc = workspace(make_workspace, standard=no_goto).json("check")
    (p,) = [p for p in doc["problems"] if p["key"] == "steps[0].at"]
    assert code == 0 and p["severity"] == "warning" and "no `goto:` moves invoices here any more" in p["message"]


def test_check_warns_of_steps_after_a_goto_that_always_jumps(make_workspace):
    ws = workspace(make_workspace)  # `never` follows the unconditional `escalate`
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["severity"] == "warning" and "always moves" in p["message"]]
    assert code == 0 and p["message"] == ("step 'escalate' always moves the invoice to 'legal' (it has no `if`): "
                                          "the steps after it (never) never run")
    ws = workspace(make_workspace, standard=STANDARD.replace("    goto: legal\n", "    goto: legal\n    fallback: sms\n"))
    code, doc = ws.json("check")
    assert code == 2 and any("takes no channel, template, choose, variants, repeat or fallback" in p["message"]
                             for p in doc["problems"])


def test_explain_says_when_a_previous_step_can_never_come_due(make_workspace):
    """(audit) a `previous` step after steps that were all superseded or skipped used to say it
    "waits until the step before it is sent", for good."""
    playbook = ("name: standard\nsteps:\n  - {id: s1, at: due+1d, channel: sms, template: nudge}\n"
                "  - {id: s2, at: due+3d, channel: email, template: nudge}\n"
                "  - {id: s3, at: previous+2d, channel: sms, template: firm}\n")
    ws = make_workspace(playbooks={"standard.yaml": playbook}, config={"limits": {"max_source_age": "60d"}})
    assert ws.json("run")[0] == 0  # Hooli (INV-006, no email): s2 skipped for no address, s1 superseded by it
    code, doc = ws.json("explain", "INV-006")
    (s3,) = [s for s in doc["steps"] if s["step"] == "s3"]
    assert s3["detail"].startswith("never comes due: it counts from the step before it")


# ---------------------------------------------------------------------------- review fixes


def test_previous_in_the_target_is_the_last_message_not_the_jump(make_workspace):
    """(review) the `jumped` row was `previous` for a `choose:` in the target, so `previous.channel`
    read "goto": the branch must see the last message that went out (standard's email)."""
    branching = LEGAL.replace("at: previous+0d", "at: previous+3d").replace("    channel: sms\n    template: firm\n",
                              "    choose:\n      - {if: \"previous.channel == 'email'\", channel: sms, template: firm}\n"
                              "      - {channel: whatsapp, template: nudge}\n", 1)
    ws = workspace(make_workspace, legal=branching)
    assert globex(ws.json("run")[1]) == [("email", ["first"])]
    assert globex(ws.json("run", now="2026-03-13T10:00:00")[1]) == []  # the jump alone
    assert globex(ws.json("run", now="2026-03-16T10:00:00")[1]) == [("sms", ["letter"])]  # 3 days after it


def test_a_recorded_jump_holds_when_the_goto_is_edited(make_workspace):
    """(review) the target was read from today's playbook, so editing `goto: legal` to another
    playbook moved invoices already in legal; the ledger's "moved to playbook legal" decides."""
    lawyers = 'name: lawyers\nmatch: "false"\nsteps:\n  - {id: letter, at: due+0d, channel: sms, template: firm}\n'
    ws = make_workspace(playbooks={"standard.yaml": STANDARD, "legal.yaml": LEGAL, "lawyers.yaml": lawyers},
                        config={"limits": {"max_source_age": "60d"}})
    assert ws.json("run")[0] == 0
    assert globex(ws.json("run", now="2026-03-13T10:00:00")[1]) == [("sms", ["letter"])]
    ws.write("playbooks/standard.yaml", STANDARD.replace("goto: legal", "goto: lawyers"))
    code, doc = ws.json("check")  # (second review) legal, no longer a target, was refused: a warning now
    (p,) = [p for p in doc["problems"] if p["key"] == "steps[0].at"]
    assert code == 0 and p["severity"] == "warning" and "only the invoices moved here before" in p["message"]
    code, doc = ws.json("explain", "INV-003", now="2026-03-14T10:00:00")
    assert doc["playbook"] == "legal"
    # legal's `final` (WhatsApp), 7 days after its letter — not lawyers' letter again
    assert globex(ws.json("run", now="2026-03-20T10:00:00")[1]) == [("whatsapp", ["final"])]


def test_send_reaches_a_step_of_the_playbook_the_invoice_moved_to(make_workspace):
    """(review) `send` planned with the target playbook alone, so the jump was forgotten."""
    ws = workspace(make_workspace)
    assert ws.json("run")[0] == 0
    assert globex(ws.json("run", now="2026-03-13T10:00:00")[1]) == [("sms", ["letter"])]
    code, doc = ws.json("send", "INV-003", "--step", "final", now="2026-03-16T10:00:00")  # a Monday
    assert code == 0 and globex(doc) == [("whatsapp", ["final"])], doc
    assert globex(ws.json("run", now="2026-03-20T10:00:00")[1]) == []  # once


def test_check_warns_when_invoices_match_a_target_that_starts_on_previous(make_workspace):
    """(review) invoices matching a goto target directly wait forever on its first `previous` step."""
    direct = LEGAL.replace('match: "false"', "match: \"invoice.customer_id == 'globex'\"\npriority: 5")
    ws = workspace(make_workspace, legal=direct)
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["severity"] == "warning" and "match legal directly" in p["message"]]
    assert code == 0 and p["file"].endswith("legal.yaml") and "none of its steps" in p["message"]
    assert not [p for p in workspace(make_workspace).json("check")[1]["problems"] if "directly" in p["message"]]


def test_check_walks_many_jumps_without_trying_every_path(make_workspace):
    """(review) the loop search walked every path, exponential in the jumps: 36 playbooks each
    jumping to the next two (about 24 million paths) are checked at once, and a jump back from
    the last to the first is found as a loop."""
    def books(back: bool) -> dict[str, str]:
        out = {}
        for n in range(36):
            targets = [t for t in (n + 1, n + 2) if t < 36] + ([0] if back and n == 35 else [])
            steps = "".join(f"  - id: to{t}\n    at: previous+1d\n    goto: p{t}\n" for t in targets)
            out[f"p{n}.yaml"] = (f"name: p{n}\nmatch: \"{'true' if n == 0 else 'false'}\"\nsteps:\n  - id: first\n"
                                 f"    at: {'due+1d' if n == 0 else 'previous+0d'}\n    channel: email\n"
                                 f"    template: gentle\n{steps}")
        return out
    code, doc = make_workspace(playbooks=books(False)).json("check")
    assert not [p for p in doc["problems"] if "loop" in p["message"]]
    code, doc = make_workspace(playbooks=books(True)).json("check")
    loops = [p for p in doc["problems"] if p["key"] == "goto" and "loop" in p["message"]]
    assert code == 2 and loops and loops[0]["message"].endswith("p35 -> p0")
