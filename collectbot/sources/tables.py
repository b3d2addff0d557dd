"""Reading a CSV or Excel file into a table of text cells, with the row numbers a person sees.

Real exports are messy: a company name and "As of …" above the header, a semicolon instead
of a comma, Windows-1252 instead of UTF-8, a decoy first sheet. The header row and the
delimiter are found together: the (delimiter, line) whose cells look most like known column
names wins. Every cell stays text here (Excel dates become ISO dates, numbers their plain
decimal form), so one set of parsers reads CSV and Excel alike.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
from ..errors import CollectbotError

DELIMITERS = (",", ";", "\t", "|")
HEADER_SCAN_ROWS = 40
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_LATIN_GUESSES = {"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_9", "iso8859_15",
                  "iso8859_13", "iso8859_4", "mac_roman", "mac_latin2", "cp850", "cp437"}
RECOGNISABLE = 10  # a scorer's answer from which a row surely is the header we want


class FileProblem(CollectbotError):
    """The file as a whole cannot be read (missing, undecodable, no header): one file-level error."""


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
        raise FileProblem(_NOT_WHAT_IT_SAYS[kind].format(name=path.name, said="an Excel workbook" if excel else "CSV"))
    if excel:
        return _read_excel(path, score, sheet)
    return _read_csv(path, score, encoding, delimiter)


_NOT_WHAT_IT_SAYS = {
    "xlsx": "{name} is an Excel workbook, not {said}: rename it to .xlsx (or set format: excel on the source)",
    "xls": "{name} is an old Excel .xls workbook: save it as .xlsx (Excel Workbook) or CSV",
    "ods": "{name} is an OpenDocument spreadsheet (.ods): save it as .xlsx (Excel Workbook) or CSV",
    "zip": "{name} is a zip archive, not {said}: unzip it and point the source at the file inside",
    "pdf": "{name} is a PDF, not {said}: export the list as CSV or Excel from your accounting tool",
    "html": "{name} is a web page (HTML), not {said}: open it in a spreadsheet and save it as CSV or .xlsx",
    "text": "{name} is text (CSV?), not {said}: rename it to .csv (or set format: csv on the source)",
    "binary": "{name} is not a text file, so it cannot be {said}: export the list as CSV or Excel again",
}


def sniff(path: Path) -> str | None:
    """What the first bytes say the file is: xlsx, xls, zip, pdf, html, text, binary (None: unreadable)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"opendocument.spreadsheet" in head:
            return "ods"
        return "xlsx" if b"[Content_Types].xml" in head or b"xl/" in head or b"docProps" in head else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")) or (start.startswith(b"<") and b"<html" in
                                                                        head.lower()):
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a BOM
    if b"\x00" in head:
        return "binary"
    return "text"


# ---------------------------------------------------------------------------- CSV


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> text: the configured encoding, else a BOM, else UTF-8, else charset-normalizer's
    best guess (Windows-1252 exports from Excel and Tally are common)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileProblem(f"cannot decode the file as {encoding}: {exc}") from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise FileProblem(f"the file starts with a {name.upper().replace('-SIG', '')} mark but its bytes "
                                  f"are not {name.upper().replace('-SIG', '')} text (at byte {exc.start}): save it "
                                  "again as CSV UTF-8, or set encoding: on the source") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in _LATIN_GUESSES:
        # On a small file the detector cannot tell Windows-1252 from its Central-European and
        # ISO siblings; Windows-1252 (Excel's Western default) is the likely one, and the one
        # that reads à and õ right.
        guess = "cp1252"
    for name in (guess, "cp1252"):
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace"), "cp1252"


MAX_LINE_BYTES = 1_000_000
MAX_COLUMNS = 1_000  # an export has tens of columns; a row of thousands is not an invoice list
MAX_CELLS = 50_000_000  # rows × columns: a million invoices of 50 columns; more would not fit in memory
_LONG_LINE = re.compile(rb"[^\n]{%d}" % MAX_LINE_BYTES)
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
    long_line = _LONG_LINE.search(data)
    if long_line is not None:  # one absurd row must not eat the machine (millions of cells)
        line = data.count(b"\n", 0, long_line.start()) + 1
        raise FileProblem(f"line {line} is longer than {MAX_LINE_BYTES // 1_000_000} MB: this is not an invoice "
                          "list (a row of an export is a few hundred characters)")
    d, h = find_csv_header(top, score, delimiter)
    headers = unique_headers(next(csv.reader([_sample_lines(top)[h]], delimiter=d), []))
    _within_limits(len(headers), data.count(b"\n") + 1, f"line {h + 1}")
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


def cell_text(value: object) -> str:
    """An Excel cell as text: real date cells -> ISO date, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    return str(value).strip()


def _within_limits(columns: int, rows: int, where: str) -> None:
    if columns > MAX_COLUMNS:
        raise FileProblem(f"{where} has {columns:,} columns; collectbot reads at most {MAX_COLUMNS:,}: this is not an "
                          "invoice list")
    if columns * rows > MAX_CELLS:
        raise FileProblem(f"{rows:,} rows of {columns:,} columns are more than the {MAX_CELLS:,} cells collectbot "
                          "reads from one file: split the export, or leave out the columns it does not need")


def _sheet_rows(ws) -> list[list[str]]:
    rows: list[list[str]] = []
    cells = 0
    try:
        for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), 1):
            width = len(row)
            while width and row[width - 1] is None:  # cells formatted far to the right hold nothing
                width -= 1
            cells += width
            _within_limits(width, 1, f"sheet {ws.title!r} row {number}")
            if cells > MAX_CELLS:
                raise FileProblem(f"sheet {ws.title!r} has more than the {MAX_CELLS:,} cells collectbot reads from one "
                                  "file: split the export, or leave out the columns it does not need")
            rows.append([cell_text(v) for v in row[:width]])
    except FileProblem:
        raise
    except Exception as exc:  # a damaged sheet: the XML parser's error, whatever its kind
        raise FileProblem(f"the workbook is damaged: sheet {ws.title!r} cannot be read ({exc})") from None
    full = max(map(len, rows), default=0)  # as wide as the widest row that holds something
    return [r + [""] * (full - len(r)) for r in rows]


def _refuse_dtd(path: Path) -> None:
    """Excel never writes a DTD; one in a workbook's XML is refused before any XML is parsed
    (entity expansion is how a small file eats the machine)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    with z.open(info) as f:
                        if b"<!DOCTYPE" in f.read(2048).upper():
                            raise FileProblem(f"the workbook carries a DTD (<!DOCTYPE> in {info.filename}), which "
                                              "Excel never writes: save it again from Excel or export CSV")
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
        raise FileProblem(f"cannot open the workbook: {exc}") from None


def _best_header(rows: list[list[str]], score: Scorer) -> tuple[int, int]:
    best = (0, 0)
    for n, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = score([c for c in row])
        if s > best[0]:
            best = (s, n)
    return best


def _read_excel(path: Path, score: Scorer, sheet: str | int | None) -> Table:
    import openpyxl

    _refuse_dtd(path)
    # a file object, so that openpyxl does not judge the workbook by its name (format: excel on a .csv)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        handle.close()
        raise FileProblem(f"cannot open the workbook: {exc}") from None
    try:
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
            rows = _sheet_rows(wb[chosen])
            s, h = _best_header(rows, score)
        else:
            # the sheet whose header row looks most like what is wanted (a summary or cover sheet
            # first in the book is passed over); on a tie the earlier sheet
            chosen, rows, s, h = names[0], [], 0, 0
            for name in names:
                candidate = _sheet_rows(wb[name])
                cs, ch = _best_header(candidate, score)
                if cs > s:
                    chosen, rows, s, h = name, candidate, cs, ch
            if s == 0:
                chosen = names[0]
                rows = _sheet_rows(wb[chosen])
                h = next((n for n, r in enumerate(rows) if any(r)), 0)
    finally:
        wb.close()
        handle.close()
    if not rows:
        raise FileProblem(f"sheet {chosen!r} is empty")
    headers = unique_headers(rows[h])
    width = len(headers)
    data = [(r + [""] * width)[:width] for r in rows[h + 1:]]
    frame = pd.DataFrame(data, columns=headers, dtype=str) if data else pd.DataFrame(columns=headers, dtype=str)
    return Table(path, headers, frame, list(range(h + 2, h + 2 + len(data))), h + 1, sheet=chosen)
