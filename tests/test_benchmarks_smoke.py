"""The benchmark tools make what they claim: a well-formed, deterministic workspace, and a
harness that reports failing commands instead of crashing. Nothing here is timed."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from collectbot.config import load_config

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "benchmarks" / "generate.py"
BENCH = ROOT / "benchmarks" / "bench.py"


def _load(path: Path):
    name = f"benchmarks_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def generate(out: Path, *extra: str) -> dict:
    subprocess.run([sys.executable, str(GENERATE), "--invoices", "200", "--out", str(out), *extra],
                   check=True, capture_output=True, text=True)
    return json.loads((out / "benchmark.json").read_text())


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench") / "ws"
    return out, generate(out)


def test_invoice_and_customer_files_are_well_formed(workspace):
    ws, manifest = workspace
    invoices = rows(ws / "invoices.csv")
    customers = rows(ws / "customers.csv")
    assert len(invoices) == manifest["invoices"] == 200
    assert len(customers) == manifest["customers"] == 40  # 20% as many customers
    assert len({i["invoice_id"] for i in invoices}) == 200
    assert len({c["customer_id"] for c in customers}) == 40
    assert len({c["name"] for c in customers}) == 40
    known = {c["customer_id"] for c in customers}
    assert {i["customer_id"] for i in invoices} <= known
    now = date.fromisoformat(manifest["now"][:10])
    for inv in invoices:
        amount, balance = Decimal(inv["amount"]), Decimal(inv["balance"])
        assert amount > 0 and 0 <= balance <= amount
        assert amount.as_tuple().exponent == -2
        due, issued = date.fromisoformat(inv["due_date"]), date.fromisoformat(inv["issue_date"])
        assert issued < due and abs((due - now).days) <= 100
        assert inv["status"] in {"open", "partial", "paid", "void", "draft", "written_off"}
        if inv["status"] == "paid":
            assert balance == 0
    statuses = {i["status"] for i in invoices}
    assert {"open", "paid"} <= statuses  # a mix, so every stop rule is exercised
    assert {c["tier"] for c in customers} >= {"standard"}
    assert all(c["phone"] == "" or c["phone"].startswith("+91") for c in customers)


def test_statement_has_labelled_payments(workspace):
    ws, manifest = workspace
    lines = rows(ws / "statement.csv")
    truth = rows(ws / "statement_truth.csv")
    assert list(lines[0]) == ["Date", "Invoice", "Amount", "Payer", "Reference"]
    assert len(lines) == len(truth) == manifest["statement_lines"]
    assert 0.6 * 200 < len(lines) < 1.4 * 200  # about one line per invoice
    ids = {i["invoice_id"] for i in rows(ws / "invoices.csv")}
    kinds = {t["kind"] for t in truth}
    assert {"invoice_column", "unmatched"} <= kinds
    for line, label in zip(lines, truth):
        assert Decimal(line["Amount"]) == Decimal(label["amount"])
        date.fromisoformat(line["Date"])
        assert set(label["invoice_ids"].split()) <= ids
        if label["kind"] == "debit":
            assert Decimal(line["Amount"]) < 0
        if label["kind"] == "invoice_column":
            assert line["Invoice"] == label["invoice_ids"]
    assert [int(t["row"]) for t in truth] == list(range(2, len(truth) + 2))  # header is row 1


def test_config_loads_with_two_playbooks_of_five_steps(workspace):
    ws, _ = workspace
    config = load_config(ws / "collectbot.yaml")  # raises ConfigError on any problem
    assert config.warnings == []
    assert [p.name for p in config.playbooks] == ["standard", "vip"]
    assert sum(len(p.steps) for p in config.playbooks) == 5
    assert {ch.provider for ch in config.channels.values()} == {"outbox"}
    assert config.limits.max_messages_per_run >= 1_000_000
    assert [s.path.name for s in config.invoice_sources] == ["invoices.csv"]
    assert [s.path.name for s in config.customer_sources] == ["customers.csv"]
    for playbook in config.playbooks:
        for step in playbook.steps:
            for channel in filter(None, (step.channel, step.fallback)):
                if channel != "task":
                    assert (config.templates_dir / f"{step.template}.{channel}.j2").exists()
    for template in config.templates_dir.glob("*.email.j2"):
        assert template.read_text().startswith("Subject: ")


def test_collectbot_check_finds_nothing_wrong(workspace):
    """Templates compile, conditions compile, every source row reads: the real validator agrees."""
    ws, manifest = workspace
    done = subprocess.run([sys.executable, "-m", "collectbot", "-c", str(ws / "collectbot.yaml"), "check", "--json",
                           "--now", manifest["now"]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["errors"] == []


def test_generated_templates_list_one_invoice_per_line(workspace):
    ws, manifest = workspace
    out = subprocess.run([sys.executable, "-m", "collectbot", "-c", str(ws), "preview", "--json", "--now",
                          manifest["now"]], capture_output=True, text=True)
    listing = [m for m in json.loads(out.stdout)["messages"] if m["channel"] in ("email", "whatsapp")]
    assert listing
    for message in listing:
        lines = message["body"].splitlines()
        for invoice_id in message["invoice_ids"]:
            assert sum(line.startswith(f"- {invoice_id}: ") for line in lines) == 1, message["body"]


def test_same_seed_same_bytes_other_seed_other_book(tmp_path, workspace):
    ws, _ = workspace
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate(again)
    generate(other, "--seed", "2")
    for name in ("invoices.csv", "customers.csv", "statement.csv", "collectbot.yaml"):
        assert (again / name).read_bytes() == (ws / name).read_bytes(), name
    assert (other / "invoices.csv").read_bytes() != (ws / "invoices.csv").read_bytes()


FAKE_COLLECTBOT = """
import json, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("collectbot 0.0-fake"); sys.exit(0)
command = args[2]
if command == "preview":
    print(json.dumps({"messages": [{}, {}, {}], "tasks": [], "skipped": [{}], "errors": []})); sys.exit(0)
print("Traceback (most recent call last):\\nRuntimeError: boom in " + command, file=sys.stderr); sys.exit(1)
"""


def test_bench_reports_results_and_failures_without_crashing(tmp_path, workspace):
    ws, _ = workspace
    fake = tmp_path / "fake_collectbot.py"
    fake.write_text(FAKE_COLLECTBOT)
    done = subprocess.run(
        [sys.executable, str(BENCH), str(ws), "--commands", "preview,run", "--repeat", "2", "--json",
         "--collectbot", f"{sys.executable} {fake}"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["book"]["invoices"] == 200
    assert report["floors"]["load"]["median"] > 0 and "error" not in report["floors"]["load"]
    assert report["startup"]["median"] > 0
    preview = report["commands"]["preview"]
    assert preview["exit_codes"] == [0, 0]
    assert preview["output"]["messages"] == 3 and preview["output"]["skipped"] == 1
    assert preview["ratio"] > 0 and "ratio_net_of_startup" in preview and "cpu_ratio_net_of_startup" in preview
    # the yardstick: the whole command against the whole floor process (python, pandas, sqlite3), CPU, min of runs
    whole = report["floor_processes"]["load"]
    assert whole["cpu_min"] > 0 and whole["peak_rss_mib"] > 0 and len(whole["cpu_seconds"]) >= 3
    assert preview["cpu_ratio_whole"] == round(preview["cpu_min"] / whole["cpu_min"], 2)
    run = report["commands"]["run"]
    assert run["exit_codes"] == [1]  # a crash is not timed twice
    assert "crashed" in run["error"] and "boom in run" in run["error"]
    assert "ratio" not in run
    table = _load(BENCH).format_table(report)
    preview_line = next(line for line in table.splitlines() if line.startswith("preview"))
    run_line = next(line for line in table.splitlines() if line.startswith("run"))
    assert "messages 3" in preview_line and "skipped 1" in preview_line
    assert "exit 1 (crashed): RuntimeError: boom in run" in run_line


def test_sandbox_copies_config_and_state_and_links_the_rest(tmp_path, workspace):
    ws, _ = workspace
    bench = _load(BENCH)
    (ws / "collectbot.db").write_bytes(b"state")
    try:
        box = bench.make_sandbox(ws, tmp_path)
    finally:
        (ws / "collectbot.db").unlink()
    assert not (box / "collectbot.yaml").is_symlink()
    assert not (box / "collectbot.db").is_symlink() and (box / "collectbot.db").read_bytes() == b"state"
    assert (box / "invoices.csv").is_symlink() and (box / "templates").is_symlink()
    assert not (box / "outbox").exists()
    (box / "collectbot.db").write_bytes(b"changed")
    assert load_config(box / "collectbot.yaml").invoice_sources[0].path.resolve() == (ws / "invoices.csv").resolve()


def test_floor_work_is_callable_from_other_benchmarks(workspace):
    """bench_load.py reuses the floor in-process: both kinds read the generated files and answer seconds."""
    ws, manifest = workspace
    bench = _load(BENCH)
    for kind in ("load", "reconcile"):
        seconds = bench.floor_work(kind, ws, manifest)
        assert isinstance(seconds, float) and seconds > 0


def test_matches_are_scored_against_the_truth_file(tmp_path, workspace):
    ws, _ = workspace
    bench = _load(BENCH)
    truth = rows(ws / "statement_truth.csv")
    right = next(t for t in truth if t["kind"] == "invoice_column")
    stranger = next(t for t in truth if t["kind"] == "unmatched")
    paying = sum(t["kind"] in bench.PAYING_KINDS for t in truth)
    output = tmp_path / "reconcile.json"
    output.write_text(json.dumps({
        "matches": [{"row": int(right["row"]), "invoice_ids": right["invoice_ids"].split(), "applied": True},
                    {"row": int(stranger["row"]), "invoice_ids": [right["invoice_ids"]], "applied": True}],
        "review": [{"row": 2, "invoice_ids": ["X"], "applied": False}],
        "unmatched": [],
    }))
    score = bench.score_matches(output, ws / "statement_truth.csv")
    assert score["applied"] == 2 and score["precision"] == 0.5
    assert score["recall"] == round(1 / paying, 4)
    assert score["by_kind"]["unmatched"]["applied_wrong"] == 1
    assert score["by_kind"]["invoice_column"]["applied_right"] == 1
