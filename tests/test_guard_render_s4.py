"""Guards for collectbot/render.py found by mutation run s4: how extra columns are flattened into
an invoice view, and `|length` of a value that has no length.

* an extra column named exactly `risk_class` keeps its own value even when another column
  (`Risk Class`) normalises to the same name;
* a column whose name has no letter or digit (`#`) gets no empty-named alias `invoice['']`;
* `{{ today|length }}` (a date has no length) is a RenderError naming the template, not a crash.
"""

from __future__ import annotations

import pytest
from test_render import ctx, renderer

from collectbot.render import RenderError


def test_exact_extra_column_wins_over_a_normalised_name(tmp_path):
    r = renderer(tmp_path)
    # columns in this order: `risk_class` (low) is set first; `Risk Class` (high) normalises to
    # `risk_class`, which is already a key, so the alias is not written: risk_class stays "low",
    # and the original column name still reads "high"
    c = ctx(r, **{"risk_class": "low", "Risk Class": "high"})
    assert r.text("{{ invoice.risk_class }}/{{ invoice['Risk Class'] }}", c) == "low/high"
    # a name that normalises to a new key gets the alias: `Due Reason` -> `due_reason`
    c = ctx(r, **{"Due Reason": "late"})
    assert r.text("{{ invoice.due_reason }}", c) == "late"


def test_a_column_name_without_letters_or_digits_gets_no_empty_alias(tmp_path):
    r = renderer(tmp_path)
    # `#` normalises to "" (non-alphanumerics become `_`, then stripped): no alias is made, so the
    # view holds `#` but no key "" (an undefined lookup prints nothing)
    c = ctx(r, **{"#": "7"})
    assert r.text("[{{ invoice['#'] }}][{{ invoice[''] }}][{{ '' in invoice }}]", c) == "[7][][False]"


def test_length_of_a_value_without_a_length_is_a_render_error(tmp_path):
    r = renderer(tmp_path)
    c = ctx(r)
    # `today` is a date: len() of it fails in Jinja, reported as a RenderError naming the text
    with pytest.raises(RenderError, match=r"today\|length.*has no len"):
        r.text("{{ today|length }}", c)
    # a name that has a length is still counted: one invoice in the context
    assert r.text("{{ invoices|length }}", c) == "1"
