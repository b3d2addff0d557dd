"""The SQLite state file: schema migrations, atomic creation, and the workspace lock.

The database is the real state of collectbot: invoices as last seen, the touch ledger
(what was sent, superseded, skipped), messages, tasks, payments and their allocations,
holds, suppressions and an event log. Money is stored as decimal TEXT, instants as
UTC ISO 8601 strings with offset.

Schema changes happen only through `MIGRATIONS` (append, never edit a released one);
`PRAGMA user_version` records how many have run, so a user's state survives upgrades.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CollectbotError, ExitCode

if TYPE_CHECKING:
    import sqlite_utils


class StateError(CollectbotError):
    """The state file cannot be used as it is (exit 2, a sentence saying how to put it right)."""


class StateMismatch(StateError):
    """The file is a sound collectbot state, but not the one this workspace used last: another
    workspace's, or an older copy. `--new-state` adopts it as it is."""


class LockedError(StateError):
    """Another collectbot process holds the workspace lock (exit code 3)."""

    exit_code = ExitCode.LOCKED


def iso(dt: datetime) -> str:
    """An aware datetime as a UTC ISO 8601 string with offset (the only way instants are stored)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    """An instant as stored; a value that is not one means the state file was damaged."""
    try:
        return datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        raise StateError(f"the state file holds a damaged time ({str(text)[:40]!r} is not a date and time): it was "
                         f"changed or damaged outside collectbot. {_again()}") from None


# ---------------------------------------------------------------------------- migrations


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute statements one by one (executescript would COMMIT the migration's transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise StateError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


def _m001_initial(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,           -- run | reconcile | sync | ...
            now TEXT NOT NULL,               -- the --now the command acted at
            pid INTEGER,
            status TEXT NOT NULL DEFAULT 'running',  -- running | done | failed
            finished_now TEXT,
            summary TEXT                     -- JSON
        );

        CREATE TABLE invoices (
            invoice_id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            customer_name TEXT, email TEXT, phone TEXT, whatsapp TEXT,
            issue_date TEXT, due_date TEXT NOT NULL,
            amount TEXT NOT NULL,            -- decimal text
            source_balance TEXT NOT NULL,    -- balance per the source
            currency TEXT NOT NULL,
            source_status TEXT NOT NULL DEFAULT 'open',
            state TEXT NOT NULL DEFAULT 'open',   -- open | gone
            extra TEXT,                      -- JSON of other columns
            source TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            gone_at TEXT
        );
        CREATE INDEX invoices_customer ON invoices(customer_id);

        CREATE TABLE customers (
            customer_id TEXT PRIMARY KEY,
            name TEXT, email TEXT, phone TEXT, whatsapp TEXT,
            tier TEXT, timezone TEXT, language TEXT, owner TEXT,
            extra TEXT,
            updated_at TEXT
        );

        -- One outgoing message (possibly covering several invoices' touches).
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            customer_id TEXT NOT NULL,
            channel TEXT NOT NULL,           -- email | sms | whatsapp
            provider TEXT NOT NULL,
            to_addr TEXT NOT NULL,
            subject TEXT, body TEXT, html TEXT,
            status TEXT NOT NULL,            -- sending | sent | failed | uncertain
            delivery_status TEXT,            -- provider-reported: queued, delivered, undelivered, read, bounce...
            provider_id TEXT,                -- SendGrid X-Message-Id / Twilio sid
            error TEXT, error_code TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            scheduled_at TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            updated_at TEXT
        );
        CREATE INDEX messages_customer ON messages(customer_id, channel, created_at);
        CREATE INDEX messages_provider_id ON messages(provider_id);

        -- The touch ledger: (invoice, playbook, step) happens at most once, ever.
        CREATE TABLE touches (
            id INTEGER PRIMARY KEY,
            invoice_id TEXT NOT NULL,
            playbook TEXT NOT NULL,
            step TEXT NOT NULL,
            channel TEXT NOT NULL,           -- channel actually used (after fallback)
            status TEXT NOT NULL,            -- sending | sent | failed | uncertain | superseded | skipped | task
            reason TEXT,                     -- for skipped/superseded/failed
            message_id INTEGER REFERENCES messages(id),
            task_id INTEGER REFERENCES tasks(id),
            due_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT,
            run_id INTEGER REFERENCES runs(id),
            UNIQUE (invoice_id, playbook, step)
        );
        CREATE INDEX touches_invoice ON touches(invoice_id);
        CREATE INDEX touches_message ON touches(message_id);

        -- The human queue: escalations, disputes, replies, payments to review.
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,              -- escalation | reply | review | unmatched_payment | dispute
            customer_id TEXT,
            invoice_ids TEXT NOT NULL DEFAULT '[]',  -- JSON list
            playbook TEXT, step TEXT,
            assign TEXT, note TEXT,
            amount TEXT,
            data TEXT,                       -- JSON
            status TEXT NOT NULL DEFAULT 'open',     -- open | done | rejected
            created_at TEXT NOT NULL,
            done_at TEXT
        );
        CREATE INDEX tasks_status ON tasks(status);

        CREATE TABLE payments (
            id INTEGER PRIMARY KEY,
            line_key TEXT NOT NULL UNIQUE,   -- bank transaction id, else hash(date, amount, text, position)
            transaction_id TEXT,
            file TEXT, row INTEGER,
            date TEXT NOT NULL,
            amount TEXT NOT NULL,
            currency TEXT,
            payer TEXT, description TEXT, reference TEXT,
            status TEXT NOT NULL DEFAULT 'matched',  -- matched | review | unmatched | rejected
            imported_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        );

        CREATE TABLE allocations (
            id INTEGER PRIMARY KEY,
            payment_id INTEGER NOT NULL REFERENCES payments(id),
            invoice_id TEXT NOT NULL,
            amount TEXT NOT NULL,
            confidence TEXT NOT NULL,        -- high | medium | low
            method TEXT,                     -- invoice_number | payer_amount | payer | amount | manual
            applied INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (payment_id, invoice_id)
        );
        CREATE INDEX allocations_invoice ON allocations(invoice_id, applied);

        -- Pauses, disputes and promises to pay, on an invoice or a whole customer.
        CREATE TABLE holds (
            id INTEGER PRIMARY KEY,
            invoice_id TEXT, customer_id TEXT,
            kind TEXT NOT NULL,              -- pause | dispute | promise
            until TEXT,                      -- NULL = until released
            note TEXT,
            created_at TEXT NOT NULL,
            released_at TEXT
        );

        -- Addresses a channel must not use: opted out, invalid, bounced.
        CREATE TABLE suppressions (
            id INTEGER PRIMARY KEY,
            customer_id TEXT,
            channel TEXT NOT NULL,
            address TEXT,
            reason TEXT NOT NULL,            -- opted_out | invalid | bounced | unsubscribed | spamreport | dropped
            created_at TEXT NOT NULL,
            released_at TEXT
        );
        CREATE INDEX suppressions_customer ON suppressions(customer_id, channel);

        -- Everything else that happened, for `history`: gone invoices, delivery updates, replies, webhooks.
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            invoice_id TEXT, customer_id TEXT, message_id INTEGER,
            data TEXT,                       -- JSON
            external_id TEXT UNIQUE          -- e.g. SendGrid sg_event_id, for dedupe
        );
        CREATE INDEX events_invoice ON events(invoice_id);
        CREATE INDEX events_customer ON events(customer_id);
        """
    )


def _m002_leaner_writes(conn: sqlite3.Connection) -> None:
    """The invoices table keyed by invoice_id alone (WITHOUT ROWID), without the customer index,
    and `last_seen` NULL for every invoice the latest sync saw (meta `last_sync` holds when); and
    no `touches_invoice` index, which the UNIQUE (invoice_id, playbook, step) index already serves.

    Why: a rowid table with a TEXT primary key keeps two B-trees (the rows, and the key index),
    plus the customer index made a third; a sync of 100k invoices wrote all three. One B-tree in
    key order costs about a fifth less to fill (benchmarks/bench_load.py). Looking invoices up by
    customer is rare (history of a customer, an inbound reply from an unknown address) and a scan
    of the table is milliseconds. And stamping `last_seen` on every invoice at every sync rewrote
    the whole table each cron run; now a sync writes `last_seen` only for the invoices that drop
    out of the sources (the time they were last seen) and clears it for those that come back.
    Every touch written (a first run of a 100k book writes ~180k) also updated one index less."""
    columns = ", ".join(r[1] for r in conn.execute("PRAGMA table_info(invoices)"))
    _run_script(
        conn,
        f"""
        CREATE TABLE invoices_new (
            invoice_id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            customer_name TEXT, email TEXT, phone TEXT, whatsapp TEXT,
            issue_date TEXT, due_date TEXT NOT NULL,
            amount TEXT NOT NULL,            -- decimal text
            source_balance TEXT NOT NULL,    -- balance per the source
            currency TEXT NOT NULL,
            source_status TEXT NOT NULL DEFAULT 'open',
            state TEXT NOT NULL DEFAULT 'open',   -- open | gone
            extra TEXT,                      -- JSON of other columns
            source TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT,                  -- NULL: seen by the latest sync (meta last_sync)
            gone_at TEXT
        ) WITHOUT ROWID;
        INSERT INTO meta (key, value)
            SELECT 'last_sync', m FROM (SELECT max(last_seen) AS m FROM invoices) WHERE m IS NOT NULL;
        INSERT INTO invoices_new ({columns}) SELECT {columns} FROM invoices;
        UPDATE invoices_new SET last_seen = NULL WHERE last_seen = (SELECT value FROM meta WHERE key = 'last_sync');
        DROP TABLE invoices;
        ALTER TABLE invoices_new RENAME TO invoices;
        DROP INDEX touches_invoice;
        """,
    )


def _m003_items_close_with_a_reason(conn: sqlite3.Connection) -> None:
    """Queue items (the `tasks` table) say why they were closed — `done` by a person, or `settled`
    when their invoices were paid — and the person's note."""
    _run_script(conn, """
        ALTER TABLE tasks ADD COLUMN reason TEXT;
        ALTER TABLE tasks ADD COLUMN closed_note TEXT;
        """)


def _m004_balance_changes(conn: sqlite3.Connection) -> None:
    """What `report` needs to say what was collected: every drop of an invoice's balance in the
    export that a sync saw (the money that came in by ways reconcile did not record)."""
    _run_script(conn, """
        CREATE TABLE balance_changes (
            id INTEGER PRIMARY KEY,
            invoice_id TEXT NOT NULL,
            at TEXT NOT NULL,                -- the sync that saw it
            before TEXT NOT NULL,            -- source balance before (decimal text)
            after TEXT NOT NULL              -- and after
        );
        CREATE INDEX balance_changes_at ON balance_changes(at);
        """)


def _m005_payment_plans(conn: sqlite3.Connection) -> None:
    """Payment plans: an invoice turned into dated instalments (`collectbot plan`)."""
    _run_script(conn, """
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            invoice_id TEXT NOT NULL,
            instalments TEXT NOT NULL,       -- JSON [{number, due_date, amount}], amounts as decimal text
            created_at TEXT NOT NULL,
            cancelled_at TEXT,
            broken_at TEXT                   -- an instalment went unpaid past limits.plan_grace
        );
        CREATE INDEX plans_invoice ON plans(invoice_id);
        """)


def _m006_variants(conn: sqlite3.Connection) -> None:
    """Which arm of a step's `variants:` a message used, for `report` to compare them."""
    _run_script(conn, "ALTER TABLE messages ADD COLUMN variant TEXT;")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m001_initial,
    _m002_leaner_writes,
    _m003_items_close_with_a_reason,
    _m004_balance_changes,
    _m005_payment_plans,
    _m006_variants,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Run every migration not yet applied, each in its own transaction. Returns the new version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StateError(
            f"the state file was written by a newer collectbot (schema {version}, this one knows {len(MIGRATIONS)}); "
            "upgrade collectbot"
        )
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number](conn)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


# ---------------------------------------------------------------------------- opening


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def identity_file(path: Path) -> Path:
    """`collectbot.db.id`: written beside the state the first time it is used, holding the
    state's id and its latest run, so that a state that vanished, was swapped or was put back
    from an older copy is noticed instead of taken for the real record (which would send again
    every reminder sent since)."""
    return path.with_name(path.name + ".id")


@dataclass
class Remembered:
    """What the workspace remembers of its state, outside the state file."""

    state_id: str
    last_run: int = 0  # the highest `runs.id` a command recorded in it
    last_run_at: str | None = None  # that run's --now (UTC ISO)

    def said(self) -> str:
        return f"run #{self.last_run}" + (f" at {self.last_run_at[:16].replace('T', ' ')} UTC" if self.last_run_at
                                          else "")


def read_identity(path: Path) -> Remembered | None:
    """The marker beside the state: JSON since issue 14 (a bare id before), None when absent."""
    try:
        text = identity_file(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"{identity_file(path).name} (beside the state file) cannot be read: {exc}") from None
    if not text.startswith("{"):
        return Remembered(text) if text else None
    try:
        data = json.loads(text)
        return Remembered(str(data["state_id"]), int(data.get("last_run") or 0), data.get("last_run_at"))
    except (ValueError, KeyError, TypeError):
        raise StateError(f"{identity_file(path).name} (beside the state file) is damaged; delete it to use "
                         f"{path.name} as it is") from None


def write_identity(path: Path, remembered: Remembered) -> None:
    marker = identity_file(path)
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"state_id": remembered.state_id, "last_run": remembered.last_run,
                               "last_run_at": remembered.last_run_at}) + "\n", encoding="utf-8")
    os.replace(tmp, marker)


def _latest_run(conn: sqlite3.Connection) -> tuple[int, str | None]:
    row = conn.execute("SELECT id, now FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), row[1]) if row else (0, None)


def stored_amount(text: Any, table: str) -> Decimal:
    """An amount as stored in `table`; a value that is not one means the state file was damaged."""
    try:
        value = Decimal(text)
        if value.is_finite():
            return value
    except (ArithmeticError, TypeError, ValueError):
        pass
    raise StateError(f"the state file holds a damaged amount ({str(text)[:40]!r} in {table}): it was changed or "
                     f"damaged outside collectbot. {_again()}")


def stored_day(text: Any, table: str) -> date:
    """A date as stored in `table` (`2026-12-05`, or the date part of a moment)."""
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise StateError(f"the state file holds a damaged date ({str(text)[:40]!r} in {table}): it was changed or "
                         f"damaged outside collectbot. {_again()}") from None


def stored_list(text: Any, table: str) -> list[str]:
    """A JSON list of ids as stored in `table` (a queue item's invoices); damage is said, not a crash."""
    try:
        value = json.loads(text or "[]")
    except (TypeError, ValueError):
        value = None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise StateError(f"the state file holds a damaged list ({str(text)[:40]!r} in {table}): it was changed or "
                     f"damaged outside collectbot. {_again()}")


def _again() -> str:
    return ("Put it back with `collectbot restore` (it lists the backups); or, to go on without it on purpose, "
            "`collectbot run --new-state` (reminders already sent may be sent again)")


def check_state_file(path: Path) -> bool:
    """True when `path` is a collectbot state to use, False when there is none yet (a fresh
    workspace). StateError for a state that is missing although one was kept before, empty (0
    bytes), damaged or another SQLite database; StateMismatch for another workspace's state or
    one older than the latest run this workspace remembers."""
    remembered = read_identity(path)
    again = _again()
    if not path.exists():
        if remembered:
            raise StateError(f"the state file {path.name} is missing, but this workspace kept one before "
                             f"({identity_file(path).name} says so): without it every reminder would be sent again. "
                             f"{again}")
        return False
    if path.is_dir():
        raise StateError(f"{path} is a folder, not a state file. {again}")
    if path.stat().st_size == 0:
        raise StateError(f"the state file {path.name} is empty (0 bytes): it is not the record of what was sent, "
                         f"so nothing is done on it. {again}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            known = conn.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone() if "meta" in tables \
                else None
            latest = _latest_run(conn) if "runs" in tables else (0, None)
            # names and SQL of the schema as bytes: text that is not UTF-8 there is damage
            for row in conn.execute("SELECT CAST(name AS BLOB), CAST(sql AS BLOB) FROM sqlite_master"):
                for raw in row:
                    (raw or b"").decode("utf-8")
        finally:
            conn.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # (sqlite3 cannot always decode SQLite's own message about a damaged schema: UnicodeDecodeError)
        reason = exc if isinstance(exc, sqlite3.DatabaseError) else "its list of tables is not readable text"
        raise StateError(f"the state file {path.name} cannot be read ({reason}): it may be damaged. {again}") from None
    if version == 0 or "touches" not in tables:
        raise StateError(f"{path.name} is not a collectbot state file (an SQLite database without collectbot's "
                         f"record of sent reminders). {again}")
    if remembered and known and known[0] != remembered.state_id:
        raise StateMismatch(f"{path.name} is not the state file this workspace used before "
                            f"({identity_file(path).name} names another). {again}")
    if remembered and latest[0] < remembered.last_run:
        mine = Remembered(known[0] if known else "", *latest).said() if latest[0] else "no run at all"
        raise StateMismatch(f"{path.name} is older than the state this workspace used last: its latest run is "
                            f"{mine}, but {remembered.said()} happened since ({identity_file(path).name} says so), "
                            f"and the reminders sent after its copy was taken would be sent again. {again}")
    return True


def describe(path: Path) -> dict[str, Any] | None:
    """For `check`: the state's schema version, its latest run, and SQLite's quick integrity check
    (which reads every page: damage inside a table is found before a run stumbles on it). None
    when there is no state yet; StateError when it cannot be used."""
    if not check_state_file(path):
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            run, at = _latest_run(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise StateError(f"the state file {path.name} is damaged (SQLite's integrity check: {'; '.join(problems)}). "
                         f"{_again()}")
    return {"path": str(path), "schema": version, "latest_run": run, "latest_run_at": at}


def remember_identity(path: Path, conn: sqlite3.Connection) -> None:
    """Give the state an id (once) and write the marker beside it when absent or out of date."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone()
    if row is None:
        import uuid

        conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('state_id', ?)", (uuid.uuid4().hex,))
        row = conn.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone()
    now = Remembered(row[0], *_latest_run(conn))
    if read_identity(path) != now:
        write_identity(path, now)


def set_aside(path: Path) -> Path | None:
    """Move an unusable state (and its -wal/-shm, and the marker) out of the way under a new name,
    never deleting it. Returns the new name of the state file, if there was one."""
    n = 1
    while any(path.with_name(f"{path.name}.set-aside-{n}{tail}").exists() for tail in ("", "-wal", "-shm")):
        n += 1
    aside = path.with_name(f"{path.name}.set-aside-{n}")
    moved = None
    for tail in ("", "-wal", "-shm"):
        src = path.with_name(path.name + tail)
        if src.exists() or src.is_symlink():
            os.replace(src, aside.with_name(aside.name + tail))
            moved = moved or aside
    identity_file(path).unlink(missing_ok=True)
    return moved


def _create_atomically(path: Path) -> None:
    """Build a migrated database under a temporary name (mode 0600) and link it into place.

    `os.link` fails if another process created the file first, so two first runs never
    clobber each other, and a crash leaves at most a stray temporary file, never a half-made state.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode=DELETE")  # a single file until it is in place
        migrate(conn)
        conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # someone else won the race; their file is as good as ours
    finally:
        tmp.unlink(missing_ok=True)


class State:
    """An open state file. `conn` is a plain sqlite3 connection in autocommit mode; use
    `transaction()` to group writes. `db` is the same connection wrapped by sqlite-utils."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    @cached_property
    def db(self) -> "sqlite_utils.Database":
        # Imported on first use: sqlite-utils costs ~0.4 s of start-up that most commands never need.
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = True, new_state: bool = False) -> "State":
        """Open (and migrate) the state. `new_state`: the user said `--new-state` — adopt a sound
        state that is not the remembered one, or set aside one that cannot be used and start afresh."""
        path = Path(path)
        try:
            exists = check_state_file(path)
        except StateMismatch:
            if not new_state:
                raise
            exists = True
        except StateError:
            if not new_state:
                raise
            set_aside(path)
            exists = False
        if not exists:
            if not create:
                raise StateError(f"no state file at {path} yet (it is created by the first `collectbot run`)")
            _create_atomically(path)
        try:
            conn = _connect(path)
            migrate(conn)
            remember_identity(path, conn)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"cannot open state file {path}: {exc}") from None
        return cls(path, conn)

    def remember_run(self) -> None:
        """Note the latest run beside the state too (see `identity_file`)."""
        remember_identity(self.path, self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "State":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception, so a crash never half-writes)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- small shared helpers ------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def log_event(self, at: datetime, kind: str, *, invoice_id: str | None = None, customer_id: str | None = None,
                  message_id: int | None = None, data: str | None = None, external_id: str | None = None) -> bool:
        """Append to the event log; False when `external_id` was already recorded (dedupe)."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO events(at, kind, invoice_id, customer_id, message_id, data, external_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (iso(at), kind, invoice_id, customer_id, message_id, data, external_id),
        )
        return cur.rowcount == 1


# ---------------------------------------------------------------------------- the workspace lock


class WorkspaceLock:
    """An exclusive, non-blocking flock on `<state>.lock`, held for a whole command.

    The kernel releases a flock when its process dies, so a lock left by a crashed or
    killed run is simply taken over by the next one: no stale-lock waiting, no pid guessing.
    """

    def __init__(self, state_path: Path):
        self.path = Path(str(state_path) + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise LockedError(f"another collectbot run holds the workspace lock{who}: {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WorkspaceLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
