"""The reconcile benchmark stays runnable, and the matcher stays precise on its labelled statement."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_reconcile  # noqa: E402


def test_small_labelled_run(tmp_path, capsys):
    assert bench_reconcile.main(["--invoices", "1500", "--lines", "1500", "--out", str(tmp_path / "ws"), "--phases"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["lines"] == 1500 and report["reader_errors"] == 0
    assert report["precision"] >= 0.99  # an applied match is almost never wrong
    assert report["recall_evident"] >= 0.95  # lines with an invoice number or payer + exact amount
    kinds = report["by_kind"]
    assert kinds["stranger"]["applied_wrong"] == 0 and kinds["debit"]["applied_wrong"] == 0
    assert report["debits_ignored"] == kinds["debit"]["lines"]
    phases = report["phases_cpu_s"]  # --phases runs every step of the command on its own
    assert {"load_sources", "sync", "json"} <= set(phases) and all(v >= 0 for v in phases.values())
    assert 0 < phases["ratio_load_and_sync_cpu"] < phases["ratio_total_cpu"]
    # the read/write floor does the pandas floor's reads and more
    assert report["floor_read_write_cpu_s"] > report["floor_pandas_cpu_s"]
