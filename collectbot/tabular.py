"""Reading CSV and Excel files into rows of text, for invoice books and bank statements alike.

One place decides what a file is (`sniff`: a workbook named .csv, a PDF, a web page are said
so), how its bytes become text (`decode`), how big it may be (`MAX_LINE_BYTES`, `MAX_COLUMNS`,
`MAX_CELLS`: one absurd row must not eat the machine), how a workbook is opened (never one that
carries a DTD) and how an Excel cell becomes text (`cell_text`: dates as ISO, numbers without
float noise). `sources.tables` finds an invoice book's header and builds its table;
`reconcile.readers` find a statement's layout. Both read through here.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from .errors import CollectbotError

DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MAX_LINE_BYTES = 1_000_000
MAX_COLUMNS = 1_000  # an export has tens of columns; a row of thousands is not a list of invoices or payments
MAX_CELLS = 50_000_000  # rows × columns: a million rows of 50 columns; more would not fit in memory
# anchored at line starts: each line is scanned once (unanchored, every position of the file was a
# start to try: 0.22 s of CPU on a 100k-invoice book instead of 0.04)
_LONG_LINE = re.compile(rb"(?m)^[^\n]{%d}" % MAX_LINE_BYTES)
# Latin-script code pages (Western, Central European, Baltic, Nordic; Windows, ISO, DOS, Mac): on a
# short file charset-normalizer cannot tell them apart, and Windows-1252 is the one exports use
_LATIN_GUESSES = {"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
                  "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_roman",
                  "mac_latin2", "mac_iceland", "mac_turkish", "cp437", "cp775", "cp850", "cp852", "cp857", "cp858",
                  "cp860", "cp861", "cp863", "cp865"}


class FileProblem(CollectbotError):
    """The file as a whole cannot be read (missing, undecodable, too big, no header): one file-level error."""


# ---------------------------------------------------------------------------- what the file is


NOT_WHAT_IT_SAYS = {
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


# ---------------------------------------------------------------------------- text


_DECLARED = (
    re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)[\"']", re.I),
    re.compile(rb"^\s*CHARSET:\s*([A-Za-z0-9_.-]+)", re.I | re.M),
)
# OFX 1.x writes bare numbers: CHARSET:1252, CHARSET:8859-1.
_OFX_CHARSETS = {"1252": "cp1252", "8859-1": "iso-8859-1", "ISO-8859-1": "iso-8859-1", "NONE": "", "UTF-8": "utf-8"}


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(data: bytes) -> str | None:
    """The encoding the file itself claims (XML `encoding=`, OFX `CHARSET:`), if a usable one."""
    head = data[:1024]
    for pattern in _DECLARED:
        m = pattern.search(head)
        if m:
            raw = m.group(1).decode("ascii", "replace")
            name = _OFX_CHARSETS.get(raw.upper(), raw)
            if name and _known(name):
                return _known(name)
    return None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding used): the configured encoding, else a BOM, else UTF-8, else the
    encoding the file declares (OFX, XML), else charset-normalizer's best guess — Windows-1252
    for any Western one (exports from Excel, Tally and Western banks' legacy systems are)."""
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
    declared = declared_encoding(data)
    if declared and declared != "utf-8":
        return data.decode(declared, errors="replace"), declared
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


def check_line_lengths(data: bytes) -> None:
    """One absurd row must not eat the machine (a row of millions of cells took 3.4 GB)."""
    long_line = _LONG_LINE.search(data)
    if long_line is not None:
        line = data.count(b"\n", 0, long_line.start()) + 1
        raise FileProblem(f"line {line} is longer than {MAX_LINE_BYTES // 1_000_000} MB: this is not an export "
                          "of invoices or payments (a row of one is a few hundred characters)")


def within_limits(columns: int, rows: int, where: str) -> None:
    if columns > MAX_COLUMNS:
        raise FileProblem(f"{where} has {columns:,} columns; collectbot reads at most {MAX_COLUMNS:,}: this is not an "
                          "invoice list")
    if columns * rows > MAX_CELLS:
        raise FileProblem(f"{rows:,} rows of {columns:,} columns are more than the {MAX_CELLS:,} cells collectbot "
                          "reads from one file: split the export, or leave out the columns it does not need")


# ---------------------------------------------------------------------------- CSV rows

Row = tuple[int, list[str]]  # (1-based line number, cells)


def sniff_delimiter(text: str) -> str:
    """`,`, `;`, tab or `|`: the one that splits the most of the first lines into the same number of cells."""
    lines = [ln for ln in text.splitlines()[:40] if ln.strip()]
    best, best_score = ",", -1
    for d in DELIMITERS:
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=d))
        width, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0])) if counts else (1, 0)
        score = hits * 1000 + width if width > 1 else 0
        if score > best_score:
            best, best_score = d, score
    return best


def csv_rows(text: str, delimiter: str | None = None, limit: int | None = None) -> list[Row]:
    """All rows with the line each starts on, or about the first `limit` characters' worth."""
    if limit is not None and len(text) > limit:
        text = text[: text.rfind("\n", 0, limit) + 1] or text[:limit]
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:  # cells keep their spaces: readers strip the few they use
            within_limits(len(cells), 1, f"line {start}")
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileProblem(f"not a readable CSV file (line {reader.line_num}): {exc}") from None
    return rows


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


def sheet_rows(ws) -> list[list[str]]:
    rows: list[list[str]] = []
    cells = 0
    try:
        for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), 1):
            width = len(row)
            while width and row[width - 1] is None:  # cells formatted far to the right hold nothing
                width -= 1
            cells += width
            within_limits(width, 1, f"sheet {ws.title!r} row {number}")
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


def refuse_dtd(path: Path) -> None:
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


@contextmanager
def workbook(path: Path) -> Iterator[Any]:
    """An .xlsx opened read-only (values, not formulas), refused if it carries a DTD. Opened from a
    file object, so that openpyxl does not judge the workbook by its name (format: excel on a .csv)."""
    import openpyxl

    refuse_dtd(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
            raise FileProblem(f"cannot open the workbook: {exc}") from None
        try:
            yield book
        finally:
            book.close()
    finally:
        handle.close()
