"""Guards for the survivors of the final mutation measurement (issue 12), on code written in
the same stop: the `amounts` filter, the currency-safe `sum`, and the vanished-book guard of
`run --dry-run`."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import DEFAULT_INVOICES
from tests.test_guard_render_more import ctx, renderer


def test_amounts_joins_one_two_and_three_currencies(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)
    one = [{"currency": "INR", "amount": Decimal("1.00")}]
    two = one + [{"currency": "USD", "amount": Decimal("2.00")}]
    three = two + [{"currency": "EUR", "amount": Decimal("3.00")}]
    # en_IN (the test renderer's locale): ₹ for rupees, $ for dollars, € for euros
    assert r.text("{{ t|amounts }}", {**c, "t": one}) == "₹1.00"
    assert r.text("{{ t|amounts }}", {**c, "t": two}) == "₹1.00 and $2.00"
    assert r.text("{{ t|amounts }}", {**c, "t": three}) == "₹1.00, $2.00 and €3.00"
    assert r.text("{{ t|amounts(' & ', '; ') }}", {**c, "t": three}) == "₹1.00; $2.00 & €3.00"
    assert r.text("[{{ t|amounts }}]", {**c, "t": []}) == "[]"


def test_amounts_of_nothing_prints_nothing(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)
    # a value that is None (previous before any touch) and a name that is not defined at all
    assert r.text("[{{ none_here|amounts }}][{{ missing|amounts }}]", {**c, "none_here": None}) == "[][]"


def test_a_sum_of_a_field_that_is_not_money_is_fine_across_currencies(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)
    rows = [{"currency": "INR", "balance": Decimal("5"), "days_overdue": 3},
            {"currency": "USD", "balance": Decimal("7"), "days_overdue": 4}]
    # days add up whatever the currency: 3 + 4 = 7; balances do not
    assert r.text("{{ rows|sum(attribute='days_overdue') }}", {**c, "rows": rows}) == "7"


def test_bad_rows_do_not_count_as_gone_for_the_dry_run_guard(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0
    # 7 of the 8 rows lose their amount: unreadable, so neither chased nor closed — not "gone"
    broken = [dict(r, amount="lots") if r["invoice_id"] != "INV-003" else r for r in DEFAULT_INVOICES]
    ws.write_invoices(broken)
    code, doc = ws.json("run", "--dry-run", now="2026-03-10T11:00:00")
    assert code == 1 and doc.get("refused") is None, doc  # bad rows (exit 1), no vanished-book refusal
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert code == 1 and doc.get("refused") is None and doc["sync"]["gone"] == 0, doc
