"""The state knows itself, and can be put back (issue 14): the workspace remembers its state's
latest run outside the file (`collectbot.db.id`), so an older copy put in its place is refused
instead of sending again everything sent since; a copy is taken before each run that sends
(`backups/`, the last `backups.keep`); `collectbot restore` lists and puts one back; and
`run --new-state` goes on on purpose. Every check through the real CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

LATER = "2026-03-16T10:00:00"  # the next Monday: the default book has more to send
OLD_BOOK_OK = {"limits": {"max_source_age": "30d"}}  # the invoice file is not re-exported between runs here


def copy_state(ws, name: str) -> None:
    with sqlite3.connect(ws.root / "collectbot.db") as src, sqlite3.connect(ws.root / name) as dst:
        src.backup(dst)


def put_back(ws, name: str) -> None:
    for tail in ("-wal", "-shm"):
        (ws.root / f"collectbot.db{tail}").unlink(missing_ok=True)
    os.replace(ws.root / name, ws.root / "collectbot.db")


def two_runs(make_workspace, config=None):
    ws = make_workspace(config={**OLD_BOOK_OK, **(config or {})})
    first = ws.json("run")
    assert first[0] == 0 and first[1]["summary"]["sent"] > 0
    copy_state(ws, "old.db")
    second = ws.json("run", now=LATER)
    assert second[0] == 0 and second[1]["summary"]["sent"] > 0
    return ws, first[1], second[1]


def test_an_older_copy_is_refused_by_every_command_that_plans(make_workspace):
    ws, _, _ = two_runs(make_workspace)
    put_back(ws, "old.db")
    sent = len(ws.sent())
    for args in (("run",), ("run", "--dry-run"), ("preview",)):
        code, doc = ws.json(*args, now="2026-03-17T10:00:00")
        text = doc.get("refused") or doc["errors"][0]["message"]
        # run #1 is in the copy; run #2 (at LATER, 04:30 UTC) happened since
        assert code == 2 and "collectbot.db is older than the state this workspace used last: its latest run is " \
            "run #1 at 2026-03-10 04:30 UTC, but run #2 at 2026-03-16 04:30 UTC happened since" in text, (args, doc)
        assert "`collectbot restore`" in text and "`collectbot run --new-state`" in text
    code, doc = ws.json("check", now="2026-03-17T10:00:00")
    assert code == 2 and any(p["key"] == "state" and "is older than" in p["message"] for p in doc["problems"])
    assert len(ws.sent()) == sent  # nothing went out again


def test_new_state_goes_on_with_an_older_copy_on_purpose(make_workspace):
    ws, _, second = two_runs(make_workspace)
    put_back(ws, "old.db")
    code, doc = ws.json("run", "--new-state", now="2026-03-17T10:00:00")
    assert code == 0, doc
    # the copy did not know run #2: its reminders go again (that is what the owner accepted)
    assert doc["summary"]["sent"] >= second["summary"]["sent"]
    marker = json.loads((ws.root / "collectbot.db.id").read_text())
    assert marker["last_run"] == 2  # the copy's run #1, then this run
    assert ws.json("run", now="2026-03-18T10:00:00")[0] == 0  # no --new-state needed any more


def test_new_state_sets_aside_a_state_that_cannot_be_used_and_starts_afresh(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0
    for tail in ("-wal", "-shm"):
        (ws.root / f"collectbot.db{tail}").unlink(missing_ok=True)
    (ws.root / "collectbot.db").write_bytes(b"not a database " * 100)
    assert ws.json("run", now="2026-03-10T11:00:00")[0] == 2
    code, doc = ws.json("run", "--new-state", now="2026-03-10T11:00:00")
    assert code == 0 and doc["summary"]["sent"] > 0
    # the damaged file is kept, under a new name, byte for byte
    assert (ws.root / "collectbot.db.set-aside-1").read_bytes() == b"not a database " * 100
    with sqlite3.connect(ws.root / "collectbot.db") as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_a_dry_run_with_new_state_plans_without_setting_anything_aside(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0
    (ws.root / "collectbot.db").write_bytes(b"")
    code, doc = ws.json("run", "--dry-run", "--new-state", now="2026-03-10T11:00:00")
    assert code == 0 and doc["summary"]["planned"] > 0  # planned as on a fresh state
    assert (ws.root / "collectbot.db").read_bytes() == b"" and not list(ws.root.glob("*.set-aside-*"))


def test_a_copy_is_taken_before_each_run_that_sends_and_only_the_last_few_are_kept(make_workspace):
    ws = make_workspace(config={"backups": {"keep": 2}, **OLD_BOOK_OK})
    code, doc = ws.json("run")
    folder = ws.root / "backups"
    assert code == 0 and doc["backup"] == str(folder / "collectbot-20260310T043000Z.db")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(os.stat(doc["backup"]).st_mode) == 0o600
    code, doc = ws.json("run", now="2026-03-10T11:00:00")  # nothing more is due an hour later
    assert code == 0 and doc["summary"]["sent"] == 0 and "backup" not in doc
    assert ws.json("run", now=LATER)[0] == 0
    assert ws.json("run", now="2026-03-23T10:00:00")[1]["summary"]["sent"] > 0
    # three runs sent; two copies kept, the newest
    assert sorted(p.name for p in folder.iterdir()) == ["collectbot-20260316T043000Z.db",
                                                        "collectbot-20260323T043000Z.db"]
    # the copy before the run of the 16th (run #3) holds runs #1 (sent) and #2 (11:00, sent nothing)
    with sqlite3.connect(folder / "collectbot-20260316T043000Z.db") as conn:
        assert conn.execute("SELECT max(id) FROM runs").fetchone()[0] == 2


def test_no_copies_with_keep_zero(make_workspace):
    ws = make_workspace(config={"backups": {"keep": 0}})
    code, doc = ws.json("run")
    assert code == 0 and doc["summary"]["sent"] > 0 and "backup" not in doc
    assert not (ws.root / "backups").exists()


def test_a_copy_that_cannot_be_written_stops_the_run_before_anything_is_sent(make_workspace):
    ws = make_workspace()
    (ws.root / "backups").write_text("a file where the folder should be")
    code, doc = ws.json("run")
    assert code == 2 and not ws.sent()
    assert doc["errors"][0]["message"].startswith(f"could not write a copy of the state into {ws.root / 'backups'}")
    assert "nothing was sent" in doc["errors"][0]["message"]


def test_restore_lists_the_copies_and_puts_one_back(make_workspace):
    ws, first, second = two_runs(make_workspace)
    code, doc = ws.json("restore")
    assert code == 0
    # two runs sent, so two copies: before run 1 (an empty state) and before run 2 (run 1 in it)
    assert [(b["name"], b["last_run"], b["sent"]) for b in doc["backups"]] == [
        ("collectbot-20260316T043000Z.db", 1, first["summary"]["sent"]),
        ("collectbot-20260310T043000Z.db", 0, 0)]
    code, doc = ws.json("restore", "latest")
    assert code == 0, doc
    assert doc["restored"]["name"] == "collectbot-20260316T043000Z.db"
    assert doc["replaced_last_run"] == 2 and doc["lost_messages"] == second["summary"]["sent"]
    assert doc["set_aside"] == str(ws.root / "collectbot.db.set-aside-1")
    with sqlite3.connect(ws.root / "collectbot.db") as conn:
        assert conn.execute("SELECT max(id) FROM runs").fetchone()[0] == 1
    assert json.loads((ws.root / "collectbot.db.id").read_text())["last_run"] == 1
    # the restored copy is the workspace's state now: no refusal, and run 2's messages may go again
    code, doc = ws.json("run", now="2026-03-16T11:00:00")
    assert code == 0 and doc["summary"]["sent"] == second["summary"]["sent"]


def test_restore_in_words(make_workspace):
    ws, _, second = two_runs(make_workspace)
    result = ws.cli("restore", "collectbot-20260316T043000Z.db")
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Restored collectbot.db from collectbot-20260316T043000Z.db (its latest run: #1 at 2026-03-10 10:00)." \
        in text
    assert "The state it replaced is kept as collectbot.db.set-aside-1." in text
    assert f"That state recorded {second['summary']['sent']} message(s) after this copy was taken: the next run " \
        "may send them again." in text


def test_restore_refuses_what_it_cannot_use(make_workspace):
    ws, _, _ = two_runs(make_workspace)
    code, doc = ws.json("restore", "nope.db")
    assert code == 2 and doc["errors"][0]["message"] == (
        f"no copy named 'nope.db' in {ws.root / 'backups'}; `collectbot restore` lists them")
    damaged = ws.root / "backups" / "collectbot-20260301T000000Z.db"
    damaged.write_bytes(b"junk" * 100)
    code, doc = ws.json("restore", damaged.name)
    assert code == 2 and doc["errors"][0]["message"].startswith(f"{damaged.name} cannot be restored: it is ")
    with sqlite3.connect(ws.root / "collectbot.db") as conn:  # the state was not touched
        assert conn.execute("SELECT max(id) FROM runs").fetchone()[0] == 2


def test_check_reads_every_page_of_the_state_and_says_its_latest_run(make_workspace):
    ws = make_workspace()
    assert ws.json("run")[0] == 0
    code, doc = ws.json("check")
    assert code == 0 and doc["summary"]["state"] == {
        "path": str(ws.root / "collectbot.db"), "schema": 6, "latest_run": 1,
        "latest_run_at": "2026-03-10T04:30:00+00:00"}
    # damage inside the file (a page of some table zeroed, the header intact): only a check that
    # reads every page finds it before a run stumbles on it
    for tail in ("-wal", "-shm"):
        (ws.root / f"collectbot.db{tail}").unlink(missing_ok=True)
    db = ws.root / "collectbot.db"
    data = bytearray(db.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    pages = len(data) // size
    data[(pages - 2) * size:(pages - 1) * size] = bytes(size)  # the last-but-one page
    db.write_bytes(bytes(data))
    code, doc = ws.json("check")
    (p,) = [p for p in doc["problems"] if p["key"] == "state"]
    assert code == 2 and p["message"].startswith("the state file collectbot.db is damaged (SQLite's integrity check: ")


def test_a_workspace_that_cannot_be_written_is_said_in_words(make_workspace):
    # (file modes do not stop root, who runs CI: a folder where the lock file belongs does)
    ws = make_workspace()
    (ws.root / "collectbot.db.lock").mkdir()
    code, doc = ws.json("run")
    message = doc.get("refused") or doc["errors"][0]["message"]
    assert code == 2 and not ws.sent()
    assert message.startswith(f"could not read or write {ws.root / 'collectbot.db.lock'}: Is a directory. "
                              "collectbot writes its state, lock, copies and outbox in the workspace folder"), message
