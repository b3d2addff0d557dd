"""The planner's choices a user sees in `preview`/`run`: why an unreachable step is skipped
(the step's own channel first, a `fallback:` named only when there is another one), which
address a message goes to (the invoice's own number first), a customer-level opt-out that
holds whatever number the export now has, ledger rows of another playbook that do not count
as done, a `match` that cannot be evaluated reported for every invoice it was tried on,
`business.*` in task texts, and an error without words named by its kind (SPEC 3; README
"Reaching the customer").

Default book (tests/conftest.py) at NOW, Tuesday 2026-03-10 10:00 Asia/Kolkata (working hours):
ACME INV-001/INV-002 due 03-13 (heads-up email due), Globex INV-003 due 03-07 (day-3 email),
Initech INV-004 due 03-03 (day-7 SMS), Umbrella INV-005 due 02-20 (day-14 task), Hooli
INV-006 due 03-07 (day-3 email with `fallback: sms`), Paid Co INV-007 paid, Future INV-008
not due yet.
"""

from __future__ import annotations

from datetime import timedelta

from conftest import DEFAULT_INVOICES, NOW_DT, STANDARD_PLAYBOOK
from test_engine_book import NOW, book, customer, invoice, setup

from collectbot import delivery, ledger
from collectbot.channels.base import SendResult
from collectbot.engine import plan
from collectbot.engine.types import PlannedMessage, PlannedTouch
from collectbot.render import Renderer
from collectbot.state import State


def _invoices(**changes: dict[str, str]) -> list[dict[str, str]]:
    """The default invoices with some fields changed per invoice id."""
    return [{**r, **changes.get(r["invoice_id"], {})} for r in DEFAULT_INVOICES]


def _skips(doc) -> dict[tuple[str, str], tuple[str, str]]:
    return {(s["invoice_id"], s["step"]): (s["reason"], s["detail"]) for s in doc["skipped"]}


# ---------------------------------------------------------------------------- why a step cannot go


def test_an_unreachable_step_names_its_own_channel_and_a_fallback_only_when_there_is_another(make_workspace):
    # day-7 falls back to its own channel (sms -> sms): valid, but there is no *other* channel
    playbook = STANDARD_PLAYBOOK.replace("    template: firm\n", "    template: firm\n    fallback: sms\n")
    assert "fallback: sms" in playbook.split("id: day-7")[1]
    ws = make_workspace(
        invoices=_invoices(**{"INV-001": {"email": ""}, "INV-002": {"email": ""},  # ACME: no email at all
                              "INV-004": {"phone": ""},                            # Initech: no phone
                              "INV-006": {"phone": ""}}),                          # Hooli: neither
        playbooks={"standard.yaml": playbook})
    code, doc = ws.json("preview")
    assert code in (0, 1), doc
    skips = _skips(doc)
    # heads-up is email without a fallback: only the email reason, no word of a fallback
    assert skips[("INV-001", "heads-up")] == ("no_address", "no email address for email")
    assert skips[("INV-002", "heads-up")] == ("no_address", "no email address for email")
    # day-3 is email with `fallback: sms`, and Hooli has neither: the step's own channel is the
    # reason given (not the fallback's), and the fallback is named as tried too
    assert skips[("INV-006", "day-3")] == ("no_address",
                                           "no email address for email; fallback sms not reachable either")
    # day-7 is sms with `fallback: sms`: the same channel, so there is no other one to mention
    assert skips[("INV-004", "day-7")] == ("no_address", "no phone number for sms")
    assert {m["customer_id"] for m in doc["messages"]} == {"globex"}  # the only reachable one left


# ---------------------------------------------------------------------------- which address


WA_PLAYBOOK = """\
name: wa
match: "customer.tier == 'wa'"
priority: 10
steps:
  - id: wa-nudge
    at: due
    channel: whatsapp
    template: nudge
"""


def test_addresses_prefer_the_invoice_and_whatsapp_numbers_and_tasks_see_the_business(make_workspace):
    wa = [
        # W1: no WhatsApp number on the invoice, one in the customer file: that one, before any phone
        {"invoice_id": "INV-W1", "customer_id": "w1", "customer_name": "Wa One", "email": "",
         "phone": "+919800000901", "whatsapp": "", "issue_date": "2026-02-08", "due_date": "2026-03-10",
         "amount": "600.00", "balance": "600.00", "status": "open"},
        # W2: no WhatsApp number anywhere: the invoice's phone before the customer file's phone
        {"invoice_id": "INV-W2", "customer_id": "w2", "customer_name": "Wa Two", "email": "",
         "phone": "+919800000902", "whatsapp": "", "issue_date": "2026-02-08", "due_date": "2026-03-10",
         "amount": "700.00", "balance": "700.00", "status": "open"},
    ]
    customers = [
        {"customer_id": "w1", "name": "Wa One", "email": "", "phone": "+919811100001", "whatsapp": "+919822200001",
         "tier": "wa"},
        {"customer_id": "w2", "name": "Wa Two", "email": "", "phone": "+919811100002", "whatsapp": "",
         "tier": "wa"},
        # Initech's phone in the customer file differs from the one on its invoice row
        {"customer_id": "initech", "name": "Initech", "email": "ap@initech.example", "phone": "+919811100004",
         "whatsapp": ""},
    ]
    note = "Call {{ customer.name }} for {{ business.name }} ({{ business.country }})"
    standard = STANDARD_PLAYBOOK.replace(
        "note: \"Call {{ customer.name }}: {{ invoices|length }} invoice(s) overdue\"", f"note: \"{note}\"")
    assert note in standard
    ws = make_workspace(invoices=[*DEFAULT_INVOICES, *wa], customers=customers,
                        playbooks={"wa.yaml": WA_PLAYBOOK, "standard.yaml": standard})
    code, doc = ws.json("preview")
    assert code == 0, doc
    to = {(m["customer_id"], m["channel"]): m["to"] for m in doc["messages"]}
    # wa-nudge is due 03-10 09:00, before NOW: one WhatsApp message each
    assert to[("w1", "whatsapp")] == "+919822200001"   # customer file's WhatsApp, not the invoice phone
    assert to[("w2", "whatsapp")] == "+919800000902"   # invoice phone, not the customer file's phone
    assert to[("initech", "sms")] == "+919800000004"   # day-7 SMS: the invoice row's phone wins
    # Umbrella's day-14 task: business name and country from collectbot.yaml (Test Traders, IN)
    notes = {t["customer_id"]: t["note"] for t in doc["tasks"]}
    assert notes["umbrella"] == "Call Umbrella Corp for Test Traders (IN)"


# ---------------------------------------------------------------------------- opt-out, other playbooks


def test_opt_outs_and_dead_addresses_hold_and_other_playbooks_rows_are_not_done(make_workspace):
    ws = make_workspace(invoices=_invoices(**{"INV-001": {"email": "AP@Acme.EXAMPLE"},
                                              "INV-002": {"email": "AP@Acme.EXAMPLE"}}))
    yesterday = NOW_DT - timedelta(days=1)  # Monday 03-09 10:00: not today, so no daily cap today
    with State.open(ws.db_path) as state:
        # Initech replied STOP from an old number: the customer opted out of SMS, whatever number
        with state.transaction() as conn:
            assert delivery.suppress(conn, channel="sms", reason="opted_out", now=yesterday,
                                     customer_id="initech", address="+919899999999")
        # Globex's INV-003 got a `day-3` email yesterday, but under another playbook ("old")
        run_id = ledger.begin_run(state, yesterday, 4242)
        msg = PlannedMessage(customer_id="globex", channel="email", to="pay@globex.example",
                             touches=[PlannedTouch("INV-003", "old", "day-3", "email", yesterday)],
                             scheduled_at=yesterday, body="INV-003 is overdue", subject="Overdue")
        mid = ledger.claim(state, msg, "outbox", run_id, yesterday)
        assert mid is not None
        ledger.confirm(state, [(mid, SendResult(status="sent"))], yesterday)
        # an email to ACME's address as the export spells it was refused: the address is invalid
        # (recorded as sent, capitals and all)
        bad = PlannedMessage(customer_id="acme", channel="email", to="AP@Acme.EXAMPLE",
                             touches=[PlannedTouch("INV-001", "old", "welcome", "email", yesterday)],
                             scheduled_at=yesterday, body="Welcome", subject="Welcome")
        mid = ledger.claim(state, bad, "outbox", run_id, yesterday)
        assert mid is not None
        ledger.confirm(state, [(mid, SendResult(status="failed", error="invalid address", suppress="invalid"))],
                       yesterday)
        ledger.finish_run(state, run_id, yesterday, "ok", {})
    code, doc = ws.json("preview")
    assert code == 0, doc
    # INV-004's day-7 SMS would go to +919800000004: Initech opted out as a customer
    assert ("initech", "sms") not in {(m["customer_id"], m["channel"]) for m in doc["messages"]}
    assert _skips(doc)[("INV-004", "day-7")] == ("opted_out", "sms +919800000004 suppressed: opted_out")
    # standard's day-3 was never done for INV-003 (the row is of playbook "old"): it is due and
    # is the candidate, superseding heads-up, exactly as with no ledger row
    steps = {m["customer_id"]: m["steps"] for m in doc["messages"]}
    assert steps["globex"] == ["day-3"]
    assert _skips(doc)[("INV-003", "heads-up")] == ("superseded", "superseded by step 'day-3'")
    # ACME's heads-up would go to AP@Acme.EXAMPLE, exactly the address found invalid: no email,
    # and `invalid` means a dead address (no_address), not an opt-out
    assert "acme" not in steps
    dead = ("no_address", "email AP@Acme.EXAMPLE suppressed: invalid")
    assert _skips(doc)[("INV-001", "heads-up")] == dead and _skips(doc)[("INV-002", "heads-up")] == dead


# ---------------------------------------------------------------------------- errors


PICKY = """\
name: picky
match: "customer.name > 5"
priority: 10
steps:
  - {id: p1, at: due, channel: email, template: gentle}
"""


def test_a_match_that_cannot_be_evaluated_is_reported_for_every_invoice(make_workspace):
    # comparing a name (text) with a number raises: `picky` cannot be decided for any invoice,
    # so each open invoice gets its own error and falls to `standard` (no match)
    ws = make_workspace(playbooks={"picky.yaml": PICKY, "standard.yaml": STANDARD_PLAYBOOK})
    code, doc = ws.json("preview")
    picky = sorted(e["invoice_id"] for e in doc["errors"] if e["playbook"] == "picky")
    # every invoice but INV-007 (paid: stopped before any playbook is tried); ACME's second
    # invoice INV-002 too, although its customer's answer is already known to be an error
    assert picky == ["INV-001", "INV-002", "INV-003", "INV-004", "INV-005", "INV-006", "INV-008"]
    assert all(e["message"].startswith("match: ") and e["step"] is None
               for e in doc["errors"] if e["playbook"] == "picky")
    # the plan goes on under `standard`: ACME's heads-up email for both invoices
    acme = [m for m in doc["messages"] if m["customer_id"] == "acme"]
    assert [(m["steps"], m["invoice_ids"]) for m in acme] == [(["heads-up"], ["INV-001", "INV-002"])]


class Wordless(Exception):
    """An error whose text is empty."""


class WordlessRenderer(Renderer):
    def message(self, template, channel, context):
        raise Wordless()


def test_an_error_without_words_is_named_by_its_kind(tmp_path):
    config, _ = setup(tmp_path)
    # test_engine_book's standard playbook, due 4 days ago: day-3 (due+3d, whatsapp, no `if`) is
    # the latest due step, so it is the one message; rendering it raises an error with no text
    inp = book(config, [invoice("I1", "C1", due=NOW.date() - timedelta(days=4))], [customer("C1", whatsapp="+91981")])
    p = plan(inp, WordlessRenderer(config))
    assert p.messages == []
    assert [(e["invoice_id"], e["message"]) for e in p.errors] == [("I1", "Wordless")]  # str(exc) is ""
