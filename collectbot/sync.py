"""Writing what the sources say into the state file, and the effective balance (SPEC section 2).

The latest sources are the truth about which invoices exist: an invoice that was open in the
state but is absent from every invoice source becomes `gone` (and gets no more messages);
one that comes back is open again. Ids whose rows were unreadable are neither refreshed nor
closed, and when a whole invoice file could not be read the `gone` rule is suspended.

Why it is shaped this way (100k invoices must sync within a small factor of a bare
`executemany`; see benchmarks/bench_load.py):
- a first sync (empty table) is one plain `INSERT` `executemany` in invoice_id order into a
  table that is a single B-tree keyed by invoice_id (no rowid, no secondary index);
- a later sync reads what is stored, compares whole rows, and writes only the invoices that are
  new, changed or back; customers likewise, so a customer's `updated_at` is the last sync that
  changed it;
- `last_seen` is NULL for every invoice the latest sync saw (meta `last_sync` says when): a
  sync writes it only for the invoices that drop out of the sources (they keep the time they
  were last seen) and clears it for those that come back, instead of stamping every row;
- everything happens in one transaction, so a crash never leaves a half-synced state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, is_, itemgetter, ne

from .errors import CollectbotError
from .models import Customer, Invoice, LoadResult
from .state import State, iso, stored_amount

# The stored columns that come from the sources, in the order `invoice_rows` builds them.
INVOICE_COLUMNS = ("invoice_id", "customer_id", "customer_name", "email", "phone", "whatsapp", "issue_date",
                   "due_date", "amount", "source_balance", "currency", "source_status", "extra", "source")
CUSTOMER_COLUMNS = ("customer_id", "name", "email", "phone", "whatsapp", "tier", "timezone", "language", "owner",
                    "extra")

# The rows `invoice_rows` builds: the source columns, then first_seen.
_INVOICE_ROW = (*INVOICE_COLUMNS, "first_seen")
_CUSTOMER_ROW = (*CUSTOMER_COLUMNS, "updated_at")
# Columns that may be NULL and default to NULL, so an INSERT may leave them out.
_INVOICE_NULLABLE = ("customer_name", "email", "phone", "whatsapp", "issue_date", "extra", "source")
_CUSTOMER_NULLABLE = CUSTOMER_COLUMNS[1:]


def _insert_invoice(columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO invoices ({', '.join(columns)}, state, last_seen, gone_at) "
            f"VALUES ({', '.join('?' * len(columns))}, 'open', NULL, NULL)")


def _upsert_invoice(columns: tuple[str, ...]) -> str:
    """For invoices already in the state whose row changed or that come back: refresh everything
    but first_seen (a column left out of the INSERT reads as NULL in `excluded`)."""
    return _insert_invoice(columns) + f"""
ON CONFLICT (invoice_id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in INVOICE_COLUMNS[1:])},
    state = 'open', last_seen = NULL, gone_at = NULL
"""


def _upsert_customer(columns: tuple[str, ...]) -> str:
    return f"""
INSERT INTO customers ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})
ON CONFLICT (customer_id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _CUSTOMER_ROW[1:])}
"""


def _write_rows(conn, statement: Callable[[tuple[str, ...]], str], columns: tuple[str, ...],
                nullable: tuple[str, ...], rows: list[tuple]) -> None:
    """`executemany` of `statement(columns)`, leaving out the nullable columns that are None in
    every row. sqlite3 sends each None it binds through its adapter protocol (a dict lookup and
    two attribute lookups), so three empty contact columns cost a fifth of a first sync."""
    empty = {columns.index(c) for c in nullable
             if rows and all(map(is_, map(itemgetter(columns.index(c)), rows), repeat(None)))}
    if empty:
        keep = [j for j in range(len(columns)) if j not in empty]  # the key and a NOT NULL column: 2+
        rows = list(map(itemgetter(*keep), rows))
        columns = tuple(columns[j] for j in keep)
    conn.executemany(statement(columns), rows)


# Stored invoices absent from these sources (?2, a JSON array: usually few) that the previous
# sync saw: they were last seen then (?1).
_FREEZE_SEEN = """
UPDATE invoices SET last_seen = ?1
WHERE last_seen IS NULL AND invoice_id IN (SELECT value FROM json_each(?2))
"""

@dataclass
class SyncReport:
    new: int = 0  # invoices seen for the first time
    updated: int = 0  # invoices already known and still in the sources (last_seen refreshed)
    changed: int = 0  # of those, the ones whose stored row differed and was rewritten
    gone: int = 0  # open invoices absent from every source: closed
    reopened: int = 0  # gone invoices back in the sources
    gone_ids: list[str] = field(default_factory=list)
    reopened_ids: list[str] = field(default_factory=list)
    gone_suspended: bool = False  # an invoice file was unreadable: nothing was closed
    customers: int = 0
    warnings: list[str] = field(default_factory=list)  # for the user: e.g. why nothing was closed

    def as_dict(self) -> dict:
        return {"new": self.new, "updated": self.updated, "changed": self.changed, "gone": self.gone,
                "reopened": self.reopened, "gone_ids": self.gone_ids, "reopened_ids": self.reopened_ids,
                "gone_suspended": self.gone_suspended, "customers": self.customers, "warnings": self.warnings}


_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # one encoder: json.dumps(**kw) builds one per call


def extras_json(extras: list[dict]) -> list[str]:
    """The `extra` JSON text of many rows, exactly as json.dumps(extra, ensure_ascii=False) writes it.

    Rows of one export share their keys and repeat their values, so each distinct value is encoded
    once; when every row has the same single key (a typical export) the texts are looked up with
    C-level maps, else they are assembled row by row."""
    if not extras:
        return []
    keys = list(extras[0])
    if not any(extras):
        return ["{}"] * len(extras)
    if len(keys) == 1:  # the common case of one extra column: one C-level pass per step
        key = keys[0]
        if all(map(keys.__eq__, map(list, extras))):
            values = list(map(itemgetter(key), extras))
            if set(map(type, values)) == {str}:  # cells are text; 1 == True would share a cache entry
                encoded = {v: "{" + _encode(str(key)) + ": " + _encode(v) + "}" for v in set(values)}
                return list(map(encoded.__getitem__, values))
    return _extras_json_rows(extras)


def _extras_json_rows(extras: list[dict]) -> list[str]:
    """Row-by-row `extras_json` for rows whose keys differ; keys and distinct values still encoded once."""
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
                if type(v) is not str:  # only text is cached: 1 == True == Decimal(1) would share an entry
                    vt = _encode(v)
                elif (vt := values.get(v)) is None:
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


def invoice_rows(invoices: list[Invoice], stamp: str) -> list[tuple]:
    """The stored form of each invoice: INVOICE_COLUMNS (text dates, decimal text, extra as JSON)
    followed by first_seen = `stamp`. One tuple display per invoice is the cheapest
    way Python has to build them (cheaper than transposing columns)."""
    day = _IsoDates()
    extras = extras_json(list(map(attrgetter("extra"), invoices)))
    return [(i.invoice_id, i.customer_id, i.customer_name, i.email, i.phone, i.whatsapp, day[i.issue_date],
             day[i.due_date], str(i.amount), str(i.balance), i.currency, i.status, extra, i.source, stamp)
            for i, extra in zip(invoices, extras)]


def customer_rows(customers: list[Customer], stamp: str) -> list[tuple]:
    """The stored form of each customer: CUSTOMER_COLUMNS, then updated_at = `stamp`."""
    extras = extras_json(list(map(attrgetter("extra"), customers)))
    return [(c.customer_id, c.name, c.email, c.phone, c.whatsapp, c.tier, c.timezone, c.language, c.owner, extra,
             stamp) for c, extra in zip(customers, extras)]


class TooManyGone(CollectbotError):
    """The sources would close more of the invoices the state knows as present at once than
    `limits.max_gone` allows: an export that lost its rows is not "everyone paid". Nothing was written."""

    def __init__(self, gone: int, open_before: int):
        super().__init__(f"{gone} of {open_before} open invoices")
        self.gone, self.open_before = gone, open_before


def too_many_gone(gone: int, open_before: int, max_gone: float) -> bool:
    """More than `max_gone` (a share, 0.5 = 50 %) of the open invoices at once, and more than 5."""
    return gone > 5 and gone > max_gone * open_before


def closing(open_ids: Iterable[str], loaded: set[str], result: LoadResult) -> list[str]:
    """The open invoices a sync of `result` closes as gone: in no source, and not merely unreadable
    there; none at all when a whole invoice file could not be read."""
    if result.incomplete:
        return []
    return sorted(iid for iid in open_ids if iid not in loaded and iid not in result.unreadable_ids)


def guard_gone(gone: int, open_before: int, max_gone: float | None) -> None:
    """TooManyGone when closing `gone` of `open_before` invoices is more than `max_gone` allows."""
    if max_gone is not None and too_many_gone(gone, open_before, max_gone):
        raise TooManyGone(gone, open_before)


def check_gone(state: State, result: LoadResult, max_gone: float) -> None:
    """Raise TooManyGone when a sync of `result` would close too many invoices (the rule of
    `_refresh`, read only: for `run --dry-run`, which does not sync)."""
    open_ids = [r[0] for r in _tuples(state.conn, "SELECT invoice_id FROM invoices WHERE state = 'open'")]
    gone = closing(open_ids, {inv.invoice_id for inv in result.invoices}, result)
    guard_gone(len(gone), len(open_ids), max_gone)


def sync_invoices(state: State, result: LoadResult, now: datetime, max_gone: float | None = None) -> SyncReport:
    """Write the loaded invoices and customers and apply the gone/reopen rule, in one transaction
    (rolled back, raising TooManyGone, when more would go than `max_gone` allows)."""
    from .sources import _no_cyclic_gc

    with _no_cyclic_gc(), _big_page_cache(state):
        return _sync(state, result, now, max_gone)


@contextmanager
def _big_page_cache(state: State):
    """A 64 MB page cache while 100k rows go into the invoices B-tree: the default 2 MB makes
    SQLite spill and re-read pages. Restored afterwards."""
    before = state.conn.execute("PRAGMA cache_size").fetchone()[0]
    state.conn.execute("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        state.conn.execute(f"PRAGMA cache_size = {int(before)}")


def _sync(state: State, result: LoadResult, now: datetime, max_gone: float | None) -> SyncReport:
    stamp = iso(now)
    report = SyncReport(gone_suspended=result.incomplete)
    rows = invoice_rows(result.invoices, stamp)
    cust_rows = customer_rows(list(result.customers.values()), stamp)
    with state.transaction() as conn:
        known = {}  # id -> open | gone
        away = set()  # ids the previous sync did not see (last_seen set)
        for iid, st, seen in _tuples(conn, "SELECT invoice_id, state, last_seen IS NULL FROM invoices"):
            known[iid] = st
            if not seen:
                away.add(iid)
        if not known:
            _first_insert(conn, rows)
            report.new = len(rows)
        else:
            previous = _tuples(conn, "SELECT value FROM meta WHERE key = 'last_sync'").fetchone()
            _record_balance_drops(conn, rows, stamp)
            _refresh(conn, rows, known, away, result, stamp, previous[0] if previous else stamp, report)
            if report.gone_ids:  # raising rolls the transaction back
                guard_gone(len(report.gone_ids), sum(st == "open" for st in known.values()), max_gone)
        conn.execute("INSERT INTO meta (key, value) VALUES ('last_sync', ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (stamp,))
        _write_customers(conn, cust_rows, stamp)
        events = [(stamp, "gone", iid, json.dumps({"reason": "absent from every invoice source"}))
                  for iid in report.gone_ids]
        events += [(stamp, "reopened", iid, json.dumps({"reason": "back in the invoice sources"}))
                   for iid in report.reopened_ids]
        conn.executemany("INSERT INTO events (at, kind, invoice_id, data) VALUES (?, ?, ?, ?)", events)
    if result.incomplete:
        report.warnings.append("an invoice source could not be read, so no invoice was closed as gone this time "
                               "(fix the file; missing invoices are closed on the next complete load)")
    report.gone, report.reopened, report.customers = len(report.gone_ids), len(report.reopened_ids), len(cust_rows)
    return report


def _record_balance_drops(conn, rows: list[tuple], stamp: str) -> None:
    """Keep every balance the export lowered since the last sync (`balance_changes`, for the
    report's "collected"): one set operation, the new balances joined to the stored ones."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS new_balances (invoice_id TEXT PRIMARY KEY, balance TEXT) "
                 "WITHOUT ROWID")
    conn.execute("DELETE FROM new_balances")
    conn.executemany("INSERT OR REPLACE INTO new_balances VALUES (?, ?)", ((r[0], r[9]) for r in rows))
    conn.execute("INSERT INTO balance_changes (invoice_id, at, before, after) "
                 "SELECT i.invoice_id, ?, i.source_balance, n.balance FROM invoices i JOIN new_balances n "
                 "ON n.invoice_id = i.invoice_id WHERE CAST(n.balance AS REAL) < CAST(i.source_balance AS REAL)",
                 (stamp,))
    conn.execute("DELETE FROM new_balances")


def _first_insert(conn, rows: list[tuple]) -> None:
    """Fill the empty invoices table in invoice_id order: the table is one B-tree keyed by
    invoice_id (WITHOUT ROWID, migration 2), and inserts in key order cost half what inserts at
    random places do (sorting an export already in order is nearly free)."""
    rows.sort(key=itemgetter(0))
    _write_rows(conn, _insert_invoice, _INVOICE_ROW, _INVOICE_NULLABLE, rows)


def _refresh(conn, rows: list[tuple], known: dict[str, str], away: set[str], result: LoadResult, stamp: str,
             previous: str, report: SyncReport) -> None:
    """A later sync: write only what is new, changed or back; give the invoices that dropped out
    the time the previous sync saw them (`previous`), and clear it for those seen again; close
    the open invoices no source has any more."""
    loaded = set(map(itemgetter(0), rows))
    report.reopened_ids = sorted(iid for iid, st in known.items() if st == "gone" and iid in loaded)
    report.new = len(loaded.difference(known))
    report.updated = len(loaded) - report.new - len(report.reopened_ids)
    # The stored open rows, read in the shape of `rows` (first_seen read as `stamp`): a loaded row
    # equal to its stored one needs no rewrite. Whole rows compare exactly; no hash.
    to_write = _differing(conn, f"SELECT {', '.join(INVOICE_COLUMNS)}, ?1 FROM invoices WHERE state = 'open'",
                          (stamp,), rows)
    to_write.sort(key=itemgetter(0))  # key order: cheaper inserts
    fresh = [r for r in to_write if r[0] not in known]
    again = [r for r in to_write if r[0] in known]
    report.changed = len(again) - len(report.reopened_ids)
    _write_rows(conn, _insert_invoice, _INVOICE_ROW, _INVOICE_NULLABLE, fresh)
    _write_rows(conn, _upsert_invoice, _INVOICE_ROW, _INVOICE_NULLABLE, again)
    absent = known.keys() - loaded  # already gone, unreadable, or about to be gone
    conn.execute(_FREEZE_SEEN, (previous, json.dumps(sorted(absent))))
    back = sorted(away.intersection(loaded))  # seen again (the rewritten ones were cleared already)
    conn.executemany("UPDATE invoices SET last_seen = NULL WHERE invoice_id = ?", zip(back))
    report.gone_ids = closing((iid for iid in absent if known[iid] == "open"), loaded, result)
    conn.executemany("UPDATE invoices SET state = 'gone', gone_at = ? WHERE invoice_id = ?",
                     zip(repeat(stamp), report.gone_ids))


def _tuples(conn, sql: str, params: tuple = ()):
    """A query's rows as plain tuples (the state connection's row factory makes sqlite3.Row objects,
    which neither compare equal to tuples nor come as cheaply)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def _differing(conn, sql: str, params: tuple, rows: list[tuple]) -> list[tuple]:
    """The `rows` that differ from the row `sql` reads back with the same key (first column), or
    that it does not read at all. Keyed by the first column, so only keys are hashed, and the
    rows are compared by C-level maps."""
    stored = _tuples(conn, sql, params).fetchall()
    by_key = dict(zip(map(itemgetter(0), stored), stored))
    return list(compress(rows, map(ne, rows, map(by_key.get, map(itemgetter(0), rows)))))


def _write_customers(conn, rows: list[tuple], stamp: str) -> None:
    """Upsert the customers that are new or whose stored row differs; `updated_at` is when that happened."""
    rows = _differing(conn, f"SELECT {', '.join(CUSTOMER_COLUMNS)}, ? FROM customers", (stamp,), rows)
    _write_rows(conn, _upsert_customer, _CUSTOMER_ROW, _CUSTOMER_NULLABLE, sorted(rows, key=itemgetter(0)))


def recorded_payments(state: State) -> dict[str, Decimal]:
    """Sum of applied allocations per invoice (one grouped query; summed as Decimal, never float)."""
    paid: dict[str, Decimal] = {}
    for invoice_id, amounts in state.conn.execute(
            "SELECT invoice_id, group_concat(amount, ' ') FROM allocations WHERE applied = 1 GROUP BY invoice_id"):
        paid[invoice_id] = sum((stored_amount(a, "allocations") for a in amounts.split()), Decimal(0))
    return paid


def effective_balances(state: State, invoices: list[Invoice], *, changed_only: bool = False) -> dict[str, Decimal]:
    """min(source balance, amount − payments recorded by collectbot), per invoice id.

    A payment matched by `reconcile` counts at once, before the accounting export catches up;
    once the export shows it, the source balance is already lower and it is not counted twice.

    With `changed_only`, only the invoices whose effective balance may differ from their source
    balance (a payment recorded, or a balance above the amount): the planner reads a missing one
    as the invoice's own balance, which is what the rule gives it, and a big book with few
    payments then costs a small dict instead of a subtraction per invoice."""
    paid = recorded_payments(state)
    zero = Decimal(0)
    return {i.invoice_id: min(i.balance, i.amount - paid.get(i.invoice_id, zero)) for i in invoices
            if not changed_only or i.invoice_id in paid or i.balance > i.amount}
