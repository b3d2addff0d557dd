"""The renderer's shortcuts give exactly what plain Jinja and babel give.

`Renderer._render` skips Jinja's per-call merge of the globals, and the `date` filter keeps
each (date, format) it has formatted; both are compared here with the slow path they replace.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from babel.dates import format_date
from jinja2 import Undefined
from test_render import ctx, renderer

from collectbot.render import RenderError

SOURCES = [
    "{{ customer.name }} owes {{ invoice.balance|money }} since {{ invoice.due_date|date }}",
    "{% for n in range(3) %}{{ n }}{% endfor %}",  # a Jinja global
    "{% set ns = namespace(total=0) %}{% for i in invoices %}{% set ns.total = ns.total + i.balance %}"
    "{% endfor %}{{ ns.total }}",
    "{{ business.name }}|{{ missing }}|{{ invoice.nope }}",  # `business` is both a global and in the context
    "{{ invoices|length }} {{ today|date('long') }} {{ previous }}",
]


@pytest.mark.parametrize("source", SOURCES)
def test_render_equals_jinja_render(tmp_path, source):
    r = renderer(tmp_path)
    c = ctx(r)
    assert r.text(source, c) == r.env.from_string(source).render(**c).strip()


def test_a_context_value_wins_over_a_global(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r) | {"business": {"name": "Shadow"}, "range": "not the function"}
    assert r.text("{{ business.name }} {{ range }}", c) == "Shadow not the function"


def test_errors_still_carry_the_template_line(tmp_path):
    r = renderer(tmp_path, templates={"bad.sms.j2": "one\ntwo\n{{ invoice.balance|money('??', 1) }}\n"})
    with pytest.raises(RenderError, match=r"bad\.sms\.j2, line 3"):
        r.message("bad", "sms", ctx(r))


def test_date_filter_keeps_each_format_apart(tmp_path):
    r = renderer(tmp_path)
    d = date(2026, 11, 23)
    for _ in range(2):  # the second round comes from the filter's memory
        assert r._date_filter(d) == format_date(d, format="medium", locale="en_IN")
        assert r._date_filter(d, "long") == format_date(d, format="long", locale="en_IN")
        assert r._date_filter(d, "yyyy/MM/dd") == "2026/11/23"
    assert r._date_filter(date(2026, 11, 24)) != r._date_filter(d)
    moment = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)  # 24 Nov 01:30 in Asia/Kolkata
    assert "24" in r._date_filter(moment, "d MMM") and r._date_filter("2026-11-23") == r._date_filter(d)


@pytest.mark.parametrize("url", [
    "https://pay.example.com/i/{{ invoice.invoice_id }}?amount={{ invoice.balance }}",  # filled without Jinja
    "  https://pay.example.com/{{ customer.customer_id }}/{{ invoice.email }}  ",  # a None field; spaces stripped
    "https://pay.example.com/{{ invoice.nope }}/{{ invoice.items }}",  # not keys of the view: Jinja decides
    "https://pay.example.com/{{ invoice.invoice_id|urlencode }}{% if invoice.overdue %}?late{% endif %}",
])
def test_pay_link_equals_the_jinja_render_of_payment_link_url(tmp_path, url):
    from collectbot.models import Customer, Invoice
    from decimal import Decimal

    r = renderer(tmp_path, payment_link=f"payment_link:\n  url: {url!r}\n")
    cust = r.customer_view(Customer("tom/1", name="Tom"))
    inv = Invoice("INV 7/A", "tom/1", date(2026, 11, 1), Decimal("200"), Decimal("150.5"), "INR")
    view = r.invoice_view(inv, Decimal("150.5"), today=date(2026, 11, 23), customer=cust)
    from collectbot.render import url_value

    # Jinja with the finalize the link's template has (values URL-encoded as inserted)
    want = r.env.overlay(finalize=url_value).from_string(url).render(invoice=view, customer=cust).strip()
    assert view["pay_link"] == want and want.startswith("https://pay.example.com/")


PLAIN_TEXTS = [
    "Call {{ customer.name }}: {{ invoices|length }} invoice(s) overdue",  # filled without Jinja
    "{{ customer.owner }} / {{ invoice.email }} / {{ invoices|count }}",  # a None field is "None", as in Jinja
    "  {{ customer.name }}\n",  # stripped
    "{{ customer.nope }} {{ invoice.items }}",  # not keys of the view: Jinja decides (undefined, dict method)
    "{{ missing|length }} {{ business.name }} {{ customer|length }}",  # absent, a global, a whole view
    "{{ customer.name|upper }} {{ invoices|length(1) }}",  # not a plain field: Jinja
]


@pytest.mark.parametrize("source", PLAIN_TEXTS)
def test_plain_text_fill_equals_jinja_render(tmp_path, source):
    from collectbot.engine.lazy import Counted

    r = renderer(tmp_path)
    c = ctx(r)
    for context in (c, c | {"invoices": Counted(3, lambda: [c["invoice"]] * 3)}, {"customer": c["customer"]}):
        assert _outcome(lambda: r.text(source, context)) == _outcome(
            lambda: r.env.from_string(source).render(**context).strip())


def _outcome(render):
    """The text, or "error" when rendering fails (the fill must never hide an error)."""
    try:
        return render()
    except Exception:  # noqa: BLE001
        return "error"


def test_plain_text_fill_defers_errors_to_jinja(tmp_path):
    r = renderer(tmp_path)
    with pytest.raises(RenderError, match="has no len"):
        r.text("{{ invoices|length }}", ctx(r) | {"invoices": None})


CONDITIONS = [
    "invoice.balance >= 1000", "1000 <= invoice.balance", "customer.tier == 'vip'", "customer.tier != 'vip'",
    "invoice.days_overdue > 30", "invoice.risk < 2.5", "invoice.nope == 1", "invoice.items == 1",
    "invoice.balance >= 'x'",  # a TypeError: Jinja's error, not the shortcut's
    "invoice.balance >= 1000 and customer.tier == 'vip'", "invoice.overdue",  # not simple: Jinja
]


@pytest.mark.parametrize("expr", CONDITIONS)
@pytest.mark.parametrize("balance,tier,risk", [("1000", "vip", 1), ("999.99", None, "high"), ("-5", "std", None)])
def test_simple_comparisons_equal_jinja(tmp_path, expr, balance, tier, risk):
    from collectbot.render import RenderError

    r = renderer(tmp_path)
    c = ctx(r, balance=balance, risk=risk)
    c["customer"]["tier"] = tier
    jinja = r.env.compile_expression(expr, undefined_to_none=False)
    want = _outcome(lambda: (lambda v: bool(v) and not isinstance(v, Undefined))(jinja(**c)))
    assert _outcome(lambda: r.condition(expr, c)) == want
    for other in ({"invoice": dict(c["invoice"]), "customer": dict(c["customer"])}, {}):  # plain dicts, nothing
        want = _outcome(lambda: (lambda v: bool(v) and not isinstance(v, Undefined))(jinja(**other)))
        assert _outcome(lambda: r.condition(expr, other)) == want
    with pytest.raises(RenderError):
        r.condition("invoice.balance >= 'x'", c)


@pytest.mark.parametrize("payment_link", [
    "payment_link:\n  upi: {vpa: 'acme@okhdfc', name: 'Acme & Co'}\n",
    "payment_link:\n  url: 'https://pay.example/{{ invoice.invoice_id }}?c={{ customer.nope }}'\n",
    "payment_link:\n  url: '{{ invoice.balance / 0 }}'\n",  # a link that cannot be made: the same error
    "",  # no link configured: None
])
def test_reading_pay_link_in_a_template_equals_the_sandbox_lookup(tmp_path, payment_link):
    """The environment reads an invoice view's `pay_link` directly (it is made on first read),
    which is where the sandbox's own lookup ends after failing to find such an attribute."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    r = renderer(tmp_path, payment_link=payment_link)

    def read(getattr_):
        try:
            return getattr_(ctx(r)["invoice"], "pay_link")
        except RenderError as exc:
            return f"error: {exc}"

    assert read(r.env.getattr) == read(lambda obj, name: ImmutableSandboxedEnvironment.getattr(r.env, obj, name))
    assert read(r.env.getattr) != read(lambda obj, name: None) or not payment_link
