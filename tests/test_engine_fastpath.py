"""The planner's fast paths decide exactly what its general path decides.

`PlanSession.plan_invoices` inlines the first rules of planning an invoice (`Reference` below
plans each one plainly); `take_lead` replaces `pick` when the latest due step has no `if`;
`Renderer.text` fills plain texts and `Renderer.condition` compares `field OP constant` without
Jinja (and the planner skips its memo for both).
`Reference` below turns all three off, and random books must give identical plans (every
message, task, skip with its detail, error) both ways.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from test_engine_book import setup
from test_engine_properties import books, make

from collectbot.engine.planner import PlanSession
from collectbot.render import Renderer


class Reference(PlanSession):
    """The general path only: each invoice planned plainly (stop rules, playbook, steps, nothing
    inlined), and `pick` for every invoice."""

    def plan_invoices(self, invoices):
        for inv in invoices:
            cust = self.customer(inv)
            stop = self.stop_reason(inv)
            if stop:
                self.plan.stopped[inv.invoice_id] = stop
                continue
            pb = self.choose_playbook(inv, cust)
            if pb is not None:
                self.plan.playbook_of[inv.invoice_id] = pb.name
                self.plan_steps(inv, cust, pb)

    def take_lead(self, inv, cust, pb, ds):
        self.pick(inv, cust, pb, ds.due)


class _NoPlainTexts(dict):
    def get(self, key, default=None):
        return None  # "not a plain text": Jinja renders every text


def jinja_only(config) -> Renderer:
    r = Renderer(config)
    r._text_parts = _NoPlainTexts()
    r._simple = _NoPlainTexts()  # and Jinja evaluates every condition
    return r


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return setup(tmp_path_factory.mktemp("ws"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(b=books)
def test_fast_paths_equal_the_general_path(ws, b):
    config, r = ws
    inp = make(config, b)
    fast = PlanSession(inp, Renderer(config)).run()
    slow = Reference(inp, jinja_only(config)).run()
    assert repr(fast) == repr(slow)
    assert list(fast.stopped) == sorted(fast.stopped) and list(fast.playbook_of) == sorted(fast.playbook_of)


def test_a_shared_due_steps_is_never_changed(ws):
    """Invoices with the same dates share one DueSteps; planning them must not alter it."""
    config, _ = ws
    b = {"invoices": [(c, -20, "900") for c in range(4)], "ledger": [], "recent": [], "hour": 11, "cap": None,
         "no_phone": set()}
    s = PlanSession(make(config, b), Renderer(config))
    p = s.run()
    (ds,) = s._due_memo.values()
    assert ds.lead is ds.due[0] and [sid for sid, _ in ds.superseded] == [t.step.id for t in ds.due[1:]]
    assert len([k for k in p.skips if k.reason == "superseded"]) == 4 * len(ds.superseded)


GOLD = """\
name: gold
match: "customer.tier > 'gold'"
priority: 5
steps:
  - {id: gold-note, at: due+2d, channel: email, template: gentle}
"""
BY_REGION = """\
name: by-region
match: "customer.region == 'north'"
priority: 7
steps:
  - {id: north, at: due+2d, channel: email, template: gentle}
"""


@pytest.mark.parametrize("extra", [{}, {"gold": GOLD}, {"gold": GOLD, "region": BY_REGION}])
def test_customers_with_the_same_fields_share_the_playbook_choice(tmp_path, extra):
    """When every `match` compares one of the customer's own fields, the choice is kept per value
    of those fields (`choice_fields`): it must equal the choice made customer by customer, errors
    included (`tier > 'gold'` cannot compare None), whatever mix of tiers a book has. A `match` on
    an extra column (`customer.region`) turns the shared choice off."""
    from test_engine_book import STANDARD, VIP, book, customer, invoice

    config, _ = setup(tmp_path, playbooks={"vip": VIP, **extra, "standard": STANDARD})
    tiers = [None, "vip", "VIP", "gold", "platinum", None, "vip", "silver", "platinum", ""]
    custs = [customer(f"C{n}", tier=t, extra={"region": "north" if n % 3 else "south"}) for n, t in enumerate(tiers)]
    from test_engine_book import NOW

    invs = [invoice(f"I{n:02d}", f"C{n % len(custs)}", due=NOW.date() - timedelta(days=3 + n % 5))
            for n in range(3 * len(custs))]
    inp = book(config, invs, custs)
    session = PlanSession(inp, Renderer(config))
    fast = session.run()
    slow = Reference(inp, jinja_only(config)).run()
    assert repr(fast) == repr(slow)
    if "region" in extra:
        assert session._choice_fields is None
    else:
        assert session._choice_fields == ("tier",)
        assert len(session._choices) < len(custs)  # some customers did share a choice
    if "gold" in extra:
        assert any("match:" in e["message"] for e in fast.errors)  # None > 'gold' fails, per invoice
    assert {pb for pb in fast.playbook_of.values()} >= {"vip", "standard"}
