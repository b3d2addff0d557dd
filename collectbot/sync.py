"""Writing what the sources say into the state file, and the effective balance (SPEC section 2).

The latest sources are the truth about which invoices exist: an invoice that was open in the
state but is absent from every invoice source becomes `gone` (and gets no more messages);
one that comes back is open again. Ids whose rows were unreadable are neither refreshed nor
closed, and when a whole invoice file could not be read the `gone` rule is suspended.

Everything is written in one transaction with `executemany`, so 100k invoices sync in a
fraction of a second and a crash never leaves a half-synced state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .models import Invoice, LoadResult
from .state import State, iso

_UPSERT_INVOICE = """
INSERT INTO invoices (invoice_id, customer_id, customer_name, email, phone, whatsapp, issue_date, due_date,
                      amount, source_balance, currency, source_status, state, extra, source, first_seen, last_seen,
                      gone_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, NULL)
ON CONFLICT (invoice_id) DO UPDATE SET
    customer_id = excluded.customer_id, customer_name = excluded.customer_name, email = excluded.email,
    phone = excluded.phone, whatsapp = excluded.whatsapp, issue_date = excluded.issue_date,
    due_date = excluded.due_date, amount = excluded.amount, source_balance = excluded.source_balance,
    currency = excluded.currency, source_status = excluded.source_status, state = 'open', extra = excluded.extra,
    source = excluded.source, last_seen = excluded.last_seen, gone_at = NULL
"""

_INSERT_INVOICE = _UPSERT_INVOICE.split("ON CONFLICT")[0]

_UPSERT_CUSTOMER = """
INSERT INTO customers (customer_id, name, email, phone, whatsapp, tier, timezone, language, owner, extra, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (customer_id) DO UPDATE SET
    name = excluded.name, email = excluded.email, phone = excluded.phone, whatsapp = excluded.whatsapp,
    tier = excluded.tier, timezone = excluded.timezone, language = excluded.language, owner = excluded.owner,
    extra = excluded.extra, updated_at = excluded.updated_at
"""


@dataclass
class SyncReport:
    new: int = 0  # invoices seen for the first time
    updated: int = 0  # invoices already known and still in the sources (their row refreshed)
    gone: int = 0  # open invoices absent from every source: closed
    reopened: int = 0  # gone invoices back in the sources
    gone_ids: list[str] = field(default_factory=list)
    reopened_ids: list[str] = field(default_factory=list)
    gone_suspended: bool = False  # an invoice file was unreadable: nothing was closed
    customers: int = 0
    warnings: list[str] = field(default_factory=list)  # for the user: e.g. why nothing was closed

    def as_dict(self) -> dict:
        return {"new": self.new, "updated": self.updated, "gone": self.gone, "reopened": self.reopened,
                "gone_ids": self.gone_ids, "reopened_ids": self.reopened_ids,
                "gone_suspended": self.gone_suspended, "customers": self.customers, "warnings": self.warnings}


_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # one encoder: json.dumps(**kw) builds one per call


def _extra_json(extra: dict) -> str:
    return _encode(extra) if extra else "{}"


def _extras_json(extras: list[dict]) -> list[str]:
    """The `extra` JSON of many rows. Rows share their keys and repeat values, so each key and each
    distinct value is encoded once; the text is what json.dumps would give."""
    keys: dict[str, str] = {}
    values: dict[object, str] = {}
    out = []
    for extra in extras:
        if not extra:
            out.append("{}")
            continue
        try:
            parts = []
            for k, v in extra.items():
                kt = keys.get(k)
                if kt is None:
                    kt = keys[k] = _encode(str(k)) + ": "
                vt = values.get(v)
                if vt is None:
                    vt = values[v] = _encode(v)
                parts.append(kt + vt)
            out.append("{" + ", ".join(parts) + "}")
        except TypeError:  # an unhashable value: encode the row the plain way
            out.append(_encode(extra))
    return out


class _IsoDates(dict):
    """date -> ISO text, computed once per distinct date (a book has few distinct dates)."""

    def __missing__(self, d):
        text = self[d] = d.isoformat() if d is not None else None
        return text


def sync_invoices(state: State, result: LoadResult, now: datetime) -> SyncReport:
    """Upsert the loaded invoices and customers and apply the gone/reopen rule, in one transaction."""
    from .sources import _no_cyclic_gc

    with _no_cyclic_gc():
        return _sync(state, result, now)


def _sync(state: State, result: LoadResult, now: datetime) -> SyncReport:
    stamp = iso(now)
    report = SyncReport(gone_suspended=result.incomplete)
    day = _IsoDates()
    extras = _extras_json([i.extra for i in result.invoices])
    inv_rows = [
        (i.invoice_id, i.customer_id, i.customer_name, i.email, i.phone, i.whatsapp,
         day[i.issue_date], day[i.due_date], str(i.amount), str(i.balance),
         i.currency, i.status, extra, i.source, stamp, stamp)
        for i, extra in zip(result.invoices, extras)
    ]
    customers = list(result.customers.values())
    cust_rows = [
        (c.customer_id, c.name, c.email, c.phone, c.whatsapp, c.tier, c.timezone, c.language, c.owner, extra, stamp)
        for c, extra in zip(customers, _extras_json([c.extra for c in customers]))
    ]
    with state.transaction() as conn:
        before = dict(conn.execute("SELECT invoice_id, state FROM invoices").fetchall())
        loaded = {i.invoice_id for i in result.invoices}
        for iid in loaded:
            was = before.get(iid)
            if was is None:
                report.new += 1
            elif was == "gone":
                report.reopened_ids.append(iid)
            else:
                report.updated += 1
        fresh = [r for r in inv_rows if r[0] not in before]  # plain INSERT is cheaper than an upsert
        known = [r for r in inv_rows if r[0] in before] if len(fresh) < len(inv_rows) else []
        conn.executemany(_INSERT_INVOICE, fresh)
        conn.executemany(_UPSERT_INVOICE, known)
        conn.executemany(_UPSERT_CUSTOMER, cust_rows)
        if not result.incomplete:
            report.gone_ids = sorted(iid for iid, st in before.items()
                                     if st == "open" and iid not in loaded and iid not in result.unreadable_ids)
            conn.executemany("UPDATE invoices SET state = 'gone', gone_at = ? WHERE invoice_id = ?",
                             [(stamp, iid) for iid in report.gone_ids])
        events = [(stamp, "gone", iid, json.dumps({"reason": "absent from every invoice source"}))
                  for iid in report.gone_ids]
        events += [(stamp, "reopened", iid, json.dumps({"reason": "back in the invoice sources"}))
                   for iid in report.reopened_ids]
        conn.executemany("INSERT INTO events (at, kind, invoice_id, data) VALUES (?, ?, ?, ?)", events)
    report.reopened_ids.sort()
    if result.incomplete:
        report.warnings.append("an invoice source could not be read, so no invoice was closed as gone this time "
                               "(fix the file; missing invoices are closed on the next complete load)")
    report.gone, report.reopened, report.customers = len(report.gone_ids), len(report.reopened_ids), len(cust_rows)
    return report


def recorded_payments(state: State) -> dict[str, Decimal]:
    """Sum of applied allocations per invoice (one grouped query; summed as Decimal, never float)."""
    paid: dict[str, Decimal] = {}
    for invoice_id, amounts in state.conn.execute(
            "SELECT invoice_id, group_concat(amount, ' ') FROM allocations WHERE applied = 1 GROUP BY invoice_id"):
        paid[invoice_id] = sum((Decimal(a) for a in amounts.split()), Decimal(0))
    return paid


def effective_balances(state: State, invoices: list[Invoice]) -> dict[str, Decimal]:
    """min(source balance, amount − payments recorded by collectbot), per invoice id.

    A payment matched by `reconcile` counts at once, before the accounting export catches up;
    once the export shows it, the source balance is already lower and it is not counted twice."""
    paid = recorded_payments(state)
    zero = Decimal(0)
    return {i.invoice_id: min(i.balance, i.amount - paid.get(i.invoice_id, zero)) for i in invoices}
