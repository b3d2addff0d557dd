"""State sync (SPEC 2): upsert, gone/reopen, unreadable ids, incomplete loads, effective balance."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import yaml
from hypothesis import given, strategies as st

from collectbot.config import load_config
from collectbot.sources import load_sources
from collectbot.state import State
from collectbot.sync import effective_balances, extras_json, sync_invoices

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
HEADER = "Invoice,Customer,Email,Due Date,Amount,Balance,Risk\n"


class Book:
    """A workspace with one or two real invoice CSVs that a test rewrites between syncs."""

    def __init__(self, root):
        self.root = root
        self.files = ["book.csv"]
        self.state = State.open(root / "collectbot.db")

    def write(self, *rows, name="book.csv"):
        (self.root / name).write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
        if name not in self.files:
            self.files.append(name)

    def load(self):
        doc = {"business": {"currency": "INR", "locale": "en_IN"}, "sources": {"invoices": self.files}}
        (self.root / "collectbot.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
        return load_sources(load_config(self.root / "collectbot.yaml", with_playbooks=False))

    def sync(self, at=NOW):
        return sync_invoices(self.state, self.load(), at)

    def row(self, invoice_id):
        """The stored row, with `last_seen` as the README defines it (NULL stored = the latest sync)."""
        r = self.state.conn.execute("SELECT * FROM invoices WHERE invoice_id = ?", (invoice_id,)).fetchone()
        if r is None:
            return None
        row = dict(r)
        row["stored_last_seen"] = row["last_seen"]
        if row["last_seen"] is None:
            row["last_seen"] = self.state.get_meta("last_sync")
        return row

    def events(self, kind):
        return [r[0] for r in self.state.conn.execute(
            "SELECT invoice_id FROM events WHERE kind = ? ORDER BY id", (kind,))]


@pytest.fixture
def book(tmp_path):
    b = Book(tmp_path)
    yield b
    b.state.close()


def test_first_sync_writes_invoices_and_customers(book):
    book.write("I-1,Asha Textiles,asha@example.in,2026-12-01,\"1,000.50\",,high", "I-2,Bharat Foods,,2026-12-05,80,20,low")
    report = book.sync()
    assert (report.new, report.updated, report.gone, report.reopened) == (2, 0, 0, 0)
    row = book.row("I-1")
    assert (row["amount"], row["source_balance"], row["due_date"], row["state"]) == ("1000.50", "1000.50", "2026-12-01", "open")
    assert row["customer_id"] == "asha-textiles" and json.loads(row["extra"]) == {"risk": "high"}
    assert row["first_seen"] == row["last_seen"] == "2026-11-23T10:00:00+00:00" and row["gone_at"] is None
    assert book.row("I-2")["source_status"] == "partial"
    customer = book.state.conn.execute("SELECT name, email FROM customers WHERE customer_id = 'asha-textiles'").fetchone()
    assert tuple(customer) == ("Asha Textiles", "asha@example.in")


def test_absent_invoice_becomes_gone_and_comes_back_open(book):
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync()
    book.write("I-1,Ana,,2026-12-01,10,5,")
    later = NOW + timedelta(days=1)
    report = book.sync(later)
    assert (report.new, report.updated, report.gone, report.gone_ids) == (0, 1, 1, ["I-2"])
    assert book.row("I-2")["state"] == "gone" and book.row("I-2")["gone_at"] == "2026-11-24T10:00:00+00:00"
    assert book.row("I-1")["source_balance"] == "5" and book.row("I-1")["first_seen"] == "2026-11-23T10:00:00+00:00"
    assert book.row("I-1")["last_seen"] == "2026-11-24T10:00:00+00:00"
    assert book.events("gone") == ["I-2"]
    report = book.sync(later)  # already gone: not closed twice
    assert report.gone == 0 and book.events("gone") == ["I-2"]
    book.write("I-1,Ana,,2026-12-01,10,5,", "I-2,Bo,,2026-12-01,20,,")
    report = book.sync(later + timedelta(days=1))
    assert (report.reopened, report.reopened_ids) == (1, ["I-2"])
    assert book.row("I-2")["state"] == "open" and book.row("I-2")["gone_at"] is None
    assert book.events("reopened") == ["I-2"]


def test_unreadable_rows_are_neither_refreshed_nor_closed(book):
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync()
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,,20,,")  # I-2 lost its due date
    result = book.load()
    assert result.unreadable_ids == {"I-2"}
    report = sync_invoices(book.state, result, NOW + timedelta(days=1))
    assert report.gone == 0 and book.row("I-2")["state"] == "open"
    assert book.row("I-2")["last_seen"] == "2026-11-23T10:00:00+00:00"


def test_an_invoice_back_unchanged_after_a_bad_day_is_seen_again(book):
    # Day 0 both rows are read. Day 1 I-2 lost its due date (unreadable): it keeps the time it was
    # last read, day 0. Day 2 the row is fixed and identical to the stored one, so nothing rewrites
    # it — yet it was seen on day 2, and last_seen must say so (not stay frozen at day 0).
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync()
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,,20,,")
    book.sync(NOW + timedelta(days=1))
    assert book.row("I-2")["last_seen"] == iso_of(NOW)
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync(NOW + timedelta(days=2))
    assert book.row("I-2")["last_seen"] == iso_of(NOW + timedelta(days=2))
    assert book.row("I-2")["stored_last_seen"] is None and book.row("I-2")["state"] == "open"


def test_an_unreadable_invoice_file_suspends_gone_detection(book):
    book.write("I-1,Ana,,2026-12-01,10,,")
    book.write("J-1,Cy,,2026-12-01,30,,", name="second.csv")
    book.sync()
    (book.root / "second.csv").unlink()  # the export is missing today
    report = book.sync(NOW + timedelta(days=1))
    assert report.gone_suspended and report.gone == 0 and report.warnings
    assert book.row("J-1")["state"] == "open"
    book.files.remove("second.csv")  # the user removes it from the config: now it really is gone
    report = book.sync(NOW + timedelta(days=2))
    assert report.gone_ids == ["J-1"] and not report.gone_suspended


def test_effective_balance_counts_applied_payments_once(book):
    book.write("I-1,Ana,,2026-12-01,1000,,", "I-2,Bo,,2026-12-01,500,200,", "I-3,Cy,,2026-12-01,300,,",
               "I-4,Di,,2026-12-01,100,150,")
    result = book.load()
    sync_invoices(book.state, result, NOW)
    conn = book.state.conn
    for n, (amount, applied) in enumerate([("250.25", 1), ("100.10", 1), ("999", 0)], start=1):
        conn.execute("INSERT INTO payments (id, line_key, date, amount, imported_at) VALUES (?, ?, '2026-11-20', ?, ?)",
                     (n, f"k{n}", amount, "2026-11-23T00:00:00+00:00"))
    conn.executemany("INSERT INTO allocations (payment_id, invoice_id, amount, confidence, applied, created_at) "
                     "VALUES (?, ?, ?, 'high', ?, '2026-11-23T00:00:00+00:00')",
                     [(1, "I-1", "250.25", 1), (2, "I-1", "100.10", 1), (3, "I-3", "300", 0), (2, "I-2", "100", 1)])
    balances = effective_balances(book.state, result.invoices)
    assert balances == {"I-1": Decimal("649.65"),  # 1000 - 250.25 - 100.10, exact
                        "I-2": Decimal("200"),  # the export already shows less than 500 - 100
                        "I-3": Decimal("300"),  # a payment not applied (under review) does not count
                        "I-4": Decimal("100")}  # a balance above the amount is capped at the amount
    # The planner's form: only what may differ from the invoice's own balance, the rest read as that
    changed = effective_balances(book.state, result.invoices, changed_only=True)
    assert set(changed) == {"I-1", "I-2", "I-4"}
    assert {i.invoice_id: changed.get(i.invoice_id, i.balance) for i in result.invoices} == balances


def _rewritten(state):
    """Ids of invoices whose source columns are rewritten from now on (a temp trigger records them):
    stamping last_seen alone does not count."""
    state.conn.execute("CREATE TEMP TABLE IF NOT EXISTS rewritten (invoice_id TEXT)")
    state.conn.execute("DELETE FROM rewritten")
    state.conn.execute("CREATE TEMP TRIGGER IF NOT EXISTS record_rewrite AFTER UPDATE OF customer_name, amount, "
                       "source_balance, extra ON main.invoices BEGIN INSERT INTO rewritten VALUES (new.invoice_id); END")
    return lambda: sorted(r[0] for r in state.conn.execute("SELECT invoice_id FROM rewritten"))


def test_a_resync_rewrites_only_changed_rows_and_stamps_last_seen_on_all_it_saw(book):
    book.write("I-1,Ana,,2026-12-01,10,,a", "I-2,Bo,,2026-12-01,20,,b", "I-3,Cy,,2026-12-01,30,,c")
    book.sync()
    book.write("I-1,Ana,,2026-12-01,10,,a", "I-2,Bo,,2026-12-01,20,15,b")  # I-2 part-paid, I-3 gone
    rewritten = _rewritten(book.state)
    later = NOW + timedelta(days=1)
    report = book.sync(later)
    assert (report.new, report.updated, report.changed, report.gone_ids) == (0, 2, 1, ["I-3"])
    assert rewritten() == ["I-2"]
    assert book.row("I-2")["source_balance"] == "15" and book.row("I-2")["source_status"] == "partial"
    for iid in ("I-1", "I-2"):  # seen today, first seen yesterday
        assert (book.row(iid)["first_seen"], book.row(iid)["last_seen"]) == (iso_of(NOW), iso_of(later))
    assert book.row("I-3")["last_seen"] == iso_of(NOW) and book.row("I-3")["state"] == "gone"

    rewritten = _rewritten(book.state)
    report = book.sync(later + timedelta(days=1))  # nothing changed: nothing rewritten, nothing closed
    assert (report.updated, report.changed, report.gone) == (2, 0, 0) and rewritten() == []
    assert book.row("I-1")["last_seen"] == iso_of(later + timedelta(days=1))
    assert book.row("I-3")["last_seen"] == iso_of(NOW)  # a gone invoice is not seen

    book.write("I-1,Ana,,2026-12-01,10,,a", "I-2,Bo,,2026-12-01,20,15,b", "I-3,Cy,,2026-12-01,30,,c")
    report = book.sync(later + timedelta(days=2))  # back: rewritten and open, though its data is as it was
    assert report.reopened_ids == ["I-3"] and report.changed == 0 and rewritten() == ["I-3"]
    assert book.row("I-3")["state"] == "open" and book.row("I-3")["last_seen"] == iso_of(later + timedelta(days=2))


def iso_of(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def test_customers_are_written_only_when_they_change(book):
    book.write("I-1,Ana,ana@example.in,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync()
    book.write("I-1,Ana,ana@new.example.in,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync(NOW + timedelta(days=1))
    rows = {r["customer_id"]: (r["email"], r["updated_at"])
            for r in book.state.conn.execute("SELECT customer_id, email, updated_at FROM customers")}
    assert rows == {"ana": ("ana@new.example.in", iso_of(NOW + timedelta(days=1))), "bo": (None, iso_of(NOW))}


def test_a_large_first_sync_fills_the_keyed_table_in_any_input_order(book):
    rows = [f"I-{n:05d},Customer {n % 97},,2026-12-01,{n}.50,,r{n % 3}" for n in range(1500, 0, -1)]
    book.write(*rows)
    report = book.sync()
    assert report.new == 1500 and report.customers == 97
    conn = book.state.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'invoices'").fetchone()[0]
    assert "WITHOUT ROWID" in table_sql
    assert [r[0] for r in conn.execute("SELECT invoice_id FROM invoices WHERE customer_id = 'customer-5' "
                                       "ORDER BY invoice_id LIMIT 2")] == ["I-00005", "I-00102"]
    assert json.loads(book.row("I-00004")["extra"]) == {"risk": "r1"} and book.row("I-00004")["amount"] == "4.50"


EXTRA_VALUES = st.one_of(st.text(max_size=6), st.sampled_from(["", "1", "é", '"q"', "%s", "\\"]))


@given(st.lists(st.one_of(st.fixed_dictionaries({"po_number": EXTRA_VALUES}),
                          st.dictionaries(st.sampled_from(["a", "b", "%d", "ü"]),
                                          st.one_of(EXTRA_VALUES, st.integers(), st.booleans(), st.none(),
                                                    st.lists(st.text(max_size=2), max_size=2)), max_size=3)),
                max_size=12))
def test_extra_json_is_what_json_dumps_writes(extras):
    assert extras_json(extras) == [json.dumps(e, ensure_ascii=False, default=str) for e in extras]


def test_a_resync_of_an_unchanged_book_writes_no_invoice_row(book):
    """`last_seen` is not stamped row by row: the sync time goes to meta `last_sync` once, and only
    invoices that drop out of the sources (or come back) have their row touched."""
    book.write("I-1,Ana,,2026-12-01,10,,a", "I-2,Bo,,2026-12-01,20,,b")
    book.sync()
    conn = book.state.conn
    conn.execute("CREATE TEMP TABLE touched (invoice_id TEXT)")
    conn.execute("CREATE TEMP TRIGGER record_touch AFTER UPDATE ON main.invoices "
                 "BEGIN INSERT INTO touched VALUES (new.invoice_id); END")
    touched = lambda: sorted(r[0] for r in conn.execute("SELECT invoice_id FROM touched"))  # noqa: E731
    book.sync(NOW + timedelta(days=1))
    assert touched() == [] and book.state.get_meta("last_sync") == iso_of(NOW + timedelta(days=1))
    assert book.row("I-1")["stored_last_seen"] is None and book.row("I-1")["last_seen"] == iso_of(NOW + timedelta(days=1))
    book.write("I-1,Ana,,2026-12-01,10,,a")  # I-2 drops out: its row alone gets the time it was last seen
    book.sync(NOW + timedelta(days=2))
    assert touched() == ["I-2", "I-2"]  # last_seen frozen, then closed as gone
    assert book.row("I-2")["stored_last_seen"] == iso_of(NOW + timedelta(days=1))


def test_a_column_empty_in_every_row_is_still_written_as_empty(book):
    # An INSERT leaves out the columns no row has (binding None is slow in sqlite3); an upsert
    # must still clear what an earlier sync stored there.
    book.write("I-1,Ana,ana@example.in,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync()
    assert book.row("I-1")["email"] == "ana@example.in"
    book.write("I-1,Ana,,2026-12-01,11,,", "I-2,Bo,,2026-12-01,20,,", "I-3,Cy,,2026-12-02,30,,")
    report = book.sync(NOW + timedelta(days=1))
    assert (report.new, report.changed) == (1, 1)
    assert [book.row(i)["email"] for i in ("I-1", "I-2", "I-3")] == [None, None, None]
    assert book.row("I-1")["amount"] == "11" and book.row("I-1")["first_seen"] == iso_of(NOW)
    emails = dict(book.state.conn.execute("SELECT customer_id, email FROM customers").fetchall())
    assert emails == {"ana": None, "bo": None, "cy": None}
    book.write("I-1,Ana,ana@example.in,2026-12-01,11,,", "I-2,Bo,,2026-12-01,20,,", "I-3,Cy,,2026-12-02,30,,")
    book.sync(NOW + timedelta(days=2))
    assert book.row("I-1")["email"] == "ana@example.in"
