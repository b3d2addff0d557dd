"""`preview --json` through the real CLI: one compact document, and the process left as it was."""

from __future__ import annotations

import gc
import json


def test_preview_json_is_one_compact_line_and_gc_is_back_on(make_workspace):
    ws = make_workspace()
    assert gc.isenabled()
    result = ws.cli("preview", json=True)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and ", " not in lines[0].split('"body"')[0]  # compact separators
    doc = json.loads(lines[0])
    assert doc["command"] == "preview" and doc["summary"]["messages"] == len(doc["messages"]) > 0
    assert gc.isenabled()  # the collector is paused only while the pipeline runs


def test_preview_and_run_dry_run_make_the_same_plan(make_workspace):
    ws = make_workspace()
    _, preview = ws.json("preview")
    _, dry = ws.json("run", "--dry-run")
    assert preview["messages"] == dry["messages"] and preview["tasks"] == dry["tasks"]
    assert preview["skipped"] == dry["skipped"]
