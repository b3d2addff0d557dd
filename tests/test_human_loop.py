"""The human loop (issue 15, SPEC 8), end to end through the CLI: paid work leaves the queue by
itself, a reply stops the robot until a person is done with it, a dispute opens an item whose
closing resumes the chase, a reply received elsewhere is recorded with `collectbot reply`, one
step can be sent now with `collectbot send` (once), and `history` tells the whole story.
Replies by SMS go through the real Twilio client and the local provider server."""

from __future__ import annotations

from provider_server import OUR_NUMBER, cli, db_rows, provider_server, write_workspace  # noqa: F401

LATER = "2026-03-16T10:00:00"  # the next Monday


def items(ws, now=None):
    code, doc = ws.json("queue", **({"now": now} if now else {}))
    assert code == 0, doc
    return doc


def test_paying_an_invoice_closes_its_item_by_itself(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0  # Umbrella's INV-005 (9,000.00, 18 days overdue): the day-14 task
    (task,) = [i for i in items(ws)["items"] if i["invoice_ids"] == ["INV-005"]]
    assert task["kind"] == "task" and task["amount"] == "9000.00"
    ws.write("payments.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-005,9000.00,Umbrella Corp\n")
    code, doc = ws.json("reconcile", str(ws.root / "payments.csv"), now="2026-03-10T11:00:00")
    assert code == 0 and doc["settled"] == [task["id"]], doc
    assert [i for i in items(ws, "2026-03-10T11:05:00")["items"] if "INV-005" in i["invoice_ids"]] == []
    code, doc = ws.json("history", "INV-005", now="2026-03-10T11:10:00")
    (closed,) = [e for e in doc["entries"] if e["kind"] == "item closed"]
    assert closed["reason"] == "settled" and closed["detail"] == f"#{task['id']} task: its invoices are paid"


def test_a_half_paid_invoice_keeps_its_item_at_what_is_still_owed(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0
    ws.write("payments.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-005,4000.00,Umbrella Corp\n")
    code, doc = ws.json("reconcile", str(ws.root / "payments.csv"), now="2026-03-10T11:00:00")
    assert code == 0 and "settled" not in doc
    (task,) = [i for i in items(ws, "2026-03-10T11:05:00")["items"] if i["invoice_ids"] == ["INV-005"]]
    assert task["amount"] == "5000.00"  # 9,000 − 4,000, computed when listed


def test_a_reply_by_sms_stops_the_robot_until_the_item_is_done(provider_server, tmp_path):
    config = write_workspace(tmp_path / "ws", provider_server.url)
    patel, mehta = "+919820012345", "+919833344455"
    assert cli(config, "run", now="2026-11-24T10:00")[0] == 0  # step `first`: emails
    assert cli(config, "run", now="2026-12-01T10:00")[0] == 0  # step `second`: an SMS to each
    provider_server.add_inbound(patel, OUR_NUMBER, "Already paid last week", date_sent="2026-12-01T11:00:00Z")
    code, doc, _ = cli(config, "sync", now="2026-12-01T12:00")
    assert code == 0 and [(r["customer_id"], r["says"]) for r in doc["replies"]] == [("C1", "paid")]
    code, doc, _ = cli(config, "queue", now="2026-12-01T12:05")
    (reply,) = doc["items"]
    assert (reply["kind"], reply["customer_id"], reply["invoice_ids"]) == ("reply", "C1", ["INV-1", "INV-2"])
    assert reply["suggested"].startswith("look for the payment: reconcile the latest statement")
    # step `third` (WhatsApp, due+17d = 12-07) comes due for both: Patel is held, Mehta is not
    code, doc, _ = cli(config, "run", now="2026-12-08T10:00")
    assert [m["customer_id"] for m in doc["messages"]] == ["C2"]
    assert doc["summary"]["stopped"] == 2  # INV-1 and INV-2, Patel's
    code, explained, _ = cli(config, "explain", "INV-1", now="2026-12-08T10:30")
    assert "replied" in str(explained["stopped"])
    code, doc, _ = cli(config, "queue", "done", str(reply["id"]), "--note", "found it: it was INV-9", now="2026-12-08T11:00")
    assert code == 0
    # chasing resumes where it stopped: the one due step, once — no burst of what was held back
    code, doc, _ = cli(config, "run", now="2026-12-08T12:00")
    assert [(m["customer_id"], m["channel"], m["steps"]) for m in doc["messages"]] == [("C1", "whatsapp", ["third"])]
    code, doc, _ = cli(config, "run", now="2026-12-08T13:00")
    assert doc["messages"] == []


def test_a_dispute_opens_an_item_and_closing_it_resumes_the_chase(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("hold", "INV-003", "--dispute", "--note", "says the goods came damaged")
    assert code == 0
    (item,) = [i for i in items(ws)["items"] if i["kind"] == "dispute"]
    assert item["invoice_ids"] == ["INV-003"] and item["note"] == "INV-003 is disputed: says the goods came damaged"
    assert item["suggested"].startswith("sort out the dispute with the customer")
    code, doc = ws.json("run")
    assert "INV-003" not in {i for m in doc["messages"] for i in m["invoice_ids"]}
    assert ws.json("queue", "done", str(item["id"]), now="2026-03-10T11:00:00")[0] == 0
    code, doc = ws.json("hold", now="2026-03-10T11:05:00")
    assert doc["holds"] == []  # closing the item released the dispute
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert "INV-003" in {i for m in doc["messages"] for i in m["invoice_ids"]}


def test_a_reply_received_elsewhere_is_recorded_and_classified(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("reply", "globex", "We dispute the amount on this one", "--channel", "phone")
    assert code == 0 and doc["says"] == "dispute" and doc["invoice_ids"] == ["INV-003"]
    code, doc = ws.json("reply", "INV-001", "paid yesterday by NEFT")
    assert code == 0 and doc["says"] == "paid" and doc["customer_id"] == "acme"
    listed = {i["customer_id"]: i for i in items(ws)["items"] if i["kind"] in ("dispute", "reply")}
    assert listed["globex"]["kind"] == "dispute" and listed["acme"]["kind"] == "reply"
    assert listed["acme"]["note"] == "email reply from acme: paid yesterday by NEFT"
    code, doc = ws.json("run")  # both customers are held now
    chased = {m["customer_id"] for m in doc["messages"]}
    assert not {"globex", "acme"} & chased and chased
    code, doc = ws.json("reply", "acme", "STOP", "--channel", "sms")
    assert code == 0 and doc["says"] == "opt_out" and doc["item_id"] is None


def test_send_a_step_now_happens_once(make_workspace):
    ws = make_workspace()
    # Future Ltd's INV-008 is not due until 04-30: nothing is planned for it, but the customer asked
    code, doc = ws.json("send", "INV-008", "--step", "day-3")
    assert code == 0 and [(m["invoice_ids"], m["steps"]) for m in doc["messages"]] == [(["INV-008"], ["day-3"])]
    code, doc = ws.json("send", "INV-008", "--step", "day-3", now="2026-03-11T10:00:00")
    assert code == 2 and doc["errors"][0]["message"].startswith(
        "step 'day-3' of INV-008 is already in the record (sent, 2026-03-10 10:00): a step happens once")
    assert len([m for m in ws.sent() if m["invoice_ids"] == ["INV-008"]]) == 1
    code, doc = ws.json("send", "INV-008", "--step", "day-99")
    assert code == 2 and "has no step 'day-99'" in doc["errors"][0]["message"]


def test_send_keeps_polite_hours_unless_anytime(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("send", "INV-008", "--step", "day-7", now="2026-03-10T21:00:00")
    assert code == 0 and doc["messages"] == [] and [s["reason"] for s in doc["skipped"]] == ["outside_hours"]
    code, doc = ws.json("send", "INV-008", "--step", "day-7", "--anytime", now="2026-03-10T21:00:00")
    assert code == 0 and [m["channel"] for m in doc["messages"]] == ["sms"]


def test_history_of_a_customer_tells_the_whole_story_in_order(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0  # the heads-up email to ACME (INV-001, INV-002)
    assert ws.json("reply", "acme", "paid yesterday", now="2026-03-10T11:00:00")[0] == 0
    ws.write("payments.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-001,1000.00,ACME Ltd\n"
                             "2026-03-10,INV-002,500.00,ACME Ltd\n")
    assert ws.json("reconcile", str(ws.root / "payments.csv"), now="2026-03-10T12:00:00")[0] == 0
    code, doc = ws.json("history", "acme", now="2026-03-10T13:00:00")
    kinds = [e["kind"] for e in doc["entries"]]
    order = [kinds.index(k) for k in ("message sent", "reply_paid", "hold reply", "item opened", "payment applied",
                                      "item closed")]
    assert order == sorted(order), kinds


def test_explain_and_preview_days_show_when_a_hold_ends_and_what_follows(make_workspace):
    ws = make_workspace(config={"limits": {"max_source_age": "30d"}})
    assert ws.json("hold", "INV-004", "--promise", "2026-03-12")[0] == 0
    code, doc = ws.json("explain", "INV-004")
    # the promise covers the 12th (until 18:30 UTC = midnight IST) and the default 1d grace: it
    # ends at 2026-03-14 00:00 IST; the chase resumes on the next working day, Monday the 16th
    assert code == 0 and doc["next"]["what"].startswith("held (promise to pay) until 2026-03-14 00:00; then step ")
    assert doc["next"]["at"].startswith("2026-03-16")
    code, doc = ws.json("preview", "--days", "10")
    days = [d["date"] for d in doc["timeline"] if any("INV-004" in m["invoice_ids"] for m in d["messages"])]
    assert days and days[0] == "2026-03-16"  # the resume is in the timeline, not "never"


def test_a_step_anchored_on_a_broken_promise_goes_once_after_it(make_workspace):
    from conftest import STANDARD_PLAYBOOK

    playbook = STANDARD_PLAYBOOK + ("  - id: after-promise\n    at: promise+1d\n    channel: sms\n"
                                    "    template: firm\n")
    ws = make_workspace(config={"limits": {"max_source_age": "30d"}}, playbooks={"standard.yaml": playbook})
    assert ws.json("hold", "INV-004", "--promise", "2026-03-12")[0] == 0
    code, doc = ws.json("explain", "INV-003")  # no promise there: the step waits for one, forever
    (step,) = [s for s in doc["steps"] if s["step"] == "after-promise"]
    assert step["state"] == "waiting" and step["detail"] == "only after a promise to pay is broken"
    # Monday the 16th: the promise (12th, + 1d grace) is broken; of INV-004's due steps the latest,
    # after-promise (due the 13th), goes; the earlier ones are superseded (no burst)
    code, doc = ws.json("run", now=LATER)
    mine = [m for m in doc["messages"] if "INV-004" in m["invoice_ids"]]
    assert [m["steps"] for m in mine] == [["after-promise"]]
    code, doc = ws.json("run", now="2026-03-17T10:00:00")
    assert not [m for m in doc["messages"] if "INV-004" in m["invoice_ids"]]


def test_the_call_suggestion_counts_reminders_sent_about_the_item_since_the_last_answer(make_workspace):
    """(audit) "call: 3 reminders have had no answer" counted every message to the customer —
    other invoices', receipts — and ignored a dispute: the customer had answered."""
    def suggestions(ws):
        return {tuple(i["invoice_ids"]): i["suggested"] for i in ws.json("queue", now="2026-03-23T11:00:00")[1]["items"]
                if i["kind"] == "task"}

    runs = ("2026-03-04T10:00:00", "2026-03-10T10:00:00", "2026-03-16T10:00:00", "2026-03-23T10:00:00")
    ws = make_workspace(config={"limits": {"max_source_age": "60d"}})
    for now in runs:  # Globex INV-003: heads-up, day-3, day-7 sent, then the day-14 task
        assert ws.json("run", now=now)[0] == 0
    assert suggestions(ws)[("INV-003",)] == "call: 3 reminders have had no answer"
    assert suggestions(ws)[("INV-004",)] == "follow the step's note, then close the item"
    ws = make_workspace(config={"limits": {"max_source_age": "60d"}})
    for now in runs[:3]:
        assert ws.json("run", now=now)[0] == 0
    assert ws.json("hold", "INV-003", "--dispute", "--note", "damaged goods", now="2026-03-17T10:00:00")[0] == 0
    (dispute,) = [i["id"] for i in ws.json("queue", now="2026-03-17T11:00:00")[1]["items"] if i["kind"] == "dispute"]
    assert ws.json("queue", "done", str(dispute), now="2026-03-18T10:00:00")[0] == 0
    assert ws.json("run", now=runs[3])[0] == 0
    assert suggestions(ws)[("INV-003",)] == "follow the step's note, then close the item"  # they answered


def test_send_says_why_an_invoice_that_is_paid_or_held_gets_nothing(make_workspace):
    """(audit) `send` on a paid or disputed invoice printed "Nothing to send", exit 0, no reason."""
    ws = make_workspace(config={"limits": {"max_source_age": "60d"}})
    result = ws.cli("send", "INV-007", "--step", "day-3")
    assert result.exit_code == 2 and "INV-007 is paid in the invoice export, so nothing was sent" in result.stderr
    assert ws.json("hold", "INV-003", "--dispute", "--note", "damaged goods")[0] == 0
    result = ws.cli("send", "INV-003", "--step", "day-3")
    assert result.exit_code == 2 and "INV-003 is on hold (disputed), so nothing was sent" in " ".join(result.stderr.split())
    assert ws.sent() == []
