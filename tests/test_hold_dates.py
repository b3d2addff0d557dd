"""Impossible or far dates given to `hold` are exit 2 naming the value (SPEC 2, "Dates out of
range"): a placeholder such as 9999-12-31 used to crash with OverflowError."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args, said", [
    (("--promise", "9999-12-31"), "--promise '9999-12-31' is before 1970 or after 2100: give the real day"),
    (("--pause", "--until", "9999-12-31"), "--until '9999-12-31' is before 1970 or after 2100: give the real day"),
    (("--pause", "--until", "0001-01-01"), "--until '0001-01-01' is before 1970 or after 2100: give the real day"),
    (("--promise", "2026-02-30"), "--promise '2026-02-30' is not a date (YYYY-MM-DD)"),
    # NOW is 2026-03-10 (conftest): the 1st is in the past, and the message names --promise, not --until
    (("--promise", "2026-03-01"), "--promise 2026-03-01 is in the past (today is 2026-03-10): give today or a later day"),
])
def test_a_hold_day_that_cannot_be_is_refused_naming_it(make_workspace, args, said):
    ws = make_workspace()
    result = ws.cli("hold", "INV-003", *args)
    assert result.exit_code == 2
    assert said in " ".join(result.stderr.split()) and "Traceback" not in result.stderr + result.stdout
    code, doc = ws.json("hold")
    assert code == 0 and doc["holds"] == [], doc  # nothing was recorded


def test_a_promise_for_today_is_accepted(make_workspace):
    ws = make_workspace()
    result = ws.cli("hold", "INV-003", "--promise", "2026-03-10")
    assert result.exit_code == 0 and "through 2026-03-10" in " ".join(result.stdout.split())
