"""Guards for collectbot/render.py found by mutation testing: what a message, a filter, a condition
and `check` give in the corners the main render tests do not reach.

* a WhatsApp template made only of header lines (no text after them), and Var lines with no SID;
* an SMS whose first line looks like a WhatsApp header is sent as written;
* `money` and `date` of an empty value (None, undefined, "") print nothing, and a `date` of
  something that is not a date (even an unhashable one) says so;
* a chained comparison (`0 < invoice.balance < 100`) and an `in` test are evaluated whole;
* an empty `match: ""` / `if: ""` means "no condition" to `check` as to the planner;
* `days_overdue`, `days_until_due` and `overdue` around the due date, `history` in a context,
  the UPI link's currency, `pay_link` of a view that is not an invoice;
* `check` names a missing templates folder only when a step needs a template, and keys a
  problem by the step's place in the YAML list even after an invalid step was dropped.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import STANDARD_PLAYBOOK
from test_render import TODAY, ctx, renderer, workspace

from collectbot.config import load_config
from collectbot.models import Invoice
from collectbot.render import RenderError, compile_problems

SID = "HX" + "0123456789abcdef" * 2


# ---------------------------------------------------------------------------- message shapes


def test_whatsapp_template_of_header_lines_only(tmp_path):
    r = renderer(tmp_path, templates={
        # every line is a header: the trailing newline is dropped by Jinja, so there is no blank line
        # and no text after the headers
        "approved.whatsapp.j2": f"Content-Sid: {SID}\nVar-1: {{{{ customer.name }}}}\nVar-2: {{{{ invoice.invoice_id }}}}\n",
        # Var lines without a Content-Sid: variables are kept, but there is no SID, so the empty
        # text is NOT replaced by the variables
        "vars.whatsapp.j2": "Var-1: {{ customer.name }}\n",
    })
    m = r.message("approved", "whatsapp", ctx(r))
    assert (m.whatsapp_content_sid, m.content_variables) == (SID, {"1": "Tom & <Jerry>", "2": "INV-7"})
    # with a SID and no text, the outbox text is the variables, one "key: value" a line
    assert m.body == "1: Tom & <Jerry>\n2: INV-7"
    v = r.message("vars", "whatsapp", ctx(r))
    assert (v.whatsapp_content_sid, v.content_variables, v.body) == (None, {"1": "Tom & <Jerry>"}, "")


def test_sms_that_starts_like_a_whatsapp_header_is_sent_as_written(tmp_path):
    # header lines mean something only in a WhatsApp template; an SMS is its whole text
    r = renderer(tmp_path, templates={
        "promo.sms.j2": "Content-Sid: spring\nVar-1: {{ customer.name }}\n\nHello {{ customer.name }}\n",
    })
    m = r.message("promo", "sms", ctx(r))
    assert (m.subject, m.html, m.whatsapp_content_sid, m.content_variables) == (None, None, None, None)
    assert m.body == "Content-Sid: spring\nVar-1: Tom & <Jerry>\n\nHello Tom & <Jerry>"


# ---------------------------------------------------------------------------- filters on empty values


@pytest.mark.parametrize("field", [
    "invoice.email",  # a None field (ctx() gives the invoice no e-mail)
    "invoice.nope",  # undefined
    "''",  # an empty text
])
def test_money_and_date_of_an_empty_value_print_nothing(tmp_path, field):
    r = renderer(tmp_path)
    c = ctx(r)
    assert c["invoice"]["email"] is None
    assert r.text(f"[{{{{ {field}|date }}}}]", c) == "[]"
    if field != "''":  # '' is not a number for `money` (next test)
        assert r.text(f"[{{{{ {field}|money }}}}]", c) == "[]"


def test_length_with_an_argument_is_an_error_not_a_count(tmp_path):
    # `len` takes one argument: Jinja's error, not the number of invoices
    r = renderer(tmp_path)
    with pytest.raises(RenderError, match=r"len\(\)"):
        r.text("{{ invoices|length(1) }}", ctx(r))


def test_a_template_file_that_does_not_compile_is_named_by_its_path_and_line(tmp_path):
    r = renderer(tmp_path, templates={"bad.sms.j2": "Hello\n{% if %}\n"})
    path = tmp_path / "templates" / "bad.sms.j2"  # the loader's file name is the full path
    with pytest.raises(RenderError) as err:
        r.message("bad", "sms", ctx(r))
    assert str(err.value).startswith(f"template {path}, line 2: ")  # `{% if %}` is on line 2


def test_filters_name_a_value_they_cannot_read(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)
    with pytest.raises(RenderError, match=r"money: '' is not a number"):
        r.text("{{ ''|money }}", c)
    # a list (unhashable) is still just "not a date", not an internal error about hashing
    with pytest.raises(RenderError, match=r"date: \[datetime\.date\(2026, 11, 1\)\] is not a date"):
        r.text("{{ [invoice.due_date]|date }}", c)


# ---------------------------------------------------------------------------- conditions


@pytest.mark.parametrize("expr,expected", [
    # ctx() balance 123456.5: 0 < 123456.5 holds but 123456.5 < 100 does not -> False
    ("0 < invoice.balance < 100", False),
    ("100 < invoice.balance < 1000000", True),
    # tier is "vip"
    ("customer.tier in ('vip', 'gold')", True),
    ("customer.tier not in ('vip', 'gold')", False),
    ("'vip' == customer.tier != 'gold'", True),
    ("'vip' == customer.tier == 'gold'", False),
    # two fields, an item lookup, a nested attribute: not `name.attr OP constant`, Jinja decides
    ("invoice.balance > invoice.amount", False),  # 123456.5 > 200000
    ("invoice.amount > invoice.balance", True),
    ("invoice['balance'] >= 1000", True),
    ("invoice.due_date.year >= 2026", True),  # due 2026-11-01
    ("invoice.due_date.year > 2026", False),
])
def test_chained_comparisons_and_in_tests_are_evaluated_whole(tmp_path, expr, expected):
    r = renderer(tmp_path)
    assert r.condition(expr, ctx(r)) is expected


# ---------------------------------------------------------------------------- check


def test_check_reads_empty_match_and_if_as_no_condition(make_workspace):
    # `match: ""` and `if: ""` are "no condition" to the planner (both are falsy), so check must not
    # report them as expressions that do not compile (an empty expression would not)
    playbook = STANDARD_PLAYBOOK.replace("name: standard\n", 'name: standard\nmatch: ""\n').replace(
        "    template: gentle\n", '    template: gentle\n    if: ""\n')
    assert playbook.count('""') == 2
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    code, doc = ws.json("check")
    assert code == 0 and doc["problems"] == [] and doc["errors"] == [], doc
    # and the playbook still chases as the default book does: ACME's heads-up (no condition) is planned
    code, doc = ws.json("explain", "INV-001")
    assert code == 0, doc
    assert {s["step"] for s in doc["steps"]} >= {"heads-up"}


def test_text_with_another_filter_on_a_whole_view_is_rendered_by_jinja(tmp_path):
    # only |length and |count of a bare name are filled without Jinja; |first of the customer view is
    # its first key, and customer_view sets `customer_id` first (ctx() gives no extra columns)
    r = renderer(tmp_path)
    c = ctx(r)
    assert r.text("{{ customer|first }} of {{ customer.name }}", c) == "customer_id of Tom & <Jerry>"
    assert r.text("{{ customer|count }} of {{ customer.name }}", c) == "9 of Tom & <Jerry>"  # 9 CUSTOMER_FIELDS


# ---------------------------------------------------------------------------- views and links


@pytest.mark.parametrize("due_offset,overdue,until,is_overdue", [
    (0, 0, 0, False),  # due today: neither overdue nor "days until due"
    (1, 1, 0, True),  # due yesterday: one day overdue
    (2, 2, 0, True),
    (-1, 0, 1, False),  # due tomorrow: one day to go, not overdue
])
def test_days_overdue_and_until_due_around_the_due_date(tmp_path, due_offset, overdue, until, is_overdue):
    r = renderer(tmp_path)
    due = TODAY - timedelta(days=due_offset)
    iv = r.invoice_view(Invoice("I1", "c", due, Decimal("10"), Decimal("10"), "INR"), Decimal("10"), today=TODAY)
    assert (iv["days_overdue"], iv["days_until_due"], iv["overdue"]) == (overdue, until, is_overdue)
    assert r.text("{{ invoice.days_overdue }}/{{ invoice.days_until_due }}", {"invoice": iv}) == f"{overdue}/{until}"


def test_context_keeps_the_history_it_is_given(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)
    row = {"channel": "email", "step": "day-3", "status": "sent"}
    full = r.context(c["invoice"], c["customer"], today=TODAY, history=[row])
    assert full["history"] == [row] and r.text("{{ history|length }} {{ history[0].step }}", full) == "1 day-3"
    assert r.context(c["invoice"], c["customer"], today=TODAY)["history"] == []


def test_upi_link_is_made_for_rupees_only(tmp_path):
    # UPI moves rupees only (SPEC 2): an INR invoice gets cu=INR with its balance 123456.5 ->
    # am=123456.50; a USD invoice in the same INR business gets no UPI link (cu=USD is no valid UPI link).
    r = renderer(tmp_path, payment_link="payment_link:\n  upi: {vpa: 'acme@okhdfc', name: 'Acme'}\n")
    link = ctx(r, currency="INR")["invoice"]["pay_link"]
    assert link == "upi://pay?pa=acme@okhdfc&pn=Acme&am=123456.50&cu=INR&tn=INV-7"
    assert ctx(r, currency="USD")["invoice"]["pay_link"] is None


def test_pay_link_of_a_view_that_is_not_an_invoice_is_undefined(tmp_path):
    # only an invoice view makes a pay link; `customer.pay_link` is undefined (prints nothing, is false)
    r = renderer(tmp_path, payment_link="payment_link:\n  upi: {vpa: 'acme@okhdfc', name: 'Acme'}\n")
    c = ctx(r)
    assert r.text("[{{ customer.pay_link }}]", c) == "[]"
    assert r.condition("customer.pay_link", c) is False


def test_url_pay_link_rendered_by_jinja_reads_the_customer(tmp_path):
    # `|urlencode` makes it a Jinja render (not a plain fill); the customer view given to invoice_view is
    # what `customer` is there: customer "tom", invoice "INV-7" (nothing to encode)
    from collectbot.models import Customer

    r = renderer(tmp_path, payment_link="payment_link:\n  url: "
                 "'https://pay.example.com/{{ customer.customer_id|urlencode }}/{{ invoice.invoice_id|urlencode }}'\n")
    cust = r.customer_view(Customer("tom", name="Tom"))
    inv = Invoice("INV-7", "tom", date(2026, 11, 1), Decimal("200"), Decimal("150.5"), "INR")
    view = r.invoice_view(inv, Decimal("150.5"), today=TODAY, customer=cust)
    assert view["pay_link"] == "https://pay.example.com/tom/INV-7"


def test_money_without_an_invoice_in_the_context_uses_the_business_currency(tmp_path):
    # a plain number has no currency and there is no invoice dict to take one from: INR (en_IN)
    r = renderer(tmp_path)
    assert r.text("{{ 2500|money }}", {}) == "₹2,500.00"
    assert r.text("{% set invoice = none %}{{ 2500|money }}", ctx(r, currency="USD")) == "₹2,500.00"
    # with the invoice (USD) in the context, a plain number takes its currency
    assert r.text("{{ 2500|money }}", ctx(r, currency="USD")) == "$2,500.00"


# ---------------------------------------------------------------------------- check: folder and keys


def test_missing_templates_folder_is_named_only_when_a_template_is_needed(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # default playbook: one email step `gentle` -> gentle.email.j2 is needed, and the folder is gone
    cfg = load_config(workspace(tmp_path / "a"))
    shutil.rmtree(tmp_path / "a" / "templates")
    found = {(p.key, p.message.split(":")[0]) for p in compile_problems(cfg)}
    assert found == {("steps[0].template", f"template file gentle.email.j2 not found in {tmp_path / 'a' / 'templates'}"),
                     ("templates", "templates folder not found")}
    # a playbook of task steps only needs no template: no folder, no problem
    cfg = load_config(workspace(tmp_path / "b", playbook="name: p\nsteps:\n  - id: t\n    at: due\n"
                                "    channel: task\n    note: call\n"))
    shutil.rmtree(tmp_path / "b" / "templates")
    assert compile_problems(cfg) == []


def test_check_keys_a_problem_by_the_step_place_in_the_yaml_list(make_workspace):
    playbook = (
        "name: standard\n"                   # 1
        "steps:\n"                           # 2
        "  - id: broken\n"                   # 3  no `channel`: an error, and the step is dropped
        "    at: due\n"                      # 4
        "  - id: later\n"                    # 5
        "    at: due+3d\n"                   # 6
        "    channel: task\n"                # 7
        "    note: call\n"                   # 8
        "    if: \"invoice.balance >>> 3\"\n"  # 9  does not compile
    )
    ws = make_workspace(playbooks={"standard.yaml": playbook})
    code, doc = ws.json("check")
    assert code != 0
    [bad_if] = [p for p in doc["problems"] if "does not compile" in p["message"]]
    # the second item of `steps` is steps[1] (even though steps[0] was dropped), and its `if` is on line 9
    assert (bad_if["key"], bad_if["line"]) == ("steps[1].if", 9)


def test_a_valid_or_commented_out_content_sid_is_not_a_check_warning(tmp_path):
    cfg = load_config(workspace(tmp_path, templates={
        "gentle.email.j2": "Subject: Hi\n\nBody\n",
        "nudge.whatsapp.j2": f"Content-Sid: {SID}\nVar-1: {{{{ customer.name }}}}\n\nHi\n",
        # a header inside a Jinja comment is not a header (the file has no text line at all)
        "old.whatsapp.j2": "{#\nContent-Sid: retired\n#}\n",
    }))
    assert compile_problems(cfg) == []


def test_only_a_whatsapp_template_is_checked_for_a_content_sid(tmp_path):
    # an SMS that happens to start like a WhatsApp header is text, and no SID warning concerns it;
    # the same lines in a WhatsApp template are a header with a SID that is not a Twilio one
    cfg = load_config(workspace(tmp_path, templates={
        "gentle.email.j2": "Subject: Hi\n\nBody\n",
        "promo.sms.j2": "Content-Sid: spring\nHello {{ customer.name }}\n",
        "promo.whatsapp.j2": "Content-Sid: spring\nHello {{ customer.name }}\n",
    }))
    found = [(Path(p.file).name, p.severity) for p in compile_problems(cfg)]
    assert found == [("promo.whatsapp.j2", "warning")]
