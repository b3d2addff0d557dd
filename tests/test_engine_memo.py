"""The planner renders a task's `assign`/`note` once per distinct set of values the text reads.

The memo must never change an answer: every task text below is checked against a render of
the same source with the full context built independently (Renderer.context), and the cases
are chosen so that a wrong key would show (same customer name but another currency; an
attribute that is None for one customer and absent for another; texts reading the invoices'
items, not just their number).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_engine_book import NOW, STANDARD, book, customer, invoice, setup

from collectbot.engine import plan
from collectbot.engine.expressions import LENGTH, memo_key, names_in, reads, text_reads
from collectbot.models import Customer

DUE = NOW.date() - timedelta(days=20)  # day-14 is the latest due step: every invoice becomes a task


def task_playbook(assign: str, note: str) -> str:
    head = STANDARD.split("  - id: day-14")[0]
    return head + f"  - id: day-14\n    at: due+14d\n    channel: task\n    assign: {assign!r}\n    note: {note!r}\n"


def customers() -> list[Customer]:
    """Six customers: owners repeat, two share a name and credit limit, `nickname` is None or absent."""
    out = []
    for n in range(6):
        extra = {"credit": "2500.5"} | ({"nickname": None} if n % 2 else {})
        out.append(customer(f"C{n}", name="Twin" if n in (0, 1) else f"Customer {n}", owner=["asha", "ravi", None][n % 3],
                            extra=extra))
    return out


def invoices() -> list:
    """One to three invoices per customer; C1's are in USD (C0, its twin, is in INR)."""
    out = []
    for n in range(6):
        for k in range(1 + n % 3):
            inv = invoice(f"I{n}{k}", f"C{n}", due=DUE - timedelta(days=k), balance=str(100 * (k + 1) + n))
            if n == 1:
                inv.currency = "USD"
            out.append(inv)
    return out


def expected_texts(r, inp, task, assign: str, note: str) -> tuple[str, str]:
    """The task's texts rendered directly, with a context built without the planner."""
    invs = {i.invoice_id: i for i in inp.invoices}
    members = [invs[i] for i in task.invoice_ids]
    cust = r.customer_view(inp.customers[task.customer_id])
    views = [r.invoice_view(i, inp.balances[i.invoice_id], today=NOW.date(), customer=cust) for i in members]
    context = r.context(views[0], cust, today=NOW.date(), invoices=views)
    return r.text(assign, context), r.text(note, context)


TEXTS = [
    ("{{ customer.owner or 'owner' }}", "Call {{ customer.name }}: {{ invoices|length }} invoices overdue"),
    ("{{ customer.credit|money }}", "{{ customer.name }} owes {{ invoices|map(attribute='balance')|sum }}"),
    ("{{ customer.nickname is defined }}", "{{ invoices|map(attribute='invoice_id')|join(', ') }}"),
    ("{{ invoice.invoice_id }} {{ today }}", "{% for i in invoices %}{{ i.balance|money }} {% endfor %}"),
    ("{{ customer.owner }}-{{ invoices|length }}", "{{ history|length }} {{ previous }} {{ business.name }}"),
]


@pytest.mark.parametrize("assign,note", TEXTS)
def test_memoised_task_texts_equal_a_direct_render(tmp_path, assign, note):
    config, r = setup(tmp_path, playbooks={"standard": task_playbook(assign, note)})
    inp = book(config, invoices(), customers())
    p = plan(inp, r)
    assert len(p.tasks) == 6 and not p.errors
    got = [(t.customer_id, t.assign, t.note) for t in p.tasks]
    want = [(t.customer_id, *expected_texts(r, inp, t, assign, note)) for t in p.tasks]
    assert got == want


def test_the_memo_key_tells_currency_and_absent_attributes_apart(tmp_path):
    config, r = setup(tmp_path, playbooks={"standard": task_playbook(
        "{{ customer.credit|money }}", "{{ customer.nickname is defined }}")})
    p = plan(book(config, invoices(), customers()), r)
    by_customer = {t.customer_id: (t.assign, t.note) for t in p.tasks}
    assert by_customer["C0"] == ("₹2,500.50", "False")  # the twins read the same customer values...
    assert by_customer["C1"] == ("$2,500.50", "True")  # ...but C1's invoice is in USD, and has a nickname (None)


class CountingRenderer:
    """The real renderer, counting inline-text renders."""

    def __init__(self, r):
        self._r, self.texts = r, 0

    def __getattr__(self, name):
        return getattr(self._r, name)

    def text(self, source, context):
        self.texts += 1
        return self._r.text(source, context)

    def is_plain(self, source):
        return False  # count every text as a Jinja render, so the memo is what is measured


def test_a_text_is_rendered_once_per_distinct_values_it_reads(tmp_path):
    config, r = setup(tmp_path, playbooks={"standard": task_playbook(
        "{{ customer.owner or 'owner' }}", "{{ invoices|length }} invoice(s)")})
    owners = ["asha", "ravi", None]
    custs = [customer(f"C{n:02d}", owner=owners[n % 3]) for n in range(30)]
    invs = [invoice(f"I{n:02d}{k}", f"C{n:02d}", due=DUE - timedelta(days=k)) for n in range(30) for k in range(1 + n % 2)]
    counting = CountingRenderer(r)
    p = plan(book(config, invs, custs), counting)
    assert len(p.tasks) == 30
    assert sorted({t.assign for t in p.tasks}) == ["asha", "owner", "ravi"]
    assert sorted({t.note for t in p.tasks}) == ["1 invoice(s)", "2 invoice(s)"]
    assert counting.texts == 3 + 2  # three owners, two invoice counts: not 60 renders
    filled = plan(book(config, invs, custs), r)  # the plain note is filled per task, without the memo
    assert [(t.assign, t.note) for t in filled.tasks] == [(t.assign, t.note) for t in p.tasks]


# ---------------------------------------------------------------------------- what a text reads


def test_text_reads_lists_attributes_and_counts():
    assert text_reads("{{ customer.owner or 'owner' }}") == (("customer", ("owner",)),)
    assert text_reads("Call {{ customer.name }}: {{ invoices|length }}") == (
        ("customer", ("name",)), ("invoices", (LENGTH,)))
    assert text_reads("{{ invoices|count }} {{ today }}") == (("invoices", (LENGTH,)), ("today", None))


@pytest.mark.parametrize("source", [
    "{% for i in invoices %}{{ i.balance }}{% endfor %}",  # the list is read item by item
    "{{ invoices[0].balance }}",
    "{{ customer|tojson }} {{ customer.name }}",
    "{{ lipsum(1) }}",  # a global function: need not answer the same twice
    "{{ [customer.owner, 'x']|random }}",
    "{{ customer.name",  # does not parse
])
def test_texts_that_cannot_be_keyed(source):
    context = {"invoices": [{"balance": 1}], "customer": {"name": "A", "owner": "x"}}
    assert memo_key(source, context, text=True) is None  # so it is rendered for every task


def test_money_reads_the_invoice_currency():
    assert reads("customer.credit|money == '1'") == (("customer", ("credit",)), ("invoice", ("currency",)))
    assert "invoice" in names_in("customer.credit|money == '1'")


def test_memo_key_tells_none_from_absent():
    expr = "customer.nickname is defined"
    assert memo_key(expr, {"customer": {"nickname": None}}) != memo_key(expr, {"customer": {}})
    assert memo_key(expr, {"customer": {"nickname": None}}) == memo_key(expr, {"customer": {"nickname": None}})


def test_memo_key_reads_lengths_without_the_list():
    class Lazy(dict):
        lengths = {"invoices": 3}

    src = "{{ customer.name }}: {{ invoices|length }}"
    assert memo_key(src, Lazy(customer={"name": "A"}), text=True) == memo_key(
        src, {"customer": {"name": "A"}, "invoices": [1, 2, 3]}, text=True)


def test_date_and_gc_are_untouched_after_a_plan(tmp_path):
    import gc

    config, r = setup(tmp_path)
    assert gc.isenabled()
    plan(book(config, [invoice("A", due=date(2026, 11, 1))]), r)
    assert gc.isenabled()  # the collector paused while planning is switched back on


def test_a_lazy_context_builds_only_what_a_text_reads():
    from collectbot.engine.lazy import LazyContext

    built = []

    def views(scope):
        built.append("invoices")
        return [{"invoice_id": "A"}, {"invoice_id": "B"}]

    scope = LazyContext({"customer": {"name": "Tom"}}, {"invoices": views}, lengths={"invoices": 2})
    counted = scope.for_render(text_reads("{{ customer.name }}: {{ invoices|length }}"))
    assert len(counted["invoices"]) == 2 and counted["customer"] == {"name": "Tom"} and built == []
    assert counted["invoices"][1] == {"invoice_id": "B"} and built == ["invoices"]  # items: built when read
    assert scope.for_render(None)["invoices"] == [{"invoice_id": "A"}, {"invoice_id": "B"}]
    assert built == ["invoices"]  # built once, then kept
