"""Loading + state sync of 100k invoices against the floor (issue 2 acceptance: at most 2x).

floor    = pandas.read_csv of the files (dtype=str) + sqlite3 executemany of the invoice rows into
           a fresh table, in one transaction (benchmarks/bench.py's load floor)
first    = collectbot.sources.load_sources(config) + collectbot.sync.sync_invoices into a fresh state
re-sync  = the same again one day later into that state (the same book: every invoice known, unchanged)

Usage: python benchmarks/bench_load.py [ROWS] [--repeat N]   (default 100000 rows, 5 repeats).
Floor and collectbot are measured in turns in this one process, and the MEDIAN of the repeats is
reported for wall and CPU seconds: the machine may be shared, and CPU time is the steadier figure.
Uses the workspace of benchmarks/generate.py and the floor of benchmarks/bench.py when they are
there, else writes its own realistic CSV and measures its own floor.
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from collectbot.config import load_config
from collectbot.sources import load_sources
from collectbot.state import State
from collectbot.sync import sync_invoices

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    customers = max(1, rows // 10)
    start = date(2026, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Invoice No", "Customer ID", "Customer Name", "Email", "Phone", "Invoice Date", "Due Date",
                    "Amount", "Balance", "Currency", "Status", "Payment Method", "Risk"])
        for n in range(rows):
            c = rnd.randrange(customers)
            issued = start + timedelta(days=rnd.randrange(300))
            amount = rnd.randrange(1000, 50_000_000) / 100
            balance = amount if rnd.random() < 0.7 else round(amount * rnd.random(), 2)
            w.writerow([f"INV-{n:07d}", f"C{c:06d}", f"Customer {c} Pvt Ltd", f"ap{c}@example.in",
                        f"98{c:08d}", issued.isoformat(), (issued + timedelta(days=30)).isoformat(),
                        f"{amount:,.2f}", f"{balance:.2f}", "INR", rnd.choice(["Open", "Open", "Partial", "Paid"]),
                        rnd.choice(["UPI", "NEFT", "Cheque"]), rnd.choice(["low", "medium", "high"])])


def own_floor(path: Path, db: Path) -> dict[str, float]:
    """The floor for a book without benchmarks/bench.py: read the CSV, executemany it into SQLite."""
    wall, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    cols = ", ".join(f"c{i}" for i in range(len(frame.columns)))
    conn.execute(f"CREATE TABLE rows ({cols})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * len(frame.columns))})",
                     frame.itertuples(index=False, name=None))
    conn.execute("COMMIT")
    conn.close()
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}


def ours(config_path: Path, state_path: Path) -> dict[str, tuple[float, float]]:
    """(wall, cpu) seconds of: the first load, the first sync (fresh state), the second load and the
    re-sync of the same book a day later."""
    config = load_config(config_path, with_playbooks=False)
    State.open(state_path).close()  # creating the state file is not part of loading and syncing
    out = {}
    for name, at in (("first", NOW), ("resync", NOW + timedelta(days=1))):
        wall, cpu = time.perf_counter(), time.process_time()
        result = load_sources(config)
        loaded = time.perf_counter(), time.process_time()
        with State.open(state_path) as state:
            sync_invoices(state, result, at)
        done = time.perf_counter(), time.process_time()
        out[f"{name}_load"] = (loaded[0] - wall, loaded[1] - cpu)
        out[f"{name}_sync"] = (done[0] - loaded[0], done[1] - loaded[1])
        out["invoices"] = len(result.invoices)
        del result
    return out


def main(rows: int = 100_000, repeat: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        try:  # the main benchmark's workspace and floor, when present
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from benchmarks.bench import floor_times
            from benchmarks.generate import generate

            manifest = generate(root, rows)

            def floor(i: int) -> dict[str, float]:
                return floor_times("load", root, manifest)
        except ImportError:
            book = root / "invoices.csv"
            write_csv(book, rows)
            (root / "collectbot.yaml").write_text(
                f"business: {{currency: INR, locale: en_IN}}\nsources:\n  invoices: [{book.name}]\n",
                encoding="utf-8")

            def floor(i: int) -> dict[str, float]:
                return own_floor(book, root / f"floor{i}.db")
        floors, runs = [], []
        for i in range(repeat):  # in turns, so a busy spell on the machine hits both sides
            floors.append(floor(i))
            runs.append(ours(root / "collectbot.yaml", root / f"state{i}.db"))
    med = statistics.median
    floor_wall, floor_cpu = med(f["seconds"] for f in floors), med(f["cpu_seconds"] for f in floors)
    report = {"invoices": runs[0]["invoices"], "floor_wall": floor_wall, "floor_cpu": floor_cpu}
    lines = [f"{report['invoices']} invoices, median of {repeat} (floor and collectbot in turns):",
             f"  floor:    wall {floor_wall:.3f}s  cpu {floor_cpu:.3f}s"]
    for name in ("first", "resync"):
        load_w, load_c = med(r[f"{name}_load"][0] for r in runs), med(r[f"{name}_load"][1] for r in runs)
        sync_w, sync_c = med(r[f"{name}_sync"][0] for r in runs), med(r[f"{name}_sync"][1] for r in runs)
        total_w = med(r[f"{name}_load"][0] + r[f"{name}_sync"][0] for r in runs)
        total_c = med(r[f"{name}_load"][1] + r[f"{name}_sync"][1] for r in runs)
        report[f"{name}_wall_ratio"] = total_w / floor_wall
        report[f"{name}_cpu_ratio"] = total_c / floor_cpu
        label = "first" if name == "first" else "re-sync"
        lines.append(f"  {label + ':':9} wall {total_w:.3f}s (load {load_w:.3f} + sync {sync_w:.3f}) "
                     f"= {total_w / floor_wall:.2f}x floor;  cpu {total_c:.3f}s (load {load_c:.3f} + sync "
                     f"{sync_c:.3f}) = {total_c / floor_cpu:.2f}x floor")
    print("\n".join(lines))
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    main(args.rows, args.repeat)
