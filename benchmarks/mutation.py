"""Mutation score of the core: does the suite notice a small, realistic bug?

    pip install coverage                     # the one extra this script needs (not in CI)
    python benchmarks/mutation.py            # every mutant of the core modules, 2 jobs
    python benchmarks/mutation.py --sample 300 --seed 1      # a uniform sample, faster
    python benchmarks/mutation.py --retest benchmarks/out/mutation.json   # only last run's survivors

Each mutant is one small change to one place, of the kinds a tired programmer makes:
a comparison turned (`<` ↔ `<=`, `==` ↔ `!=`, `in` ↔ `not in`, `is` ↔ `is not`), `and` ↔ `or`,
one operand of an `and`/`or` dropped, a `not` dropped, `+` ↔ `-`, `*` ↔ `/`, a whole number
changed by one (0 ↔ 1, n → n + 1), a unary minus dropped, an `if` condition forced true or false.
Strings are left alone (messages are checked by the tests that care about their words).
A line marked `# pragma: no mutate` is not mutated.

The mutant's module is written into a private copy of the checkout (one per job) and the tests
that ran that line, as found by one coverage run of the whole suite, run against it with
`pytest -x`; the copy is on PYTHONPATH, so the CLI started by a test as a process runs the
mutant too. A line no test ran in-process (run only at import, or only by a CLI process) is
tried against the whole suite.
A mutant is *killed* when a test fails (or it runs past the time limit), *survived* otherwise.
A survivor that cannot change what collectbot does (a memo table filled again, a cache's size)
is *equivalent* when benchmarks/mutation_equivalent.txt lists it with the reason. The list
names a mutant by file, change and line text, so it only ever relabels a mutant that survived:
a killable one with the same text is still tried, and killed.

The score is killed / (all − equivalent), the usual definition; the share of all mutants killed
is printed beside it, and every survivor (file:line, the change, the line). The whole result is
written as JSON (`--out`). Not a unit test: a full run takes about 1.5 hours on 2 cores.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT  # the checkout as it was when the run started (a snapshot: edits meanwhile do not leak in)
CORE = ("collectbot/engine", "collectbot/ledger.py", "collectbot/sync.py", "collectbot/reconcile/matcher.py",
        "collectbot/sources/parse.py", "collectbot/render.py")
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "mutants", "out", "__pycache__", ".hypothesis", "*.db")


@dataclass
class Mutant:
    id: int
    file: str          # path relative to the checkout
    line: int
    what: str          # e.g. "< -> <="
    source_line: str
    index: int         # position of the node in ast.walk order
    variant: int       # which change of that node
    status: str = "pending"
    tests: int = 0
    seconds: float = 0.0


# ---------------------------------------------------------------- the changes

CMP_SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
            ast.Mod: ast.FloorDiv}
SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
          ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
          ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.And: "and", ast.Or: "or"}


def changes(node: ast.AST) -> list[str]:
    """What can be done to this node: a description per variant (same order as `apply`)."""
    if isinstance(node, ast.Compare):
        return [f"{SYMBOL[type(op)]} -> {SYMBOL[CMP_SWAP[type(op)]]}" for op in node.ops if type(op) in CMP_SWAP]
    if isinstance(node, ast.BoolOp):
        other = "or" if isinstance(node.op, ast.And) else "and"
        return [f"{SYMBOL[type(node.op)]} -> {other}"] + [
            f"drop operand {i + 1} of {SYMBOL[type(node.op)]}" for i in range(len(node.values))]
    if isinstance(node, ast.BinOp) and type(node.op) in BIN_SWAP:
        return [f"{SYMBOL[type(node.op)]} -> {SYMBOL[BIN_SWAP[type(node.op)]]}"]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        return ["drop not" if isinstance(node.op, ast.Not) else "drop unary -"]
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return [f"{node.value} -> {bump(node.value)}"]
    if isinstance(node, (ast.If, ast.IfExp)):
        return ["condition -> True", "condition -> False"]
    if isinstance(node, ast.While):
        return ["condition -> False"]  # True would only loop for ever
    return []


def bump(n: int) -> int:
    return 0 if n == 1 else n + 1


def apply(node: ast.AST, variant: int) -> ast.AST | None:
    """Change `node` in place (or return a node to put in its place)."""
    if isinstance(node, ast.Compare):
        swappable = [i for i, op in enumerate(node.ops) if type(op) in CMP_SWAP]
        i = swappable[variant]
        node.ops[i] = CMP_SWAP[type(node.ops[i])]()
        return None
    if isinstance(node, ast.BoolOp):
        if variant == 0:
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            return None
        rest = [v for j, v in enumerate(node.values) if j != variant - 1]
        if len(rest) == 1:
            return rest[0]
        node.values = rest
        return None
    if isinstance(node, ast.BinOp):
        node.op = BIN_SWAP[type(node.op)]()
        return None
    if isinstance(node, ast.UnaryOp):
        return node.operand
    if isinstance(node, ast.Constant):
        node.value = bump(node.value)
        return None
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        node.test = ast.Constant(value=changes(node)[variant] == "condition -> True")
        return None
    raise AssertionError(node)


def skipped_nodes(tree: ast.AST) -> set[int]:
    """Nodes not to mutate: annotations and what sits under `if TYPE_CHECKING:`."""
    skip: set[int] = set()

    def all_under(n: ast.AST) -> None:
        skip.update(id(x) for x in ast.walk(n))

    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for a in [*n.args.args, *n.args.kwonlyargs, *n.args.posonlyargs, n.args.vararg, n.args.kwarg]:
                if a is not None and a.annotation is not None:
                    all_under(a.annotation)
            if n.returns is not None:
                all_under(n.returns)
        elif isinstance(n, ast.AnnAssign):
            all_under(n.annotation)
        elif isinstance(n, ast.If) and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING":
            all_under(n)
    return skip


def find_mutants(files: list[Path]) -> list[Mutant]:
    found: list[Mutant] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        skip = skipped_nodes(tree)
        for index, node in enumerate(ast.walk(tree)):
            if id(node) in skip or not hasattr(node, "lineno"):
                continue
            src = lines[node.lineno - 1]
            if "pragma: no mutate" in src:
                continue
            for variant, what in enumerate(changes(node)):
                found.append(Mutant(len(found), str(path.relative_to(SRC)), node.lineno, what, src.strip(),
                                    index, variant))
    return found


def keys(mutants: list[Mutant]) -> dict[int, tuple]:
    """Each mutant's identity between two runs, by id: its file, what it does, the text of its line
    and which of the same (change, line text) in that file it is, counted in file order. An edit
    elsewhere in the file keeps it; a changed line gives new mutants, which are tried again."""
    seen: dict[tuple, int] = {}
    out: dict[int, tuple] = {}
    for m in sorted(mutants, key=lambda m: (m.file, m.index, m.variant)):
        base = (m.file, m.what, m.source_line.strip(), m.variant)
        seen[base] = seen.get(base, 0) + 1
        out[m.id] = base + (seen[base],)
    return out


def earlier_results(previous: dict, mine: dict[int, tuple]) -> dict[tuple, dict]:
    """An earlier --out's mutants by key. Files written before keys were stored only match a
    mutant whose (file, change, line text) is unique now, so that no ordinal is guessed."""
    unique = {}
    for k in mine.values():
        unique[k[:4]] = k if k[:4] not in unique else None
    if not previous.get("sample") and not any(r.get("key") for r in previous["mutants"]):
        # a whole-population run written before keys were stored: its own file order gives the
        # ordinals, as `keys` counts them now
        earlier = [Mutant(**{f: r[f] for f in Mutant.__dataclass_fields__}) for r in previous["mutants"]]
        theirs = keys(earlier)
        return {theirs[m.id]: r for m, r in zip(earlier, previous["mutants"])}
    out = {}
    for r in previous["mutants"]:
        if r.get("key"):
            out[tuple(r["key"])] = r
        else:
            k = unique.get((r["file"], r["what"], r["source_line"].strip(), r["variant"]))
            if k is not None:
                out[k] = r
    return out


def mutated_source(path: Path, m: Mutant) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = list(ast.walk(tree))
    target = nodes[m.index]
    replacement = apply(target, m.variant)
    if replacement is not None:
        for parent in nodes:
            for field, value in ast.iter_fields(parent):
                if value is target:
                    setattr(parent, field, replacement)
                elif isinstance(value, list):
                    for k, item in enumerate(value):
                        if item is target:
                            value[k] = replacement
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# ---------------------------------------------------------------- survivors that change nothing

EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"


def load_equivalent() -> set[tuple[str, str, str]]:
    """(file, change, line text) of the mutants that cannot change what collectbot does, each
    with its reason in the file: `file | change | line text | why`."""
    found = set()
    if EQUIVALENT.exists():
        for raw in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.startswith("#"):
                parts = [x.strip() for x in raw.split(" | ")]
                if len(parts) < 4 or not parts[-1]:
                    raise SystemExit(f"{EQUIVALENT.name}: no reason given for {raw!r}")
                # the line text itself may hold " | " (a set union): every split is a candidate,
                # and only the one that is a real mutant's line ever matches
                for k in range(3, len(parts)):
                    found.add((parts[0], parts[1], " | ".join(parts[2:k])))
    return found


# ---------------------------------------------------------------- which tests ran which line

PLUGIN = """
import coverage
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):  # each test's lines under its own context: the test's id
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid.split("[")[0])
"""


def coverage_map(python: str, workdir: Path) -> dict[str, dict[int, list[str]]]:
    """{file: {line: [test ids]}} from one run of the suite under coverage (parameters folded)."""
    rc = workdir / ".coveragerc"
    rc.write_text(f"[run]\nsource = collectbot\ndata_file = {workdir / '.coverage'}\n")
    (workdir / "mutation_contexts.py").write_text(PLUGIN)
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{workdir}")
    done = subprocess.run([python, "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", "-q",
                           "-p", "no:cacheprovider", "-p", "mutation_contexts"], cwd=SRC, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if done.returncode != 0:  # a red suite kills every mutant: the score would mean nothing
        raise SystemExit("the suite does not pass as it is; fix it first:\n" + done.stdout.decode()[-3000:])
    import coverage

    data = coverage.CoverageData(basename=str(workdir / ".coverage"))
    data.read()
    result: dict[str, dict[int, list[str]]] = {}
    for measured in data.measured_files():
        rel = str(Path(measured).resolve().relative_to(SRC))
        by_line = data.contexts_by_lineno(measured)
        result[rel] = {line: sorted(c for c in ctxs if c) for line, ctxs in by_line.items()}
    return result


def tests_for(m: Mutant, cover: dict[str, dict[int, list[str]]], tree_lines: dict[str, dict[int, range]]) -> list[str]:
    """The tests that ran any line of the mutated statement; none known (a line run only at import,
    or only by a test that starts the CLI as a process): the whole suite."""
    lines = tree_lines[m.file].get(m.line, range(m.line, m.line + 1))
    by_line = cover.get(m.file, {})
    found = {t for line in lines for t in by_line.get(line, ())}
    # the newest test files first: after tests are added, `-x` stops at the one most likely to fail
    return sorted(found, key=lambda t: (-_mtime(t.split("::")[0]), t))


@lru_cache(maxsize=None)
def _mtime(test_file: str) -> float:
    return (SRC / test_file).stat().st_mtime


def statement_lines(path: Path) -> dict[int, range]:
    """line -> the lines of the innermost simple statement (or header) starting there."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spans: dict[int, range] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.stmt):
            end = n.end_lineno or n.lineno
            if isinstance(n, (ast.If, ast.While, ast.For, ast.With, ast.FunctionDef, ast.ClassDef, ast.Try)):
                end = n.lineno
                body = getattr(n, "body", None)
                if body:
                    end = max(n.lineno, body[0].lineno - 1)
            for line in range(n.lineno, end + 1):
                spans.setdefault(line, range(n.lineno, end + 1))
    return spans


# ---------------------------------------------------------------- running

def run_mutant(m: Mutant, copy_root: Path, tests: list[str], python: str, timeout: float) -> Mutant:
    target = copy_root / m.file
    original = (SRC / m.file).read_text(encoding="utf-8")
    target.write_text(mutated_source(SRC / m.file, m), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(copy_root), PYTHONDONTWRITEBYTECODE="1")
    started = time.monotonic()
    try:
        proc = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                              cwd=copy_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout)
        # 1: a test failed; 2: collection failed (the mutant breaks an import); 3, 4: pytest itself
        # was misused, which is this script's fault and must not pass for a kill.
        m.status = {0: "survived", 1: "killed", 2: "killed"}.get(proc.returncode, f"error {proc.returncode}")
        if m.status.startswith("error"):
            print(proc.stdout.decode(errors="replace")[-2000:], file=sys.stderr)
    except subprocess.TimeoutExpired:
        m.status = "killed (time limit)"
    finally:
        target.write_text(original, encoding="utf-8")
    m.tests, m.seconds = len(tests), round(time.monotonic() - started, 1)
    return m


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", nargs="*", default=list(CORE), help="files or folders under the checkout")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=0, help="a uniform sample of this many mutants (0 = all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per mutant before it counts as killed")
    ap.add_argument("--retest", type=Path, help="a previous --out: run only its survivors again")
    ap.add_argument("--known", type=Path, nargs="*", default=[],
                    help="earlier --out files: a mutant they killed, on the same unchanged line, is not tried again")
    ap.add_argument("--list", action="store_true", help="only count and list the mutants")
    ap.add_argument("--reuse-coverage", action="store_true",
                    help="use the coverage map of the last run (stale once tests are added)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "mutation.json")
    args = ap.parse_args(argv)
    python = sys.executable
    global SRC
    work = Path(tempfile.mkdtemp(prefix="collectbot-mutation-"))
    SRC = work / "snapshot"
    shutil.copytree(ROOT, SRC, ignore=COPY_IGNORE)

    files = sorted(p for m in args.modules for p in ([SRC / m] if m.endswith(".py") else (SRC / m).rglob("*.py")))
    mutants = find_mutants(files)
    total_found = len(mutants)
    mine = keys(mutants)  # over the whole population, before any sampling
    if args.retest:  # what the last run killed stays killed when its line is unchanged; the rest runs
        previous = json.loads(args.retest.read_text())
        before = earlier_results(previous, mine)
        if previous.get("sample"):  # the same sample again
            mutants = [m for m in mutants if mine[m.id] in before]
        for m in mutants:
            k = mine[m.id]
            # killed stays killed; a survivor listed as equivalent (no test can kill it) stays so
            if k in before and (before[k]["status"].startswith("killed") or before[k]["status"] == "equivalent"):
                m.status, m.tests, m.seconds = before[k]["status"], before[k]["tests"], before[k]["seconds"]
    elif args.sample and args.sample < len(mutants):
        mutants = sorted(random.Random(args.seed).sample(mutants, args.sample), key=lambda m: m.id)
    # Tests are only ever added, so a mutant an earlier run killed stays killed while its file has
    # not moved (the key holds its place in the file and its line text; an edit above it gives new
    # keys, tried again). A shortcut for a whole-population run; a run without --known is the check.
    known: dict[tuple, dict] = {}
    for f in args.known:
        known.update((k, r) for k, r in earlier_results(json.loads(f.read_text()), mine).items()
                     if r["status"].startswith("killed"))
    for m in mutants:
        if m.status == "pending" and mine[m.id] in known:
            k = known[mine[m.id]]
            m.status, m.tests, m.seconds = k["status"], k["tests"], k["seconds"]
    if args.list:
        for m in mutants:
            print(f"{m.file}:{m.line}  {m.what:28}  {m.source_line[:70]}")
        print(f"{len(mutants)} mutants (of {total_found})")
        shutil.rmtree(work, ignore_errors=True)
        return 0

    todo = [m for m in mutants if m.status == "pending"]
    print(f"{len(todo)} mutants to try (of {len(mutants)}) over {len(files)} files; coverage run of the suite…",
          flush=True)
    cover_file = args.out.with_name("coverage-map.json")
    if args.reuse_coverage and cover_file.exists():
        cover = {f: {int(k): v for k, v in lines.items()} for f, lines in json.loads(cover_file.read_text()).items()}
    else:
        cover = coverage_map(python, work)
        cover_file.parent.mkdir(parents=True, exist_ok=True)
        cover_file.write_text(json.dumps(cover))
    spans = {str(p.relative_to(SRC)): statement_lines(p) for p in files}
    copies = []
    for k in range(args.jobs):
        dest = work / f"copy{k}"
        shutil.copytree(SRC, dest)
        copies.append(dest)
    free = list(copies)
    started = time.monotonic()
    done = 0

    def one(m: Mutant) -> Mutant:
        nonlocal done
        where = free.pop()
        try:
            run_mutant(m, where, tests_for(m, cover, spans), python, args.timeout)
        finally:
            free.append(where)
        done += 1
        if m.status == "survived":
            print(f"  survived  {m.file}:{m.line}  {m.what}  |  {m.source_line[:60]}", flush=True)
        if done % 25 == 0:
            print(f"  … {done}/{len(todo)} in {time.monotonic() - started:.0f} s", flush=True)
        return m

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(one, todo))
    shutil.rmtree(work, ignore_errors=True)

    equivalent = load_equivalent()
    for m in mutants:
        if m.status in ("survived", "equivalent"):
            m.status = "equivalent" if (m.file, m.what, m.source_line) in equivalent else "survived"
    killed = [m for m in mutants if m.status.startswith("killed")]
    survived = [m for m in mutants if not m.status.startswith("killed")]
    per_file: dict[str, list[int]] = {}
    for m in mutants:
        counts = per_file.setdefault(m.file, [0, 0])
        counts[0] += m.status.startswith("killed")
        counts[1] += 1
    print()
    for f, (k, n) in sorted(per_file.items()):
        print(f"  {f:42} {k:5}/{n:<5} {100 * k / n:5.1f} %")
    errors = [m for m in mutants if m.status.startswith("error")]
    if errors:
        print(f"{len(errors)} mutants could not be tried (pytest errors above): the score below is not valid")
    n_equivalent = sum(m.status == "equivalent" for m in mutants)
    raw = 100 * len(killed) / max(1, len(mutants))
    score = 100 * len(killed) / max(1, len(mutants) - n_equivalent)
    print(f"killed {len(killed)} of {len(mutants)} mutants ({raw:.1f} %); {n_equivalent} survivors are listed as "
          f"equivalent in {EQUIVALENT.name} ({time.monotonic() - started:.0f} s, {args.jobs} jobs)")
    print(f"mutation score (killed / mutants not equivalent): {score:.1f} %")
    for m in sorted(survived, key=lambda m: (m.status, m.file, m.line)):
        print(f"  {m.status:10} {m.file}:{m.line}  {m.what}  |  {m.source_line[:70]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"score": round(score, 2), "raw": round(raw, 2), "killed": len(killed),
                                    "equivalent": n_equivalent,
                                    "mutants": [asdict(m) | {"key": list(mine[m.id])} for m in mutants],
                                    "found": total_found, "sample": args.sample, "seed": args.seed}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
