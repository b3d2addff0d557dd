"""The planner's fast paths decide exactly what its general path decides.

`PlanSession.plan_invoices` inlines the first rules of `plan_invoice`; `take_lead` replaces
`pick` when the latest due step has no `if`; `Renderer.text` fills plain texts and
`Renderer.condition` compares `field OP constant` without Jinja (and the planner skips its memo
for both).
`Reference` below turns all three off, and random books must give identical plans (every
message, task, skip with its detail, error) both ways.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from test_engine_book import setup
from test_engine_properties import books, make

from collectbot.engine.planner import PlanSession
from collectbot.render import Renderer


class Reference(PlanSession):
    """The general path only: one `plan_invoice` per invoice, and `pick` for every invoice."""

    def plan_invoices(self, invoices):
        for inv in invoices:
            self.plan_invoice(inv)

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
