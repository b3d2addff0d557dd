"""Undecodable or malformed files end in one sentence (issue 14, item 5): a collectbot.yaml or
playbook saved as Windows-1252, a workbook whose sheet XML is cut short, a workbook carrying a
DTD. `check`, `preview` and `run --dry-run` all say it, exit 2; none shows a traceback."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest


def workbook_bytes(change_sheet) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Invoice No", "Customer", "Due Date", "Amount"])
    ws.append(["X-1", "Acme", "2026-03-20", "5"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, change_sheet(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def all_commands_say(ws, sentence: str, where: str = "") -> None:
    """`preview` and `run --dry-run` print `where: sentence`; `check` puts them in two columns."""
    for args in (("check",), ("preview",), ("run", "--dry-run")):
        result = ws.cli(*args)
        text = " ".join((result.stdout + result.stderr).split())
        assert result.exit_code == 2, (args, text)
        said = [where, sentence] if args == ("check",) else [f"{where}: {sentence}" if where else sentence]
        assert all(s in text for s in said) and "Traceback" not in text, (args, text)


def test_a_config_saved_as_windows_1252_names_file_and_line(make_workspace):
    ws = make_workspace(config={"business": {"name": "Test Traders"}})
    text = ws.config_path.read_text(encoding="utf-8").replace("Test Traders", "Café Traders")
    ws.config_path.write_bytes(text.encode("cp1252"))
    line = text.split("Café")[0].count("\n") + 1  # the line holding the é (0xe9 in Windows-1252)
    all_commands_say(ws, "not UTF-8 text (byte 0xe9): save the file as UTF-8", f"collectbot.yaml:{line}")


def test_a_playbook_saved_as_windows_1252_names_file_and_line(make_workspace):
    ws = make_workspace()
    path = ws.root / "playbooks" / "standard.yaml"
    text = path.read_text(encoding="utf-8") + "# rappel poli: café\n"
    path.write_bytes(text.encode("cp1252"))
    line = text.count("\n")  # the comment is the last line
    all_commands_say(ws, "not UTF-8 text (byte 0xe9)", f"standard.yaml:{line}")


@pytest.mark.parametrize("change, sentence", [
    (lambda d: d[: len(d) // 2], "the workbook is damaged: sheet 'Sheet' cannot be read"),
    (lambda d: b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>\n' + d,
     "the workbook carries a DTD (<!DOCTYPE> in xl/worksheets/sheet1.xml), which Excel never writes"),
])
def test_a_damaged_workbook_is_refused_in_one_sentence(make_workspace, change, sentence):
    ws = make_workspace(config={"sources": {"invoices": ["book.xlsx"]}})
    (ws.root / "book.xlsx").write_bytes(workbook_bytes(change))
    all_commands_say(ws, sentence)


def test_one_absurd_row_is_refused_before_it_eats_the_machine(make_workspace):
    # 1.2 million cells of "1," on one line (2.4 MB): more than the 1 MB any export row needs
    ws = make_workspace(invoices="Invoice No,Customer,Due Date,Amount\nX-1,Acme,2026-03-20," + "1," * 1_200_000
                        + "\nX-2,Acme,2026-03-20,5\n")
    code, doc = ws.json("check")
    assert code == 2
    (err,) = doc["errors"]
    assert err["message"].endswith("line 2 is longer than 1 MB: this is not an export of invoices or payments (a "
                                   "row of one is a few hundred characters)")
