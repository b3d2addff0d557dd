"""Damaged state files never end in a traceback nor send anything twice (issue 14): a state with
sent reminders is mutated — truncated, pages zeroed, bytes flipped, tables dropped, `meta` rows
and the schema version changed, a stored value or name garbled, touch rows lost, swapped for
another app's database, an empty file, a folder, a read-only file (skipped as root) — and every command is run on it through the real CLI (in-process, like tests/test_no_tracebacks.py).
Each must end with exit 0–3 and words (no traceback, no Python exception name), and the outbox
must not grow: at NOW_AFTER nothing is due on the intact state (the `none` control checks this),
so any message a command sends on a damaged state is one the record says was already handled.

The named mutations always run, each with every command; `COLLECTBOT_STATE_FUZZ=N` (default 12)
adds N random mutations (truncations, zeroed pages, byte flips, a garbled cell) from a fixed seed
(`COLLECTBOT_STATE_FUZZ_SEED`), each run with `run` and a rotating five of the other commands.
Every case runs under --json (stdout must be one JSON document); `run`, and every other command on
alternate mutations, also with human output. Each case gets a fresh copy of the workspace, and
its id names the mutation and the command.

It found six faults, all fixed: a garbled stored time (a touch's, a run's) or a schema name that
is not UTF-8 ended in tracebacks (ValueError, UnicodeDecodeError) in most commands; and touch rows
deleted from an otherwise sound state made `run` send those steps again (now refused: the messages
table still records them).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.conftest import Workspace

BUDGET = int(os.environ.get("COLLECTBOT_STATE_FUZZ", "12"))
SEED = int(os.environ.get("COLLECTBOT_STATE_FUZZ_SEED", "20261214"))
NOW = "2026-03-10T10:00:00"        # the run that sends (conftest: four messages, one task)
NOW_AFTER = "2026-03-12T11:00:00"  # two days later: nothing new is due, and no per-day cap hides a resend

BANK = """\
Date,Narration,Payer Name,Amount,Currency
2026-03-09,NEFT/123456789012/INV 3 part payment,Globex,800.00,INR
2026-03-09,NEFT CR 998877665544,ACME LTD,"1,500.00",INR
2026-03-09,[URGENT] CASH DEP 4455,,123.45,INR
2026-03-09,UPI/INITECH,INITECH,100.00,INR
"""
PAYMENTS = """\
Date,Narration,Payer Name,Amount,Currency
2026-03-11,NEFT/556677889900/INV-008 advance,Future Ltd,100.00,INR
"""
EVENTS = [
    {"event": "delivered", "sg_event_id": "ev-1", "sg_message_id": "4-email-acme", "email": "ap@acme.example",
     "timestamp": 1773117000},
    {"event": "bounce", "sg_event_id": "ev-2", "email": "pay@globex.example", "timestamp": 1773117000},
]

# Every command that reads or writes the state; PAY / EVENTS / PAYMENT are filled in per workspace.
COMMANDS: list[tuple[str, ...]] = [
    ("run",),
    ("run", "--dry-run"),
    ("preview",),
    ("preview", "--days", "7"),
    ("explain", "INV-004"),
    ("history", "INV-004"),
    ("history", "acme"),
    ("queue",),
    ("queue", "done", "1"),
    ("check",),
    ("reconcile", "--dry-run", "PAY"),
    ("reconcile", "PAY"),
    ("reconcile", "--review"),
    ("match", "PAYMENT", "INV-004"),
    ("hold",),
    ("hold", "INV-003", "--pause", "--note", "fuzz"),
    ("hold", "--release", "1"),
    ("resend", "9"),
    ("resend", "--message", "1"),
    ("sync",),
    ("events", "import", "EVENTS"),
    ("event", "cart_abandoned", "--customer", "acme", "--data", '{"amount": "10.00"}'),
    ("event", "import", "BIZ"),
    ("report",),
]

PYTHON_NAMES = re.compile(r"\b[A-Za-z_][\w.]*(?:Error|Exception)\b")  # DatabaseError, sqlite3.OperationalError...


def _collectbot_tables() -> list[str]:
    """The tables of a fresh state, from sqlite_master (so a new migration's table is covered too)."""
    from collectbot.state import migrate

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn)
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rootpage")]
    finally:
        conn.close()


TABLES = _collectbot_tables()


# ---------------------------------------------------------------------------- the intact state


class Pristine:
    """A workspace after one sending run, one reconcile and one hold; copied afresh for each case."""

    def __init__(self, root: Path):
        self.root = root
        self.db = root / "collectbot.db"
        assert not any((root / f"collectbot.db{x}").exists() for x in ("-wal", "-shm")), \
            "a finished command leaves no WAL: the state is one file"
        self.data = self.db.read_bytes()
        size = int.from_bytes(self.data[16:18], "big")
        self.page_size = 65536 if size == 1 else size
        self.pages = len(self.data) // self.page_size
        conn = sqlite3.connect(f"{self.db.as_uri()}?mode=ro", uri=True)
        try:
            self.rootpage = {n: p for n, p in conn.execute("SELECT name, rootpage FROM sqlite_master")}
            self.payment_id = conn.execute("SELECT id FROM payments WHERE status = 'review' ORDER BY id").fetchone()[0]
        finally:
            conn.close()
        self.sent = _outbox(root)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Pristine:
    from tests.conftest import DEFAULT_CONFIG, DEFAULT_INVOICES, DEFAULT_TEMPLATES, STANDARD_PLAYBOOK

    root = tmp_path_factory.mktemp("state-mutations") / "ws"
    root.mkdir()
    ws = Workspace(root)
    ws.write("playbooks/standard.yaml", STANDARD_PLAYBOOK)
    ws.write_config(DEFAULT_CONFIG)
    for name, text in DEFAULT_TEMPLATES.items():
        ws.write(f"templates/{name}", text)
    ws.write_invoices(DEFAULT_INVOICES)
    ws.write("bank.csv", BANK)
    ws.write("pay.csv", PAYMENTS)
    ws.write("events.json", json.dumps(EVENTS))
    ws.write("biz.jsonl", '{"event": "card_failed", "invoice_id": "INV-004", "id": "pi_1"}\n')
    code, doc = ws.json("run", now=NOW)
    assert code == 0 and doc["summary"]["sent"] == 4, doc
    steps = {m["provider_id"]: m["steps"] for m in doc["messages"]}
    code, doc = ws.json("reconcile", str(root / "bank.csv"), now=NOW)
    assert code == 0 and doc["review"], doc
    code, doc = ws.json("hold", "INV-008", "--pause", "--note", "kept", now=NOW)
    assert code == 0, doc
    p = Pristine(root)
    assert len(p.sent) == 4 and all(m["file"] in steps for m in p.sent)
    for m in p.sent:
        m["steps"] = steps[m["file"]]
    return p


def _outbox(root: Path) -> list[dict[str, Any]]:
    return Workspace(root).sent() if (root / "outbox").is_dir() else []


# ---------------------------------------------------------------------------- mutations


def _db(root: Path) -> Path:
    return root / "collectbot.db"


def _write(root: Path, data: bytes) -> None:
    _db(root).write_bytes(data)


def truncate_at(offset: Callable[[Pristine, random.Random], int]):
    def apply(root: Path, p: Pristine, rng: random.Random) -> None:
        _write(root, p.data[:offset(p, rng)])
    return apply


def zero_pages(pages: Callable[[Pristine, random.Random], list[int]]):
    def apply(root: Path, p: Pristine, rng: random.Random) -> None:
        out = bytearray(p.data)
        for page in pages(p, rng):
            out[(page - 1) * p.page_size: page * p.page_size] = bytes(p.page_size)
        _write(root, bytes(out))
    return apply


def flip_bytes(span: Callable[[Pristine, random.Random], tuple[int, int]], count: tuple[int, int] = (1, 8)):
    """Random bytes at random offsets inside span (start, end) of the file."""
    def apply(root: Path, p: Pristine, rng: random.Random) -> None:
        out = bytearray(p.data)
        start, end = span(p, rng)
        for _ in range(rng.randint(*count)):
            at = rng.randrange(start, end)
            out[at] = (out[at] + rng.randrange(1, 256)) % 256  # always a different byte
        _write(root, bytes(out))
    return apply


def page_span(page: Callable[[Pristine, random.Random], int]):
    def span(p: Pristine, rng: random.Random) -> tuple[int, int]:
        n = page(p, rng)
        return (n - 1) * p.page_size + (100 if n == 1 else 0), n * p.page_size
    return span


def patch_schema(text: bytes, at: int, byte: int):
    """One byte of the first `text` in the file (the schema, sqlite_master, comes first) replaced:
    a `byte` >= 0x80 makes the name there invalid UTF-8, as a flipped bit would."""
    def apply(root: Path, p: Pristine, rng: random.Random) -> None:
        where = p.data.index(text) + at
        _write(root, p.data[:where] + bytes([byte]) + p.data[where + 1:])
    return apply


def sql(*statements: str):
    def apply(root: Path, p: Pristine, rng: random.Random) -> None:
        conn = sqlite3.connect(_db(root), isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys=OFF")
            for s in statements:
                conn.execute(s)
            conn.execute("PRAGMA journal_mode=DELETE")  # one file again, like the state is left
        finally:
            conn.close()
    return apply


def foreign(*statements: str):
    def apply(root: Path, p: Pristine, rng: random.Random) -> None:
        _db(root).unlink()
        sql(*statements)(root, p, rng)
    return apply


GARBLE = ["", "garbage", "9999-99-99", "2026-02-30T25:61:00+00:00", "-1", "1e999", "NaN", "[", '{"a":', "null"]


def garble_cell(root: Path, p: Pristine, rng: random.Random) -> None:
    """One stored value changed in place, as a flipped byte inside a record would (the file stays valid)."""
    conn = sqlite3.connect(_db(root), isolation_level=None)
    try:
        tables = [t for t in TABLES if conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]]
        table = rng.choice(tables)
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        key = "invoice_id" if table == "invoices" else "rowid"
        keys = [r[0] for r in conn.execute(f"SELECT {key} FROM {table} ORDER BY {key}")]
        column, row = rng.choice(columns), rng.choice(keys)
        (old,) = conn.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", (row,)).fetchone()
        text = str(old) if old is not None else ""
        if text and rng.random() < 0.5:
            at = rng.randrange(len(text))
            new: Any = text[:at] + rng.choice("x0-:/Z \x16\u00e9") + text[at + 1:]
        else:
            new = rng.choice(GARBLE)
        try:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (new, row))
        except sqlite3.IntegrityError:  # a UNIQUE or NOT NULL column: another value
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (f"{text}~garbled", row))
    finally:
        conn.close()


def empty(root: Path, p: Pristine, rng: random.Random) -> None:
    _write(root, b"")


def folder(root: Path, p: Pristine, rng: random.Random) -> None:
    _db(root).unlink()
    _db(root).mkdir()
    (_db(root) / "touches").write_text("not here\n")


def read_only(root: Path, p: Pristine, rng: random.Random) -> None:
    _db(root).chmod(stat.S_IRUSR)


def read_only_folder(root: Path, p: Pristine, rng: random.Random) -> None:
    """The state readable, but its folder not writable (no -wal, -shm or lock can be made)."""
    (root / "collectbot.db.lock").unlink(missing_ok=True)
    read_only(root, p, rng)
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)


def junk_wal(root: Path, p: Pristine, rng: random.Random) -> None:
    (root / "collectbot.db-wal").write_bytes(bytes(rng.randrange(256) for _ in range(4096 + 32)))


def nothing(root: Path, p: Pristine, rng: random.Random) -> None:
    pass


def middle(p: Pristine, rng: random.Random) -> int:
    return p.pages // 2


NAMED: dict[str, Callable[[Path, Pristine, random.Random], None]] = {
    "none": nothing,  # the control: the intact state sends nothing at NOW_AFTER
    "truncate-random-offset": truncate_at(lambda p, r: r.randrange(101, len(p.data) - 1)),
    "truncate-in-header": truncate_at(lambda p, r: 50),
    "truncate-after-page-1": truncate_at(lambda p, r: p.page_size),
    "truncate-at-middle-page": truncate_at(lambda p, r: middle(p, r) * p.page_size),
    "truncate-last-page": truncate_at(lambda p, r: (p.pages - 1) * p.page_size),
    "zero-page-1": zero_pages(lambda p, r: [1]),
    "zero-middle-page": zero_pages(lambda p, r: [middle(p, r)]),
    "zero-last-page": zero_pages(lambda p, r: [p.pages]),
    "zero-touches-root": zero_pages(lambda p, r: [p.rootpage["touches"]]),
    "zero-meta-root": zero_pages(lambda p, r: [p.rootpage["meta"]]),
    "zero-invoices-root": zero_pages(lambda p, r: [p.rootpage["invoices"]]),
    "zero-touches-unique-index": zero_pages(lambda p, r: [p.rootpage["sqlite_autoindex_touches_1"]]),
    "zero-whole-file": zero_pages(lambda p, r: list(range(1, p.pages + 1))),
    "flip-header": flip_bytes(lambda p, r: (0, 100)),
    "flip-header-page-size": flip_bytes(lambda p, r: (16, 18), (1, 2)),
    "flip-page-1-schema": flip_bytes(page_span(lambda p, r: 1)),
    "flip-touches-page": flip_bytes(page_span(lambda p, r: p.rootpage["touches"])),
    "flip-messages-page": flip_bytes(page_span(lambda p, r: p.rootpage["messages"])),
    "flip-touches-unique-index": flip_bytes(page_span(lambda p, r: p.rootpage["sqlite_autoindex_touches_1"])),
    **{f"drop-table-{t}": sql(f"DROP TABLE {t}") for t in TABLES},
    "touches-emptied": sql("DELETE FROM touches"),
    "touches-sent-rows-deleted": sql("DELETE FROM touches WHERE status = 'sent'"),
    "messages-emptied": sql("UPDATE touches SET message_id = NULL", "DELETE FROM messages"),
    "touches-created-at-garbled": sql("UPDATE touches SET created_at = '2026-03-1xT04:30:00+00:00' WHERE id = 9"),
    "touches-updated-at-garbled": sql("UPDATE touches SET updated_at = '2026-03-1xT04:30:00+00:00' WHERE id = 1"),
    "runs-now-garbled": sql("UPDATE runs SET now = '[' WHERE id = 1"),
    # (hostile-input audit) values damaged in place: each crashed some command
    "events-data-not-an-object": sql("""UPDATE events SET data = '{"event": "card_failed", "data": "x"}'"""),
    "events-data-not-json": sql("UPDATE events SET data = '{not json'"),
    "events-data-a-blob": sql("UPDATE events SET data = X'FFFE00'"),
    "touches-message-id-text": sql("UPDATE touches SET message_id = 'abc' WHERE message_id IS NOT NULL"),
    "tasks-invoice-ids-garbled": sql("UPDATE tasks SET invoice_ids = 'garbage'"),
    "allocations-amount-garbled": sql("UPDATE allocations SET amount = 'lots'"),
    "payments-date-garbled": sql("UPDATE payments SET date = 'x'"),
    "schema-table-name-not-utf8": patch_schema(b"tablesuppressionssuppressions", 8, 0x9F),
    "schema-column-name-not-utf8": patch_schema(b"updated_at", 4, 0xF4),
    "meta-state-id-deleted": sql("DELETE FROM meta WHERE key = 'state_id'"),
    "meta-state-id-changed": sql("UPDATE meta SET value = '0123456789abcdef0123456789abcdef' WHERE key = 'state_id'"),
    "meta-last-sync-deleted": sql("DELETE FROM meta WHERE key = 'last_sync'"),
    "meta-emptied": sql("DELETE FROM meta"),
    "user-version-0": sql("PRAGMA user_version = 0"),
    "user-version-1": sql("PRAGMA user_version = 1"),
    "user-version-future": sql("PRAGMA user_version = 99"),
    "user-version-negative": sql("PRAGMA user_version = -1"),
    "foreign-app-database": foreign("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)",
                                    "INSERT INTO contacts (name) VALUES ('Alice')", "PRAGMA user_version = 7"),
    "foreign-lookalike": foreign("CREATE TABLE meta (key TEXT, value TEXT)",
                                 "CREATE TABLE touches (id INTEGER PRIMARY KEY, note TEXT)",
                                 "INSERT INTO touches (note) VALUES ('someone else''s')",
                                 "PRAGMA user_version = 2"),
    "foreign-lookalike-no-meta": foreign("CREATE TABLE touches (id INTEGER PRIMARY KEY, note TEXT)",
                                         "PRAGMA user_version = 2"),
    "empty-file": empty,
    "folder-instead": folder,
    "junk-wal-beside": junk_wal,
    "read-only-file": read_only,
    "read-only-folder": read_only_folder,
}
NEEDS_NON_ROOT = {"read-only-file", "read-only-folder"}  # root ignores file modes

RANDOM_KINDS: list[tuple[str, Callable[[Path, Pristine, random.Random], None]]] = [
    ("truncate", truncate_at(lambda p, r: r.randrange(0, len(p.data)))),
    ("truncate-page", truncate_at(lambda p, r: r.randrange(1, p.pages) * p.page_size)),
    ("zero-pages", zero_pages(lambda p, r: r.sample(range(1, p.pages + 1), r.randint(1, 3)))),
    ("flip-header", flip_bytes(lambda p, r: (0, 100))),
    ("flip-btree-page", flip_bytes(page_span(lambda p, r: r.randrange(1, p.pages + 1)))),
    ("flip-anywhere", flip_bytes(lambda p, r: (0, len(p.data)), (1, 32))),
    ("garble-cell", garble_cell),
]


def cases() -> list[Any]:
    """(mutation, command, modes): every command under --json; human output too for `run`, and for
    every other command on alternate mutations (half the cost, every pair of both still covered)."""
    out = []
    for mi, name in enumerate(NAMED):
        for ci, args in enumerate(COMMANDS):
            out.append((name, args, (True, False) if ci == 0 or (mi + ci) % 2 == 0 else (True,)))
    rng = random.Random(SEED)
    for k in range(BUDGET):
        kind, _ = rng.choice(RANDOM_KINDS)
        name = f"random{k:03d}-{kind}"
        rotating = [COMMANDS[1 + (k * 5 + j) % (len(COMMANDS) - 1)] for j in range(5)]
        for j, args in enumerate([COMMANDS[0], *rotating]):
            out.append((name, args, (True, False) if j == 0 or (k + j) % 2 == 0 else (True,)))
    return [_param(*c) for c in out]


def mutation(name: str) -> Callable[[Path, Pristine, random.Random], None]:
    if name in NAMED:
        return NAMED[name]
    kind = name.split("-", 1)[1]
    return dict(RANDOM_KINDS)[kind]


def _param(name: str, args: tuple[str, ...], modes: tuple[bool, ...]) -> Any:
    return pytest.param(name, args, modes, id=f"{name}-{'_'.join(args)}")


# ---------------------------------------------------------------------------- the property


@pytest.fixture(scope="module")
def cli():
    """The click command, built once (typer rebuilds it on every invoke otherwise: ~15 ms a call)."""
    import typer

    from collectbot.cli import app

    return typer.main.get_command(app)


def _run(cli, root: Path, args: tuple[str, ...], json_out: bool):
    from click.testing import CliRunner

    head = ["--config", str(root / "collectbot.yaml"), "--now", NOW_AFTER] + (["--json"] if json_out else [])
    return CliRunner().invoke(cli, [*head, *args], env={"COLUMNS": "200"}, catch_exceptions=True)


READ_ONLY_INPUTS = ("templates", "playbooks", "bank.csv")


def _copy(p: Pristine, root: Path) -> None:
    """A fresh copy of the workspace; the inputs no command writes are linked, not copied."""
    shutil.copytree(p.root, root, ignore=lambda d, names: READ_ONLY_INPUTS if Path(d) == p.root else ())
    for name in READ_ONLY_INPUTS:
        (root / name).symlink_to(p.root / name)


def _args(root: Path, p: Pristine, args: tuple[str, ...]) -> tuple[str, ...]:
    fill = {"PAY": str(root / "pay.csv"), "EVENTS": str(root / "events.json"), "BIZ": str(root / "biz.jsonl"),
            "PAYMENT": str(p.payment_id)}
    return tuple(fill.get(a, a) for a in args)


def _restore_modes(root: Path) -> None:
    """Undo read-only modes so pytest can delete the copy."""
    if root.exists():
        root.chmod(0o755)
        if _db(root).exists():
            _db(root).chmod(0o600)


def _step_of(line: dict[str, Any], doc: Any, p: Pristine) -> list[str]:
    if isinstance(doc, dict):
        for m in doc.get("messages") or []:
            if isinstance(m, dict) and m.get("provider_id") == line.get("file"):
                return list(m.get("steps") or [])
    return [s for old in p.sent if (old["channel"], old["body"], old["subject"]) ==
            (line["channel"], line["body"], line["subject"]) for s in old["steps"]] or ["?"]


@pytest.mark.parametrize("name, args, modes", cases())
def test_a_damaged_state_ends_in_words_and_sends_nothing_twice(pristine, cli, tmp_path, name, args, modes):
    if name in NEEDS_NON_ROOT and os.geteuid() == 0:
        pytest.skip("running as root: file modes do not stop root")
    for json_out in modes:
        root = tmp_path / ("json" if json_out else "human")
        _copy(pristine, root)
        mutation(name)(root, pristine, random.Random(f"{SEED}:{name}"))
        try:
            argv = _args(root, pristine, args)
            result = _run(cli, root, argv, json_out)
        finally:
            _restore_modes(root)
        what = f"{name}: collectbot {'--json ' if json_out else ''}{' '.join(args)}"
        out = f"exit {result.exit_code}\n--- stdout:\n{result.stdout[-1500:]}\n--- stderr:\n{result.stderr[-1500:]}"

        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{what}: raised {result.exception!r}\n{out}"
        assert 0 <= result.exit_code <= 3, f"{what}\n{out}"
        text = result.stdout + result.stderr
        assert "Traceback (most recent call last)" not in text, f"{what}\n{out}"
        assert not PYTHON_NAMES.search(text), f"{what}: a Python exception name in the output\n{out}"
        doc = None
        if json_out:
            try:
                doc = json.loads(result.stdout)
            except ValueError:
                raise AssertionError(f"{what}: stdout is not one JSON document\n{out}") from None

        after = _outbox(root)
        assert after[:len(pristine.sent)] == [{k: v for k, v in m.items() if k != "steps"} for m in pristine.sent], \
            f"{what}: the outbox lost or changed what was sent before"
        new = after[len(pristine.sent):]
        before = {(i, s) for m in pristine.sent for i in m["invoice_ids"] for s in m["steps"]}
        again = [(i, s, m["channel"]) for m in new for i in m["invoice_ids"] for s in _step_of(m, doc, pristine)]
        assert not new, (f"{what}: sent {len(new)} message(s) on a state that already records the sends: "
                         f"{[(i, s, ch, 'AGAIN' if (i, s) in before else 'new') for i, s, ch in again]}\n{out}")
