"""Reading a CSV or Excel file into a table of text cells, with the row numbers a person sees.

Real exports are messy: a company name and "As of …" above the header, a semicolon instead
of a comma, Windows-1252 instead of UTF-8, a decoy first sheet. The header row and the
delimiter are found together: the (delimiter, line) whose cells look most like known column
names wins. Every cell stays text here (Excel dates become ISO dates, numbers their plain
decimal form), so one set of parsers reads CSV and Excel alike.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from .. import tabular
from ..tabular import (DELIMITERS, EXCEL_SUFFIXES, NOT_WHAT_IT_SAYS, FileProblem, decode, sheet_rows,
                       sniff, within_limits)

HEADER_SCAN_ROWS = 40
RECOGNISABLE = 10  # a scorer's answer from which a row surely is the header we want


@dataclass
class Table:
    """A file's data rows as text. `rows[i]` is the row number of frame row i (header row counted)."""

    path: Path
    headers: list[str]
    frame: pd.DataFrame  # columns named by `headers` (deduplicated), all cells str
    rows: list[int]
    header_row: int  # row number of the header
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


# A scorer says how much a candidate header row looks like the header we want (0 = not at all).
Scorer = Callable[[list[str]], int]


def read_table(path: Path, score: Scorer, *, encoding: str | None = None, delimiter: str | None = None,
               sheet: str | int | None = None, excel: bool | None = None) -> Table:
    """Read `path` (CSV or .xlsx) and locate its header row with `score`. Raises FileProblem."""
    path = Path(path)
    if not path.exists():
        raise FileProblem(f"file not found: {path}")
    if path.is_dir():
        raise FileProblem(f"{path} is a folder, not a file")
    if excel is None:
        excel = path.suffix.lower() in EXCEL_SUFFIXES
    if path.suffix.lower() == ".xls":
        raise FileProblem("old .xls workbooks are not supported: save it as .xlsx (Excel Workbook) or CSV")
    kind = sniff(path)
    if kind is not None and kind != ("xlsx" if excel else "text"):
        raise FileProblem(NOT_WHAT_IT_SAYS[kind].format(name=path.name, said="an Excel workbook" if excel else "CSV"))
    if excel:
        return _read_excel(path, score, sheet)
    return _read_csv(path, score, encoding, delimiter)


# ---------------------------------------------------------------------------- CSV


_SAMPLE_CHARS = 131072  # the header is looked for in the first HEADER_SCAN_ROWS lines of this much text


def _sample_lines(text: str) -> list[str]:
    return text[:_SAMPLE_CHARS].splitlines()[:HEADER_SCAN_ROWS]


def find_csv_header(text: str, score: Scorer, delimiter: str | None) -> tuple[str, int]:
    """(delimiter, 0-based line of the header): the pair whose cells score best as a header.
    With no recognisable header anywhere, the most frequent delimiter of the first line, line 0."""
    lines = _sample_lines(text)
    best: tuple[int, int, int, str, int] | None = None  # (score, fields, -line, delimiter, line)
    for d in (delimiter,) if delimiter else DELIMITERS:
        for n, line in enumerate(lines):
            if not line.strip():
                continue
            cells = next(csv.reader([line], delimiter=d), [])
            s = score([c.strip() for c in cells])
            if s <= 0:
                continue
            key = (s, len(cells), -n, d, n)
            if best is None or key[:3] > best[:3]:
                best = key
    if best is not None:
        return best[3], best[4]
    first = next((ln for ln in lines if ln.strip()), "")
    d = delimiter or max(DELIMITERS, key=first.count)
    return d, next((n for n, ln in enumerate(lines) if ln.strip()), 0)


def _read_csv(path: Path, score: Scorer, encoding: str | None, delimiter: str | None) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    if encoding is None and data.isascii():
        # The usual big export: plain ASCII, which is UTF-8 as it is (no BOM either). Only the
        # top is decoded to find the header; pandas reads the bytes, and the whole text is made
        # only if the careful path below needs it.
        text, used, top = None, "utf-8", data[:_SAMPLE_CHARS].decode("ascii")
        empty = data.isspace() or not data
    else:
        text, used = decode(data, encoding)
        top = text[:_SAMPLE_CHARS]
        empty = not text or text.isspace()  # (`text.strip()` would copy a whole big file to find out)
    if empty:
        raise FileProblem("the file is empty")
    tabular.check_line_lengths(data)
    d, h = find_csv_header(top, score, delimiter)
    headers = unique_headers(next(csv.reader([_sample_lines(top)[h]], delimiter=d), []))
    within_limits(len(headers), data.count(b"\n") + 1, f"line {h + 1}")
    # pandas reads UTF-8 bytes faster than a Python string it would have to re-encode. Cells
    # stay text either way (no NA or number conversion); `object` columns of str are cheaper to
    # make and to turn into lists than pandas 3's `str` dtype (about 10% of reading a big book).
    source = io.BytesIO(data) if used in ("utf-8", "utf-8-sig") else io.StringIO(text)
    try:
        with warnings.catch_warnings():  # pandas would cut a too-long row with a mere warning: read it slowly instead
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(source, encoding=used if used.startswith("utf-8") else None, sep=d, skiprows=h,
                                header=0, dtype=object, keep_default_na=False, skip_blank_lines=False,
                                index_col=False, quotechar='"')
        if len(frame.columns) != len(headers):
            raise ValueError("header mismatch")
        frame.columns = headers
        rows = list(range(h + 2, h + 2 + len(frame)))
    except pd.errors.EmptyDataError:
        raise FileProblem("the file has no rows") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        try:
            frame, rows = _read_csv_slowly(text if text is not None else data.decode("ascii"), d, h, headers)
        except csv.Error as exc:
            raise FileProblem(f"cannot read the file as CSV: {exc}") from None
    return Table(path, headers, frame, rows, h + 1, encoding=used, delimiter=d)


def _read_csv_slowly(text: str, d: str, h: int, headers: list[str]) -> tuple[pd.DataFrame, list[int]]:
    """The careful path for files pandas refuses (rows with more cells than the header):
    every row is kept, cut or padded to the header's width; the extra cells are reported later
    as the `__overflow__` column."""
    width = len(headers)
    reader = csv.reader(io.StringIO(text), delimiter=d)
    records, rows, overflow = [], [], []
    for cells in reader:
        if reader.line_num <= h + 1:
            continue
        rows.append(reader.line_num)
        overflow.append(" | ".join(c for c in cells[width:] if c.strip()))
        records.append((cells + [""] * width)[:width])
    frame = pd.DataFrame(records, columns=headers, dtype=str) if records else pd.DataFrame(columns=headers, dtype=str)
    frame["__overflow__"] = overflow
    return frame, rows


def unique_headers(headers: list[str]) -> list[str]:
    """Make header names unique ('Amount', 'Amount' -> 'Amount', 'Amount (2)'); blanks get a name."""
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = str(h).strip() if h is not None else ""
        base = h or f"column {i + 1}"
        n = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = n
        out.append(base if n == 1 else f"{base} ({n})")
    return out


# ---------------------------------------------------------------------------- Excel


def _best_header(rows: list[list[str]], score: Scorer) -> tuple[int, int]:
    best = (0, 0)
    for n, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = score([c for c in row])
        if s > best[0]:
            best = (s, n)
    return best


def _read_excel(path: Path, score: Scorer, sheet: str | int | None) -> Table:
    with tabular.workbook(path) as wb:
        names = wb.sheetnames
        if sheet is not None:
            if isinstance(sheet, int):
                if not 0 <= sheet < len(names):
                    raise FileProblem(f"sheet index {sheet} does not exist (the book has {len(names)} sheets: "
                                      f"{', '.join(names)}); sheet: counts from 0")
                chosen = names[sheet]
            else:
                chosen = next((n for n in names if n.strip().lower() == str(sheet).strip().lower()), None)
                if chosen is None:
                    raise FileProblem(f"no sheet named {sheet!r} (sheets: {', '.join(names)})")
            rows = sheet_rows(wb[chosen])
            s, h = _best_header(rows, score)
        else:
            # the sheet whose header row looks most like what is wanted (a summary or cover sheet
            # first in the book is passed over); on a tie the earlier sheet
            chosen, rows, s, h = names[0], [], 0, 0
            for name in names:
                candidate = sheet_rows(wb[name])
                cs, ch = _best_header(candidate, score)
                if cs > s:
                    chosen, rows, s, h = name, candidate, cs, ch
            if s == 0:
                chosen = names[0]
                rows = sheet_rows(wb[chosen])
                h = next((n for n, r in enumerate(rows) if any(r)), 0)
    if not rows:
        raise FileProblem(f"sheet {chosen!r} is empty")
    headers = unique_headers(rows[h])
    width = len(headers)
    data = [(r + [""] * width)[:width] for r in rows[h + 1:]]
    frame = pd.DataFrame(data, columns=headers, dtype=str) if data else pd.DataFrame(columns=headers, dtype=str)
    return Table(path, headers, frame, list(range(h + 2, h + 2 + len(data))), h + 1, sheet=chosen)
