"""The floor process: the least any tool must do with a workspace's files, as a whole process.

It starts Python, imports pandas, reads the given CSV files (every cell as text) and writes
each into a table of a fresh SQLite file with sqlite3, in one transaction — nothing else. Its
CPU time and peak memory, measured from outside like a collectbot command's (interpreter start
and imports included on both sides), are the yardstick of `bench.py` (issue 20):

    python benchmarks/floor.py OUT.db invoices=invoices.csv customers=customers.csv
"""

from __future__ import annotations

import sqlite3
import sys

import pandas as pd


def main(argv: list[str]) -> int:
    db, tables = argv[0], [a.split("=", 1) for a in argv[1:]]
    conn = sqlite3.connect(db)
    with conn:
        for n, (name, path) in enumerate(tables):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            columns = ", ".join(f'"{c}"' for c in frame.columns)
            conn.execute(f'CREATE TABLE "{name}_{n}" ({columns})')
            marks = ", ".join("?" * len(frame.columns))
            conn.executemany(f'INSERT INTO "{name}_{n}" VALUES ({marks})', frame.itertuples(index=False, name=None))
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
