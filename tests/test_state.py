"""The state file: atomic creation with private permissions, migrations, the workspace lock."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from collectbot import state as state_mod
from collectbot.state import LockedError, State, StateError, WorkspaceLock, iso, migrate


def test_created_with_mode_0600_and_full_schema(tmp_path):
    path = tmp_path / "collectbot.db"
    with State.open(path) as st:
        tables = {r[0] for r in st.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = st.conn.execute("PRAGMA user_version").fetchone()[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert {"invoices", "customers", "touches", "messages", "tasks", "payments", "allocations", "holds",
            "suppressions", "events", "runs", "meta"} <= tables
    assert version == len(state_mod.MIGRATIONS)
    assert not list(tmp_path.glob(".collectbot.db.*.tmp")), "temporary file left behind"


def test_open_without_create_refuses(tmp_path):
    with pytest.raises(StateError, match="no state file"):
        State.open(tmp_path / "missing.db", create=False)


def test_touch_ledger_is_unique_per_invoice_playbook_step(tmp_path):
    with State.open(tmp_path / "s.db") as st:
        row = ("INV-1", "standard", "day-3", "sms", "sent", "2026-11-23T00:00:00+00:00")
        sql = "INSERT INTO touches(invoice_id, playbook, step, channel, status, created_at) VALUES (?,?,?,?,?,?)"
        st.conn.execute(sql, row)
        with pytest.raises(sqlite3.IntegrityError):
            st.conn.execute(sql, row)


def test_transaction_rolls_back_on_error(tmp_path):
    with State.open(tmp_path / "s.db") as st:
        with pytest.raises(RuntimeError):
            with st.transaction() as conn:
                conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
                raise RuntimeError("crash in the middle")
        assert st.get_meta("a") is None


def test_later_migration_runs_once_and_keeps_data(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with State.open(path) as st:
        st.set_meta("kept", "yes")

    def m_add_column(conn):
        conn.execute("ALTER TABLE customers ADD COLUMN nickname TEXT")

    monkeypatch.setattr(state_mod, "MIGRATIONS", [*state_mod.MIGRATIONS, m_add_column])
    with State.open(path) as st:
        cols = {r[1] for r in st.conn.execute("PRAGMA table_info(customers)")}
        assert "nickname" in cols
        assert st.get_meta("kept") == "yes"
        assert migrate(st.conn) == len(state_mod.MIGRATIONS)  # a second pass is a no-op


def test_a_version_1_state_keeps_its_invoices_through_migration_2(tmp_path, monkeypatch):
    """Migration 2 rebuilds the invoices table (WITHOUT ROWID, no customer index): rows survive, and
    `last_seen` becomes NULL for the invoices the latest sync saw, whose time goes to meta last_sync."""
    path = tmp_path / "s.db"
    monkeypatch.setattr(state_mod, "MIGRATIONS", state_mod.MIGRATIONS[:1])
    insert = ("INSERT INTO invoices (invoice_id, customer_id, due_date, amount, source_balance, currency, state, "
              "first_seen, last_seen, extra) VALUES (?, 'c1', '2026-12-01', '10.00', '4.00', 'INR', ?, "
              "'2026-11-01T00:00:00+00:00', ?, '{\"po\": \"7\"}')")
    with State.open(path) as st:
        st.conn.execute(insert, ("I-1", "open", "2026-11-03T00:00:00+00:00"))
        st.conn.execute(insert, ("I-2", "gone", "2026-11-02T00:00:00+00:00"))
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == 1
    monkeypatch.undo()
    with State.open(path) as st:
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == len(state_mod.MIGRATIONS)
        rows = {r["invoice_id"]: dict(r) for r in st.conn.execute("SELECT * FROM invoices")}
        sql = st.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'invoices'").fetchone()[0]
        indexes = st.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoices' "
                                  "AND sql IS NOT NULL").fetchall()
        assert st.get_meta("last_sync") == "2026-11-03T00:00:00+00:00"
        touch_indexes = {r[0] for r in st.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                       "AND tbl_name = 'touches'")}
    assert "WITHOUT ROWID" in sql and indexes == []
    assert "touches_invoice" not in touch_indexes and "sqlite_autoindex_touches_1" in touch_indexes
    one = rows["I-1"]
    assert one["source_balance"] == "4.00" and one["extra"] == '{"po": "7"}' and one["state"] == "open"
    assert one["first_seen"] == "2026-11-01T00:00:00+00:00" and one["last_seen"] is None  # seen by the latest sync
    assert rows["I-2"]["state"] == "gone" and rows["I-2"]["last_seen"] == "2026-11-02T00:00:00+00:00"


def test_migration_2_of_an_empty_state_records_no_sync(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    monkeypatch.setattr(state_mod, "MIGRATIONS", state_mod.MIGRATIONS[:1])
    State.open(path).close()
    monkeypatch.undo()
    with State.open(path) as st:
        assert st.get_meta("last_sync") is None


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    State.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(state_mod.MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StateError, match="newer collectbot"):
        State.open(path)


def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="cannot be read .*it may be damaged"):
        State.open(path)


def test_events_dedupe_on_external_id(tmp_path):
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    with State.open(tmp_path / "s.db") as st:
        assert st.log_event(now, "bounce", external_id="sg-1") is True
        assert st.log_event(now, "bounce", external_id="sg-1") is False
        assert st.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_iso_is_utc_with_offset_and_rejects_naive():
    ist = timezone(timedelta(hours=5, minutes=30))
    assert iso(datetime(2026, 11, 23, 10, 0, tzinfo=ist)) == "2026-11-23T04:30:00+00:00"
    with pytest.raises(ValueError):
        iso(datetime(2026, 11, 23, 10, 0))


def test_lock_is_exclusive_within_and_across_processes(tmp_path):
    db = tmp_path / "s.db"
    with WorkspaceLock(db):
        with pytest.raises(LockedError, match="another collectbot run"):
            WorkspaceLock(db).acquire()
        probe = textwrap.dedent(f"""
            import sys
            from collectbot.state import WorkspaceLock, LockedError
            try:
                WorkspaceLock({str(db)!r}).acquire()
            except LockedError:
                sys.exit(3)
            sys.exit(0)
        """)
        assert subprocess.run([sys.executable, "-c", probe]).returncode == 3
    # released: taken again at once
    with WorkspaceLock(db):
        pass


def test_lock_of_a_killed_process_is_taken_over(tmp_path):
    db = tmp_path / "s.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from collectbot.state import WorkspaceLock
            WorkspaceLock({str(db)!r}).acquire()
            print("held", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            WorkspaceLock(db).acquire()
        holder.kill()  # SIGKILL: no cleanup runs in the holder
        holder.wait(10)
        with WorkspaceLock(db):  # not waited on: the kernel dropped the dead process's lock
            pass
    finally:
        if holder.poll() is None:
            holder.kill()


def test_two_processes_creating_the_state_at_once_both_succeed(tmp_path):
    db = tmp_path / "race.db"
    code = f"from collectbot.state import State; State.open({str(db)!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
    assert [p.wait(30) for p in procs] == [0, 0, 0, 0]
    with State.open(db, create=False) as st:
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == len(state_mod.MIGRATIONS)
