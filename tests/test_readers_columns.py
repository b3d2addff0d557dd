"""A bank CSV's columns read in one pass when no row is short, cell by cell otherwise: same cells."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from collectbot.reconcile.readers.bank_csv import _Columns

cells = st.sampled_from(["", " ", "  12.50 ", "INV-1", "a\tb", "₹ 1,00,000.00", "x "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cells, max_size=6), max_size=8), st.integers(0, 7))
def test_a_column_is_its_stripped_cells_and_blank_past_a_short_row(rows, i):
    body = [(n + 1, row) for n, row in enumerate(rows)]
    expected = [row[i].strip() if i < len(row) else "" for row in rows]
    assert _Columns(body, {"description": [i]})._column(i) == expected


def test_both_ways_are_taken():
    wide = _Columns([(1, [" a ", "b"]), (2, ["c", " d"])], {})
    ragged = _Columns([(1, [" a ", "b"]), (2, ["c"])], {})
    assert wide._column(1) == ["b", "d"] and ragged._column(1) == ["b", ""]
    assert wide._width == 2 and ragged._width == 1
