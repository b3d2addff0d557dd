"""Values from the data cannot change a message's shape (issue 14, item 8): a line break in a
customer's name stays on the Subject line (as a space) instead of ending it; a value inserted into
`payment_link.url` is URL-encoded, so `INV-1?amount=1&x=` cannot add parameters to the link
(`|raw` inserts one as it is). Through the real CLI: what the outbox provider sent."""

from __future__ import annotations

import copy

from conftest import DEFAULT_INVOICES

EMAIL = {"gentle.email.j2": "Subject: For {{ customer.name }}: {{ invoices|length }} invoice(s)\n"
                            "Hello {{ customer.name }},\n{{ invoice.pay_link }}\n"}


def book(**changes):
    rows = copy.deepcopy(DEFAULT_INVOICES)
    for row in rows[:2]:  # ACME's two invoices: the heads-up email at NOW
        row.update(changes)
    return rows


def acme_email(ws):
    code, doc = ws.json("run")
    assert code == 0, doc
    (sent,) = [m for m in ws.sent() if m["customer_id"] == "acme" and m["channel"] == "email"]
    return sent


def test_a_line_break_in_the_data_stays_on_the_subject_line(make_workspace):
    ws = make_workspace(invoices=book(customer_name="ACME\nLtd\r\n(Mumbai)"), templates=EMAIL)
    sent = acme_email(ws)
    assert sent["subject"] == "For ACME Ltd (Mumbai): 2 invoice(s)"
    # no payment_link here: the link is None, printed as nothing, never as the word "None"
    assert "None" not in sent["body"] and sent["body"].endswith("(Mumbai),")
    # the body keeps the value as written: only the subject is one line
    assert sent["body"] == "Hello ACME\nLtd\r\n(Mumbai),"


def test_values_in_the_pay_link_are_url_encoded(make_workspace):
    ws = make_workspace(invoices=[{**r, "invoice_id": "INV-1?amount=1&x=" if r["invoice_id"] == "INV-001" else
                                   r["invoice_id"]} for r in DEFAULT_INVOICES],
                        config={"payment_link": {"url": "https://pay.example.com/i/{{ invoice.invoice_id }}"
                                                        "?c={{ customer.name }}"}},
                        templates={"gentle.email.j2": "Subject: due\n{% for i in invoices %}{{ i.pay_link }}\n"
                                                      "{% endfor %}"})
    sent = acme_email(ws)
    # ? = & and space are %3F %3D %26 %20: one value each, no parameter added to the link
    # (invoices in id order: "INV-002" sorts before "INV-1?…")
    assert sent["body"].split("\n") == ["https://pay.example.com/i/INV-002?c=ACME%20Ltd",
                                        "https://pay.example.com/i/INV-1%3Famount%3D1%26x%3D?c=ACME%20Ltd"]


def test_raw_and_urlencode_in_the_pay_link(make_workspace):
    ws = make_workspace(config={"payment_link": {"url": "https://pay.example.com/{{ invoice.path|raw }}"
                                                        "?n={{ customer.name|urlencode }}"}},
                        invoices=book(path="a/b?x=1"),
                        templates={"gentle.email.j2": "Subject: due\n{{ invoice.pay_link }}\n"})
    sent = acme_email(ws)
    # |raw: as written; |urlencode: encoded once (Jinja's own encoding, not twice)
    assert sent["body"] == "https://pay.example.com/a/b?x=1?n=ACME%20Ltd"
