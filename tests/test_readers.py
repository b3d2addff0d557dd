"""Statement readers against real bank files, beangulp style: every sample in
tests/fixtures/statements/<format>/ has `<name>.expected.json` beside it (the lines as dicts,
or {"error": ...}). Regenerate after a deliberate change with
`COLLECTBOT_REGEN_FIXTURES=1 python -m pytest tests/test_readers.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from collectbot.models import BankLine
from collectbot.reconcile.readers import FORMATS, StatementResult, read_statement

FIXTURES = Path(__file__).parent / "fixtures" / "statements"
SAMPLE_DIRS = ("csv", "ofx", "qfx", "mt940", "camt053", "bai2", "qif")
SAMPLES = sorted(p for d in SAMPLE_DIRS for p in (FIXTURES / d).iterdir() if not p.name.endswith(".expected.json"))
REGEN = os.environ.get("COLLECTBOT_REGEN_FIXTURES") == "1"


def line_dict(line: BankLine) -> dict:
    return {
        "date": line.date.isoformat(), "amount": str(line.amount), "currency": line.currency,
        "description": line.description, "payer": line.payer, "reference": line.reference,
        "transaction_id": line.transaction_id, "invoice_hint": line.invoice_hint, "row": line.row,
        "extra": line.extra,
    }


def as_expected(result: StatementResult) -> object:
    file_errors = [e for e in result.errors if e.kind == "file"]
    if file_errors:
        return {"error": file_errors[0].message, "row": file_errors[0].row}
    lines = [line_dict(x) for x in result.lines]
    if result.errors:
        return {"lines": lines, "errors": [e.as_dict() | {"file": Path(e.file).name} for e in result.errors]}
    return lines


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_matches_expected_output(sample: Path):
    result = read_statement(sample)
    actual = json.loads(json.dumps(as_expected(result)))
    expected_file = sample.with_name(sample.name + ".expected.json")
    if REGEN:
        expected_file.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_file.exists(), f"no expected output for {sample.name}"
    assert actual == json.loads(expected_file.read_text(encoding="utf-8"))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_reads_or_fails_clearly(sample: Path):
    """No tracebacks: either lines, or an error naming the file (and a line when one is at fault)."""
    result = read_statement(sample)
    assert result.lines or result.errors or sample.name in ("oca_camt053_no_entries.xml", "multiple_accounts_v211.ofx")
    for error in result.errors:
        assert str(sample) in str(error)
        assert "Traceback" not in error.message and "Error:" not in error.message
    for line in result.lines:
        assert isinstance(line.amount, Decimal) and isinstance(line.date, date)
        assert line.file == str(sample)


def test_samples_cover_every_required_format():
    formats = {read_statement(s).format for s in SAMPLES}
    assert {"bank_csv", "ofx", "qfx", "mt940", "camt053", "camt054"} <= formats


# ------------------------------------------------------------------ the same lines in four formats

SAME = FIXTURES / "same"


@pytest.mark.parametrize("name,fmt", [("same.csv", "bank_csv"), ("same.ofx", "ofx"), ("same.sta", "mt940"),
                                      ("same.camt053.xml", "camt053")])
def test_same_bank_lines_read_identically_from_every_format(name, fmt):
    result = read_statement(SAME / name)
    assert result.errors == [] and result.format == fmt
    got = [(x.date, x.amount, x.currency, x.payer, x.reference, x.transaction_id) for x in result.lines]
    assert got == [
        (date(2026, 3, 2), Decimal("1180.00"), "EUR", "Bansal & Sons", "INV-0042", "BNK-0001"),
        (date(2026, 3, 3), Decimal("500.00"), "EUR", "Acme Traders", "Payment for A101", "BNK-0002"),
        (date(2026, 3, 4), Decimal("-250.00"), "EUR", "Office Rent Ltd", "Rent March", "BNK-0003"),
        (date(2026, 3, 5), Decimal("2400.00"), "EUR", "Kumar Enterprises", "INV-0043 INV-0044", "BNK-0004"),
        (date(2026, 3, 6), Decimal("75.50"), "EUR", "Priya Sharma", "Thank you", "BNK-0005"),
        (date(2026, 3, 9), Decimal("-12.00"), "EUR", None, "Bank charges", "BNK-0006"),
    ]
    for line in result.lines:
        assert line.reference in line.description  # the text the matcher searches holds the reference


# ------------------------------------------------------------------ payments CSV


def test_payments_csv_indian_grouping_invoice_column_and_a_bad_row():
    result = read_statement(FIXTURES / "payments" / "payments_inr.csv", default_currency="INR")
    assert result.format == "payments"
    assert [(x.date, x.amount, x.currency, x.invoice_hint, x.payer, x.transaction_id, x.extra)
            for x in result.lines] == [
        (date(2026, 3, 5), Decimal("118000.00"), "INR", "INV-0042", "Bansal & Sons", "SBIN326064123456",
         {"method": "NEFT"}),
        (date(2026, 3, 13), Decimal("50000"), "INR", "A-101", "Acme Traders", "412345678901", {"method": "UPI"}),
        (date(2026, 3, 14), Decimal("2500.50"), "INR", None, "Unknown sender", "IMPS987654", {"method": "IMPS"}),
    ]
    [error] = result.errors
    assert (error.row, error.column) == (5, "Paid Amount") and "twelve hundred" in error.message


def test_payments_file_with_synonym_headers(tmp_path):
    path = tmp_path / "received.csv"
    path.write_text("Payment Date;Invoice No;Customer;Payment Amount;Payment Method;Transaction ID\n"
                    "2026-04-01;A101;Globex;1.234,50;card;ch_1\n", encoding="utf-8")
    [line] = read_statement(path, default_currency="EUR").lines
    assert (line.invoice_hint, line.payer, line.amount, line.transaction_id) == ("A101", "Globex", Decimal("1234.50"), "ch_1")


# ------------------------------------------------------------------ bank CSV layouts and options


def test_dc_flag_decides_the_sign_whatever_the_amount_says():
    lines = read_statement(FIXTURES / "csv" / "oca_sheet_debit_credit_columns.csv").lines
    assert [x.amount for x in lines] == [Decimal("-33.50"), Decimal("1533.50")]


def test_metadata_rows_above_header_and_decimal_comma_debit_credit():
    result = read_statement(FIXTURES / "csv" / "oca_sheet_metadata_header_rows.csv")
    assert result.errors == []
    assert [(x.row, x.date, x.amount) for x in result.lines][-1] == (9, date(2020, 4, 2), Decimal("1300.00"))


def test_headerless_export_needs_positions_in_options():
    path = FIXTURES / "csv" / "asn_nl_headerless.csv"
    refused = read_statement(path)
    assert refused.lines == [] and "reconcile.bank_csv" in refused.errors[0].message
    options = {"header": False, "date": 1, "amount": 11, "currency": 10, "payer": 4, "description": 18,
               "dayfirst": True}
    result = read_statement(path, format="bank_csv", options=options)
    assert result.errors == []
    first = result.lines[0]
    assert (first.date, first.amount, first.currency, first.payer) == (
        date(2022, 6, 17), Decimal("223.77"), "EUR", "XXXXXXXXX Z Z Z Z")
    assert any(x.amount == Decimal("-200.00") and "Betaling aan ICS" in x.description for x in result.lines)


def test_ambiguous_dates_are_refused_until_dayfirst_is_set(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text("Date,Description,Amount\n03/04/2026,INV-7,10.00\n05/04/2026,x,-1.00\n", encoding="utf-8")
    refused = read_statement(path)
    assert refused.lines == [] and "dayfirst" in refused.errors[0].message and refused.errors[0].row == 2
    assert read_statement(path, options={"dayfirst": True}).lines[0].date == date(2026, 4, 3)
    assert read_statement(path, options={"dayfirst": False}).lines[0].date == date(2026, 3, 4)
    assert read_statement(path, options={"date_format": "%m/%d/%Y"}).lines[0].date == date(2026, 3, 4)


def test_configured_columns_by_name_and_custom_flags(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Booked|Text|Sum|Way|Who\n2026-01-05|Invoice 77|12,50|IN|Zed\n2026-01-06|fee|3,00|UIT|\n",
                    encoding="utf-8")
    options = {"delimiter": "|", "date": "Booked", "amount": "Sum", "dc_flag": "way", "description": "Text",
               "payer": "Who", "decimal": ",", "credit_values": ["in"], "debit_values": ["uit"]}
    lines = read_statement(path, options=options, default_currency="EUR").lines
    assert [(x.amount, x.payer, x.description) for x in lines] == [
        (Decimal("12.50"), "Zed", "Invoice 77"), (Decimal("-3.00"), None, "fee")]


def test_a_configured_column_missing_from_the_file_is_reported(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("Date,Amount\n2026-01-05,1\n", encoding="utf-8")
    result = read_statement(path, options={"payer": "Remitter"})
    assert result.lines == [] and "reconcile.bank_csv" in result.errors[0].message


def test_windows_1252_and_utf8_bom(tmp_path):
    assert read_statement(FIXTURES / "csv" / "actual_windows1252_euro.csv").lines[0].payer == "Café €Rémy"
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffDate;Omschrijving;Af Bij;Bedrag (EUR)\n2026-02-01;Bétaling INV-9;Bij;1.000,00\n"
                     .encode("utf-8"))
    [line] = read_statement(path).lines
    assert (line.description, line.amount, line.currency) == ("Bétaling INV-9", Decimal("1000.00"), "EUR")


def test_excel_export_reads_like_its_csv_twin():
    xlsx = read_statement(FIXTURES / "csv" / "oca_sheet_sample_statement_en.xlsx").lines
    csv_ = read_statement(FIXTURES / "csv" / "oca_sheet_sample_statement_en.csv").lines
    assert [(x.date, x.amount, x.currency, x.payer) for x in xlsx] == [(x.date, x.amount, x.currency, x.payer) for x in csv_]


def test_repeated_bank_ids_in_one_file_get_stable_suffixes():
    wise = read_statement(FIXTURES / "csv" / "wise_usd_with_payment_reference.csv").lines
    assert [x.transaction_id for x in wise[:2]] == ["TRANSFER-175545673", "TRANSFER-175545673#2"]
    batch = read_statement(FIXTURES / "camt053" / "oca_camt053_batch_txdtls.xml").lines
    assert [x.amount for x in batch] == [Decimal("2187.00"), Decimal("1296.00")]
    assert len({x.transaction_id for x in batch}) == 2


# ------------------------------------------------------------------ format-specific details


def test_mt940_structured_86_gives_payer_and_reference():
    lines = read_statement(FIXTURES / "mt940" / "sepa_structured86_de.sta").lines
    assert lines[0].payer == "KARL KAUFMANN" and lines[0].amount == Decimal("50990.05")
    assert "SVWZ+Verw CTSc-01 BC-PPP TFNr 22 004" in lines[0].reference
    swift = read_statement(FIXTURES / "mt940" / "actual_swift_block_structured86_utf8.sta").lines
    assert (swift[0].payer, swift[0].reference, swift[0].transaction_id) == (
        "Boulangerie L'Étoile", "Facture 2025-0042", "BANKREF001")
    assert swift[2].payer == "MÜLLER GMBH" and swift[2].reference == "Rechnung 4711"


def test_camt_credit_payer_is_the_debtor_and_v8_party_names_are_read():
    [line] = read_statement(FIXTURES / "camt053" / "genkgo_camt053_v8_bookgdt_dttm.xml").lines
    assert (line.date, line.amount, line.payer, line.reference) == (
        date(2014, 12, 31), Decimal("8.85"), "NAME NAME", "4654654654654654")
    assert line.transaction_id == "AAAASESS-FP-CN_98765/01"


def test_ofx_credit_card_several_accounts_and_entities(tmp_path):
    nubank = read_statement(FIXTURES / "ofx" / "nubank_br_creditcard_brl.ofx").lines
    assert all(x.amount < 0 for x in nubank) and {x.currency for x in nubank} == {"BRL"}  # card charges
    html = read_statement(FIXTURES / "qfx" / "actual_html_entities_cad.qfx").lines
    assert "B.C. HYDRO & POWER AUTHORITY" in html[0].description
    assert read_statement(FIXTURES / "ofx" / "stmtrs_decimal_comma.ofx").lines[0].amount == Decimal("-200.00")
    two = tmp_path / "two.ofx"
    two.write_text(
        "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD"
        "<BANKACCTFROM><ACCTID>111</BANKACCTFROM><BANKTRANLIST>"
        "<STMTTRN><TRNTYPE>DEP<DTPOSTED>20260102<TRNAMT>40.00<FITID>a1<NAME>Globex<MEMO>INV-3</STMTTRN>"
        "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS>"
        "<CURDEF>CAD<CCACCTFROM><ACCTID>222</CCACCTFROM><BANKTRANLIST>"
        "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260103<TRNAMT>15<FITID>b1<NAME>PAYMENT THANK YOU</STMTTRN>"
        "</BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>\n", encoding="ascii")
    lines = read_statement(two).lines
    assert [(x.amount, x.currency, x.extra["account"], x.payer) for x in lines] == [
        (Decimal("40.00"), "USD", "111", "Globex"), (Decimal("15"), "CAD", "222", "PAYMENT THANK YOU")]


# ------------------------------------------------------------------ detection and clear failures


def test_content_beats_extension_and_format_overrides(tmp_path):
    renamed = tmp_path / "export.txt"
    renamed.write_bytes((SAME / "same.sta").read_bytes())
    assert read_statement(renamed).format == "mt940"
    xml = tmp_path / "statement.dat"
    xml.write_bytes((SAME / "same.camt053.xml").read_bytes())
    assert read_statement(xml).format == "camt053"
    forced = read_statement(SAME / "same.csv", format="payments")
    assert forced.format == "payments" and len(forced.lines) == 6
    assert read_statement(SAME / "same.csv", format="pdf").errors[0].message.startswith("unknown format 'pdf'")
    assert "camt054" in FORMATS


@pytest.mark.parametrize("folder,needle", [("bai2", "BAI2 files are not supported yet"),
                                           ("qif", "QIF files are not supported yet")])
def test_bai2_and_qif_are_refused_with_advice(folder, needle):
    for sample in (FIXTURES / folder).iterdir():
        if sample.name.endswith(".expected.json"):
            continue
        result = read_statement(sample)
        assert result.lines == [] and needle in result.errors[0].message
        assert "CAMT.053" in result.errors[0].message


def test_broken_files_fail_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n'
                      "<BkToCstmrStmt><Stmt>\n<Ntry><Amt>1</Amt>\n</Stmt>\n", encoding="utf-8")
    [error] = read_statement(broken).errors
    assert error.file == str(broken) and error.row == 5 and "mismatched tag" in error.message and "not well-formed XML" in error.message
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    assert read_statement(empty).errors[0].message == "the file is empty"
    missing = read_statement(tmp_path / "nope.ofx")
    assert "cannot read the file" in missing.errors[0].message
    mt = tmp_path / "bad.sta"
    mt.write_text(":20:X\n:25:NL1\n:60F:C260101EUR0,00\n:61:26010XC1,00NTRF\n:61:2601020102C5,00NTRFNONREF\n"
                  ":86:/NAME/A/REMI/INV-1\n-\n", encoding="utf-8")
    result = read_statement(mt)
    assert [x.amount for x in result.lines] == [Decimal("5.00")]
    assert (result.errors[0].row, result.errors[0].column) == (4, ":61:")


def test_unrecognised_xml_and_bom_camt(tmp_path):
    other = tmp_path / "pain.xml"
    other.write_text('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')
    assert "neither CAMT.053/CAMT.054 nor OFX" in read_statement(other).errors[0].message
    bom = tmp_path / "bom.xml"
    bom.write_bytes(b"\xef\xbb\xbf" + (SAME / "same.camt053.xml").read_bytes())
    assert read_statement(bom).format == "camt053" and len(read_statement(bom).lines) == 6


def test_bank_csv_options_are_checked_with_suggestions():
    from collectbot.reconcile.readers import check_options

    assert check_options({"date": "Datum", "dayfirst": True, "skip_rows": 2}) == []
    assert check_options({"dayfrist": True, "decimal": ";", "header": "no"}) == [
        "unknown key 'dayfrist' (did you mean 'dayfirst'?)", "decimal: expected '.' or ',', got ';'",
        "header: expected true or false, got 'no'"]


def test_a_reader_bug_becomes_an_error_not_a_traceback(monkeypatch):
    import collectbot.reconcile.readers as readers

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(readers.READERS, "ofx", boom)
    result = readers.read_statement(SAME / "same.ofx")
    assert result.lines == [] and result.errors[0].message == "could not read this file (RuntimeError: boom)"
