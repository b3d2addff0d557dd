"""The fault-injection probe (benchmarks/fault_probe.py), small: real `collectbot run` processes
against the local provider server failing on purpose (429, 500, answers after the timeout,
dropped and hung connections), some killed with SIGKILL; then `sync` and `events import`. Nothing
is ever taken twice by a provider, and the provider's own records resolve `uncertain` touches:
fewer after than before (issue 14)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fault_probe import probe  # noqa: E402


def test_no_duplicate_and_fewer_uncertain_after_resolving(tmp_path):
    result = probe(tmp_path / "ws", runs=6, customers=8, seed=7, kill_rate=0.5, after=2)
    assert result["duplicates"] == [], result
    assert result["taken"]["sendgrid"] > 0 and result["taken"]["twilio"] > 0, result
    # the probe scripts one answer after the timeout per provider, so each has something to resolve
    assert result["uncertain_before"] > result["uncertain_after"], result
    assert result["resolved"]["twilio"] >= 1 and result["resolved"]["sendgrid"] >= 1, result
    assert set(result["exit_codes"]) <= {0, 1, -9}, result
