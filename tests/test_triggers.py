"""Events and `trigger:` playbooks (issue 19, SPEC 11): `collectbot event`, `event import`,
`listen`'s signed POST /events, and a sequence per event anchored on its moment
(`at: event+15m`), each step at most once, ended by a `trigger.until` event or by the invoice
it follows being paid. Through the real CLI (and a real `listen` process)."""

from __future__ import annotations

import hashlib
import hmac
import json

CART = """\
name: cart
trigger: {event: cart_abandoned, until: [order_paid]}
steps:
  - id: nudge
    at: event+15m
    channel: whatsapp
    template: cart
  - id: again
    at: event+1d
    channel: email
    template: cart
"""
CARD = """\
name: card
trigger: {event: card_failed}
steps:
  - id: retry
    at: event+1h
    channel: sms
    template: card
"""
TEMPLATES = {
    "cart.whatsapp.j2": "Hi {{ customer.name }}, your cart of {{ invoice.balance|money }} is waiting: "
                        "{{ event.data.cart_url }}",
    "cart.email.j2": "Subject: your cart\nHi {{ customer.name }}, {{ invoice.balance|money }}: {{ event.data.cart_url }}",
    "card.sms.j2": "{{ customer.name }}: the card payment for {{ event.invoice_id }} failed. Pay here: {{ invoice.pay_link }}",
}
SHOPPER = {"amount": "1499.00", "name": "Asha", "phone": "+919812345678", "email": "asha@example.com",
           "cart_url": "https://shop.example/cart/77"}


def shop(make_workspace):
    return make_workspace(playbooks={"standard.yaml": open_standard(), "cart.yaml": CART, "card.yaml": CARD},
                          templates=TEMPLATES,
                          config={"limits": {"max_source_age": "60d"},
                                  "business": {"working_hours": {"start": "08:00", "end": "21:00",
                                                                 "days": ["mon", "tue", "wed", "thu", "fri", "sat",
                                                                          "sun"]}}})


def open_standard():
    from conftest import STANDARD_PLAYBOOK
    return STANDARD_PLAYBOOK


def mine(doc, who):
    return [(m["channel"], m["steps"], m.get("body", "")) for m in doc["messages"] if m["customer_id"] == who]


def test_a_cart_sequence_runs_once_per_step_from_the_event_moment(make_workspace):
    ws = shop(make_workspace)
    code, doc = ws.json("event", "cart_abandoned", "--customer", "shopper-9", "--data", json.dumps(SHOPPER),
                        "--id", "cart-77", now="2026-03-10T10:00:00")
    assert code == 0 and doc["recorded"] is True
    # the same id again: recorded once
    assert ws.json("event", "cart_abandoned", "--customer", "shopper-9", "--data", json.dumps(SHOPPER),
                   "--id", "cart-77", now="2026-03-10T10:01:00")[1]["recorded"] is False
    assert mine(ws.json("run", now="2026-03-10T10:10:00")[1], "shopper-9") == []  # 10 minutes: not yet
    code, doc = ws.json("run", now="2026-03-10T10:16:00")
    ((channel, steps, body),) = mine(doc, "shopper-9")
    assert (channel, steps) == ("whatsapp", ["nudge"])
    assert "Hi Asha" in body and "₹1,499.00" in body and "https://shop.example/cart/77" in body
    assert mine(ws.json("run", now="2026-03-10T10:30:00")[1], "shopper-9") == []  # at most once
    code, doc = ws.json("run", now="2026-03-11T10:05:00")
    assert [(c, s) for c, s, _ in mine(doc, "shopper-9")] == [("email", ["again"])]
    assert mine(ws.json("run", now="2026-03-12T10:05:00")[1], "shopper-9") == []
    # the sequence never merged with anything, and its touches name it
    rows = ws.rows("SELECT invoice_id, playbook, step, status FROM touches WHERE playbook = 'cart'")
    assert {(r["invoice_id"], r["step"], r["status"]) for r in rows} == {
        ("cart_abandoned@1", "nudge", "sent"), ("cart_abandoned@1", "again", "sent")}


def test_an_until_event_ends_the_sequence(make_workspace):
    ws = shop(make_workspace)
    assert ws.json("event", "cart_abandoned", "--customer", "shopper-9", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:00:00")[0] == 0
    assert mine(ws.json("run", now="2026-03-10T10:16:00")[1], "shopper-9")
    assert ws.json("event", "order_paid", "--customer", "shopper-9", now="2026-03-10T18:00:00")[0] == 0
    assert mine(ws.json("run", now="2026-03-11T10:05:00")[1], "shopper-9") == []


def test_an_event_on_an_invoice_follows_it_and_stops_when_it_is_paid(make_workspace):
    ws = shop(make_workspace)
    for n in (1, 2):  # two declined payments: two sequences, each once
        assert ws.json("event", "card_failed", "--invoice", "INV-008", "--id", f"pi_{n}",
                       now=f"2026-03-10T1{n}:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-10T13:30:00")
    got = [(s, b) for c, s, b in mine(doc, "future")]
    assert [s for s, _ in got] == [["retry"]]  # one SMS a day per customer: the second waits
    assert "failed" in got[0][1] and "INV-008" in got[0][1]
    code, doc = ws.json("preview", now="2026-03-11T10:00:00")
    assert [(m["invoice_ids"], m["steps"]) for m in doc["messages"] if m["customer_id"] == "future"] == [
        (["INV-008@2"], ["retry"])]  # the second event's sequence, the next day
    # paid: the next sequence stops with its invoice
    ws.write("pay.csv", "Date,Invoice,Amount,Payer\n2026-03-10,INV-008,400.00,Future Ltd\n")
    assert ws.json("reconcile", str(ws.root / "pay.csv"), now="2026-03-10T20:00:00")[0] == 0
    assert mine(ws.json("run", now="2026-03-11T10:00:00")[1], "future") == []


def test_event_import_names_bad_lines_and_records_the_rest(make_workspace):
    ws = shop(make_workspace)
    lines = [json.dumps({"event": "cart_abandoned", "customer_id": "s1", "data": SHOPPER, "id": "a"}),
             "{not json",
             json.dumps({"event": "cart_abandoned", "data": SHOPPER}),
             json.dumps({"event": "card_failed", "invoice_id": "INV-003", "at": "2026-03-10T09:00:00+05:30"}),
             json.dumps({"event": "cart_abandoned", "customer_id": "s1", "data": SHOPPER, "id": "a"})]
    ws.write("events.jsonl", "\n".join(lines) + "\n")
    code, doc = ws.json("event", "import", str(ws.root / "events.jsonl"), now="2026-03-10T10:00:00")
    assert code == 1 and doc["recorded"] == 2 and doc["duplicates"] == 1
    assert [(e["row"], e["message"][:20]) for e in doc["errors"]] == [
        (2, "not JSON (Expecting "), (3, "an event needs an in")]


def test_an_event_without_an_amount_is_said_and_starts_nothing(make_workspace):
    ws = shop(make_workspace)
    assert ws.json("event", "cart_abandoned", "--customer", "s2", now="2026-03-10T10:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert code == 0 and mine(doc, "s2") == []
    assert any("no `amount`" in w for w in doc["warnings"])


def test_bad_event_commands_get_a_sentence(make_workspace):
    ws = shop(make_workspace)
    for args, words in [(("event", "cart abandoned", "--customer", "x"), "is not a name"),
                        (("event", "cart_abandoned"), "--invoice or --customer"),
                        (("event", "cart_abandoned", "--customer", "x", "--data", "{oops"), "--data is not JSON"),
                        (("event", "import"), "say which file"),
                        (("event", "import", "missing.jsonl"), "cannot read")]:
        result = ws.cli(*args)
        assert result.exit_code == 2 and words in result.stderr + result.stdout, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr


def test_check_refuses_event_anchors_outside_a_trigger_playbook(make_workspace):
    from conftest import STANDARD_PLAYBOOK
    ws = make_workspace(playbooks={"standard.yaml": STANDARD_PLAYBOOK.replace("at: due-3d", "at: event+1h")})
    code, doc = ws.json("check")
    assert code == 2 and any("`event` anchors only a playbook with `trigger" in p["message"] for p in doc["problems"])


def test_listen_records_signed_events_and_refuses_the_rest(make_workspace):
    """A real `collectbot listen` process: POST /events signed with the HMAC-SHA256 of the body."""
    import urllib.error
    import urllib.request

    import yaml
    from provider_server import listen_process

    ws = shop(make_workspace)
    ws.write_config({**yaml.safe_load(ws.config_path.read_text()), "listen": {"secret_env": "SHOP_SECRET"}})
    assert ws.json("run", now="2026-03-10T09:00:00")[0] == 0  # the state exists

    def post(url: str, body: bytes, signature: str | None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Collectbot-Signature"] = signature
        try:
            with urllib.request.urlopen(urllib.request.Request(url + "/events", data=body, headers=headers),
                                        timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def signed(body: bytes) -> str:
        return "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()

    with listen_process(ws.config_path, "2026-03-10T10:00:00", {"SHOP_SECRET": "s3cret"}) as url:
        body = json.dumps({"event": "cart_abandoned", "customer_id": "shopper-9", "data": SHOPPER}).encode()
        assert post(url, body, None)[0] == 401
        assert post(url, body, "sha256=" + "0" * 64)[0] == 401
        assert post(url, body + b" ", signed(body))[0] == 401  # the signature covers the exact bytes
        half = b'{"event": "cart_abandoned"}'
        assert post(url, half, signed(half)) == (
            400, {"error": "an event needs an invoice_id or a customer_id (whose event it is)"})
        assert post(url, body, signed(body)) == (200, {"recorded": True, "id": 1, "notes": [
            "starts cart_abandoned@1 (playbook cart); `collectbot explain cart_abandoned@1` says when its first step "
            "goes"]})
        assert post(url, body, "")[1] == {"error": "no X-Collectbot-Signature header (sha256=HMAC of the body)"}
        # (review) the sender retries (no `id`, no `at`): the same event that day, recorded once
        assert post(url, body, signed(body)) == (200, {"recorded": False, "id": None, "notes": []})
        assert post(url, body, "sha256=caf\u00e9")[0] == 401  # (review) a non-ASCII signature was a 500
        deep = b"[" * 100_000 + b"]" * 100_000
        assert post(url, deep, signed(deep)) == (400, {"error": "the body is not a JSON object"})
        # (hostile-input audit) a Content-Length that is negative or not a number got no answer at all,
        # and a request line that is not HTTP printed a traceback in listen's log
        import socket
        host, port = url[len("http://"):].split(":")
        for length in ("-5", "abc"):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(f"POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
                assert sock.recv(200).startswith(b"HTTP/1.0 411"), length
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GARBAGE\r\n\r\n")  # not HTTP/1.x: answered as HTTP/0.9 would be, a bare error page
            assert b"Error code: 400" in sock.recv(400)
    assert len(ws.rows("SELECT * FROM events WHERE kind = 'event'")) == 1
    code, doc = ws.json("run", now="2026-03-10T10:16:00")  # sending stays with `run`
    assert [(c, s) for c, s, _ in mine(doc, "shopper-9")] == [("whatsapp", ["nudge"])]


def test_preview_explain_and_history_follow_the_sequence(make_workspace):
    ws = shop(make_workspace)
    assert ws.json("event", "cart_abandoned", "--customer", "shopper-9", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:00:00")[0] == 0
    code, doc = ws.json("preview", "--days", "3", now="2026-03-10T10:05:00")
    ahead = [(m["scheduled_at"], m["channel"], m["steps"]) for d in doc["timeline"] for m in d["messages"]
             if m["customer_id"] == "shopper-9"]
    # the 15-minute step at its moment (a cron every few minutes), the next-day step at 08:00
    assert ahead == [("2026-03-10T04:45:00+00:00", "whatsapp", ["nudge"]),
                     ("2026-03-11T02:30:00+00:00", "email", ["again"])]
    code, doc = ws.json("explain", "cart_abandoned@1", now="2026-03-10T10:05:00")
    assert doc["playbook"] == "cart" and doc["why"] == "cart: started by the event cart_abandoned #1 at 2026-03-10 10:00"
    assert doc["next"]["step"] == "nudge"
    result = ws.cli("history", "shopper-9", now="2026-03-10T10:05:00")
    assert result.exit_code == 0 and "cart_abandoned #1: amount 1499.00" in result.stdout


def test_a_customer_event_that_asks_for_nothing_usable_is_said_when_recorded(make_workspace):
    ws = shop(make_workspace)
    for data, why in [({"amount": "12.50", "currency": "XYZ"}, "currency 'XYZ' is not an ISO 4217 code"),
                      ({"amount": "1e400"}, "amount '1e400' is not a positive amount"),
                      ({"amount": "-5"}, "amount '-5' is not a positive amount")]:
        result = ws.cli("event", "cart_abandoned", "--customer", "s3", "--data", json.dumps(data))
        assert result.exit_code == 0 and why in " ".join(result.stderr.split()), result.stderr
    result = ws.cli("event", "cart_abandoned", "--customer", "s3", "--data", "[]")
    assert result.exit_code == 2 and "data must be a JSON object" in result.stderr
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert code == 0 and mine(doc, "s3") == [] and sum("no sequence starts for it" in w for w in doc["warnings"]) == 3


def test_a_shopper_known_only_from_events_can_be_held(make_workspace):
    ws = shop(make_workspace)
    assert ws.json("event", "cart_abandoned", "--customer", "shopper-9", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:00:00")[0] == 0
    result = ws.cli("hold", "cart_abandoned@1", "--pause", now="2026-03-10T10:05:00")
    assert result.exit_code == 2 and "sequence an event started" in result.stderr
    assert ws.cli("hold", "shopper-9", "--pause", now="2026-03-10T10:05:00").exit_code == 0
    assert mine(ws.json("run", now="2026-03-10T10:16:00")[1], "shopper-9") == []  # held: nothing goes


def test_a_trigger_playbook_with_a_match_and_a_task_that_reads_the_event(make_workspace):
    """(audit) a `match` on a trigger playbook used to stop every plan; a task's note sees `event`."""
    card = CARD.replace("trigger: {event: card_failed}", "trigger: {event: card_failed}\nmatch: \"invoice.balance >= 500\"")
    card += ("  - id: call\n    at: event+1d\n    channel: task\n    assign: orders\n"
             "    note: \"Call {{ customer.name }}: card failed for {{ event.invoice_id }} ({{ event.data.reason }})\"\n")
    ws = make_workspace(playbooks={"standard.yaml": open_standard(), "card.yaml": card}, templates=TEMPLATES,
                        config={"limits": {"max_source_age": "60d"}})
    assert ws.json("event", "card_failed", "--invoice", "INV-003", "--data", '{"reason": "expired card"}',
                   now="2026-03-10T09:00:00")[0] == 0
    assert ws.json("event", "card_failed", "--invoice", "INV-006", now="2026-03-10T09:00:00")[0] == 0  # 300.00
    code, doc = ws.json("run", now="2026-03-11T10:00:00")
    assert code == 0 and [m["invoice_ids"] for m in doc["messages"] if m["playbook"] == "card"] == []
    (task,) = [t for t in doc["tasks"] if t["playbook"] == "card"]
    assert task["note"] == "Call Globex: card failed for INV-003 (expired card)"
    code, doc = ws.json("explain", "INV-006@2", now="2026-03-11T10:00:00")
    assert doc["playbook"] is None and "no `match` of those is true" in doc["why"]


def test_an_ended_sequence_is_explained_and_has_a_history(make_workspace):
    ws = shop(make_workspace)
    assert ws.json("event", "cart_abandoned", "--customer", "s9", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:00:00")[0] == 0
    code, doc = ws.json("event", "order_paid", "--customer", "s9", now="2026-03-10T10:05:00")
    assert code == 0 and doc["notes"] == []
    result = ws.cli("explain", "cart_abandoned@1", now="2026-03-10T10:30:00")
    assert result.exit_code == 2 and "is the sequence of event cart_abandoned #1 and is not running now" in \
        " ".join(result.stderr.split())
    code, doc = ws.json("history", "cart_abandoned@1", now="2026-03-10T10:30:00")
    assert code == 0 and [e["kind"] for e in doc["entries"]] == ["event"]


def test_events_dated_later_and_the_at_option(make_workspace):
    ws = shop(make_workspace)
    code, doc = ws.json("event", "cart_abandoned", "--customer", "s8", "--data", json.dumps(SHOPPER),
                        "--at", "2026-03-10T14:00", now="2026-03-10T10:00:00")
    assert code == 0 and any("after now: its steps count from then" in n for n in doc["notes"])
    code, doc = ws.json("preview", "--days", "1", now="2026-03-10T10:00:00")
    assert [(m["scheduled_at"], m["steps"]) for d in doc["timeline"] for m in d["messages"]
            if m["customer_id"] == "s8"] == [("2026-03-10T08:45:00+00:00", ["nudge"]),  # 14:15 in Kolkata
                                             ("2026-03-11T02:30:00+00:00", ["again"])]  # next day, 08:00
    result = ws.cli("event", "cart_abandoned", "--customer", "s8", "--at", "soon")
    assert result.exit_code == 2 and "--at 'soon' is not a real date" in result.stderr


def test_an_event_naming_another_customers_invoice_is_refused(make_workspace):
    ws = shop(make_workspace)
    assert ws.json("run", now="2026-03-10T09:00:00")[0] == 0  # the book is in the state
    result = ws.cli("event", "card_failed", "--invoice", "INV-003", "--customer", "acme")
    assert result.exit_code == 2 and "invoice INV-003 is globex's, not acme's" in result.stderr
    code, doc = ws.json("event", "card_failed", "--invoice", "INV-999")
    assert code == 0 and doc["notes"] == ["invoice INV-999 is not one collectbot has seen in the invoice sources: "
                                          "its sequence (playbook card) starts only while the invoice is open in the export"]
    result = ws.cli("event", "import", str(ws.write("e.jsonl", '{"customer_id": "x"}\n')))
    assert result.exit_code == 1 and 'an event needs its name: {"event": "cart_abandoned", ...}' in result.stderr


def test_check_refuses_an_until_naming_the_trigger_itself(make_workspace):
    ws = make_workspace(playbooks={"cart.yaml": CART.replace("until: [order_paid]", "until: [cart_abandoned]")},
                        templates=TEMPLATES)
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["key"] == "trigger.until"]
    assert code == 2 and "each sequence would end the moment it starts" in p["message"]


def test_an_import_says_in_one_line_what_it_started(make_workspace):
    ws = shop(make_workspace)
    lines = [json.dumps({"event": "cart_abandoned", "customer_id": f"s{n}", "data": SHOPPER, "id": f"c{n}"})
             for n in range(30)]
    lines += [json.dumps({"event": "cart_abandoned", "customer_id": f"t{n}", "id": f"t{n}"}) for n in range(25)]
    ws.write("many.jsonl", "\n".join(lines) + "\n")
    result = ws.cli("event", "import", str(ws.root / "many.jsonl"), now="2026-03-10T10:00:00")
    assert result.exit_code == 0
    assert "30 sequence(s) started; `collectbot preview --days 1` shows their first steps" in result.stdout
    said = " ".join(result.stderr.split())
    assert said.count("its data has no `amount` to ask for") == 20 and "… and 5 more note(s)" in said
    code, doc = ws.json("event", "import", str(ws.root / "many.jsonl"), now="2026-03-10T10:00:00")
    assert (doc["recorded"], doc["duplicates"], doc["notes"]) == (0, 55, [])


def test_json_nested_too_deeply_is_a_bad_line_not_a_crash(make_workspace):
    ws = shop(make_workspace)
    deep = "[" * 100_000 + "]" * 100_000
    ws.write("deep.jsonl", '{"event": "x", "customer_id": "a", "data": ' + deep + "}\n")
    result = ws.cli("event", "import", str(ws.root / "deep.jsonl"))
    assert result.exit_code == 1 and "line 1: not an event: the JSON is nested too deeply" in result.stderr
    result = ws.cli("event", "x", "--customer", "a", "--data", '{"a": ' + deep + "}")
    assert result.exit_code == 2 and "--data: the JSON is nested too deeply" in result.stderr
    result = ws.cli("events", "import", str(ws.root / "deep.jsonl"))
    assert result.exit_code == 2 and "nested too deeply" in result.stderr


# ---------------------------------------------------------------------------- review fixes


def test_an_event_dated_outside_1970_to_2100_is_refused_and_a_stored_one_is_passed_over(make_workspace):
    """(review) `"at": "9999-12-31T23:59:59-05:00"` was recorded, and every later run and preview
    crashed on it (OverflowError); such a moment is refused, and one already in the state skipped."""
    import sqlite3

    ws = shop(make_workspace)
    lines = [json.dumps({"event": "cart_abandoned", "customer_id": "s1", "data": SHOPPER, "at": at})
             for at in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:30", "2150-01-01T00:00:00Z")]
    ws.write("events.jsonl", "\n".join(lines) + "\n")
    code, doc = ws.json("event", "import", str(ws.root / "events.jsonl"), now="2026-03-10T10:00:00")
    assert code != 0 and doc["recorded"] == 0 and len(doc["errors"]) == 3
    assert all("is not between 1970 and 2100" in e["message"] for e in doc["errors"]), doc["errors"]
    # an older version recorded one as given: runs go on without it
    assert ws.json("event", "cart_abandoned", "--customer", "s2", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:00:00")[0] == 0
    with sqlite3.connect(ws.db_path) as db:
        db.execute("INSERT INTO events (at, kind, customer_id, data) VALUES "
                   "('9999-12-31T23:59:59-05:00', 'event', 's3', ?)",
                   (json.dumps({"event": "cart_abandoned", "data": SHOPPER}),))
    for command in (("preview",), ("preview", "--days", "3"), ("run",)):
        code, doc = ws.json(*command, now="2026-03-10T10:20:00")
        assert code == 0, (command, doc)
    assert [c for c, _, _ in mine(doc, "s2")] == ["whatsapp"] and mine(doc, "s3") == []
    # (second review) `history` printed it through the business zone and crashed: shown as stored
    result = ws.cli("history", "s3", now="2026-03-10T10:30:00")
    assert result.exit_code == 0 and "9999-12-31T23:59:59-05:00" in result.stdout
    code, doc = ws.json("history", "s3", now="2026-03-10T10:30:00")
    assert code == 0 and [e["kind"] for e in doc["entries"]] == ["event"]


def test_two_playbooks_on_one_event_the_first_whose_match_holds_takes_it(make_workspace):
    """(review) two `trigger:` playbooks on one event: the later in the file silently took every
    sequence. Now they are tried like invoices' playbooks (priority, then order), and the `until`
    events of both end a sequence."""
    big = CART.replace("name: cart\n", "name: big-cart\nmatch: \"invoice.amount >= 1000\"\npriority: 5\n").replace(
        "until: [order_paid]", "until: [order_shipped]").replace("template: cart\n", "template: big\n", 1)
    ws = make_workspace(playbooks={"standard.yaml": open_standard(), "cart.yaml": CART, "big.yaml": big},
                        templates={**TEMPLATES, "big.whatsapp.j2": "{{ customer.name }}: your big cart "
                                                                   "({{ invoice.balance|money }}) is waiting"},
                        config={"limits": {"max_source_age": "60d"}})
    small = {**SHOPPER, "amount": "250.00", "phone": "+919812345679"}
    code, doc = ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(SHOPPER),
                        now="2026-03-10T10:00:00")
    assert doc["notes"] == ["starts cart_abandoned@1 (playbook big-cart or cart, the first whose match holds); "
                            "`collectbot explain cart_abandoned@1` says when its first step goes"]
    assert ws.json("event", "cart_abandoned", "--customer", "s2", "--data", json.dumps(small),
                   now="2026-03-10T10:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-10T10:16:00")
    got = {m["customer_id"]: (m["playbook"], m["body"]) for m in doc["messages"] if m["customer_id"] in ("s1", "s2")}
    assert got["s1"] == ("big-cart", "Asha: your big cart (₹1,499.00) is waiting")
    assert got["s2"][0] == "cart" and "₹250.00" in got["s2"][1]
    assert ws.json("explain", "cart_abandoned@2", now="2026-03-10T10:17:00")[1]["playbook"] == "cart"
    # order_shipped (big-cart's `until`) ends the small cart's sequence too: either may be its playbook
    assert ws.json("event", "order_shipped", "--customer", "s2", now="2026-03-10T12:00:00")[0] == 0
    code, doc = ws.json("run", now="2026-03-11T10:05:00")
    assert [m["customer_id"] for m in doc["messages"] if m["customer_id"] in ("s1", "s2")] == ["s1"]


def test_an_event_sent_again_without_id_or_at_is_recorded_once_that_day(make_workspace):
    """(review) a webhook retried (or a command run twice) without `id` or `at` started a second
    sequence: two WhatsApps for one cart. Same content the same day is one event."""
    ws = shop(make_workspace)
    first = ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(SHOPPER),
                    now="2026-03-10T10:00:00")[1]
    again = ws.cli("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:02:00")
    assert first["recorded"] is True and again.exit_code == 0 and "was recorded before" in again.stdout
    other = {**SHOPPER, "cart_url": "https://shop.example/cart/78"}  # another cart: other data
    assert ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(other),
                   now="2026-03-10T10:03:00")[1]["recorded"] is True
    assert ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(SHOPPER),
                   now="2026-03-11T10:00:00")[1]["recorded"] is True  # the next day: a new one
    assert len(ws.rows("SELECT * FROM events WHERE kind = 'event'")) == 3
    # the business day, not the UTC one: 2026-03-11 01:00 in Kolkata is 03-10 19:30 UTC, a new day
    assert ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T19:30:00Z")[1]["recorded"] is False  # 03-11 here: as the one of 03-11 10:00
    assert ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(other),
                   now="2026-03-10T19:30:00Z")[1]["recorded"] is True  # 03-11 here: a new day for cart 78


def test_a_second_payment_the_same_day_ends_the_second_cart(make_workspace):
    """(second review) the same-day key also swallowed a second `order_paid` (no data, no id):
    the second cart of the day was chased after it was paid. Only events that start a sequence
    are recorded once a day; the others each time."""
    ws = shop(make_workspace)
    second = {**SHOPPER, "cart_url": "https://shop.example/cart/78"}
    assert ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(SHOPPER),
                   now="2026-03-10T10:00:00")[1]["recorded"] is True
    assert ws.json("event", "order_paid", "--customer", "s1", now="2026-03-10T10:05:00")[1]["recorded"] is True
    assert ws.json("event", "cart_abandoned", "--customer", "s1", "--data", json.dumps(second),
                   now="2026-03-10T12:00:00")[1]["recorded"] is True
    assert ws.json("event", "order_paid", "--customer", "s1", now="2026-03-10T12:05:00")[1]["recorded"] is True
    code, doc = ws.json("run", now="2026-03-10T12:20:00")
    assert code == 0 and mine(doc, "s1") == []


def test_a_broken_character_or_an_odd_id_is_refused_at_the_door(make_workspace):
    """(hostile-input audit) `"name": "Bob\\ud83d"` (half a UTF-16 pair) was recorded, and every
    later run crashed rendering it; in `customer_id` it crashed the import. Such text is refused,
    like a NUL in an id or `"id": true`; one already stored starts nothing, and runs go on."""
    import sqlite3

    ws = shop(make_workspace)
    good = json.dumps({"event": "cart_abandoned", "customer_id": "s1", "data": SHOPPER})
    lines = ['{"event": "cart_abandoned", "customer_id": "s2", "data": {"amount": "100", "name": "Bob\\ud83d"}}',
             '{"event": "cart_abandoned", "customer_id": "guest-\\ud800", "data": {"amount": "5"}}',
             '{"event": "cart_abandoned", "customer_id": "a\\u0000b", "data": {"amount": "5"}}',
             '{"event": "cart_abandoned", "customer_id": "s3", "id": true, "data": {"amount": "5"}}', good]
    ws.write("events.jsonl", "\n".join(lines) + "\n")
    code, doc = ws.json("event", "import", str(ws.root / "events.jsonl"), now="2026-03-10T10:00:00")
    assert code == 1 and doc["recorded"] == 1 and [e["row"] for e in doc["errors"]] == [1, 2, 3, 4], doc
    assert "broken character" in doc["errors"][0]["message"] and "broken character" in doc["errors"][1]["message"]
    assert "one line of text" in doc["errors"][2]["message"] and "must be text, got bool" in doc["errors"][3]["message"]
    with sqlite3.connect(ws.db_path) as db:  # as an older version stored it
        db.execute("INSERT INTO events (at, kind, customer_id, data) VALUES ('2026-03-10T04:30:00+00:00', 'event', "
                   "'s4', ?)", ('{"event": "cart_abandoned", "data": {"amount": "100", "name": "Bob\\ud83d"}}',))
    for command in (("preview", "--json"), ("history", "s4")):
        result = ws.cli(*command, now="2026-03-10T10:20:00")
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
    assert "Bob\\ud83d" in result.stdout  # history shows it escaped
    code, doc = ws.json("run", now="2026-03-10T10:20:00")
    assert code == 0 and [c for c, _, _ in mine(doc, "s1")] == ["whatsapp"] and mine(doc, "s4") == []


def test_import_warnings_wrap_under_their_indent_at_80_columns(make_workspace):
    """(audit) warning lines were cut at column 80 and went on at column 0 after a trailing space."""
    ws = shop(make_workspace)
    ws.write("bad.jsonl", '{"event": "cart_abandoned", "customer_id": "a\\u0000b", "data": {"amount": "5"}}\n'
                          '{"event": "cart_abandoned", "data": {"amount": "5"}, "customer_id": "guest-with-a-long-name"'
                          ', "id": true}\n')
    result = ws.cli("event", "import", str(ws.root / "bad.jsonl"), env={"COLUMNS": "80"})
    warned = [line for line in result.stderr.splitlines() if line]
    assert result.exit_code == 1 and sum(line.startswith("warning:") for line in warned) == 2, result.stderr
    assert len(warned) > 2  # they did not fit one line each
    for line in warned:
        assert len(line) <= 80 and line == line.rstrip() and (line.startswith("warning:") or line.startswith("  "))
