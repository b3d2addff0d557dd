"""The outbox holds names, addresses and amounts: its folder is 0700 and its files 0600, like
the state file (issue 14, item 8) — they were 0755 and 0644."""

from __future__ import annotations

import stat


def test_outbox_files_are_for_the_owner_only(make_workspace):
    ws = make_workspace()
    code, doc = ws.json("run")
    assert code == 0 and doc["summary"]["sent"] > 0
    assert stat.S_IMODE(ws.outbox.stat().st_mode) == 0o700
    files = list(ws.outbox.iterdir())
    assert any(f.name == "messages.jsonl" for f in files) and len(files) > 1
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
