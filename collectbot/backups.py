"""Copies of the state file: one taken before each run that sends, and `collectbot restore`.

A copy is made with SQLite's online backup API on the run's own connection, inside the
workspace lock, so it is consistent (what was committed, WAL included) and never half-written:
it is built under a temporary name and renamed into `backups/` (0600 files in a 0700 folder,
like the state). The last `backups.keep` are kept (default 7; 0 turns copies off).

Restoring never deletes anything: the state it replaces (sound or damaged) is set aside under a
new name, the copy is put in place, and the workspace's memory of its state (`collectbot.db.id`)
is set to the copy's — and the restore says how many messages the replaced state recorded after
the copy was taken, because the next run may send those again.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import CollectbotError
from .state import State, WorkspaceLock, migrate, remember_identity, set_aside

PREFIX = "collectbot-"
SUFFIX = ".db"


class BackupError(CollectbotError):
    """A copy that cannot be made (the run stops before sending) or cannot be restored."""


def take(state: State, folder: Path, keep: int, now: datetime) -> Path:
    """Copy the open state into `folder` as collectbot-<UTC time of now>.db; prune to `keep`."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        n, dest = 1, folder / f"{PREFIX}{stamp}{SUFFIX}"
        while dest.exists():
            n += 1
            dest = folder / f"{PREFIX}{stamp}-{n}{SUFFIX}"
        tmp = folder / f".{dest.name}.{os.getpid()}.tmp"
        os.close(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        try:
            target = sqlite3.connect(tmp)
            try:
                state.conn.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"could not write a copy of the state into {folder} ({getattr(exc, 'strerror', None) or exc})"
                          ": nothing was sent. Free some space or fix the folder's permissions; `backups: {keep: 0}` "
                          "in collectbot.yaml runs without copies") from None
    for old in listing(folder)[keep:]:
        old.path.unlink(missing_ok=True)
    return dest


@dataclass
class Backup:
    path: Path
    taken_at: str | None  # from the name (UTC)
    state_id: str | None = None
    last_run: int = 0
    last_run_at: str | None = None
    sent: int = 0  # messages the copy records as sent
    problem: str | None = None  # why it cannot be restored

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.path.name, "path": str(self.path), "taken_at": self.taken_at, "last_run": self.last_run,
                "last_run_at": self.last_run_at, "sent": self.sent, "problem": self.problem}


def _taken_at(name: str) -> str | None:
    stem = name[len(PREFIX):-len(SUFFIX)].split("-")[0]
    try:
        return datetime.strptime(stem, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return None


def inspect(path: Path) -> Backup:
    """What a copy holds, and whether it can be used (a quick integrity check)."""
    found = Backup(path, _taken_at(path.name))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                found.problem = "damaged (SQLite's integrity check fails)"
                return found
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0 or not {"touches", "runs", "meta"} <= tables:
                found.problem = "not a collectbot state file"
                return found
            row = conn.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone()
            found.state_id = row[0] if row else None
            run = conn.execute("SELECT id, now FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            found.last_run, found.last_run_at = (int(run[0]), run[1]) if run else (0, None)
            found.sent = conn.execute("SELECT count(*) FROM messages WHERE status IN ('sent', 'uncertain')").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        found.problem = f"cannot be read ({exc})"
    return found


def listing(folder: Path) -> list[Backup]:
    """The copies in `folder`, newest first (the names sort by time)."""
    if not folder.is_dir():
        return []
    names = sorted((p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX)),
                   key=lambda p: (p.name[len(PREFIX):len(PREFIX) + 16], _ordinal(p.name)), reverse=True)
    return [Backup(p, _taken_at(p.name)) for p in names]


def _ordinal(name: str) -> int:
    tail = name[len(PREFIX) + 16:-len(SUFFIX)]
    return int(tail[1:]) if tail.startswith("-") and tail[1:].isdigit() else 1


@dataclass
class Restored:
    backup: Backup
    set_aside: Path | None
    replaced_last_run: int | None  # the replaced state's latest run, when it could be read
    lost_messages: int | None  # messages the replaced state recorded after the copy's latest run

    def as_dict(self) -> dict[str, Any]:
        return {"restored": self.backup.as_dict(), "set_aside": str(self.set_aside) if self.set_aside else None,
                "replaced_last_run": self.replaced_last_run, "lost_messages": self.lost_messages}


def find(folder: Path, name: str) -> Path:
    """A copy by file name, path or `latest`."""
    copies = listing(folder)
    if name == "latest":
        if not copies:
            raise BackupError(f"there is no copy of the state in {folder} yet (one is taken before each run that "
                              "sends)")
        return copies[0].path
    for candidate in (Path(name), folder / name, folder / f"{name}{SUFFIX}"):
        if candidate.is_file():
            return candidate
    raise BackupError(f"no copy named {name!r} in {folder}; `collectbot restore` lists them")


def restore(state_path: Path, source: Path) -> Restored:
    """Put `source` in place of the state (under the workspace lock); the old one is set aside."""
    found = inspect(source)
    if found.problem:
        raise BackupError(f"{source.name} cannot be restored: it is {found.problem}")
    with WorkspaceLock(state_path):
        replaced_last_run = lost = None
        if state_path.exists():
            try:
                conn = sqlite3.connect(f"{state_path.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    replaced_last_run = conn.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0]
                    lost = conn.execute("SELECT count(*) FROM messages WHERE status IN ('sent', 'uncertain') "
                                        "AND coalesce(run_id, 0) > ?", (found.last_run,)).fetchone()[0]
                finally:
                    conn.close()
            except sqlite3.DatabaseError:
                pass  # a damaged state: what it recorded cannot be counted
        tmp = state_path.with_name(f".{state_path.name}.{os.getpid()}.restore.tmp")
        try:
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o600)
            aside = set_aside(state_path)
            os.replace(tmp, state_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise BackupError(f"could not put {source.name} in place of {state_path.name}: "
                              f"{exc.strerror or exc}") from None
        conn = sqlite3.connect(state_path, isolation_level=None)
        try:
            migrate(conn)  # a copy from an older collectbot
            remember_identity(state_path, conn)
        finally:
            conn.close()
    return Restored(found, aside, replaced_last_run, lost)
