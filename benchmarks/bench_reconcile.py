"""Benchmark `reconcile`: speed against the pandas floor, and precision/recall on a labelled set.

    python benchmarks/bench_reconcile.py                  # 100k invoices, 100k bank lines
    python benchmarks/bench_reconcile.py --lines 20000 --invoices 20000 --full
    python benchmarks/bench_reconcile.py --phases         # CPU of each step of the command

Why: reconciliation must stay cheap on a large book (issue 5: at most 5× the time pandas
needs to read the invoice book and the statement), and its confident matches must be right —
a wrong applied match silences reminders for an unpaid invoice. The generated statement is a
bank CSV with what real ones have: UTR and account numbers in the narration, payer names in
upper case / with `AND` / `M/S` / cut short / with typos, references missing, payments that
settle two invoices at once, partial payments, strangers' money and debits. `truth.csv` says
which invoices each line really pays.

Reported:
- floor: pandas.read_csv of invoices.csv, customers.csv and statement.csv (best of 3);
- read/write floor: that, plus sqlite3 writing every invoice row and statement line (the brief's
  floor for commands that write the state; the whole command is also given as a ratio to it);
- the matcher alone, and load_sources + read_statement + match_lines (everything but the database),
  as ratios to the floor — wall and CPU time (CPU is fairer when other work shares the machine);
- full (with --full): the real `collectbot reconcile` command in-process (sync + match + record);
- precision = applied lines whose invoices are exactly right / applied lines;
  recall = lines with a true invoice that were applied exactly right / such lines (recall_evident: the
  same over lines carrying an invoice number or the payer with the exact amount).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BRANDS = ("Bansal Sharma Gupta Mehta Iyer Reddy Kapoor Agarwal Joshi Nair Patel Shah Singh Rao Das Ghosh Menon "
          "Pillai Kulkarni Desai Chopra Malhotra Saxena Verma Mishra Pandey Tiwari Bose Sen Dutta Khanna Bhatia "
          "Acme Apex Summit Crescent Lotus Orchid Sunrise Evergreen Silverline Bluewave Northstar Greenfield").split()
TRADES = ("Steel Textiles Traders Foods Pharma Electricals Logistics Hardware Plastics Paper Garments Tiles Spices "
          "Agro Chemicals Furnishings Packaging Builders Motors Fabrics Dairy Jewellers Optics Printers").split()
SUFFIXES = ["& Sons", "Pvt Ltd", "LLP", "Enterprises", "& Co", "Industries", "Brothers", "Agencies"]
CITIES = "Pune Mumbai Delhi Jaipur Surat Indore Nagpur Kochi Chennai Lucknow Kanpur Bhopal".split()
STRANGERS = ["AMAZON PAY SETTLEMENT", "INTEREST CREDIT", "RAZORPAY SETTLEMENT", "GST REFUND", "CASH DEPOSIT",
             "UNKNOWN REMITTER", "PAYTM SETTLEMENT"]
NOW = date(2026, 11, 23)

CONFIG = """\
business: {name: Bench Co, timezone: Asia/Kolkata, currency: INR, locale: en_IN, country: IN}
sources:
  invoices: [invoices.csv]
  customers: customers.csv
channels:
  email: {provider: outbox, from: a@example.com}
limits: {max_source_age: 520w}
playbooks: []
"""


def customer_names(n: int, rng: random.Random) -> list[str]:
    names, seen = [], set()
    while len(names) < n:
        name = f"{rng.choice(BRANDS)} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}"
        if name in seen:
            name = f"{name} ({rng.choice(CITIES)})"
        if name in seen:
            continue
        seen.add(name)
        names.append(name)
    return names


def payer_variant(name: str, rng: random.Random) -> str:
    r = rng.random()
    out = name if r < 0.3 else name.upper() if r < 0.55 else name.upper().replace("&", "AND") if r < 0.75 \
        else "M/S " + name if r < 0.88 else name.upper()[:20]
    if rng.random() < 0.3:  # a typo, never in the first letter
        k = rng.randrange(1, len(out))
        if out[k].isalpha():
            out = out[:k] + ("e" if out[k].lower() != "e" else "a") + out[k + 1:]
    return out


def ref_variant(inv_id: str, rng: random.Random) -> str:
    bare = inv_id.split("-")[1].lstrip("0")
    return rng.choice([inv_id, inv_id.lower().replace("-", ""), f"INV {bare}", f"Invoice no. {bare}",
                       f"inv-{bare}", f"PAYMENT AGAINST {inv_id.replace('-', '')}", f"bill #{bare}"])


def generate(ws: Path, invoices: int, lines: int, seed: int = 7) -> dict:
    """Write collectbot.yaml, customers.csv, invoices.csv, statement.csv and truth.csv."""
    rng = random.Random(seed)
    ws.mkdir(parents=True, exist_ok=True)
    for stale in ws.glob("collectbot.db*"):  # a fresh book gets a fresh state
        stale.unlink()
    (ws / "collectbot.yaml").write_text(CONFIG)
    n_cust = max(2, invoices // 5)
    names = customer_names(n_cust, rng)
    with (ws / "customers.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "name", "email"])
        for k, name in enumerate(names):
            w.writerow([f"C{k:06d}", name, f"c{k}@example.com"])
    book: list[tuple[str, int, int]] = []  # (invoice_id, customer index, paise)
    by_cust: dict[int, list[int]] = {}
    with (ws / "invoices.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["invoice_id", "customer_id", "due_date", "amount", "currency"])
        for i in range(invoices):
            c = rng.randrange(n_cust)
            rupees = rng.choice([rng.randrange(500, 200_000), rng.randrange(5, 2000) * 100])
            paise = rupees * 100 + (rng.randrange(100) if rng.random() < 0.4 else 0)
            due = NOW - timedelta(days=rng.randrange(-30, 120))
            w.writerow([f"INV-{i + 1:06d}", f"C{c:06d}", due.isoformat(), f"{paise / 100:.2f}", "INR"])
            by_cust.setdefault(c, []).append(len(book))
            book.append((f"INV-{i + 1:06d}", c, paise))
    unused = list(range(len(book)))
    rng.shuffle(unused)
    used: set[int] = set()

    def take() -> int | None:
        while unused:
            k = unused.pop()
            if k not in used:
                used.add(k)
                return k
        return None

    rows, truth = [], []
    kinds = (["ref"] * 40 + ["payer_amount"] * 15 + ["combined_payer"] * 8 + ["combined_refs"] * 5
             + ["partial_ref"] * 7 + ["payer_partial"] * 5 + ["no_clue"] * 5 + ["stranger"] * 10 + ["debit"] * 5)
    for row in range(lines):
        kind = rng.choice(kinds)
        utr = str(rng.randrange(10 ** 11, 10 ** 12))
        day = (NOW - timedelta(days=rng.randrange(0, 30))).isoformat()
        k = take() if kind not in ("stranger", "debit") else None
        if kind not in ("stranger", "debit") and k is None:
            kind = "stranger"
        payer, narr, paise, pays = "", "", 0, []
        if kind in ("combined_payer", "combined_refs"):
            mates = [m for m in by_cust[book[k][1]] if m not in used]
            if not mates:
                kind = "payer_amount"
            else:
                used.add(mates[0])
                pair = sorted([k, mates[0]])
                pays = [book[p][0] for p in pair]
                paise = book[pair[0]][2] + book[pair[1]][2]
                payer = payer_variant(names[book[k][1]], rng)
                narr = (f"NEFT/{utr}/" + " ".join(ref_variant(p, rng) for p in pays) if kind == "combined_refs"
                        else f"NEFT CR-{utr}-{payer}")
        if kind in ("ref", "partial_ref", "payer_amount", "payer_partial", "no_clue"):
            inv_id, c, full = book[k]
            pays = [inv_id]
            paise = full if kind in ("ref", "payer_amount") else max(100, full // rng.choice([2, 3, 4]))
            payer = payer_variant(names[c], rng)
            if kind in ("ref", "partial_ref"):
                narr = f"NEFT/{utr}/{ref_variant(inv_id, rng)}/{payer}"
            elif kind == "no_clue":
                payer, narr = "", f"IMPS/P2A/{utr}/TRANSFER"
            else:
                narr = f"UPI/{utr}/{payer}/PAYMENT"
        if kind == "stranger":
            narr = f"{rng.choice(STRANGERS)} {utr}"
            paise = rng.randrange(1000, 5_000_000)
        if kind == "debit":
            narr = f"ATM WDL {utr} A/C 1234567"
            paise = -rng.randrange(1000, 5_000_000)
        credit = f"{paise / 100:.2f}" if paise > 0 else ""
        debit = f"{-paise / 100:.2f}" if paise < 0 else ""
        rows.append([day, narr, payer, credit, debit, f"TXN{row:08d}"])
        truth.append([f"TXN{row:08d}", kind, " ".join(pays)])
    with (ws / "statement.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Narration", "Payer Name", "Credit", "Debit", "Transaction ID"])
        w.writerows(rows)
    with (ws / "truth.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["transaction_id", "kind", "invoice_ids"])
        w.writerows(truth)
    return {"invoices": invoices, "customers": n_cust, "lines": lines}


# Lines that carry enough evidence to be applied: an invoice number, or the payer with the exact amount.
# The others (part payments without a reference, no clue at all) should go to review or stay unmatched.
EVIDENT = ("ref", "partial_ref", "combined_refs", "payer_amount", "combined_payer")


def score(entries: list[dict], truth_path: Path) -> dict:
    """Precision and recall of the applied matches against truth.csv."""
    truth = {}
    with truth_path.open() as f:
        for r in csv.DictReader(f):
            truth[r["transaction_id"]] = (r["kind"], set(r["invoice_ids"].split()))
    applied = [e for e in entries if e["applied"]]
    right = sum(1 for e in applied if truth[e["transaction_id"]][1] == set(e["invoice_ids"]))
    payable = {t for t, (_, inv) in truth.items() if inv}
    applied_right = {e["transaction_id"] for e in applied if truth[e["transaction_id"]][1] == set(e["invoice_ids"])}
    by_kind: dict[str, list[int]] = {}
    hit = {e["transaction_id"] for e in applied}
    for t, (kind, inv) in truth.items():
        slot = by_kind.setdefault(kind, [0, 0, 0])
        slot[0] += 1
        slot[1] += t in applied_right
        slot[2] += t in hit and t not in applied_right
    evident = {t for t, (kind, _) in truth.items() if kind in EVIDENT}
    return {
        "applied": len(applied), "applied_right": right,
        "recall_evident": round(len(applied_right & evident) / len(evident), 4) if evident else None,
        "precision": round(right / len(applied), 4) if applied else None,
        "recall": round(len(applied_right & payable) / len(payable), 4) if payable else None,
        "by_kind": {k: {"lines": v[0], "applied_right": v[1], "applied_wrong": v[2]} for k, v in sorted(by_kind.items())},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--invoices", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None, help="workspace folder (default: a temporary one)")
    ap.add_argument("--full", action="store_true", help="also time the real CLI (sync + record in SQLite)")
    ap.add_argument("--phases", action="store_true",
                    help="also time each step of the command (sync, record, report, JSON) in CPU seconds")
    args = ap.parse_args(argv)

    import pandas as pd

    from collectbot.config import load_config
    from collectbot.reconcile.matcher import match_lines
    from collectbot.reconcile.readers import read_statement
    from collectbot.sources import load_sources

    ws = args.out or Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    t = time.perf_counter()
    meta = generate(ws, args.invoices, args.lines, args.seed)
    print(f"generated {meta} in {time.perf_counter() - t:.1f}s at {ws}", file=sys.stderr)

    def timed(fn):
        """(result, wall seconds, CPU seconds): CPU time is the fairer figure on a busy machine."""
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w, time.process_time() - c

    def floor_read():
        for name in ("invoices.csv", "customers.csv", "statement.csv"):
            pd.read_csv(ws / name, dtype=str)

    floors = [timed(floor_read) for _ in range(3)]
    floor, floor_cpu = min(f[1] for f in floors), min(f[2] for f in floors)
    write_floors = [timed(lambda: floor_read_write(ws)) for _ in range(3)]
    write_floor_cpu = min(f[2] for f in write_floors)

    config = load_config(ws / "collectbot.yaml")
    loaded, t_load, c_load = timed(lambda: load_sources(config))
    statement, t_read, c_read = timed(lambda: read_statement(ws / "statement.csv", default_currency="INR"))
    balances = {i.invoice_id: i.balance for i in loaded.invoices}
    result, t_match, c_match = timed(lambda: match_lines(statement.lines, loaded.invoices, balances,
                                                         loaded.customers, currency="INR"))
    entries = [m.as_dict() for m in result.all()]
    report = {
        "invoices": len(loaded.invoices), "lines": len(statement.lines), "reader_errors": len(statement.errors),
        "floor_pandas_s": round(floor, 3), "floor_pandas_cpu_s": round(floor_cpu, 3),
        "floor_read_write_cpu_s": round(write_floor_cpu, 3),
        "load_sources_s": round(t_load, 3), "read_statement_s": round(t_read, 3), "match_s": round(t_match, 3),
        "match_cpu_s": round(c_match, 3),
        "ratio_matcher_only_cpu": round(c_match / floor_cpu, 2),
        "ratio_load_read_match_cpu": round((c_load + c_read + c_match) / floor_cpu, 2),
        "ratio_load_read_match_wall": round((t_load + t_read + t_match) / floor, 2),
        "matched": len(result.matches), "review": len(result.review), "unmatched": len(result.unmatched),
        "debits_ignored": result.ignored_debits,
        **score(entries, ws / "truth.csv"),
    }
    if args.full:
        from typer.testing import CliRunner

        from collectbot.cli import app

        out, t_full, c_full = timed(lambda: CliRunner().invoke(
            app, ["reconcile", str(ws / "statement.csv"), "-c", str(ws), "--json", "--now", "2026-11-23T12:00"]))
        report["full_cli_s"], report["full_cli_cpu_s"] = round(t_full, 3), round(c_full, 3)
        report["ratio_full_cli_cpu"] = round(c_full / floor_cpu, 2)
        report["ratio_full_cli_cpu_to_read_write_floor"] = round(c_full / write_floor_cpu, 2)
        report["full_cli_exit"] = out.exit_code
        if out.exit_code in (0, 1):
            doc = json.loads(out.stdout)
            report["full_cli_summary"] = doc["summary"]
    if args.phases:
        report["phases_cpu_s"] = phases(ws, config, floor_cpu)
    print(json.dumps(report, indent=2))
    return 0


def floor_read_write(ws: Path) -> None:
    """The brief's floor for a command that writes its state: pandas reads the three files and
    sqlite3 writes every invoice row and every statement line into a fresh database (one
    transaction, `executemany`, no index). `reconcile` must do at least this much — SPEC 7 has it
    sync the invoice book into the state and record every new line — so this is the fairer yardstick
    for the whole command; the pandas-only floor is issue 5's."""
    import sqlite3

    import pandas as pd

    frames = {name: pd.read_csv(ws / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("invoices", "customers", "statement")}
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "floor.db")
        with conn:
            for name in ("invoices", "statement"):
                frame = frames[name]
                conn.execute(f"CREATE TABLE {name} ({', '.join(f'c{k}' for k in range(len(frame.columns)))})")
                conn.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(frame.columns))})",
                                 frame.itertuples(index=False, name=None))
        conn.close()


def phases(ws: Path, config, floor_cpu: float) -> dict:
    """CPU seconds of each step `collectbot reconcile --json` takes, on a fresh state file, in the
    command's order — to see where the time goes (the ratio to the pandas floor is per step)."""
    import gc
    from datetime import datetime, timezone

    from collectbot import jsondoc
    from collectbot.gcpause import gc_paused
    from collectbot.reconcile import ReconcileReport, add_entries
    from collectbot.reconcile.matcher import match_lines
    from collectbot.reconcile.readers import read_statement
    from collectbot.reconcile.record import record_result, split_new_lines
    from collectbot.sources import load_sources
    from collectbot.state import State
    from collectbot.sync import effective_balances, sync_invoices

    for stale in ws.glob("collectbot.db*"):
        stale.unlink()
    now = datetime(2026, 11, 23, 6, 30, tzinfo=timezone.utc)
    out: dict[str, float] = {}

    def step(name, fn):
        c = time.process_time()
        value = fn()
        out[name] = round(time.process_time() - c, 3)
        return value

    gc.collect()
    with State.open(config.state_path) as state:
        loaded = step("load_sources", lambda: load_sources(config))
        step("sync", lambda: sync_invoices(state, loaded, now))
        balances = step("effective_balances", lambda: effective_balances(state, loaded.invoices))
        read = step("read_statement", lambda: read_statement(ws / "statement.csv", default_currency="INR"))
        fresh, _ = step("skip_known_lines", lambda: split_new_lines(state, list(read.lines)))
        result = step("match", lambda: match_lines(fresh, loaded.invoices, balances, loaded.customers,
                                                   currency="INR"))
        ids = step("record", lambda: record_result(state, result, file="statement.csv", now=now).payment_ids)
        report = ReconcileReport(now=now, dry_run=False)
        step("report_entries", lambda: add_entries(report, result, ids))
        with gc_paused():  # as the command writes its document
            step("json", lambda: jsondoc.dumps(report.as_dict()))
    out["total"] = round(sum(out.values()), 3)
    out["ratio_total_cpu"] = round(out["total"] / floor_cpu, 2)
    # SPEC 7's first step, before any statement is read: what no matcher can win back
    out["ratio_load_and_sync_cpu"] = round((out["load_sources"] + out["sync"]) / floor_cpu, 2)
    return out


if __name__ == "__main__":
    sys.exit(main())
