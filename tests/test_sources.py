"""Plain CSV and Excel sources: encodings, delimiters, header rows, synonyms, bad rows, customers."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from collectbot.config import load_config
from collectbot.sources import load_sources

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def load(tmp_path, invoices, customers=None, business=None):
    """Write a real collectbot.yaml (paths relative to it) and load its sources."""
    doc = {"business": business or {"currency": "INR", "locale": "en_IN"}, "sources": {"invoices": invoices}}
    if customers is not None:
        doc["sources"]["customers"] = customers
    path = tmp_path / "collectbot.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_sources(load_config(path, with_playbooks=False))


def copy(tmp_path, name):
    shutil.copy(FIXTURES / name, tmp_path / name)
    return name


def by_id(result):
    return {i.invoice_id: i for i in result.invoices}


def write(tmp_path, name, text, encoding="utf-8"):
    (tmp_path / name).write_bytes(text.encode(encoding))
    return name


def test_excel_book_with_a_decoy_first_sheet_real_date_cells_and_synonym_headers(tmp_path):
    r = load(tmp_path, [copy(tmp_path, "workbook_decoy_sheet.xlsx")])
    inv = by_id(r)
    assert set(inv) == {"ZR-501", "ZR-502", "ZR-503"}  # from "Open invoices", not "Summary" or "Notes"
    a = inv["ZR-501"]
    assert (a.issue_date, a.due_date) == (date(2026, 10, 1), date(2026, 10, 31))  # real date cells
    assert a.amount == Decimal("1500.5") and a.phone == "+919812345678"  # a number cell, not 9812345678.0
    assert a.extra == {"payment_method": "NEFT"} and a.row == 4  # title row, blank row, header, then data
    assert inv["ZR-502"].due_date == date(2026, 11, 2) and inv["ZR-502"].status == "partial"
    assert inv["ZR-502"].balance == Decimal("700")
    assert inv["ZR-503"].due_date == date(2026, 11, 14)  # a text date 14/11/2026 in a date column
    assert inv["ZR-503"].balance == Decimal("1200.00")  # blank balance -> amount
    assert r.errors == []
    assert r.files[0].role == "invoices" and r.files[0].mtime.tzinfo is not None


def test_excel_sheet_by_name_and_by_index(tmp_path):
    name = copy(tmp_path, "workbook_decoy_sheet.xlsx")
    assert len(load(tmp_path, [{"path": name, "sheet": "open invoices"}]).invoices) == 3
    assert len(load(tmp_path, [{"path": name, "sheet": 1}]).invoices) == 3
    r = load(tmp_path, [{"path": name, "sheet": "Missing"}])
    assert r.incomplete and "no sheet named 'Missing'" in r.errors[0].message and "Open invoices" in r.errors[0].message
    r = load(tmp_path, [{"path": name, "sheet": 0}])  # the decoy, forced: its header lacks the required columns
    assert r.incomplete and r.invoices == [] and "due_date" in r.errors[0].message


def test_windows_1252_semicolon_csv_with_decimal_commas_and_a_columns_mapping(tmp_path):
    name = copy(tmp_path, "legacy_cp1252_semicolon.csv")
    columns = {"invoice_id": "Rechnungsnr.", "customer_name": "Kunde", "email": "E-Mail", "phone": "Telefon",
               "issue_date": "Rechnungsdatum", "due_date": "Fälligkeitsdatum", "amount": "Betrag",
               "balance": "Offen"}
    r = load(tmp_path, [{"path": name, "decimal": ",", "dayfirst": True, "columns": columns}],
             business={"currency": "EUR", "locale": "de_DE"})
    inv = by_id(r)
    assert r.errors == []
    a = inv["RE-2026-001"]
    assert a.customer_name == "Müller & Söhne GmbH" and a.customer_id == "müller-söhne-gmbh"
    assert a.amount == Decimal("1234.56") and a.due_date == date(2026, 10, 31)
    assert a.phone == "+49301234567" and a.extra == {"zahlungsart": "Überweisung"}
    assert inv["RE-2026-002"].amount == Decimal("980.00") and inv["RE-2026-002"].balance == Decimal("480.00")
    assert inv["RE-2026-003"].amount == Decimal("12345.00")


def test_encoding_can_be_set_explicitly(tmp_path):
    name = write(tmp_path, "latin.csv", "Invoice;Customer;Due Date;Amount\nL-1;Señor Café;2026-12-01;10\n", "latin-1")
    r = load(tmp_path, [{"path": name, "encoding": "latin-1"}])
    assert r.invoices[0].customer_name == "Señor Café"


def test_utf8_bom_tab_and_pipe_delimiters(tmp_path):
    text = "Invoice Number{d}Customer{d}Due Date{d}Amount Due{d}Amount\nT-1{d}Ana{d}2026-12-01{d}5{d}9\n"
    a = write(tmp_path, "bom.csv", "\ufeff" + text.format(d=","))
    b = write(tmp_path, "tab.txt", text.format(d="\t"))
    c = write(tmp_path, "pipe.csv", text.format(d="|").replace("T-1", "T-2"))
    for name in (a, b):
        r = load(tmp_path, [name])
        assert [(i.invoice_id, i.amount, i.balance, i.status) for i in r.invoices] == [
            ("T-1", Decimal(9), Decimal(5), "partial")], name
    assert by_id(load(tmp_path, [c]))["T-2"].customer_id == "ana"


def test_bad_rows_are_reported_with_row_numbers_and_good_rows_still_load(tmp_path):
    r = load(tmp_path, [copy(tmp_path, "bad_rows.csv")])
    inv = by_id(r)
    assert set(inv) == {"A-100", "A-104", "A-105"}
    problems = {(e.row, e.column, e.message.split(":")[0].split(" (")[0]) for e in r.errors}
    assert (3, "Due Date", "missing due date") in problems
    assert (4, "Amount", "not an amount") in problems
    assert (5, "Invoice No", "duplicate invoice_id 'A-103'") in problems
    assert (6, "Invoice No", "duplicate invoice_id 'A-103'") in problems
    assert all(e.file.endswith("bad_rows.csv") for e in r.errors)
    # An invalid email/phone is reported, and the invoice loads without it.
    assert (7, "Email", "invalid email address 'esha-at-example'; the invoice is loaded without it") in problems
    assert any(e.row == 7 and e.column == "Phone" and "loaded without it" in e.message for e in r.errors)
    assert inv["A-104"].email is None and inv["A-104"].phone is None
    assert inv["A-104"].amount == Decimal("123456.50") and inv["A-104"].status == "partial"
    assert inv["A-100"].phone == "+919876543210" and inv["A-100"].extra == {"payment_method": "UPI"}
    assert r.unreadable_ids == {"A-101", "A-102", "A-103"} and not r.incomplete


def test_indian_grouping_currency_marks_and_parenthesised_negatives(tmp_path):
    r = load(tmp_path, [copy(tmp_path, "indian_grouping.csv")])
    inv = by_id(r)
    assert r.errors == []
    assert inv["GST/26-27/001"].amount == Decimal("123456.50")
    assert inv["GST/26-27/002"].amount == Decimal("1234567.00") and inv["GST/26-27/002"].balance == Decimal("234567.00")
    # "(1,000.00)" is -1000.00: a negative open balance is the customer's credit, not an invoice (SPEC 2)
    assert "GST/26-27/003" not in inv
    (credit,) = r.credits
    assert (credit.reference, credit.customer_id, credit.amount) == ("GST/26-27/003", "kaveri-builders",
                                                                     Decimal("1000.00"))
    # 30/04/2026 settles the order of the whole column: day first.
    assert inv["GST/26-27/001"].due_date == date(2026, 4, 30) and inv["GST/26-27/001"].issue_date == date(2026, 4, 1)
    assert inv["GST/26-27/001"].phone == "+919876543210" and inv["GST/26-27/001"].whatsapp == "+919876543210"
    assert inv["GST/26-27/001"].extra["risk"] == "high"


def test_ambiguous_dates_are_errors_naming_the_fix_and_dayfirst_resolves_them(tmp_path):
    name = copy(tmp_path, "ambiguous_dates.csv")
    r = load(tmp_path, [name])
    assert r.invoices == [] and r.unreadable_ids == {"X-1", "X-2", "X-3"}
    first = next(e for e in r.errors if e.row == 2 and e.column == "Date")
    assert "ambiguous date '03/04/2026'" in first.message and "dayfirst" in first.message
    assert "date_format" in first.message
    r = load(tmp_path, [{"path": name, "dayfirst": True}])
    assert by_id(r)["X-1"].due_date == date(2026, 5, 4) and r.errors == []
    r = load(tmp_path, [{"path": name, "dayfirst": False}])
    assert by_id(r)["X-1"].due_date == date(2026, 4, 5)
    r = load(tmp_path, [{"path": name, "date_format": "%m/%d/%Y"}])
    assert by_id(r)["X-3"].due_date == date(2026, 7, 7)


def test_unreadable_invoice_file_marks_the_load_incomplete(tmp_path):
    good = write(tmp_path, "good.csv", "Invoice,Customer,Due Date,Amount\nG-1,Ana,2026-12-01,10\n")
    r = load(tmp_path, [good, "missing.csv"])
    assert r.incomplete and [i.invoice_id for i in r.invoices] == ["G-1"]
    assert r.errors[0].kind == "file" and "not found" in r.errors[0].message and r.errors[0].row is None
    assert [Path(f.path).name for f in r.files] == ["good.csv"]


def test_file_without_required_columns_names_them(tmp_path):
    name = write(tmp_path, "nocols.csv", "Ref,Client,When,Value\nR-1,Ana,2026-12-01,10\n")
    r = load(tmp_path, [name])
    assert r.incomplete and "no column for invoice_id" in r.errors[0].message and "columns:" in r.errors[0].message
    r = load(tmp_path, [{"path": name, "columns": {"invoice_id": "Ref", "due_date": "When", "amount": "Value"}}])
    assert by_id(r)["R-1"].amount == Decimal(10) and by_id(r)["R-1"].customer_name == "Ana"


def test_duplicate_invoice_across_files_is_an_error_everywhere(tmp_path):
    a = write(tmp_path, "a.csv", "Invoice,Customer,Due Date,Amount\nD-1,Ana,2026-12-01,10\nD-2,Ana,2026-12-01,5\n")
    b = write(tmp_path, "b.csv", "Invoice,Customer,Due Date,Amount\nD-1,Ana,2026-12-01,10\n")
    r = load(tmp_path, [a, b])
    assert [i.invoice_id for i in r.invoices] == ["D-2"] and r.unreadable_ids == {"D-1"}
    assert sorted((Path(e.file).name, e.row) for e in r.errors) == [("a.csv", 2), ("b.csv", 2)]


def test_row_with_more_cells_than_the_header_is_reported(tmp_path):
    name = write(tmp_path, "wide.csv", "Invoice,Customer,Due Date,Amount\nW-1,Ana,2026-12-01,1,234.00\nW-2,Bo,2026-12-01,7\n")
    r = load(tmp_path, [name])
    assert [i.invoice_id for i in r.invoices] == ["W-2"]
    assert r.errors[0].row == 2 and "more cells than the header" in r.errors[0].message


def test_unknown_status_is_an_error_and_preset_words_are_not_needed_for_plain_csv(tmp_path):
    name = write(tmp_path, "st.csv", "Invoice,Customer,Due Date,Amount,Status\nS-1,Ana,2026-12-01,1,Written Off\n"
                                     "S-2,Ana,2026-12-01,1,Frozen\nS-3,Ana,2026-12-01,1,Cancelled\n")
    r = load(tmp_path, [name])
    assert {i.invoice_id: i.status for i in r.invoices} == {"S-1": "written_off", "S-3": "void"}
    assert r.errors[0].row == 3 and "unknown status 'Frozen'" in r.errors[0].message


def test_customers_file_keyed_by_name_joins_and_fills_gaps_from_invoices(tmp_path):
    inv = write(tmp_path, "inv.csv", "Invoice,Customer,Email,Due Date,Amount\n"
                                     "C-1,Bansal & Sons Pvt. Ltd.,,2026-12-01,10\n"
                                     "C-2,Nobody In File,nobody@example.com,2026-12-01,10\n")
    r = load(tmp_path, [inv], customers=copy(tmp_path, "customers.csv"))
    bansal = r.customers["bansal-sons-pvt-ltd"]
    assert (bansal.tier, bansal.owner, bansal.timezone, bansal.language) == ("vip", "priya", "Asia/Kolkata", "hi")
    assert bansal.email == "accounts@bansalsons.in" and bansal.extra == {"credit_limit": "500000"}
    derived = r.customers["nobody-in-file"]
    assert (derived.name, derived.email, derived.tier) == ("Nobody In File", "nobody@example.com", None)
    kaveri = r.customers["kaveri-builders"]  # bad phone and time zone: reported, dropped, customer kept
    assert kaveri.phone is None and kaveri.timezone is None
    assert {(e.row, e.column) for e in r.errors} == {(4, "Mobile"), (4, "Time Zone")}
    assert {f.role for f in r.files} == {"invoices", "customers"}


def test_phone_region_comes_from_country_else_locale(tmp_path):
    name = write(tmp_path, "ph.csv", "Invoice,Customer,Phone,Due Date,Amount\nP-1,Ana,(415) 555-2671,2026-12-01,1\n")
    assert load(tmp_path, [name], business={"currency": "USD", "locale": "en_US"}).invoices[0].phone == "+14155552671"
    # The same digits read in India are an Indian number.
    assert load(tmp_path, [name], business={"currency": "INR", "locale": "en_IN"}).invoices[0].phone == "+914155552671"
    r = load(tmp_path, [name], business={"currency": "USD", "locale": "en_IN", "country": "US"})
    assert r.invoices[0].phone == "+14155552671"


def test_windows_1252_is_preferred_over_its_look_alikes(tmp_path):
    # A small Western file: the detector alone would as soon say Central European (à -> ŕ, õ -> ő).
    name = write(tmp_path, "pt.csv", "Invoice,Customer,Due Date,Amount\nJ-1,João à Conceição Lda,2026-12-01,€ 10\n",
                 "cp1252")
    # (a euro business: in a rupee one, "€ 10" is a bad row — written in € but the currency is INR)
    assert load(tmp_path, [name], business={"currency": "EUR", "locale": "pt_PT"}).invoices[0].customer_name == \
        "João à Conceição Lda"


def test_blank_id_amount_and_customer_are_each_reported_and_the_rest_loads(tmp_path):
    """The blank checks skip whole-column loops when nothing is blank; when something is, each row says so."""
    inv = write(tmp_path, "inv.csv", "Invoice,Customer ID,Customer,Due Date,Amount,Balance\n"
                                     "A-1,C1,Ana,2026-12-01,10,\n"
                                     ",C2,Bo,2026-12-01,20,\n"
                                     "A-3,C3,Cy,2026-12-01,,\n"
                                     "A-4,,,2026-12-01,40,\n"
                                     "A-5,,Dee Traders,2026-12-01,-5.5,\n")
    r = load(tmp_path, [inv])
    problems = {(e.row, e.column, e.message) for e in r.errors}
    assert problems == {(3, "Invoice", "missing invoice_id"), (4, "Amount", "missing amount"),
                        (5, None, "no customer: the row has no customer_id, customer name or email")}
    assert [(i.invoice_id, i.customer_id, i.amount, i.balance) for i in r.invoices] == [
        ("A-1", "C1", Decimal("10"), Decimal("10"))]
    # A-5 reads (customer from its name) but owes -5.5: a credit of Dee Traders, not an invoice
    assert [(c.reference, c.customer_id, c.amount) for c in r.credits] == [("A-5", "dee-traders", Decimal("5.5"))]
    assert r.unreadable_ids == {"A-3", "A-4"}


def test_a_customers_file_that_covers_every_invoice_is_used_as_it_is(tmp_path):
    inv = write(tmp_path, "inv.csv", "Invoice,Customer ID,Due Date,Amount\nA-1,K1,2026-12-01,10\nA-2,K1,2026-12-01,5\n")
    cust = write(tmp_path, "cust.csv", "Customer ID,Name,Mobile,WhatsApp,Tier\nK1,Kay, +91 98765 43210,+919876543210,vip\n"
                                       "K2,Unused,,,\n")
    r = load(tmp_path, [inv], customers=cust)
    assert set(r.customers) == {"K1", "K2"}
    k1 = r.customers["K1"]
    assert (k1.name, k1.phone, k1.whatsapp, k1.tier) == ("Kay", "+919876543210", "+919876543210", "vip")


def test_the_garbage_collector_is_back_on_after_loading(tmp_path):
    import gc

    inv = write(tmp_path, "inv.csv", "Invoice,Customer,Due Date,Amount\nA-1,Ana,2026-12-01,10\n")
    assert gc.isenabled()
    assert len(load(tmp_path, [inv]).invoices) == 1
    assert gc.isenabled()


def test_balances_written_as_their_amount_share_it_and_the_others_are_parsed_and_checked(tmp_path):
    """A balance written exactly as the amount is that very value (nothing paid); any other
    balance is read on its own, and a bad one is reported in the Balance column, also when the
    amount next to it is bad too."""
    rows = ["I1,C1,2026-12-01,100.50,100.50", "I2,C1,2026-12-01,abc,abc", "I3,C1,2026-12-01,100,xyz",
            "I4,C1,2026-12-01,100.0,100", "I5,C1,2026-12-01,100,40", "I6,C1,2026-12-01,100,0",
            "I7,C1,2026-12-01,,"] + [f"J{n},C2,2026-12-01,{n}.25,{n}.25" for n in range(1200)]  # past the C-level pass
    r = load(tmp_path, [write(tmp_path, "inv.csv", "Invoice,Customer,Due Date,Amount,Balance\n" + "\n".join(rows))])
    inv = by_id(r)
    problems = {(e.row, e.column, e.message.split(":")[0]) for e in r.errors}
    assert problems == {(3, "Amount", "not an amount"), (3, "Balance", "not an amount"),
                        (4, "Balance", "not an amount"), (8, "Amount", "missing amount")}
    assert set(inv) == {"I1", "I4", "I5", "I6"} | {f"J{n}" for n in range(1200)}
    assert inv["I1"].balance is inv["I1"].amount and inv["I1"].status == "open"
    assert inv["J7"].balance is inv["J7"].amount and str(inv["J7"].balance) == "7.25"
    assert str(inv["I4"].balance) == "100" and str(inv["I4"].amount) == "100.0" and inv["I4"].status == "open"
    assert (inv["I5"].balance, inv["I5"].status) == (Decimal(40), "partial")
    assert (inv["I6"].balance, inv["I6"].status) == (Decimal(0), "paid")


def test_customers_file_blank_rows_are_skipped_and_rows_without_id_or_name_are_reported(tmp_path):
    inv = write(tmp_path, "inv.csv", "Invoice,Customer ID,Due Date,Amount\nI1,C1,2026-12-01,10\n")
    cust = write(tmp_path, "cust.csv", "customer_id,name,email\nC1,Asha,a@example.com\n,,\n,,x@example.com\n"
                                       ",Bansal & Sons,\n  ,  ,  \n")
    r = load(tmp_path, [inv], customers=cust)
    problems = {(e.row, e.message.split(":")[0]) for e in r.errors}
    # row 3 is blank: nothing to say; row 6 holds spaces, so it is reported like row 4
    assert problems == {(4, "no customer_id or name"), (6, "no customer_id or name")}
    assert r.customers["C1"].name == "Asha" and r.customers["bansal-sons"].name == "Bansal & Sons"


def test_an_empty_or_blank_invoice_file_is_one_clear_error(tmp_path):
    for n, text in enumerate(["", "\n\n  \r\n\t\n"]):
        name = write(tmp_path, f"empty{n}.csv", text)
        r = load(tmp_path, [name])
        assert [(e.row, e.message) for e in r.errors] == [(None, "the file is empty")]
        assert r.incomplete and not r.invoices
