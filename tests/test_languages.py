"""Reminders in the customer's language (issue 18, SPEC 9 "Language"): `NAME.CHANNEL.LANG.j2` for a
customer whose `language` is LANG — `pt-BR` falls back to `pt`, then to the default template — and
money and dates in the customer's `locale` column when it has one. Through the real CLI."""

from __future__ import annotations

from conftest import DEFAULT_INVOICES

CUSTOMERS = [
    {"customer_id": "acme", "name": "ACME Ltd", "email": "ap@acme.example", "language": "hi", "locale": "hi_IN"},
    {"customer_id": "globex", "name": "Globex", "email": "pay@globex.example", "language": "pt-BR",
     "locale": "pt_BR"},
    {"customer_id": "initech", "name": "Initech", "email": "ap@initech.example", "language": "fr", "locale": ""},
]
TEMPLATES = {
    "gentle.email.hi.j2": "Subject: भुगतान अनुस्मारक\nनमस्ते {{ customer.name }}, {{ invoice.balance|money }} — "
                          "{{ invoice.due_date|date('d MMMM y') }}\n",
    "nudge.email.pt.j2": "Subject: Lembrete\nOlá {{ customer.name }}, {{ invoice.balance|money }} vence "
                         "{{ invoice.due_date|date('d MMMM y') }}\n",
}


def by_customer(ws):
    code, doc = ws.json("run")
    assert code == 0, doc
    return {m["customer_id"]: m for m in doc["messages"]}


def test_each_customer_gets_their_language_or_the_default(make_workspace):
    ws = make_workspace(customers=CUSTOMERS, templates=TEMPLATES)
    sent = by_customer(ws)
    # ACME (hi): the heads-up in Hindi, money and the date in hi_IN (`invoice` is the message's lead
    # invoice, INV-002 of the two: ₹500.00, due 13 March)
    assert sent["acme"]["subject"] == "भुगतान अनुस्मारक"
    assert sent["acme"]["body"] == "नमस्ते ACME Ltd, ₹500.00 — 13 मार्च 2026"
    # Globex (pt-BR): no nudge.email.pt-BR.j2, so nudge.email.pt.j2, in pt_BR
    assert sent["globex"]["subject"] == "Lembrete"
    # (Brazilian money: a no-break space after the symbol, a point between thousands, a decimal comma)
    assert sent["globex"]["body"] == "Olá Globex, ₹\xa02.000,00 vence 7 março 2026"
    # Initech (fr): no French template: the default one (its day-7 SMS), in the business locale
    assert sent["initech"]["channel"] == "sms" and "Initech: please pay INV-004" in sent["initech"]["body"]
