"""Time the real collectbot CLI on a generated workspace, as ratios to a floor measured in the same run.

Why ratios: seconds depend on the machine, the disk and whatever else is running; a ratio to
"the least any tool must do with these files" (the floor) travels between machines and
commits. The floor is measured here, in the same run, on the same files:

- load floor: pandas.read_csv of the invoice and customer files + sqlite3 `executemany`
  of every invoice row into a fresh database in one transaction (for check, preview, run);
- reconcile floor: pandas.read_csv of the invoice file and the statement.

Each command runs as a child process exactly as a user runs it (`collectbot -c … preview
--json --now …`), in a sandbox folder per repeat (the workspace's files linked in, a fresh
copy of its state, an empty outbox), so `run` always starts from the same state. The peak
resident memory of each child comes from `os.wait4`. Interpreter start-up plus imports
(`collectbot --version`) is reported on its own, and every ratio is given both raw and net
of start-up, because at 10k invoices start-up can be most of the time.

    python benchmarks/bench.py benchmarks/out/100k
    python benchmarks/bench.py benchmarks/out/100k --commands preview,run,reconcile --repeat 3 --json

A command that fails is reported with its exit code and the tail of its stderr; the other
commands still run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# `rerun` is the cron run in steady state: a `run` at --now (not timed), then the timed `run`
# RERUN_DAYS later on that state (no first-time sync of the whole book, only the new touches).
# Two days, because the day after the generator's default --now (24 Nov 2026) is an Indian holiday.
# `dry-run` is `run --dry-run`; `reconcile` is `reconcile --dry-run`, `reconcile-record` the recording
# command (on a fresh state it first syncs the book, as SPEC 7 says).
COMMANDS = ("check", "preview", "dry-run", "run", "rerun", "reconcile", "reconcile-record")
FLOOR_OF = {"check": "load", "preview": "load", "dry-run": "load", "run": "load", "rerun": "load",
            "reconcile": "reconcile", "reconcile-record": "reconcile"}
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"
RERUN_DAYS = 2
DEFAULT_NOW = "2026-11-23T12:00"
OUTPUT_SUMMARY_LIMIT = 512 * 1024 * 1024  # bytes of --json output we are willing to parse for counts
STATE_FILES = ("collectbot.db", "collectbot.db-wal", "collectbot.db-shm")
NOT_LINKED = {"collectbot.yaml", "outbox", "collectbot.db.lock", *STATE_FILES}


# ---------------------------------------------------------------------------- running a child


@dataclass
class Sample:
    """One timed child process."""

    seconds: float
    exit_code: int
    peak_rss_mib: float
    cpu_seconds: float
    stderr_tail: str = ""
    timed_out: bool = False
    crashed: bool = False  # an uncaught Python exception (exit 1 too, but not "finished with failures")
    output: dict[str, Any] = field(default_factory=dict)  # counts read from its --json output


def run_child(argv: list[str], *, stdout_path: Path | None = None, timeout: float = 3600.0,
              cwd: Path | None = None) -> Sample:
    """Run argv, wall-timed, and read its own rusage with wait4 (peak RSS of this child only)."""
    with open(stdout_path or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd)
        except OSError as exc:
            return Sample(0.0, 127, 0.0, 0.0, stderr_tail=f"cannot start {argv[0]}: {exc}")
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; tell Popen so it never waits again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Sample(seconds=seconds, exit_code=proc.returncode, peak_rss_mib=usage.ru_maxrss / 1024,
                  cpu_seconds=usage.ru_utime + usage.ru_stime, stderr_tail=stderr[-1500:].strip(),
                  timed_out=killed.is_set(), crashed="Traceback (most recent call last)" in stderr)


def summarize_output(path: Path) -> dict[str, Any]:
    """Counts from a command's --json document (so a fast run that did nothing is visible)."""
    size = path.stat().st_size if path.exists() else 0
    summary: dict[str, Any] = {"json_bytes": size}
    if not size:
        return summary
    if size > OUTPUT_SUMMARY_LIMIT:
        summary["json_valid"] = None  # too big to parse here: not counted, not judged
        return summary
    try:
        document = json.loads(path.read_bytes())
    except ValueError:
        summary["json_valid"] = False
        return summary
    summary["json_valid"] = True
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, list):
                summary[key] = len(value)
        errors = document.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            summary["first_error"] = str(errors[0].get("message", errors[0]))[:300]
    return summary


PAYING_KINDS = ("invoice_column", "invoice_in_text", "payer_amount", "partial", "combined", "typo_invoice",
                "payer_typo")  # truth kinds of lines that pay an open invoice (recall is measured over these)


def score_matches(output: Path, truth: Path) -> dict[str, Any]:
    """Precision and recall of `reconcile --json`'s applied matches against statement_truth.csv.

    A line counts as right when the set of invoices it was applied to is exactly the true set.
    Lines are joined on their `row` in the statement (header = row 1).
    """
    document = json.loads(output.read_bytes())
    entries = [e for key in ("matches", "review", "unmatched") for e in document.get(key) or []]
    if entries and any("row" not in e for e in entries):
        return {"error": "entries carry no `row`; cannot join them to statement_truth.csv"}
    applied = {int(e["row"]): set(e.get("invoice_ids") or []) for e in entries if e.get("applied")}
    with truth.open(newline="", encoding="utf-8") as fh:
        labels = {int(r["row"]): (r["kind"], set(r["invoice_ids"].split())) for r in csv.DictReader(fh)}
    by_kind: dict[str, dict[str, int]] = {}
    right = 0
    for row, (kind, invoices) in labels.items():
        tally = by_kind.setdefault(kind, {"lines": 0, "applied_right": 0, "applied_wrong": 0})
        tally["lines"] += 1
        if row in applied:
            ok = applied[row] == invoices and bool(invoices)
            tally["applied_right" if ok else "applied_wrong"] += 1
            right += ok
    paying = sum(by_kind.get(k, {}).get("lines", 0) for k in PAYING_KINDS)
    paying_right = sum(by_kind.get(k, {}).get("applied_right", 0) for k in PAYING_KINDS)
    return {
        "applied": len(applied),
        "precision": round(right / len(applied), 4) if applied else None,
        "recall": round(paying_right / paying, 4) if paying else None,
        "by_kind": by_kind,
    }


# ---------------------------------------------------------------------------- the workspace


def read_manifest(ws: Path) -> dict[str, Any]:
    """benchmark.json written by generate.py; a hand-made workspace gets sensible defaults."""
    path = ws / "benchmark.json"
    manifest: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    manifest.setdefault("now", DEFAULT_NOW)
    manifest.setdefault("files", {})
    manifest["files"].setdefault("statement", "statement.csv")
    return manifest


def make_sandbox(ws: Path, parent: Path) -> Path:
    """A folder that looks like the workspace: its files linked in, the config and state copied.

    The config is a real copy (collectbot resolves relative paths against the config's own
    folder), the state file is copied so every repeat starts from the same state, and the
    outbox starts empty. Assumes the config keeps `state:` and `outbox:` at their defaults.
    """
    box = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
    for entry in ws.iterdir():
        if entry.name in NOT_LINKED:
            continue
        (box / entry.name).symlink_to(entry.resolve())
    shutil.copy2(ws / "collectbot.yaml", box / "collectbot.yaml")
    for name in STATE_FILES:
        if (ws / name).exists():
            shutil.copy2(ws / name, box / name)
    return box


def days_later(now: str, days: int) -> str:
    return (datetime.fromisoformat(now) + timedelta(days=days)).isoformat()


def collectbot_argv(explicit: str | None) -> list[str]:
    if explicit:
        return explicit.split()
    found = shutil.which("collectbot")
    return [found] if found else [sys.executable, "-m", "collectbot"]


def command_args(command: str, ws: Path, manifest: dict[str, Any], now: str) -> list[str]:
    if command == "rerun":
        return ["run", "--json", "--now", days_later(now, RERUN_DAYS)]
    if command in ("reconcile", "reconcile-record"):
        statement = (ws / manifest["files"]["statement"]).resolve()
        dry = ["--dry-run"] if command == "reconcile" else []
        return ["reconcile", str(statement), *dry, "--json", "--now", now]
    if command == "dry-run":
        return ["run", "--dry-run", "--json", "--now", now]
    return [command, "--json", "--now", now]


# ---------------------------------------------------------------------------- the floor


def floor_work(kind: str, ws: Path, manifest: dict[str, Any]) -> float:
    """Wall seconds of the floor for `kind` ("reconcile", else the load floor), imports excluded."""
    return floor_times(kind, ws, manifest)["seconds"]


def floor_times(kind: str, ws: Path, manifest: dict[str, Any]) -> dict[str, float]:
    """The floor itself (bench.py runs it in a child: `bench.py --floor KIND WS`): wall and CPU seconds."""
    import sqlite3

    import pandas as pd

    from collectbot.config import load_config

    config = load_config(ws / "collectbot.yaml", with_playbooks=False)
    invoice_files = [spec.path for spec in config.invoice_sources]
    customer_files = [spec.path for spec in config.customer_sources]
    statement = ws / manifest["files"]["statement"]
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu_started = time.perf_counter(), time.process_time()
        invoices = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in invoice_files]
        if kind == "reconcile":
            pd.read_csv(statement, dtype=str, keep_default_na=False)
        else:
            for p in customer_files:
                pd.read_csv(p, dtype=str, keep_default_na=False)
            conn = sqlite3.connect(Path(tmp) / "floor.db")
            with conn:  # one transaction
                for n, frame in enumerate(invoices):
                    columns = ", ".join(f'"{c}"' for c in frame.columns)
                    conn.execute(f"CREATE TABLE invoices_{n} ({columns})")
                    marks = ", ".join("?" * len(frame.columns))
                    conn.executemany(f"INSERT INTO invoices_{n} VALUES ({marks})",
                                     frame.itertuples(index=False, name=None))
            conn.close()
        return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu_started}


def floor_files(kind: str, ws: Path, manifest: dict[str, Any]) -> list[tuple[str, Path]]:
    """What the floor process reads and writes: the book and customers, and for `reconcile` the statement."""
    from collectbot.config import load_config

    config = load_config(ws / "collectbot.yaml", with_playbooks=False)
    files = [("invoices", spec.path) for spec in config.invoice_sources]
    files += [("customers", spec.path) for spec in config.customer_sources]
    if kind == "reconcile":
        files.append(("statement", ws / manifest["files"]["statement"]))
    return files


def measure_floor_process(kind: str, ws: Path, manifest: dict[str, Any], repeat: int, timeout: float
                          ) -> dict[str, Any]:
    """The floor as a whole process (benchmarks/floor.py): CPU seconds and wall from outside, peak RSS."""
    samples = []
    for _ in range(max(repeat, 3)):
        with tempfile.TemporaryDirectory() as tmp:
            argv = [sys.executable, str(FLOOR_SCRIPT), str(Path(tmp) / "floor.db"),
                    *(f"{name}={path}" for name, path in floor_files(kind, ws, manifest))]
            sample = run_child(argv, timeout=timeout)
        if sample.exit_code != 0:
            return {"error": f"exit {sample.exit_code}: {sample.stderr_tail}"}
        samples.append(sample)
    return {"cpu_seconds": [round(s.cpu_seconds, 3) for s in samples], "seconds": [round(s.seconds, 3) for s in samples],
            "cpu_min": min(s.cpu_seconds for s in samples), "wall_min": min(s.seconds for s in samples),
            "peak_rss_mib": round(max(s.peak_rss_mib for s in samples), 1)}


def measure_floor(kind: str, ws: Path, repeat: int, timeout: float) -> dict[str, Any]:
    seconds, cpu, peaks, problem = [], [], [], None
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            sample = run_child([sys.executable, str(Path(__file__).resolve()), "--floor", kind, str(ws)],
                               stdout_path=Path(out.name), timeout=timeout)
            if sample.exit_code != 0:
                problem = f"exit {sample.exit_code}: {sample.stderr_tail}"
                break
            measured = json.loads(Path(out.name).read_text())
            seconds.append(measured["seconds"])
            cpu.append(measured["cpu_seconds"])
            peaks.append(sample.peak_rss_mib)
    result: dict[str, Any] = {"seconds": [round(s, 4) for s in seconds], "cpu_seconds": [round(s, 4) for s in cpu]}
    if seconds:
        result["median"] = statistics.median(seconds)
        result["cpu_median"] = statistics.median(cpu)
        result["peak_rss_mib"] = round(max(peaks), 1)
    if problem:
        result["error"] = problem
    return result


# ---------------------------------------------------------------------------- the benchmark


def bench_command(command: str, ws: Path, manifest: dict[str, Any], now: str, repeat: int, timeout: float,
                  exe: list[str], scratch: Path, keep: bool) -> dict[str, Any]:
    samples: list[Sample] = []
    matching: dict[str, Any] | None = None
    for _ in range(repeat):
        box = make_sandbox(ws, scratch)
        out = box / f".{command}.stdout.json"
        if command == "rerun":  # the first run builds the state the timed one starts from
            first = run_child([*exe, "-c", str(box / "collectbot.yaml"), *command_args("run", ws, manifest, now)],
                              stdout_path=box / ".run.stdout.json", timeout=timeout, cwd=box)
            first.output = summarize_output(box / ".run.stdout.json")
            if not completed(first):
                first.stderr_tail = f"(the first run, before the timed one) {first.stderr_tail}"
                samples.append(first)
                break
        sample = run_child([*exe, "-c", str(box / "collectbot.yaml"), *command_args(command, ws, manifest, now)],
                           stdout_path=out, timeout=timeout, cwd=box)
        sample.output = summarize_output(out)
        samples.append(sample)
        truth = ws / manifest["files"].get("statement_truth", "statement_truth.csv")
        if command == "reconcile" and len(samples) == 1 and completed(sample) and truth.exists() \
                and sample.output.get("json_valid"):
            try:
                matching = score_matches(out, truth)
            except (ValueError, KeyError, TypeError) as exc:  # an output shape we did not expect
                matching = {"error": f"cannot score: {exc!r}"}
        if not keep:
            shutil.rmtree(box, ignore_errors=True)
        if not completed(sample):
            break  # a failing command is reported once, not timed again
    ok = [s for s in samples if completed(s)]
    result: dict[str, Any] = {
        "floor": FLOOR_OF[command],
        "exit_codes": [s.exit_code for s in samples],
        "seconds": [round(s.seconds, 3) for s in samples],
        "peak_rss_mib": round(max(s.peak_rss_mib for s in samples), 1),
        "cpu_seconds": [round(s.cpu_seconds, 3) for s in samples],
        "output": samples[-1].output,
    }
    if matching is not None:
        result["matching"] = matching
    if ok:
        result["median"] = statistics.median(s.seconds for s in ok)
        result["cpu_median"] = statistics.median(s.cpu_seconds for s in ok)
        result["cpu_min"] = min(s.cpu_seconds for s in ok)
    if len(ok) < len(samples):
        bad = samples[-1]
        why = "timed out" if bad.timed_out else f"exit {bad.exit_code}" + (" (crashed)" if bad.crashed else "")
        detail = bad.stderr_tail or bad.output.get("first_error", "")
        result["error"] = why + (f": {detail}" if detail else "")
    return result


def completed(sample: Sample) -> bool:
    """Finished as the SPEC says a command finishes: exit 0, or 1 ("some items failed") with its JSON."""
    if sample.timed_out or sample.crashed or sample.exit_code not in (0, 1):
        return False
    return sample.exit_code == 0 or (sample.output.get("json_bytes", 0) > 0
                                      and sample.output.get("json_valid") is not False)


def add_ratios(report: dict[str, Any]) -> None:
    """Wall-time ratios, raw and net of start-up; and the CPU-time ratio net of start-up, which a busy
    machine disturbs far less than wall time (but which counts worker threads' time in full)."""
    startup, startup_cpu = report["startup"].get("median"), report["startup"].get("cpu_median")
    for result in report["commands"].values():
        whole = report.get("floor_processes", {}).get(result["floor"], {})
        if result.get("cpu_min") is not None and whole.get("cpu_min"):
            # the yardstick (issue 20): the whole command against the whole floor process, CPU, min of runs
            result["cpu_ratio_whole"] = round(result["cpu_min"] / whole["cpu_min"], 2)
        floor = report["floors"].get(result["floor"], {})
        if result.get("median") is None or not floor.get("median"):
            continue
        result["ratio"] = round(result["median"] / floor["median"], 2)
        if startup is not None:
            result["ratio_net_of_startup"] = round(max(0.0, result["median"] - startup) / floor["median"], 2)
        if startup_cpu is not None and floor.get("cpu_median"):
            result["cpu_ratio_net_of_startup"] = round(
                max(0.0, result["cpu_median"] - startup_cpu) / floor["cpu_median"], 2)


def benchmark(ws: Path, commands: list[str], repeat: int, now: str | None, timeout: float,
              exe: list[str], keep: bool = False, progress=lambda text: None) -> dict[str, Any]:
    manifest = read_manifest(ws)
    now = now or manifest["now"]
    report: dict[str, Any] = {
        "workspace": str(ws), "now": now, "repeat": repeat,
        "book": {k: manifest.get(k) for k in ("invoices", "open_invoices", "customers", "statement_lines")},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "collectbot": exe, "floors": {}, "commands": {},
    }
    progress("start-up (collectbot --version)")
    startup = [run_child([*exe, "--version"], timeout=timeout) for _ in range(max(repeat, 5))]
    report["startup"] = {"seconds": [round(s.seconds, 4) for s in startup],
                         "peak_rss_mib": round(max(s.peak_rss_mib for s in startup), 1)}
    if all(s.exit_code == 0 for s in startup):
        report["startup"]["median"] = statistics.median(s.seconds for s in startup)
        report["startup"]["cpu_median"] = statistics.median(s.cpu_seconds for s in startup)
    else:
        report["startup"]["error"] = f"exit {startup[-1].exit_code}: {startup[-1].stderr_tail}"
    report["floor_processes"] = {}
    for kind in sorted({FLOOR_OF[c] for c in commands}):
        progress(f"floor: {kind}")
        report["floors"][kind] = measure_floor(kind, ws, repeat, timeout)
        report["floor_processes"][kind] = measure_floor_process(kind, ws, manifest, repeat, timeout)
    scratch = Path(tempfile.mkdtemp(prefix="collectbot-bench-"))
    try:
        for command in commands:
            progress(f"collectbot {command}")
            report["commands"][command] = bench_command(command, ws, manifest, now, repeat, timeout, exe,
                                                        scratch, keep)
    finally:
        if keep:
            report["sandboxes"] = str(scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    add_ratios(report)
    return report


# ---------------------------------------------------------------------------- output


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def format_table(report: dict[str, Any]) -> str:
    book = report["book"]
    lines = [f"workspace {report['workspace']}: {book.get('invoices')} invoices, {book.get('customers')} customers, "
             f"{book.get('statement_lines')} statement lines; --now {report['now']}; median of {report['repeat']}",
             ""]
    rows = [("what", "cpu s min", "cpu x floor", "median s", "x floor net", "cpu x floor net", "peak MiB", "result")]
    su = report["startup"]
    rows.append(("start-up (--version)", "", "", _fmt(su.get("median"), 3), "", "", _fmt(su["peak_rss_mib"], 0),
                 su.get("error", "ok")))
    for kind, whole in report.get("floor_processes", {}).items():
        rows.append((f"floor process: {kind}", _fmt(whole.get("cpu_min"), 3), "1.00", _fmt(whole.get("wall_min"), 3),
                     "", "", _fmt(whole.get("peak_rss_mib"), 0), whole.get("error", "ok")))
    for kind, floor in report["floors"].items():
        rows.append((f"floor in-process: {kind}", "", "", _fmt(floor.get("median"), 3), "1.00", "",
                     _fmt(floor.get("peak_rss_mib"), 0), floor.get("error", "ok")))
    for name, r in report["commands"].items():
        if r.get("error"):
            why, _, text = r["error"].partition(": ")
            last = text.strip().splitlines()[-1][:90] if text.strip() else ""
            result = f"{why}: {last}" if last else why
        else:
            counts = {k: v for k, v in r["output"].items() if k not in ("json_bytes", "json_valid", "first_error")}
            result = ", ".join(f"{k} {v}" for k, v in counts.items()) or f"exit {r['exit_codes'][-1]}"
            if r.get("matching", {}).get("precision") is not None:
                m = r["matching"]
                result += f"; precision {m['precision']:.3f}, recall {m['recall']:.3f} (statement_truth.csv)"
        rows.append((name, _fmt(r.get("cpu_min"), 3), _fmt(r.get("cpu_ratio_whole")), _fmt(r.get("median"), 3),
                     _fmt(r.get("ratio_net_of_startup")), _fmt(r.get("cpu_ratio_net_of_startup")),
                     _fmt(r["peak_rss_mib"], 0), result))
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, 7)] + [row[7]]
        lines.append("  ".join(cells))
    lines.append("")
    lines.append("cpu x floor = the command's CPU seconds (user + system, the whole process: interpreter start and "
                 "imports included), min of the repeats, over the floor process's (benchmarks/floor.py: python, "
                 "import pandas, read the same files, write them with sqlite3; load = invoices + customers, "
                 "reconcile = those + the statement). The in-process breakdown: net = (median - start-up) / the "
                 "in-process floor's median (pandas reads + sqlite3 writes, imports excluded); cpu net = the same "
                 "in CPU seconds.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time collectbot commands as ratios to the floor.")
    parser.add_argument("workspace", type=Path, help="a workspace made by benchmarks/generate.py")
    parser.add_argument("--commands", default=",".join(COMMANDS),
                        help=f"comma-separated, from {', '.join(COMMANDS)} (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats per command; the median is reported")
    parser.add_argument("--now", help="override the manifest's --now")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a command is killed")
    parser.add_argument("--collectbot", help="how to start collectbot (default: the `collectbot` on PATH)")
    parser.add_argument("--keep", action="store_true", help="keep the sandboxes (outbox, state, stdout) to inspect")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON document")
    parser.add_argument("--floor", choices=("load", "reconcile"), help=argparse.SUPPRESS)  # internal: the floor child
    args = parser.parse_args(argv)

    ws = args.workspace.resolve()
    if not (ws / "collectbot.yaml").exists():
        parser.error(f"{ws} has no collectbot.yaml (make one with benchmarks/generate.py)")
    if args.floor:
        print(json.dumps(floor_times(args.floor, ws, read_manifest(ws))))
        return 0
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    unknown = [c for c in commands if c not in COMMANDS]
    if unknown or not commands:
        parser.error(f"unknown command(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(COMMANDS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    def progress(text: str) -> None:
        print(f"... {text}", file=sys.stderr, flush=True)

    report = benchmark(ws, commands, args.repeat, args.now, args.timeout, collectbot_argv(args.collectbot),
                       keep=args.keep, progress=progress)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
