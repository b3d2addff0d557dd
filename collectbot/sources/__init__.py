"""Invoice and customer sources -> one `LoadResult` (SPEC section 2).

`load_sources(config)` reads every configured file. It never raises for bad data: an
unreadable file or a bad row becomes a `RowError` and the good rows go on. An invoice file
that cannot be read at all marks the result `incomplete`, which suspends the `gone` rule in
`sync`, so a missing export never closes every invoice.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from contextlib import contextmanager
from operator import attrgetter

from ..config import Config
from ..models import Credit, Customer, Invoice, LoadResult, RowError
from .customers import derive_customers, load_customer_file
from .invoices import load_invoice_file
from .parse import default_region
from .presets import PRESETS, detect

__all__ = ["load_sources", "PRESETS", "detect"]


def load_sources(config: Config) -> LoadResult:
    with _no_cyclic_gc():
        return _load(config)


@contextmanager
def _no_cyclic_gc():
    """Building 100k invoices makes the cyclic garbage collector rescan every new object again and
    again (a third of the load time); these objects hold no cycles, so it is paused meanwhile.

    Re-enabled, it would still sweep every object made meanwhile once (about 0.08 s for 100k
    invoices) and again in each later full collection, though they are long-lived and acyclic. So
    they are moved out of its sight with `gc.freeze()` (the standard library's tool for long-lived
    objects); the previous freeze is undone first, so whatever it held (garbage included) goes back
    to the collector and nothing stays frozen for good."""
    enabled = gc.isenabled()
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _load(config: Config) -> LoadResult:
    business = config.business
    region = default_region(business.country, business.locale)
    invoices: list[Invoice] = []
    errors: list[RowError] = []
    files = []
    unreadable: set[str] = set()
    incomplete = False
    not_invoices: Counter[str] = Counter()
    credits: list[Credit] = []
    for spec in config.invoice_sources:
        got = load_invoice_file(spec, business, region)
        not_invoices.update(got.not_invoices)
        credits.extend(got.credits)
        invoices.extend(got.invoices)
        errors.extend(got.errors)
        unreadable |= got.bad_ids
        incomplete |= got.unreadable
        if got.file is not None:
            files.append(got.file)
    if len(config.invoice_sources) > 1:
        invoices = _drop_cross_file_duplicates(invoices, errors, unreadable)
    good = set(map(attrgetter("invoice_id"), invoices))
    unreadable -= good
    if credits:
        apply_credits(invoices, credits)

    known: dict[str, Customer] = {}
    for spec in config.customer_sources:
        customers, cerrors, cfiles = load_customer_file(spec, region)
        errors.extend(cerrors)
        files.extend(cfiles)
        for cid, c in customers.items():
            known.setdefault(cid, c)
    return LoadResult(invoices=invoices, customers=derive_customers(invoices, known), errors=errors, files=files,
                      unreadable_ids=unreadable, incomplete=incomplete, not_invoices=dict(not_invoices),
                      credits=credits)


def apply_credits(invoices: list[Invoice], credits: list[Credit]) -> None:
    """Each credit reduces its customer's open invoices in its currency, oldest due date first
    (SPEC 2, "Credits are not chased"): an invoice a credit covers is paid, one it covers in part
    partial. What a credit cannot place (no open invoice in that currency) is left unapplied."""
    open_by: dict[tuple[str, str], list[Invoice]] = defaultdict(list)
    for inv in invoices:
        if not inv.stopped_by_status and inv.balance > 0:
            open_by[(inv.customer_id, inv.currency)].append(inv)
    for group in open_by.values():
        group.sort(key=lambda i: (i.due_date, i.issue_date or i.due_date, i.invoice_id))
    for credit in sorted(credits, key=lambda c: (c.source, c.row or 0)):
        left = credit.amount
        for inv in open_by.get((credit.customer_id, credit.currency), ()):
            if left <= 0:
                break
            if inv.balance <= 0:
                continue
            take = min(left, inv.balance)
            inv.balance -= take
            left -= take
            inv.status = "paid" if inv.balance == 0 else "partial"
            credit.invoice_ids.append(inv.invoice_id)
        credit.applied = credit.amount - left


def _drop_cross_file_duplicates(invoices: list[Invoice], errors: list[RowError], unreadable: set[str]) -> list[Invoice]:
    """An invoice id in two files is not trusted from either: every occurrence is reported."""
    where: dict[str, list[Invoice]] = defaultdict(list)
    for inv in invoices:
        where[inv.invoice_id].append(inv)
    dups = {k for k, v in where.items() if len(v) > 1}
    if not dups:
        return invoices
    for k in sorted(dups):
        for inv in where[k]:
            others = "; ".join(f"{o.source} row {o.row}" for o in where[k] if o is not inv)
            errors.append(RowError(inv.source, inv.row, None,
                                   f"duplicate invoice_id {k!r}: also in {others}; not used until it is unique"))
    unreadable |= dups
    return [inv for inv in invoices if inv.invoice_id not in dups]
