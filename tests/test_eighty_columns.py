"""Human output reads at 80 columns (issue 16, SPEC 6 "Human output"): every command's human
output on the demo workspace, rendered with `COLUMNS` unset and no terminal (as in a cron log):
no line is wider than 80 columns, no word of the data (invoice ids, names, addresses, phone
numbers, money) is split across lines, and no program's internal form (None, a repr, raw JSON)
shows."""

from __future__ import annotations

import csv
import io
import re

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from collectbot.cli import app

NOW = "2026-11-23T10:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("eighty") / "demo"
    assert CliRunner().invoke(app, ["--now", NOW, "init", str(root)]).exit_code == 0
    return root


def human(root, *args, now=NOW) -> str:
    result = CliRunner().invoke(app, ["--config", str(root), "--now", now, *args], env={"COLUMNS": None})
    assert result.exit_code in (0, 1), (args, result.output)
    return result.stdout + result.stderr


def data_words(root) -> set[str]:
    """The words of the book a person must be able to read whole."""
    rows = list(csv.DictReader(io.StringIO((root / "invoices.csv").read_text(encoding="utf-8"))))
    words: set[str] = set()
    for r in rows:
        words.update(v for k, v in r.items() if k and v and k.lower() in ("invoice_id", "email", "phone"))
    customers = root / "customers.csv"
    if customers.exists():
        for r in csv.DictReader(io.StringIO(customers.read_text(encoding="utf-8"))):
            words.update(r[k] for k in r if k and r[k] and k.lower() in ("email", "phone", "customer_id"))
    return words


COMMANDS = [
    ("check",), ("preview",), ("preview", "--days", "14"), ("run", "--dry-run"), ("explain", "INV-1007"),
    ("explain", "INV-1003"), ("reconcile", "--dry-run", "bank.csv"), ("hold",), ("restore",), ("sync",),
]
AFTER_RUN = [("history", "C004"), ("history", "INV-1001"), ("queue",), ("reconcile", "--review"), ("report",)]


def check_text(text: str, words: set[str], what) -> None:
    for line in text.splitlines():
        assert cell_len(line) <= 80, (what, line)
    flat = " ".join(text.split())
    split = [w for w in words if w in flat.replace(" ", "") and w not in flat]
    assert not split, (what, split)
    for internal in ("None", "=None", "{'", '{"', "Decimal(", "datetime.", "+00:00", "T10:00:00"):
        assert internal not in text, (what, internal, text)


@pytest.mark.parametrize("args", COMMANDS)
def test_every_command_reads_at_80_columns(demo, args):
    args = tuple(str(demo / a) if a.endswith(".csv") else a for a in args)
    check_text(human(demo, *args), data_words(demo), args)


def test_after_a_run_history_queue_and_review_read_at_80_columns(demo):
    text = human(demo, "run")
    check_text(text, data_words(demo), "run")
    human(demo, "reconcile", str(demo / "bank.csv"), now="2026-11-23T11:00")
    for args in AFTER_RUN:
        check_text(human(demo, *args, now="2026-11-23T12:00"), data_words(demo), args)


def test_explain_says_times_in_the_business_zone_to_the_minute(demo):
    text = human(demo, "explain", "INV-1007")
    assert "as of 2026-11-23 10:00 (Asia/Kolkata)" in text
    # every moment to the minute in the business zone: the recorded task at 10:00, never 04:30 UTC
    assert re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?", text) and "04:30" not in text
    assert not re.search(r"\d{2}:\d{2}:\d{2}", text)


def test_queue_cards_wrap_under_their_indent_at_80_columns(demo):
    """(audit) queue cards were printed as long lines that the console cut at column 80: the
    rest of a note or a suggestion restarted at column 0, and "7 days overdue" was split."""
    human(demo, "run")
    human(demo, "reconcile", str(demo / "bank.csv"), now="2026-11-23T11:00")
    text = human(demo, "queue", now="2026-12-20T12:00")
    lines = text.splitlines()
    assert lines[0].endswith("most urgent first") and lines[-1].startswith("Close one:")
    for line in lines[1:-1]:  # each item: its heading, then lines indented under it
        assert line.startswith("#") or line.startswith("    "), line
        assert line == line.rstrip() and cell_len(line) <= 80, line
    assert not re.search(r"\d\n\s*days overdue", text), text
    check_text(text, data_words(demo), "queue")
