"""Rows of a CSV or Excel export, with the line number a person sees for each.

The delimiter is sniffed from the first lines (`,`, `;`, tab or `|`: the one that splits
the most lines into the same number of cells), so metadata rows above the header and
`;`-separated European exports need no configuration.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from .errors import StatementError

Row = tuple[int, list[str]]  # (1-based line number, cells)
_DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:40] if ln.strip()]
    best, best_score = ",", -1
    for d in _DELIMITERS:
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=d))
        width, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0])) if counts else (1, 0)
        score = hits * 1000 + width if width > 1 else 0
        if score > best_score:
            best, best_score = d, score
    return best


def csv_rows(text: str, delimiter: str | None = None, limit: int | None = None) -> list[Row]:
    """All rows, or about the first `limit` characters' worth (enough to find a header)."""
    if limit is not None and len(text) > limit:
        text = text[: text.rfind("\n", 0, limit) + 1] or text[:limit]
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:  # cells keep their spaces: readers strip the few they use
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise StatementError(f"not a readable CSV file: {exc}", line=reader.line_num) from None
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def excel_rows(path: Path, sheet: str | int | None = None) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise StatementError(f"not a readable Excel file: {exc}") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int):
            ws = book.worksheets[sheet]
        else:
            ws = book[sheet]
    except (IndexError, KeyError):
        raise StatementError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})") from None
    rows = [(i, [_cell(v) for v in values]) for i, values in enumerate(ws.iter_rows(values_only=True), start=1)]
    book.close()
    return rows
