"""Guards for collectbot/render.py found by a full mutation run: corners of the renderer that the
other render tests do not reach.

* a column whose name is a dict method (`invoice.items`) is the column, also when Jinja reads it;
* a template may call `invoice.get(...)`: a missing key gives the default, `pay_link` the link;
* `{{ name|length }}` counts a view's keys even when a column is literally named `|length`,
  and `{{ customer.name|length }}` (a length of an attribute) is rendered by Jinja;
* the Pay Now link: a UPI link without `name:` is paid to the business's name; a view without a
  currency is in the business's currency; a `payment_link.url` sees an empty `customer` when the
  invoice view was made without one;
* `check`: an email template with no text line at all is reported at line 1 (no crash), a task
  step with a `template:` needs no template file, and a problem of a playbook written in YAML
  flow style (all on one line) is keyed by the step, not by the playbook's `name`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from test_render import TODAY, ctx, renderer, workspace

from collectbot.config import load_config
from collectbot.models import Customer, Invoice
from collectbot.render import RenderError, compile_problems

UPI = "payment_link:\n  upi: {vpa: 'acme@okhdfc'}\n"


# ---------------------------------------------------------------------------- views read by Jinja


def test_a_column_named_like_a_dict_method_is_the_column_in_jinja(tmp_path):
    # `invoice.items` is the column `items` (View), not dict.items, also where Jinja reads it
    # (a filter after it: not a plain field, so Jinja renders the text)
    r = renderer(tmp_path)
    c = ctx(r, items="3 widgets")
    assert r.text("{{ invoice.items|upper }}", c) == "3 WIDGETS"
    assert r.text("{% if invoice.items == '3 widgets' %}yes{% endif %}", c) == "yes"


def test_a_template_may_call_get_on_an_invoice(tmp_path):
    r = renderer(tmp_path, payment_link="payment_link:\n  url: 'https://pay.example.com/i/{{ invoice.invoice_id }}'\n")
    c = ctx(r, risk="high")
    # dict.get semantics: a key that is there, a default for one that is not (no error)
    assert r.text("{{ invoice.get('risk', 'low') }}/{{ invoice.get('nope', 'low') }}", c) == "high/low"
    # `pay_link` is made on first read, `get` included: the url with the invoice id INV-7
    assert r.text("{{ invoice.get('pay_link') }}", ctx(r)) == "https://pay.example.com/i/INV-7"


def test_length_counts_keys_even_with_a_column_named_length(tmp_path):
    r = renderer(tmp_path)
    cust = Customer("tom", name="Tom", extra={"|length": "x"})
    c = r.context(ctx(r)["invoice"], r.customer_view(cust), today=TODAY)
    # the customer view holds the column "|length", its normal form "length", and the 9 fields
    # every customer view has (customer_id name email phone whatsapp tier timezone language owner):
    # 2 + 9 = 11 keys; `|length` is len() of the view, never the column's value
    assert r.text("{{ customer|length }}", c) == "11"


def test_length_of_an_attribute_is_rendered_by_jinja(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)  # customer name "Tom & <Jerry>": 3 + 1 + 1 + 1 + 7 = 13 characters
    assert r.text("{{ customer.name|length }}", c) == "13"
    assert r.text("{{ customer.name|count }} chars", c) == "13 chars"


# ---------------------------------------------------------------------------- Pay Now links


def test_upi_link_without_a_name_is_paid_to_the_business(tmp_path):
    r = renderer(tmp_path, payment_link=UPI)
    # pn = the business name "Acme & Co" url-encoded with safe='' (space %20, & %26);
    # balance 123456.5 -> am=123456.50; INR invoice -> cu=INR; tn = INV-7 ('-' is never quoted)
    assert ctx(r)["invoice"]["pay_link"] == "upi://pay?pa=acme@okhdfc&pn=Acme%20%26%20Co&am=123456.50&cu=INR&tn=INV-7"


def test_upi_link_of_a_view_without_a_currency_uses_the_business_currency(tmp_path):
    r = renderer(tmp_path, payment_link=UPI)  # an INR business
    # no `currency` key -> the business's INR -> a UPI link; 10 -> am=10.00
    link = r.pay_link({"invoice_id": "A1", "balance": Decimal("10")})
    assert link == "upi://pay?pa=acme@okhdfc&pn=Acme%20%26%20Co&am=10.00&cu=INR&tn=A1"


def test_url_pay_link_sees_an_empty_customer_when_there_is_none(tmp_path):
    # `customer.get` is not a plain field: Jinja renders the url; an invoice view made without a
    # customer gives the url template an empty `customer`, so `get` returns its default
    r = renderer(tmp_path, payment_link="payment_link:\n  url: 'https://pay.example.com/{{ invoice.invoice_id }}"
                                         "?who={{ customer.get(\"name\", \"guest\") }}'\n")
    inv = Invoice("INV-9", "tom", date(2026, 11, 1), Decimal("50"), Decimal("50"), "INR")
    view = r.invoice_view(inv, inv.balance, today=TODAY)  # no customer
    assert view["pay_link"] == "https://pay.example.com/INV-9?who=guest"


# ---------------------------------------------------------------------------- check


@pytest.mark.parametrize("text", ["", "{# draft, no text yet #}\n", "\n\n{% if true %}\n{% endif %}\n"])
def test_check_reports_an_email_template_without_any_text_at_line_1(tmp_path, text):
    cfg = load_config(workspace(tmp_path, templates={"gentle.email.j2": text}))
    [p] = compile_problems(cfg)
    # no first text line at all: there is no Subject line, reported at line 1 of the file
    assert (p.file, p.line, p.key) == (str(tmp_path / "templates" / "gentle.email.j2"), 1, "gentle.email.j2")
    assert p.message == "an email template's first line must be `Subject: ...`"


def test_check_needs_no_template_file_for_a_task_step_with_a_template(tmp_path):
    # `template:` means something only on a message channel: a task step's is not looked for
    playbook = "name: p\nsteps:\n  - id: t\n    at: due\n    channel: task\n    template: gentle\n    note: call\n"
    cfg = load_config(workspace(tmp_path, playbook=playbook))
    assert [s.template for s in cfg.playbooks[0].steps] == ["gentle"]
    assert compile_problems(cfg) == []


def test_check_keys_a_problem_of_a_flow_style_playbook_by_its_step(tmp_path):
    # the whole playbook on line 1: `name`, the absent `match` (line 1 by default) and the step
    # all sit on line 1; the problem still belongs to steps[0], not to `name`
    playbook = "{name: p, steps: [{id: t, at: due, channel: task, note: '{{ x'}]}\n"
    cfg = load_config(workspace(tmp_path, playbook=playbook))
    [p] = compile_problems(cfg)
    assert (p.key, p.line) == ("steps[0].note", 1)
    assert p.message.startswith("template '{{ x' does not compile")
