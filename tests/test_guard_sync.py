"""What a run reports of its sync with the book (`sync` in `run --json`): new, updated, gone,
and a warning only when a source could not be read. Through the real CLI on the default
workspace (tests/conftest.py: eight invoices, INV-001 .. INV-008; INV-007 is paid)."""

from __future__ import annotations

from conftest import DEFAULT_INVOICES


def test_a_first_run_reports_every_invoice_new_and_no_warning(workspace):
    code, doc = workspace.json("run")
    assert code == 0
    sync = doc["sync"]
    assert (sync["new"], sync["updated"], sync["changed"], sync["gone"], sync["reopened"]) == (8, 0, 0, 0, 0)
    assert sync["warnings"] == [] and sync["gone_suspended"] is False


def test_an_invoice_that_leaves_the_book_is_gone_and_the_rest_updated(workspace):
    code, _ = workspace.json("run")
    assert code == 0
    # Future Ltd's INV-008 (open, ₹400) is no longer in the export the next day: closed as gone;
    # the other seven are known and still there
    workspace.write_invoices([r for r in DEFAULT_INVOICES if r["invoice_id"] != "INV-008"])
    code, doc = workspace.json("run", now="2026-03-11T10:00:00")
    sync = doc["sync"]
    assert (sync["new"], sync["updated"], sync["gone"], sync["gone_ids"]) == (0, 7, 1, ["INV-008"])
    assert sync["warnings"] == []
    # the day after, INV-008 is back in the export: reopened, not new; the other seven unchanged
    workspace.write_invoices(DEFAULT_INVOICES)
    code, doc = workspace.json("run", now="2026-03-12T10:00:00")
    sync = doc["sync"]
    assert (sync["new"], sync["reopened"], sync["reopened_ids"], sync["gone"], sync["changed"]) == (
        0, 1, ["INV-008"], 0, 0)


def test_extra_columns_are_stored_as_json_dumps_writes_them():
    """The stored `extra` text of each row is exactly json.dumps(extra, ensure_ascii=False), for
    the one-column shortcut and for the general writer: numbers and booleans from a workbook
    stay themselves (1 is not True), keys differ from row to row, text keeps its ₹."""
    import json

    from collectbot.sync import extras_json

    cases = [
        [{"po": "PO-1"}, {"po": "PO-1"}, {"po": "₹ note"}],  # one text column: the shortcut
        [{"flag": 1}, {"flag": True}, {"flag": "1"}],  # one column, not all text: 1, true, "1"
        [{"a": "x", "b": 1}, {"a": True, "b": "y"}, {"b": 1.5}],  # keys and types differ row to row
        [{}, {}],
    ]
    for extras in cases:
        assert extras_json(extras) == [json.dumps(e, ensure_ascii=False) for e in extras]
