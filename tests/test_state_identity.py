"""The state file is the record of what was sent (issue 14, item 1): an emptied, foreign,
swapped or vanished state is refused (exit 2, a sentence, nothing sent) — it used to be taken
for a fresh ledger, and every reminder went out again."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest


def sent_once(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0 and doc["summary"]["sent"] > 0
    return ws, len(ws.sent())


def refused(ws, words: str) -> None:
    for args in (("run",), ("run", "--dry-run"), ("preview",)):
        code, doc = ws.json(*args, now="2026-03-10T11:00:00")
        text = doc.get("refused") or (doc.get("errors") or [{}])[0].get("message", "")
        assert code == 2 and words in text, (args, doc)


def test_the_first_run_writes_the_state_and_its_identity(make_workspace):
    ws, _ = sent_once(make_workspace)
    marker = ws.root / "collectbot.db.id"
    with sqlite3.connect(ws.root / "collectbot.db") as conn:
        (state_id,) = conn.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone()
    remembered = json.loads(marker.read_text(encoding="utf-8"))
    assert remembered["state_id"] == state_id and len(state_id) == 32
    # the first run is run #1, at --now (10:00 in Kolkata is 04:30 UTC)
    assert remembered["last_run"] == 1 and remembered["last_run_at"] == "2026-03-10T04:30:00+00:00"


@pytest.mark.parametrize("damage, words", [
    ("empty", "the state file collectbot.db is empty (0 bytes)"),
    ("foreign", "collectbot.db is not a collectbot state file"),
    ("deleted", "the state file collectbot.db is missing, but this workspace kept one before"),
    ("garbage", "the state file collectbot.db cannot be read"),
])
def test_a_state_that_is_not_the_record_is_refused_and_nothing_is_sent_again(make_workspace, damage, words):
    ws, before = sent_once(make_workspace)
    db = ws.root / "collectbot.db"
    for extra in ("-wal", "-shm"):
        (ws.root / f"collectbot.db{extra}").unlink(missing_ok=True)
    if damage == "empty":
        db.write_bytes(b"")
    elif damage == "foreign":
        db.unlink()
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE contacts (name TEXT)")
    elif damage == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"not a database at all " * 200)
    refused(ws, words)
    assert len(ws.sent()) == before  # nothing went out a second time


def test_another_workspaces_state_is_refused_until_adopted(make_workspace):
    ws, before = sent_once(make_workspace)
    other = make_workspace()
    assert other.json("run")[0] == 0
    shutil.copy(other.root / "collectbot.db", ws.root / "collectbot.db")
    for extra in ("-wal", "-shm"):
        (ws.root / f"collectbot.db{extra}").unlink(missing_ok=True)
    refused(ws, "collectbot.db is not the state file this workspace used before")
    # the owner says it is the right one: deleting the marker adopts it
    os.unlink(ws.root / "collectbot.db.id")
    code, doc = ws.json("run", "--dry-run", now="2026-03-10T11:00:00")
    assert code == 0, doc


def test_starting_afresh_on_purpose_is_possible(make_workspace):
    ws, before = sent_once(make_workspace)
    for name in ("collectbot.db", "collectbot.db-wal", "collectbot.db-shm", "collectbot.db.id"):
        (ws.root / name).unlink(missing_ok=True)
    code, doc = ws.json("run", now="2026-03-10T11:00:00")
    assert code == 0 and doc["summary"]["sent"] > 0  # the owner deleted both: a new ledger


def test_check_opens_the_state_and_says_what_is_wrong(make_workspace):
    ws, _ = sent_once(make_workspace)
    (ws.root / "collectbot.db").write_bytes(b"")
    code, doc = ws.json("check")
    assert code == 2
    (p,) = [p for p in doc["problems"] if p["key"] == "state"]
    assert "is empty (0 bytes)" in p["message"]
