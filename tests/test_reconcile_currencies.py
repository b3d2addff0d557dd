"""Currencies in reconcile (SPEC 7): a line's currency comes from the statement — a currency
column (`Waehrung`, `Devise`, `Moneda`, `Valuta`…), a header (`Betrag (EUR)`, `Débit euros`), a
metadata line above the header, or a symbol in the amount — else the business currency; a line
is applied only to invoices of its own currency, the rest goes to review.

The workspace is the default INR book (tests/conftest.py): INV-003 Globex ₹2,000.00.
"""

from __future__ import annotations

from collectbot.reconcile.readers import read_statement


def reconcile(ws, text: str, name: str = "bank.csv") -> dict:
    ws.write(name, text)
    code, doc = ws.json("reconcile", str(ws.root / name))
    assert code == 0, doc
    return doc


def test_a_dollar_payment_never_pays_a_rupee_invoice(make_workspace):
    # Same number, same invoice number, same payer: only the $ tells it apart. In an INR book,
    # $ means dollars (USD), so the line goes to review with the reason, and INV-003 stays owed.
    ws = make_workspace()
    doc = reconcile(ws, "Date,Description,Amount\n2026-03-09,NEFT INV-003 GLOBEX,$2000.00\n")
    assert doc["matches"] == []
    (item,) = doc["review"]
    assert item["invoice_ids"] == ["INV-003"] and item["applied"] is False
    assert "line is in USD, invoice in INR" in item["reason"]
    code, doc = ws.json("explain", "INV-003")
    assert doc["balance"] == "2000.00"


def test_a_rupee_sign_is_the_business_currency_and_is_applied(make_workspace):
    ws = make_workspace()
    doc = reconcile(ws, "Date,Description,Amount\n2026-03-09,NEFT INV-003 GLOBEX,\"₹2,000.00\"\n")
    (m,) = doc["matches"]
    assert m["invoice_ids"] == ["INV-003"] and m["applied"] is True


def test_a_symbol_that_disagrees_with_the_currency_column_is_a_bad_line(make_workspace):
    ws = make_workspace()
    ws.write("bank.csv", "Date,Description,Amount,Currency\n2026-03-09,NEFT INV-003 GLOBEX,€2000.00,INR\n")
    code, doc = ws.json("reconcile", str(ws.root / "bank.csv"))
    assert code == 1 and doc["matches"] == []
    (err,) = doc["errors"]
    assert err["row"] == 2 and "written in € but the currency column says INR" in err["message"]


def test_german_headers_and_the_waehrung_column(make_workspace):
    # A Sparkasse CAMT-CSV layout: semicolons, day-first dotted dates, decimal comma, the payer in
    # Beguenstigter/Zahlungspflichtiger and the currency in Waehrung. The EUR line names INV-003
    # but cannot pay a rupee invoice: review, reason given.
    ws = make_workspace()
    doc = reconcile(ws, '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
                        '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"Betrag";"Waehrung";"Info"\n'
                        '"DE001";"09.03.26";"09.03.26";"GUTSCHR. UEBERWEISUNG";"RECHNUNG INV-003";"Globex GmbH";'
                        '"DE02";"2000,00";"EUR";"Umsatz gebucht"\n')
    assert doc["summary"]["lines"] == 1 and doc["matches"] == []
    (item,) = doc["review"]
    assert item["amount"] == "2000.00" and item["date"] == "2026-03-09"
    assert "line is in EUR, invoice in INR" in item["reason"]


def test_ing_germany_takes_the_currency_after_the_amount(tmp_path):
    # ING Germany writes "Saldo;Währung;Betrag;Währung": the balance's currency, then the amount's.
    path = tmp_path / "ing.csv"
    path.write_text("Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;Betrag;Währung\n"
                    "09.03.2026;09.03.2026;Globex;Gutschrift;INV-003;10.000,00;EUR;2.000,00;USD\n", encoding="utf-8")
    (line,) = read_statement(path).lines
    # 2.000,00 with a decimal comma is two thousand; the amount's own currency column says USD
    assert (str(line.amount), line.currency, line.payer, line.date.isoformat()) == ("2000.00", "USD", "Globex",
                                                                                    "2026-03-09")


def test_french_spanish_and_dutch_headers(tmp_path):
    cases = {
        # Crédit Agricole style: Débit/Crédit euros columns, the currency in the header words
        "fr.csv": ("Date;Libellé;Débit euros;Crédit euros\n09/03/2026;VIR SEPA GLOBEX INV-003;;2 000,00\n",
                   ("2000.00", "EUR", "2026-03-09", "VIR SEPA GLOBEX INV-003")),
        # a Spanish bank: Fecha / Concepto / Importe / Moneda
        "es.csv": ("Fecha;Concepto;Importe;Saldo;Moneda\n09/03/2026;TRANSFERENCIA GLOBEX INV-003;2.000,00;9.000,00;EUR\n",
                   ("2000.00", "EUR", "2026-03-09", "TRANSFERENCIA GLOBEX INV-003")),
        # Dutch, with "Valuta" holding the currency code (not a value date)
        "nl.csv": ("Datum;Omschrijving;Bedrag;Valuta\n09-03-2026;GLOBEX INV-003;2000,00;EUR\n",
                   ("2000.00", "EUR", "2026-03-09", "GLOBEX INV-003")),
    }
    for name, (text, want) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = read_statement(path)
        assert result.errors == [], (name, result.errors)
        (line,) = result.lines
        assert (str(line.amount), line.currency, line.date.isoformat(), line.description) == want, name


def test_a_currency_in_the_lines_above_the_header(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text("Kontoauszug;;\nWährung: CHF;;\n;;\nDatum;Beschreibung;Betrag\n09.03.2026;Globex;2000,00\n",
                    encoding="utf-8")
    (line,) = read_statement(path).lines
    assert (str(line.amount), line.currency) == ("2000.00", "CHF")
    # two different codes above the header say nothing for sure: the line gets no currency of its own
    path.write_text("Währung: EUR;;\nCurrency: USD;;\nDatum;Beschreibung;Betrag\n09.03.2026;Globex;2000,00\n",
                    encoding="utf-8")
    (line,) = read_statement(path).lines
    assert line.currency is None
