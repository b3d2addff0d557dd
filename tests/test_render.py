"""Templates, filters, pay links and the sandbox, on real files in a temporary workspace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectbot.config import load_config
from collectbot.models import Customer, Invoice
from collectbot.render import Renderer, RenderError, compile_problems

TODAY = date(2026, 11, 23)


def workspace(tmp_path: Path, *, locale="en_IN", currency="INR", payment_link="", playbook="",
              templates: dict[str, str] | None = None) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "invoices.csv").write_text("invoice_id,customer_id,due_date,amount\n")
    (tmp_path / "collectbot.yaml").write_text(
        "business:\n"
        "  name: Acme & Co\n"
        "  timezone: Asia/Kolkata\n"
        f"  currency: {currency}\n"
        f"  locale: {locale}\n"
        "sources:\n  invoices: invoices.csv\n"
        f"{payment_link}"
        "playbooks: [playbooks/*.yaml]\n"
    )
    (tmp_path / "playbooks" / "p.yaml").write_text(playbook or (
        "name: p\nsteps:\n  - id: a\n    at: due\n    channel: email\n    template: gentle\n"))
    for name, text in (templates or {}).items():
        (tmp_path / "templates" / name).write_text(text)
    return tmp_path / "collectbot.yaml"


def renderer(tmp_path, **kw) -> Renderer:
    return Renderer(load_config(workspace(tmp_path, **kw)))


def ctx(r: Renderer, *, balance="123456.5", currency="INR", name="Tom & <Jerry>", invoice_id="INV-7", **extra):
    inv = Invoice(invoice_id, "tom", date(2026, 11, 1), Decimal("200000"), Decimal(balance), currency,
                  extra=dict(extra))
    cust = Customer("tom", name=name, tier="vip", owner="asha@acme.test")
    iv = r.invoice_view(inv, Decimal(balance), today=TODAY)
    return r.context(iv, r.customer_view(cust), today=TODAY)


@pytest.mark.parametrize("locale,currency,expected", [
    ("en_IN", "INR", "₹1,23,456.50"),
    ("en_US", "USD", "$123,456.50"),
    ("de_DE", "EUR", "123.456,50\xa0€"),
])
def test_money_filter_follows_business_locale(tmp_path, locale, currency, expected):
    r = renderer(tmp_path, locale=locale, currency=currency)
    assert r.text("{{ invoice.balance|money }}", ctx(r, currency=currency)) == expected


def test_money_filter_currency_argument_and_per_invoice_currency(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r, balance="10", currency="USD")
    assert r.text("{{ invoice.balance|money }}", c) == "$10.00"  # the invoice's own currency, not INR
    assert r.text("{{ 2500|money('INR') }}", c) == "₹2,500.00"
    assert r.text("{{ invoices|sum(attribute='balance')|money }}", c) == "$10.00"


def test_date_filter(tmp_path):
    r = renderer(tmp_path, locale="en_US", currency="USD")
    c = ctx(r, currency="USD")
    assert r.text("{{ invoice.due_date|date }}", c) == "Nov 1, 2026"
    assert r.text("{{ invoice.due_date|date('d MMMM y') }}", c) == "1 November 2026"
    assert r.text("{{ today|date('short') }}", c) == "11/23/26"


def test_invoice_view_fields_and_extra_columns(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r, **{"Risk Class": "high", "items": "3"})
    inv = c["invoice"]
    assert inv["days_overdue"] == 22 and inv["days_until_due"] == 0
    assert inv["balance"] == Decimal("123456.5") and isinstance(inv["balance"], Decimal)
    assert r.condition("invoice.risk_class == 'high' and invoice['Risk Class'] == 'high'", c)
    assert r.text("{{ invoice.items }}", c) == "3"  # a column named like a dict method wins
    assert r.condition("customer.tier == 'vip' and invoice.balance >= 500", c)
    assert not r.condition("invoice.balance >= 500000", c)


@pytest.mark.parametrize("amount,source,effective,paid", [
    ("1500.50", "same", "same", "0.00"),  # nothing paid: one parsed value for amount and balance
    ("1500.50", "1500.50", "same", "0.00"),  # equal, but parsed twice
    ("1500.50", "1500.5", "same", "0.00"),  # equal, but written differently: each prints as written
    ("1500", "same", "1000.00", "500.00"),  # a payment recorded by reconcile
    ("1500", "200.5", "same", "1299.5"),  # partly paid in the export
    ("1500", "0", "same", "1500"),
    ("-20.0", "same", "same", "0.0"),  # a credit note
])
def test_invoice_view_amounts_whatever_objects_they_share(tmp_path, amount, source, effective, paid):
    """amount, balance (effective), source_balance and paid print as their own values, with the
    invoice's currency, whether or not the view shares one Money between them."""
    r = renderer(tmp_path, locale="en_US", currency="USD")
    a = Decimal(amount)
    b = a if source == "same" else Decimal(source)
    e = b if effective == "same" else Decimal(effective)
    iv = r.invoice_view(Invoice("I1", "c", date(2026, 11, 1), a, b, "EUR"), e, today=TODAY)
    shown = {k: (str(iv[k]), iv[k].currency) for k in ("amount", "balance", "source_balance", "paid")}
    assert shown == {"amount": (amount, "EUR"), "balance": (str(e), "EUR"), "source_balance": (str(b), "EUR"),
                     "paid": (paid, "EUR")}
    assert r.text("{{ invoice.paid|money }} {{ invoice.balance|money }}", {"invoice": iv}) == (
        f"€{Decimal(paid):,.2f} €{e:,.2f}".replace("€-", "-€"))


def test_upi_pay_link_is_url_encoded_with_two_decimals(tmp_path):
    r = renderer(tmp_path, payment_link="payment_link:\n  upi: {vpa: 'acme@okhdfc', name: 'Acme & Co'}\n")
    c = ctx(r, balance="1500.5", invoice_id="INV 7/A")
    assert c["invoice"]["pay_link"] == "upi://pay?pa=acme@okhdfc&pn=Acme%20%26%20Co&am=1500.50&cu=INR&tn=INV%207%2FA"
    assert r.text("{% for i in invoices %}{{ i.pay_link }}{% endfor %}", c) == c["invoice"]["pay_link"]


def test_url_pay_link_is_a_template(tmp_path):
    r = renderer(tmp_path, payment_link="payment_link:\n  url: "
                 "'https://pay.example.com/i/{{ invoice.invoice_id }}?amount={{ invoice.balance }}'\n")
    c = ctx(r, balance="99.90")
    assert c["invoice"]["pay_link"] == "https://pay.example.com/i/INV-7?amount=99.90"


def test_no_payment_link_gives_none(tmp_path):
    r = renderer(tmp_path)
    assert ctx(r)["invoice"]["pay_link"] is None


def test_email_subject_text_and_escaped_html(tmp_path):
    r = renderer(tmp_path, templates={
        "gentle.email.j2": "Subject: Invoice {{ invoice.invoice_id }} for {{ customer.name }}\n\n"
                           "Hello {{ customer.name }},\n{{ invoice.balance|money }} is due.\n",
        "gentle.email.html.j2": "<p>Hello {{ customer.name }}</p>",
    })
    m = r.message("gentle", "email", ctx(r))
    assert m.subject == "Invoice INV-7 for Tom & <Jerry>"
    assert m.body == "Hello Tom & <Jerry>,\n₹1,23,456.50 is due."  # text part: not escaped
    assert m.html == "<p>Hello Tom &amp; &lt;Jerry&gt;</p>"  # HTML part: auto-escaped


def test_email_without_html_part_and_missing_subject(tmp_path):
    r = renderer(tmp_path, templates={"a.email.j2": "Subject: Hi\nBody", "b.email.j2": "Hello\nBody"})
    m = r.message("a", "email", ctx(r))
    assert (m.subject, m.body, m.html) == ("Hi", "Body", None)
    with pytest.raises(RenderError, match=r"b\.email\.j2.*Subject"):
        r.message("b", "email", ctx(r))


def test_whatsapp_content_sid_and_variables(tmp_path):
    sid = "HX" + "0123456789abcdef" * 2
    r = renderer(tmp_path, templates={
        "nudge.whatsapp.j2": f"Content-Sid: {sid}\nVar-1: {{{{ customer.name }}}}\n"
                             "Var-2: {{ invoice.balance|money }}\n\nHi {{ customer.name }}, a reminder.\n",
        "plain.whatsapp.j2": "Hi {{ customer.name }}\n",
        "firm.sms.j2": "{{ invoice.invoice_id }}: {{ invoice.balance|money }}\n",
    })
    m = r.message("nudge", "whatsapp", ctx(r))
    assert m.whatsapp_content_sid == sid
    assert m.content_variables == {"1": "Tom & <Jerry>", "2": "₹1,23,456.50"}
    assert m.body == "Hi Tom & <Jerry>, a reminder."
    p = r.message("plain", "whatsapp", ctx(r))
    assert (p.whatsapp_content_sid, p.content_variables, p.body) == (None, None, "Hi Tom & <Jerry>")
    assert r.message("firm", "sms", ctx(r)).body == "INV-7: ₹1,23,456.50"


@pytest.mark.parametrize("expr", [
    "''.__class__.__mro__[1].__subclasses__()",
    "invoice.__class__",
    "cycler.__init__.__globals__",
    "invoice.update({'balance': 0})",
    "invoices.pop()",
])
def test_sandbox_blocks_attribute_escapes(tmp_path, expr):
    r = renderer(tmp_path)
    with pytest.raises(RenderError, match="not allowed|undefined|unsafe"):
        r.condition(expr, ctx(r))
    c = ctx(r)
    with pytest.raises(RenderError):
        r.text("{{ " + expr + " }}", c)
    assert c["invoice"]["balance"] == Decimal("123456.5") and len(c["invoices"]) == 1  # nothing changed


def test_errors_name_the_expression_and_reason(tmp_path):
    r = renderer(tmp_path, templates={"bad.sms.j2": "line one\n{{ previous.channel.upper() }}\n"})
    c = ctx(r)
    with pytest.raises(RenderError, match=r"invoice\.balance >"):
        r.condition("invoice.balance >", c)
    assert r.condition("previous.channel == 'email'", c) is False  # None previous: no error, false
    with pytest.raises(RenderError, match=r"bad\.sms\.j2, line 2: 'None' has no attribute 'channel'"):
        r.message("bad", "sms", c)
    with pytest.raises(RenderError, match="not found"):
        r.message("missing", "sms", c)


def test_compile_problems_names_file_line_and_key(tmp_path):
    playbook = (
        "name: p\n"                                   # 1
        "match: \"customer.tier ==\"\n"               # 2
        "steps:\n"                                    # 3
        "  - id: a\n"                                 # 4
        "    at: due\n"                               # 5
        "    channel: email\n"                        # 6
        "    template: gentle\n"                      # 7
        "    fallback: sms\n"                         # 8
        "  - id: b\n"                                 # 9
        "    at: due+3d\n"                            # 10
        "    channel: task\n"                         # 11
        "    if: \"invoice.balance >>> 3\"\n"         # 12
        "    note: \"Call {{ customer.name \"\n"      # 13
    )
    cfg = load_config(workspace(tmp_path, playbook=playbook, templates={
        "gentle.email.j2": "Subject: x\n{% if %}\n",
        "other.email.j2": "no subject here\n",
    }))
    problems = compile_problems(cfg)
    found = {(Path(p.file).name, p.line, p.key) for p in problems}
    assert ("p.yaml", 2, "match") in found
    assert ("p.yaml", 12, "steps[1].if") in found
    assert ("p.yaml", 13, "steps[1].note") in found
    assert ("p.yaml", 7, "steps[0].template") in found  # gentle.sms.j2 (the fallback) is missing
    assert ("gentle.email.j2", 2, "gentle.email.j2") in found  # syntax error, with its line
    assert ("other.email.j2", 1, "other.email.j2") in found  # no Subject line
    assert all(p.severity == "error" for p in problems)
    assert len(problems) == 6, [str(p) for p in problems]


def test_compile_problems_clean(tmp_path):
    cfg = load_config(workspace(tmp_path, templates={"gentle.email.j2": "Subject: Hi\n\nBody\n"}))
    assert compile_problems(cfg) == []


def test_broken_payment_link_template_is_a_check_problem(tmp_path):
    cfg = load_config(workspace(tmp_path, payment_link="payment_link:\n  url: 'https://x/{{ invoice.invoice_id '\n",
                                templates={"gentle.email.j2": "Subject: Hi\n\nBody\n"}))
    [problem] = compile_problems(cfg)
    assert problem.key == "payment_link.url" and Path(problem.file).name == "collectbot.yaml"


@settings(max_examples=60, deadline=None)
@given(invoice_id=st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s and "\x00" not in s),
       cents=st.integers(min_value=0, max_value=10**12))
def test_upi_link_round_trips_any_invoice_id_and_amount(upi_renderer, invoice_id, cents):
    balance = Decimal(cents) / 100
    inv = Invoice(invoice_id, "c", date(2026, 11, 1), balance, balance, "INR")
    link = upi_renderer.invoice_view(inv, balance, today=TODAY)["pay_link"]
    parsed = urlsplit(link)
    query = dict(parse_qsl(parsed.query, keep_blank_values=True))
    assert parsed.scheme == "upi" and query["tn"] == invoice_id and query["cu"] == "INR"
    assert Decimal(query["am"]) == balance and len(query["am"].split(".")[1]) == 2
    assert query["pa"] == "acme@okhdfc" and query["pn"] == "Acme & Co"


@pytest.fixture(scope="module")
def upi_renderer(tmp_path_factory):
    return renderer(tmp_path_factory.mktemp("upi"),
                    payment_link="payment_link:\n  upi: {vpa: 'acme@okhdfc', name: 'Acme & Co'}\n")


def test_content_sid_that_is_not_a_twilio_sid_warns(tmp_path):
    cfg = load_config(workspace(tmp_path, templates={
        "gentle.email.j2": "Subject: Hi\n\nBody\n",
        "nudge.whatsapp.j2": "{# approved template #}\nContent-Sid: my-template\nVar-1: {{ customer.name }}\n\nHi\n",
    }))
    [problem] = compile_problems(cfg)
    assert (Path(problem.file).name, problem.line, problem.severity) == ("nudge.whatsapp.j2", 2, "warning")
