"""No input ends in a traceback (SPEC 2): generated damaged files — random bytes, truncations,
byte flips, far dates, huge numbers, mutations of every source and statement fixture — fed to
`check`, `run --dry-run` (invoice books) and `reconcile --dry-run` (statements) through the
real CLI. Each must end with exit 0–3 and words, never a Python traceback.

A fixed seed and a budget of a few hundred files keep it deterministic and quick;
`COLLECTBOT_FUZZ=N` runs N cases (to hunt, not in CI).
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BOOKS = sorted(p for p in (FIXTURES / "sources").iterdir() if p.suffix in (".csv", ".xlsx") and p.name != "customers.csv")
STATEMENTS = sorted(p for p in (FIXTURES / "statements").rglob("*") if p.is_file() and p.suffix != ".json"
                    and p.name != "PROVENANCE.md") + sorted((FIXTURES / "real" / "statements").glob("*.csv"))
BUDGET = int(os.environ.get("COLLECTBOT_FUZZ", "200"))
SEED = int(os.environ.get("COLLECTBOT_FUZZ_SEED", "20261205"))

FAR = [b"9999-12-31", b"0001-01-01", b"31/02/2026", b"2026-13-45", b"99/99/9999", b"1899-12-31", b"29.02.2027"]
HUGE = [b"1e400", b"99999999999999999999999999999999", b"-0", b"NaN", b"Infinity", b"1,2,3", b"0x32", b"1e2",
        b"\xe2\x82\xb9" * 3, b"(((1)))", b"--5", b"1.234,56.78"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    how = rng.randrange(9)
    if how == 0 or not data:  # random bytes
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 1500)))
    if how == 1:  # truncated
        return data[: rng.randrange(len(data))]
    if how == 2:  # bytes flipped
        out = bytearray(data)
        for _ in range(rng.randrange(1, 12)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if how == 3:  # a chunk of junk inserted
        at = rng.randrange(len(data))
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))) + data[at:]
    if how == 4:  # dates far away or impossible
        return re.sub(rb"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", lambda m: rng.choice(FAR + [m.group(0)]),
                      data)
    if how == 5:  # amounts no bank or book writes
        return re.sub(rb"\d+[.,]\d\d\b", lambda m: rng.choice(HUGE + [m.group(0)]), data)
    if how == 6:  # a line repeated, or lines shuffled
        lines = data.splitlines(keepends=True)
        if len(lines) > 2:
            if rng.random() < 0.5:
                k = rng.randrange(len(lines))
                lines[k:k] = [lines[k]] * rng.randrange(2, 40)
            else:
                rng.shuffle(lines)
        return b"".join(lines)
    if how == 7:  # an encoding surprise in front
        return rng.choice([b"\xef\xbb\xbf\xff\xfe", b"\xff\xfe", b"\x00\x00", b"PK\x03\x04", b"%PDF-1.4\n",
                           b"<html>", b"\xef\xbb\xbf"]) + data
    return data.replace(b",", b";") if rng.random() < 0.5 else data.replace(b"\n", b"\r")  # another dialect


def cases() -> list[tuple[str, Path, int]]:
    rng = random.Random(SEED)
    out = []
    for k in range(BUDGET):
        if k % 2 == 0 and BOOKS:
            out.append(("book", rng.choice(BOOKS), rng.randrange(1 << 30)))
        else:
            out.append(("statement", rng.choice(STATEMENTS), rng.randrange(1 << 30)))
    return out


def assert_words_not_a_traceback(result, what: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (what, result.exception)
    assert 0 <= result.exit_code <= 3, (what, result.exit_code, result.stdout[-500:], result.stderr[-500:])
    text = result.stdout + result.stderr
    assert "Traceback (most recent call last)" not in text, what


def run_cli(root: Path, *args: str):
    from typer.testing import CliRunner

    from collectbot.cli import app

    return CliRunner().invoke(app, ["--config", str(root / "collectbot.yaml"), "--now", "2026-03-10T10:00:00", *args],
                              env={"COLUMNS": "120"}, catch_exceptions=True)


@pytest.mark.parametrize("k", range(0, BUDGET, 40))
def test_damaged_files_end_in_words(make_workspace, k):
    rng_cases = cases()[k:k + 40]
    ws = make_workspace()
    default_book = (ws.root / "invoices.csv").read_bytes()
    for kind, path, seed in rng_cases:
        rng = random.Random(seed)
        data = mutate(path.read_bytes(), rng)
        what = f"{kind} {path.name} seed {seed}"
        if kind == "book":
            name = "book" + path.suffix
            (ws.root / name).write_bytes(data)
            ws.write_config({**_config(ws), "sources": {"invoices": [name]}})
            for args in (("check",), ("run", "--dry-run"), ("--json", "check")):
                assert_words_not_a_traceback(run_cli(ws.root, *args), f"{what}: {args}")
        else:
            ws.write_config({**_config(ws), "sources": {"invoices": ["invoices.csv"]}})
            (ws.root / "invoices.csv").write_bytes(default_book)
            target = ws.root / ("statement" + path.suffix)
            target.write_bytes(data)
            for args in (("reconcile", "--dry-run", str(target)), ("--json", "reconcile", "--dry-run", str(target))):
                assert_words_not_a_traceback(run_cli(ws.root, *args), f"{what}: {args}")


def _config(ws) -> dict:
    import yaml

    return yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
