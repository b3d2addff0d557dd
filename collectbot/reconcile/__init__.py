"""Reconcile: statements → bank lines (readers) → matches (matcher) → state (record).

`reconcile_files` is the whole `collectbot reconcile FILE…` minus the terminal: it loads the
invoice sources exactly as `run` does (same sync, under the workspace lock), reads each file,
skips lines already imported, matches the rest against effective balances that already count
earlier payments, and records the result (unless dry_run). One unreadable file is reported
and the others go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..config import Config
from ..gcpause import gc_paused
from ..models import BankLine, LoadResult
from .entries import Entry, entries_json
from .matcher import MatchResult, match_lines

__all__ = ["ReconcileReport", "reconcile_files", "match_lines"]


@dataclass
class FileReport:
    path: str
    format: str | None = None
    lines: int = 0
    credits: int = 0
    debits: int = 0  # money out and zero lines: ignored, never matched
    already_imported: int = 0
    readable: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "lines": self.lines, "credits": self.credits,
                "debits_ignored": self.debits, "already_imported": self.already_imported, "readable": self.readable}


@dataclass
class ReconcileReport:
    now: datetime
    dry_run: bool
    matches: list[Entry] = field(default_factory=list)
    review: list[Entry] = field(default_factory=list)
    unmatched: list[Entry] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # unreadable files/lines, bad source rows
    already_imported: list[dict[str, Any]] = field(default_factory=list)  # lines skipped: recorded before
    files: list[FileReport] = field(default_factory=list)
    run_id: int | None = None
    settled: list[int] = field(default_factory=list)  # queue items closed: the payments settled their invoices

    @property
    def exit_code(self) -> int:
        """0 all read; 1 some lines or files could not be read (the rest recorded); 2 no file could
        be read at all — bad input, nothing recorded (README's exit codes)."""
        if self.files and not any(f.readable for f in self.files):
            return 2
        return 1 if self.errors else 0

    def summary(self) -> dict[str, Any]:
        applied = [m.amount for m in self.matches]
        return {
            "files": len(self.files),
            "lines": sum(f.lines for f in self.files),
            "matched": len(self.matches),
            "review": len(self.review),
            "unmatched": len(self.unmatched),
            "debits_ignored": sum(f.debits for f in self.files),
            "already_imported": sum(f.already_imported for f in self.files),
            "matched_amount": str(sum(applied, Decimal(0))),
            "errors": len(self.errors),
            "dry_run": self.dry_run,
        }

    def as_dict(self) -> dict[str, Any]:
        doc = {"command": "reconcile", "now": self.now, "dry_run": self.dry_run,
               "matches": entries_json(self.matches), "review": entries_json(self.review),
               "unmatched": entries_json(self.unmatched), "already_imported": self.already_imported,
               "errors": self.errors,
               "files": [f.as_dict() for f in self.files], "summary": self.summary()}
        if self.run_id is not None:
            doc["run_id"] = self.run_id
        if self.settled:
            doc["settled"] = self.settled
        return doc


def reconcile_files(config: Config, paths: list[str | os.PathLike], now: datetime, *, dry_run: bool = False,
                    format: str | None = None) -> ReconcileReport:
    """Load sources, read each statement, match and (unless dry_run) record. Raises LockedError
    (exit 3) when another run holds the workspace."""
    from .. import items, ledger
    from ..pipeline import _closing, load, open_readonly
    from ..state import State, WorkspaceLock

    report = ReconcileReport(now=now, dry_run=dry_run)
    if dry_run:
        loaded = load(config)
        with _closing(open_readonly(config)) as state:
            _reconcile(config, paths, now, report, loaded, state, format, record=False)
        return report
    with WorkspaceLock(config.state_path), _closing(State.open(config.state_path)) as state:
        loaded = load(config)
        from ..sync import TooManyGone, sync_invoices

        try:
            sync_invoices(state, loaded, now, config.limits.max_gone)
        except TooManyGone as exc:  # an export that lost its rows: record nothing (SPEC 2)
            from ..errors import UsageError
            from ..pipeline import too_many_gone_message

            raise UsageError(too_many_gone_message(exc, config, loaded, "run `collectbot run --force` first, "
                                                                        "then reconcile")) from None
        report.run_id = ledger.begin_run(state, now, os.getpid(), command="reconcile")
        status = "failed"
        try:
            _reconcile(config, paths, now, report, loaded, state, format, record=True)
            report.settled = items.settle(state, now)  # nobody is sent to chase a customer who has paid
            status = "done"
        finally:
            ledger.finish_run(state, report.run_id, now, status, report.summary())
    return report


def _reconcile(config: Config, paths: list, now: datetime, report: ReconcileReport, loaded: LoadResult, state,
               fmt: str | None, *, record: bool) -> None:
    from ..sync import effective_balances
    from .readers import read_statement
    from .record import record_result, split_new_lines

    report.errors.extend(e.as_dict() for e in loaded.errors)
    balances = effective_balances(state, loaded.invoices)
    options = config.reconcile.get("bank_csv") if isinstance(config.reconcile, dict) else None
    for raw in paths:
        path = Path(raw)
        fr = FileReport(path=str(raw))
        report.files.append(fr)
        try:
            read = read_statement(path, format=fmt, options=options, default_currency=config.business.currency)
        except Exception as exc:  # a reader bug or an unexpected file must not sink the other files
            fr.readable = False
            report.errors.append({"file": str(raw), "row": None, "column": None,
                                  "message": f"cannot read this file: {exc}"})
            continue
        fr.format = read.format
        report.errors.extend(e.as_dict() for e in read.errors)
        if any(getattr(e, "kind", "row") == "file" for e in read.errors) and not read.lines:
            fr.readable = False
        lines: list[BankLine] = list(read.lines)
        fr.lines = len(lines)
        fresh, old = split_new_lines(state, lines)
        fr.already_imported = len(old)
        report.already_imported.extend(_line_dict(ln) for ln in old)
        result: MatchResult = match_lines(fresh, loaded.invoices, balances, loaded.customers,
                                          currency=config.business.currency)
        fr.debits = result.ignored_debits
        fr.credits = len(fresh) - result.ignored_debits
        balances.update(result.balances)  # later files see what this one paid (also in a dry run)
        ids: dict[int, int] = {}
        if record:
            ids = record_result(state, result, file=str(raw), now=now, run_id=report.run_id).payment_ids
        add_entries(report, result, ids)


def add_entries(report: ReconcileReport, result: MatchResult, ids: dict[int, int]) -> None:
    """The report's entries of one file's verdicts, `ids` giving each recorded line's payment id.

    With the cyclic GC paused: a 100k-line statement makes a hundred thousand entries that all
    stay alive in the report, and the collector's rescans of them would free nothing."""
    with gc_paused():
        for bucket, verdicts in ((report.matches, result.matches), (report.review, result.review),
                                 (report.unmatched, result.unmatched)):
            bucket.extend(Entry(m, ids.get(m.position)) for m in verdicts)


def _line_dict(ln: BankLine) -> dict[str, Any]:
    return {"transaction_id": ln.transaction_id, "date": ln.date.isoformat(), "amount": str(ln.amount),
            "currency": ln.currency, "description": ln.description, "file": ln.file, "row": ln.row}
