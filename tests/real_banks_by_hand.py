"""Hand reading of the 23 real bank statement CSVs in
tests/fixtures/real/statements/ (read as raw bytes/text; no project
code was run or imported).

Conventions used throughout
---------------------------
* "header_line" and sample "line" are 1-based physical line numbers as a text
  editor / Python universal-newline reading counts them (CR, LF and CRLF each
  end a line). Only rabobank_nl.csv is affected by this choice (its lines end
  in CR CR LF); see its notes for the LF-only numbering.
* "encoding": "utf-8" also covers pure-ASCII files (said in notes);
  "utf-8-sig" = UTF-8 with a byte-order mark. For every file marked "cp1252"
  no byte in 0x80-0x9F occurs, so cp1252 and latin-1 decode it identically.
* "lines" counts transaction rows only, including pending ("Umsatz vorgemerkt")
  rows and zero-amount rows; excluded: metadata above the header, blank lines,
  balance / footer / notice lines.
* "credits"/"debits": money in / money out for the account holder. A row with
  amount 0.00 is counted by its explicit flag if it has one (ING NL "Bij");
  an unsigned 0,00 with no flag is counted as neither (said in notes).
* "credited": {currency: sum of credit amounts}; for files with no credits and
  a stated currency the value is {"EUR": "0.00"}. "?" = no currency stated.
* Sample "payer": for credits, the counterparty (payer) as written; for debits
  the same field holds the counterparty (payee) column as written. null when
  there is no counterparty column or the cell is empty.
* Sample "text": substring of the description / purpose column ("" when the
  row has no description text at all).
"""

HAND = {}

# ---------------------------------------------------------------------------
# bancoposta_it.csv  (BancoPosta, IT)
# Rows 3-6 are transactions; line 2 SALDO INIZIALE and line 7 SALDO FINALE are
# balance lines. Credits (Accrediti column): line 6 1.250,00 -> 1250.00.
# Debits (Addebiti): 2,90 / 250,00 / 1,00.
HAND["bancoposta_it.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 4,
    "credits": 1,
    "debits": 3,
    "credited": {"?": "1250.00"},
    "samples": [
        {"line": 3, "date": "2018-01-03", "amount": "-2.90", "currency": "?", "payer": None, "text": "IMPOSTA DI BOLLO"},
        {"line": 4, "date": "2018-01-13", "amount": "-250.00", "currency": "?", "payer": None, "text": "RICARICA CARTA PREPAGATA"},
        {"line": 5, "date": "2018-01-13", "amount": "-1.00", "currency": "?", "payer": None, "text": "COMMISSIONE RICARICA"},
        {"line": 6, "date": "2018-01-23", "amount": "1250.00", "currency": "?", "payer": None, "text": "BONIFICO A VOSTRO FAVORE"},
    ],
    "notes": (
        "Pure ASCII, LF, no newline after the last line. ';' separated. "
        "Decimal comma, '.' thousands (26.851,95). Dates dd/mm/yy, 2-digit year; "
        "day-first settled by 31/12/17 and 23/01/18. Debit/credit by separate "
        "columns Addebiti (out) / Accrediti (in), amounts unsigned. "
        "Line 2 '31/12/17;;;26.851,95|;SALDO INIZIALE' and line 7 "
        "'31/01/18;;;28.359,05;|SALDO FINALE' are balance lines, not "
        "transactions; both sit in the Accrediti column and carry a stray '|' "
        "(after the amount on line 2, before the text on line 7) - a reader "
        "that does not recognise SALDO would wrongly add ~55k of credits. "
        "Balances don't reconcile (26851.95-253.90+1250 = 27848.05 != 28359.05): "
        "the sample is trimmed. No currency anywhere (BancoPosta is EUR in "
        "reality, but the file never says so) -> '?'. No counterparty column; "
        "the credit's description contains 'DA NOME_MITTENTE' (placeholder "
        "sender) so payer=null. Valuta column empty on the balance lines."
    ),
}

# ---------------------------------------------------------------------------
# bunq_nl.csv  (bunq, NL)
# Credits: line 3 "750,00" -> 750.00. Debits: -2,56 and -18,90.
HAND["bunq_nl.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 3,
    "credits": 1,
    "debits": 2,
    "credited": {"?": "750.00"},
    "samples": [
        {"line": 2, "date": "2018-03-01", "amount": "-2.56", "currency": "?", "payer": "bunq", "text": "invoice 410408"},
        {"line": 3, "date": "2018-03-09", "amount": "750.00", "currency": "?", "payer": "W. KOELEWIJN EO", "text": "Naar Bunq"},
        {"line": 4, "date": "2018-03-09", "amount": "-18.90", "currency": "?", "payer": "Quality Nuts", "text": "EEMDIJK, NL"},
    ],
    "notes": (
        "Pure ASCII, LF. Comma-separated, every field double-quoted. ISO dates "
        "(YYYY-MM-DD), no ambiguity. Signed amounts with decimal comma inside "
        "quotes ('-2,56', '750,00'). No currency column or header word -> '?' "
        "(bunq is EUR, but the file does not state it). Counterparty = 'Naam'. "
        "Line 4 has an empty Tegenrekening."
    ),
}

# ---------------------------------------------------------------------------
# cic_fr.csv  (CIC, FR)
# Credits: line 3 40.00. Debits: -700.00, -1.15.
HAND["cic_fr.csv"] = {
    "encoding": "cp1252",
    "header_line": 1,
    "lines": 3,
    "credits": 1,
    "debits": 2,
    "credited": {"?": "40.00"},
    "samples": [
        {"line": 2, "date": "2016-06-28", "amount": "-700.00", "currency": "?", "payer": None, "text": "PRELEVEMENT"},
        {"line": 3, "date": "2016-07-05", "amount": "40.00", "currency": "?", "payer": None, "text": "VIREMENT RECU"},
        {"line": 4, "date": "2016-07-05", "amount": "-1.15", "currency": "?", "payer": None, "text": "PAYPAL COMMERCE ELECTRONIQUE"},
    ],
    "notes": (
        "cp1252/latin-1 (only 'é' = 0xE9 in the header). Comma-separated, "
        "unquoted. Dot decimal, signed 'Montant'. Mixed line ends: lines 1, 2, 4 "
        "end CRLF, line 3 ends LF only. Dates dd/mm/yyyy (28/06/2016 settles "
        "day-first; upstream file name says 'dates europeennes', period "
        "2016-06-15 - 2016-07-14). 'Solde' column is 123.00 on every row "
        "(anonymised placeholder, not a running balance). No currency stated "
        "anywhere -> '?'. No counterparty column -> payer null."
    ),
}

# ---------------------------------------------------------------------------
# commerzbank_de.csv  (Commerzbank, DE)
# No credits. One debit -17,22 EUR.
HAND["commerzbank_de.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 1,
    "credits": 0,
    "debits": 1,
    "credited": {"EUR": "0.00"},
    "samples": [
        {"line": 2, "date": "2018-03-02", "amount": "-17.22", "currency": "EUR", "payer": None, "text": "REWE SAGT DANKE"},
    ],
    "notes": (
        "UTF-8 ('Währung'), LF. ';' separated, Buchungstext quoted. Signed "
        "amount with decimal comma; Währung column = EUR. Only one row exists, "
        "so only one sample is possible. Date 02.03.2018 is dd.mm.yyyy: the "
        "text holds the card time stamp 2018-03-01T11:33:59 and the upstream "
        "file name has 02-03-2018, which settles 2 March (not 3 Feb). "
        "Auftraggeberkonto / IBAN Auftraggeberkonto are the holder's own account "
        "(538917600 as in the upstream file name), so there is no counterparty "
        "name column -> payer null."
    ),
}

# ---------------------------------------------------------------------------
# dkb_de_giro_2023.csv  (DKB, DE, 2023 layout)
# Credits (Umsatztyp "Eingang", positive): line 6 100.000,00 -> 100000.00,
# line 10 2.345,67 -> 2345.67. Sum 102345.67.
# Debits: -10,22, -10,22, -1.234,56.
HAND["dkb_de_giro_2023.csv"] = {
    "encoding": "utf-8",
    "header_line": 5,
    "lines": 5,
    "credits": 2,
    "debits": 3,
    "credited": {"EUR": "102345.67"},
    "samples": [
        {"line": 6, "date": "2023-08-25", "amount": "100000.00", "currency": "EUR", "payer": "John Doe", "text": ""},
        {"line": 7, "date": "2023-08-25", "amount": "-10.22", "currency": "EUR", "payer": "SOME COMPANY/SOMEWHERE//DE", "text": "Debitk.99 VISA Debit"},
        {"line": 9, "date": "2023-08-20", "amount": "-1234.56", "currency": "EUR", "payer": None, "text": "Some Depot Payment"},
        {"line": 10, "date": "2023-08-10", "amount": "2345.67", "currency": "EUR", "payer": "Some Company", "text": "LOHN 08/2023"},
    ],
    "notes": (
        "UTF-8, LF, ';' separated, all fields quoted. Lines 1-4 are metadata "
        "('Girokonto' IBAN, blank \"\", 'Kontostand vom 25.08.2023: 1234,56 EUR', "
        "blank \"\"). Amounts '2.345,67 €': '.' thousands, decimal comma, "
        "signed, followed by U+00A0 no-break space and '€' - except line 9 "
        "which uses an ordinary space before '€' ('-1.234,56 €'). Currency "
        "from header 'Betrag (€)' and metadata 'EUR' -> EUR. Dates dd.mm.yy "
        "(2-digit year; 25.08.23 settles day-first). Umsatztyp Eingang/Ausgang "
        "agrees with the sign. Payer for credits = 'Zahlungspflichtige*r' "
        "(line 6 'John Doe', recipient 'Paul Payee'; line 10 'Some Company'). "
        "For debits the payee is 'Zahlungsempfänger*in' (empty on line 9). "
        "Line 6 has empty Verwendungszweck (text ''). Line 8 contains 'Ö' "
        "('SOME ÖTHER COMPANY'). All rows Status 'Gebucht'."
    ),
}

# ---------------------------------------------------------------------------
# dkb_de_giro_legacy.csv  (DKB, DE, older layout)
# Credits: line 10 "45,67" (Gutschrift) -> 45.67. Debit: -16,78.
HAND["dkb_de_giro_legacy.csv"] = {
    "encoding": "cp1252",
    "header_line": 9,
    "lines": 2,
    "credits": 1,
    "debits": 1,
    "credited": {"EUR": "45.67"},
    "samples": [
        {"line": 10, "date": "2018-10-19", "amount": "45.67", "currency": "EUR", "payer": "Foo Firma", "text": "Gutschrift"},
        {"line": 11, "date": "2018-10-17", "amount": "-16.78", "currency": "EUR", "payer": "SOME ONLINE SHOP", "text": "Some Verwendungszweck"},
    ],
    "notes": (
        "cp1252/latin-1 (ä, ü), LF. ';' separated, quoted, every line ends with "
        "a trailing ';'. Lines 1-8 metadata (Kontonummer, blank, Von, Bis, "
        "'Kontostand vom 20.10.2018: 1.234,56 EUR', search filters, blank). "
        "Signed amounts, decimal comma; currency from header 'Betrag (EUR)'. "
        "Dates dd.mm.yyyy (19.10.2018 settles). Only two rows, so two samples. "
        "Line 10's Verwendungszweck is empty; its text 'Gutschrift' is taken "
        "from Buchungstext. Line 11 is full of placeholder values ('Some BLZ', "
        "'Some Kontonummer')."
    ),
}

# ---------------------------------------------------------------------------
# fintro_be.csv  (Fintro / BNP Paribas Fortis, BE)
# No credits. Debits: -191,13, -52,50, -12,48, -7.000,97.
HAND["fintro_be.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 4,
    "credits": 0,
    "debits": 4,
    "credited": {"EUR": "0.00"},
    "samples": [
        {"line": 2, "date": "2017-02-27", "amount": "-191.13", "currency": "EUR", "payer": None, "text": "MODEMAKERS"},
        {"line": 3, "date": "2017-02-25", "amount": "-52.50", "currency": "EUR", "payer": None, "text": "BROUWER"},
        {"line": 4, "date": "2017-02-25", "amount": "-12.48", "currency": "EUR", "payer": None, "text": "ZIEKENHUIS"},
        {"line": 5, "date": "2017-02-24", "amount": "-7000.97", "currency": "EUR", "payer": None, "text": "CONSULTING"},
    ],
    "notes": (
        "Pure ASCII, LF, no newline after the last line. ';' separated, "
        "unquoted. Signed amounts, decimal comma, '.' thousands (-7.000,97). "
        "Currency column 'Valuta rekening' = EUR. First date column "
        "Uitvoeringsdatum (dd/mm/yyyy; 27/02/2017 settles), second is "
        "Valutadatum (differs on lines 2 and 4). Volgnummer is a truncated "
        "placeholder '2017-' on lines 2-4 and '2017-0102' on line 5. "
        "Rekeningnummer is the holder's own account (same on all rows); no "
        "counterparty name column -> payer null. All four rows are debits."
    ),
}

# ---------------------------------------------------------------------------
# gls_de.csv  (GLS Bank, DE)
# No credits. One debit -98,76.
HAND["gls_de.csv"] = {
    "encoding": "cp1252",
    "header_line": 1,
    "lines": 1,
    "credits": 0,
    "debits": 1,
    "credited": {"EUR": "0.00"},
    "samples": [
        {"line": 2, "date": "2017-10-10", "amount": "-98.76", "currency": "EUR", "payer": "Drillisch Online AG", "text": "SIMply Rechnung"},
    ],
    "notes": (
        "cp1252/latin-1 ('ä' in header), LF, no newline after the last line. "
        "';' separated. Signed Betrag with decimal comma; 'Kontostand' "
        "1.234,56 is the running balance column, not an amount. Währung column "
        "= EUR. Date 10.10.2017 (dd.mm.yyyy, symmetric so no ambiguity). "
        "Only one row -> one sample."
    ),
}

# ---------------------------------------------------------------------------
# ing_de_umsatzanzeige_saldo.csv  (ING, DE, Umsatzanzeige)
# Credits: line 17 50,00 (Gutschrift aus Dauerauftrag) -> 50.00.
# Debits: -5,50 -2,90 -1,50 -60,00 -150,00 -2,90 -2,90 -2,90 (8).
HAND["ing_de_umsatzanzeige_saldo.csv"] = {
    "encoding": "cp1252",
    "header_line": 15,
    "lines": 9,
    "credits": 1,
    "debits": 8,
    "credited": {"EUR": "50.00"},
    "samples": [
        {"line": 16, "date": "2018-12-28", "amount": "-5.50", "currency": "EUR", "payer": "PayDude (Europe) S.a.r.l. et Cie., S .C.A.", "text": "Blumen Berther"},
        {"line": 17, "date": "2018-12-28", "amount": "50.00", "currency": "EUR", "payer": "Karl Karlsen", "text": "Monatliche Ueberweisung"},
        {"line": 20, "date": "2018-12-15", "amount": "-60.00", "currency": "EUR", "payer": "Peter Petersen", "text": "Schulden"},
        {"line": 21, "date": "2018-12-10", "amount": "-150.00", "currency": "EUR", "payer": "VISA Hotel XY", "text": "Neuenhausen"},
    ],
    "notes": (
        "cp1252/latin-1 (ä, Ü), LF. ';' separated, unquoted. Lines 1-14 are "
        "metadata/blank: 'Umsatzanzeige', IBAN, Kontoname, Bank, Kunde, "
        "Zeitraum, 'Saldo;150,00;EUR' (line 9 - a balance, not a transaction), "
        "Sortierung, and a notice (line 13) that pending transactions are not "
        "included. Header has Saldo;Währung;Betrag;Währung: the FIRST Währung "
        "belongs to Saldo, the amount is 'Betrag' (column 8) - a reader that "
        "takes the Saldo column as amount would get everything wrong. Signed "
        "amounts, decimal comma. Saldo column is inconsistently formatted "
        "('155,5', '319,9') and doesn't reconcile (sample data). Dates "
        "dd.mm.yyyy (28.12.2018 settles); Buchung first, Wertstellungsdatum "
        "second (differ on lines 19-24). Payer = Auftraggeber/Empfänger. "
        "Lines 22-24 are three identical -2,90 rows (kept: distinct bookings)."
    ),
}

# ---------------------------------------------------------------------------
# ing_es_renamed_header.csv  (ING España rows, English header by upstream)
# Credits (positive amount): 2.83 + 2.69 + 1.37 + 1394.11 + 500.00 = 1901.00.
# Debits: -17.60 -276.89 -1000.00 -37.00 -219.30.
HAND["ing_es_renamed_header.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 10,
    "credits": 5,
    "debits": 5,
    "credited": {"?": "1901.00"},
    "samples": [
        {"line": 2, "date": "2022-03-24", "amount": "2.83", "currency": "?", "payer": None, "text": "Abono Shopping NARANJA:GALP"},
        {"line": 3, "date": "2022-04-08", "amount": "2.69", "currency": "?", "payer": None, "text": "Abono Shopping NARANJA:GALP"},
        {"line": 4, "date": "2022-12-31", "amount": "1.37", "currency": "?", "payer": None, "text": "AMZN Mktp ES"},
        {"line": 5, "date": "2022-12-23", "amount": "1394.11", "currency": "?", "payer": None, "text": "Nomina recibida G PLCE SL."},
        {"line": 7, "date": "2022-04-13", "amount": "-276.89", "currency": "?", "payer": None, "text": "MUTUA MADRILENA"},
        {"line": 11, "date": "2022-11-13", "amount": "500.00", "currency": "?", "payer": None, "text": "Traspaso recibido Cuenta Nómina"},
    ],
    "notes": (
        "UTF-8 (ñ, í, ó), CRLF, no line end after the last line. Comma-"
        "separated, unquoted; header 'date,class,subcategory,desc,notes,image,"
        "amount,balance' is an English rewrite by the upstream project, not the "
        "bank's own header. Dot decimal, signed amount, no thousands separator. "
        "Dates dd/mm/yyyy (24/03, 31/12, 23/12 settle day-first). Rows are not "
        "in date order. Credit on line 4 is a card refund ('Devolución "
        "Tarjeta'), line 11 a transfer between own accounts (still money in). "
        "Balance column goes negative on line 11 (-126.19) - balance column, "
        "not an amount. No currency stated anywhere -> '?'. No counterparty "
        "column -> payer null (the employer 'G PLCE SL.' only appears inside "
        "desc)."
    ),
}

# ---------------------------------------------------------------------------
# ing_nl.csv  (ING, NL)
# Credits (Af Bij = "Bij"): line 3 1,25 + line 4 0,00 + line 5 20,00 = 21.25.
# Debits ("Af"): 1,25 + 0,31 + 0,31.
HAND["ing_nl.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 6,
    "credits": 3,
    "debits": 3,
    "credited": {"EUR": "21.25"},
    "samples": [
        {"line": 2, "date": "2020-02-13", "amount": "-1.25", "currency": "EUR", "payer": "Kosten OranjePakket met korting", "text": "1 jan t/m 31 jan 2020"},
        {"line": 3, "date": "2020-02-13", "amount": "1.25", "currency": "EUR", "payer": "Kwijtschelding", "text": "Kwijtschelding"},
        {"line": 4, "date": "2020-02-13", "amount": "0.00", "currency": "EUR", "payer": "Kwijtschelding", "text": "Kwijtschelding"},
        {"line": 5, "date": "2019-12-13", "amount": "20.00", "currency": "EUR", "payer": "PAULISSEN G J L M", "text": "Kosten rekening"},
    ],
    "notes": (
        "Pure ASCII, LF, comma-separated, all fields quoted. Dates YYYYMMDD "
        "with no separators (20200213). Amounts unsigned with decimal comma; "
        "the 'Af Bij' column gives the direction (Af = out, Bij = in). "
        "Currency from header 'Bedrag (EUR)'. Line 4 is a 'Bij' row of 0,00: "
        "counted as a credit because the flag says Bij (it adds nothing to the "
        "total); if zero rows are dropped the file has 2 credits / 21.25. "
        "Lines 6 and 7 are byte-identical 'Kosten OranjePakket' 0,31 debits "
        "(both counted). 'Naam / Omschrijving' mixes counterparty names "
        "(PAULISSEN G J L M) with descriptions (Kwijtschelding, Kosten "
        "OranjePakket); taken as the payer field as written."
    ),
}

# ---------------------------------------------------------------------------
# kbc_be.csv  (KBC, BE)
# No credits. One debit -3,40.
HAND["kbc_be.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 1,
    "credits": 0,
    "debits": 1,
    "credited": {"EUR": "0.00"},
    "samples": [
        {"line": 2, "date": "2018-02-28", "amount": "-3.40", "currency": "EUR", "payer": None, "text": "KBC-PLUSREKENING"},
    ],
    "notes": (
        "Pure ASCII, LF, ';' separated, unquoted, fields heavily space-padded "
        "(Rubrieknaam, credit, tegenpartij columns are all spaces). Signed "
        "'Bedrag' -3,40 (decimal comma); 'credit' column blank, 'debet' column "
        "-3,40 agrees. 'Saldo' 219,95 is a balance. Munt = EUR. Datum and "
        "Valuta both 28/02/2018 (dd/mm/yyyy). 'Naam' = SMITH JOHN is the "
        "account holder; 'Naam tegenpartij' is blank -> payer null. One row "
        "only -> one sample. It is a bank fee (BIJDRAGE)."
    ),
}

# ---------------------------------------------------------------------------
# knab_nl.csv  (Knab, NL)
# Credits (CreditDebet = C), lines 4,6,8,11,12,14,16,20,22,24,26,29,30:
#   827,75 + 2500 + 2500 + 1000 + 2500 + 1500 + 2000 + 3500 + 1500 + 1000
#   + 1000 + 1000 + 7,02 = 20834.77
# Debits (D), lines 3,5,7,9,10,13,15,17,18,19,21,23,25,27,28 = 15.
HAND["knab_nl.csv"] = {
    "encoding": "utf-8",
    "header_line": 2,
    "lines": 28,
    "credits": 13,
    "debits": 15,
    "credited": {"EUR": "20834.77"},
    "samples": [
        {"line": 3, "date": "2019-06-21", "amount": "-827.75", "currency": "EUR", "payer": "Gert Janssen (FR)", "text": "Tresorie"},
        {"line": 4, "date": "2019-06-21", "amount": "827.75", "currency": "EUR", "payer": "Gert Janssen", "text": "Ontvangen betaling"},
        {"line": 20, "date": "2019-05-27", "amount": "3500.00", "currency": "EUR", "payer": "Gert Janssen", "text": "Ontvangen betaling"},
        {"line": 27, "date": "2019-01-07", "amount": "-0.01", "currency": "EUR", "payer": "G. Janssen", "text": "Overboeking"},
        {"line": 29, "date": "2019-01-07", "amount": "1000.00", "currency": "EUR", "payer": "Gert Janssen", "text": "Zwembad"},
        {"line": 30, "date": "2019-01-07", "amount": "7.02", "currency": "EUR", "payer": "Knab", "text": "Rente"},
    ],
    "notes": (
        "Pure ASCII, LF, ';' separated, data fields quoted, trailing ';' on "
        "every line. Line 1 'KNAB EXPORT;;;;...' is metadata; header on line "
        "2. Amounts unsigned; direction from CreditDebet (C = in, D = out). "
        "Amount format mixes integers without decimals ('2500', '1000') and "
        "decimal comma ('827,75', '0,01', '7,02'). Currency column Valutacode "
        "= EUR. Dates dd-mm-yyyy (21-06-2019 settles); first date column "
        "Transactiedatum (line 9: 09-06-2019, Valutadatum/Boekdatum "
        "10-06-2019). Payer = Tegenrekeninghouder. Text taken from "
        "Betaalwijze when Omschrijving is empty (lines 4, 20, 27). Rows come "
        "in D/C pairs of the same amount (money passed through); line 30 is "
        "interest (Rente) from Knab."
    ),
}

# ---------------------------------------------------------------------------
# n26_de.csv  (N26, DE)
# No credits. One debit -59.99.
HAND["n26_de.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 1,
    "credits": 0,
    "debits": 1,
    "credited": {"EUR": "0.00"},
    "samples": [
        {"line": 2, "date": "2017-10-01", "amount": "-59.99", "currency": "EUR", "payer": "NINTENDO OF EUROPE", "text": "MasterCard Zahlung"},
    ],
    "notes": (
        "UTF-8 ('Empfänger', 'Fremdwährung'), LF, comma-separated, unquoted. "
        "ISO date. Dot decimal, signed. Currency from header 'Betrag (EUR)'; "
        "'Betrag (Fremdwährung)' -59.99 with Fremdwährung EUR and rate 1.0 is "
        "the original-currency copy, not a second amount. Verwendungszweck is "
        "empty; text is from Transaktionstyp. One row -> one sample."
    ),
}

# ---------------------------------------------------------------------------
# oberbank_at.csv  (Oberbank, AT)
# Credits: line 5 11,00 + line 6 10,00 = 21.00. Debits: -11,00 -10,00 -9,00.
HAND["oberbank_at.csv"] = {
    "encoding": "cp1252",
    "header_line": 1,
    "lines": 5,
    "credits": 2,
    "debits": 3,
    "credited": {"EUR": "21.00"},
    "samples": [
        {"line": 2, "date": "2017-03-15", "amount": "-11.00", "currency": "EUR", "payer": None, "text": "Zahlungsreferenz"},
        {"line": 4, "date": "2017-03-15", "amount": "-9.00", "currency": "EUR", "payer": None, "text": "End2EndID"},
        {"line": 5, "date": "2017-03-15", "amount": "11.00", "currency": "EUR", "payer": "Auftraggebername", "text": "SCOR Verwendungszweck"},
        {"line": 6, "date": "2017-03-15", "amount": "10.00", "currency": "EUR", "payer": "Auftraggebername", "text": "SCOR Verwendungszweck"},
    ],
    "notes": (
        "cp1252/latin-1 (ä), LF, ';' separated, unquoted. Signed amounts, "
        "decimal comma; Währung column EUR. Dates dd.mm.yyyy (15.03.2017 "
        "settles). Separate payer (Auftraggeber*) and payee (Empfänger*) "
        "columns: for credits the counterparty is Auftraggebername. The "
        "values are literal placeholders: payer name is the word "
        "'Auftraggebername', payee 'Empfängername' / 'Empfängername "
        "Empfängeradresse'. Debit rows (2-4) have all party columns empty -> "
        "payer null; their 'Text' column lists field names."
    ),
}

# ---------------------------------------------------------------------------
# rabobank_nl.csv  (Rabobank, NL)
# Credits: line 5 "+50,00" -> 50.00. Debits: -337,49, -750,00.
HAND["rabobank_nl.csv"] = {
    "encoding": "cp1252",
    "header_line": 1,
    "lines": 3,
    "credits": 1,
    "debits": 2,
    "credited": {"EUR": "50.00"},
    "samples": [
        {"line": 3, "date": "2018-03-01", "amount": "-337.49", "currency": "EUR", "payer": None, "text": "RENTE LENING"},
        {"line": 5, "date": "2018-03-14", "amount": "50.00", "currency": "EUR", "payer": "Nederlandse Loterij Organisatie B.V.", "text": "Gewonnen met Staatsloterij"},
        {"line": 7, "date": "2018-03-16", "amount": "-750.00", "currency": "EUR", "payer": "W. Koelewijn", "text": "Naar Bunq"},
    ],
    "notes": (
        "cp1252/latin-1 ('ë' in 'initiërende'), comma-separated, quoted. "
        "LINE ENDS: every record ends CR CR LF ('\\r\\r\\n'). Universal-newline "
        "reading (used here) sees header line 1, blank line 2, data on lines "
        "3, 5, 7 and blank lines 4, 6, 8. Counting only LF, the header is line "
        "1 and the data rows are lines 2, 3, 4. Line 5 (LF numbering: line 3) "
        "lacks its opening quote: 'NL77RABO0311467415\",\"EUR\",...' - the "
        "first field then reads NL77RABO0311467415\" but the rest of the row "
        "parses normally. Amounts explicitly signed '+50,00' / '-337,49' with "
        "decimal comma; 'Saldo na trn' (+5257,28 ...) is the balance after "
        "the transaction. Currency column Munt = EUR. ISO dates; Datum first, "
        "Rentedatum second (same here). Payer = 'Naam tegenpartij' (empty on "
        "line 3)."
    ),
}

# ---------------------------------------------------------------------------
# societe_generale_fr.csv  (Société Générale, FR)
# Credits (positive Montant), 18 rows:
#   line 4 7,70; line 7 3,85; lines 8,9 3,84 x2; line 10 3,82;
#   lines 12,13 7,64 x2; lines 14,15,16 3,82 x3; lines 18-25 3,82 x8
#   = 7.70+3.85+7.68+3.82+15.28+11.46+30.56 = 80.35
# Debits (5): -30,50 -8,99 -15,70 -3,86 -11,00.
HAND["societe_generale_fr.csv"] = {
    "encoding": "cp1252",
    "header_line": 3,
    "lines": 23,
    "credits": 18,
    "debits": 5,
    "credited": {"EUR": "80.35"},
    "samples": [
        {"line": 4, "date": "2014-09-10", "amount": "7.70", "currency": "EUR", "payer": None, "text": "REMBT 09/09 PAYPAL"},
        {"line": 5, "date": "2014-09-09", "amount": "-30.50", "currency": "EUR", "payer": None, "text": "FRAIS VIR INTL RECU"},
        {"line": 7, "date": "2014-09-02", "amount": "3.85", "currency": "EUR", "payer": None, "text": "REMBT 01/09 PAYPAL"},
        {"line": 12, "date": "2014-08-20", "amount": "7.64", "currency": "EUR", "payer": None, "text": "REMBT 19/08 PAYPAL"},
        {"line": 26, "date": "2014-08-19", "amount": "-11.00", "currency": "EUR", "payer": None, "text": "OPTION INTERNAT.N2"},
    ],
    "notes": (
        "cp1252/latin-1 (é), CRLF throughout. ';' separated, unquoted. Line 1 "
        "is an account/summary line '=\"0123456789101112\";15/08/2014;"
        "14/09/2014;31;12/09/2014;123,45 EUR' (Excel-style =\"...\" account "
        "number, period from/to, a count, balance date, balance 123,45 EUR) - "
        "not a transaction; line 2 blank; header line 3. Signed 'Montant de "
        "l'opération' with decimal comma; Devise column EUR. Dates dd/mm/yyyy "
        "(25/08/2014 settles). Labels have trailing spaces. Most credits are "
        "PayPal card refunds ('CARTE X1234 REMBT'); many are identical rows "
        "(eight 3,82 refunds on 19/08) - all counted. No counterparty column."
    ),
}

# ---------------------------------------------------------------------------
# spardabank_de.csv  (Sparda-Bank, DE)
# Credits: line 14 2.432,10 -> 2432.10.
# Debits: -11,99 -49,99 -508,91 -100,00 -9,98 -98,12 (6).
HAND["spardabank_de.csv"] = {
    "encoding": "cp1252",
    "header_line": 11,
    "lines": 7,
    "credits": 1,
    "debits": 6,
    "credited": {"EUR": "2432.10"},
    "samples": [
        {"line": 12, "date": "2024-01-20", "amount": "-11.99", "currency": "EUR", "payer": None, "text": "MCDONALDS"},
        {"line": 14, "date": "2024-01-29", "amount": "2432.10", "currency": "EUR", "payer": None, "text": "SEPA-LOHN/GEHALT"},
        {"line": 15, "date": "2024-02-02", "amount": "-508.91", "currency": "EUR", "payer": None, "text": "Miete und Strom"},
    ],
    "notes": (
        "cp1252/latin-1 (ä, ü, Ü), LF, ';' separated, all quoted. Lines 1-10 "
        "metadata/blank: title 'Kontoumsätze SpardaGiro Online', Kontoinhaber, "
        "Kundennummer, a sub-table 'Umsätze ab;Enddatum;Kontonummer;Saldo;"
        "Währung' with its values (Saldo 12.345,67 EUR - a balance), search "
        "options, two blank lines. Header line 11 has 5 columns but each data "
        "row has 6 (trailing empty \"\"). Line 19 '* noch nicht ausgeführte "
        "Umsätze' is a footer/pending-notice line, not a transaction (no row "
        "is actually marked with '*'). Signed 'Umsatz', '.' thousands, "
        "decimal comma. Dates dd.mm.yyyy. No counterparty column: the name is "
        "glued to the front of Verwendungszweck ('Musterarbeit GmbH "
        "ZentralSEPA-LOHN/GEHALT ...') -> payer null."
    ),
}

# ---------------------------------------------------------------------------
# sparkasse_de_camt.csv  (Sparkasse, DE, CSV-CAMT)
# Credits: line 13 350,00 (GUTSCHRIFT) + line 15 1060,22 (LOHN GEHALT) = 1410.22.
# Debits (negative), lines 2-10 (9), 12, 14, 16, 17, 18, 19 = 15.
# Line 11 ABSCHLUSS 0,00: a zero-value closing entry, counted in "lines" but
# neither credit nor debit (so credits + debits = 17 of 18 lines).
HAND["sparkasse_de_camt.csv"] = {
    "encoding": "cp1252",
    "header_line": 1,
    "lines": 18,
    "credits": 2,
    "debits": 15,
    "credited": {"EUR": "1410.22"},
    "samples": [
        {"line": 2, "date": "2018-04-03", "amount": "-22.59", "currency": "EUR", "payer": "1u1 Telecom GmbH" + " " * 54 + "Elgendorfer Str. 57", "text": "KD-Nr. 1234123413244"},
        {"line": 11, "date": "2018-03-29", "amount": "0.00", "currency": "EUR", "payer": None, "text": "Abrechnung 29.03.2018"},
        {"line": 13, "date": "2018-03-28", "amount": "350.00", "currency": "EUR", "payer": "John Oliver", "text": "Erbe abzügl. Gebühren"},
        {"line": 15, "date": "2018-03-27", "amount": "1060.22", "currency": "EUR", "payer": "FIRMA GMBH", "text": "LOHN / GEHALT 03/18"},
        {"line": 16, "date": "2018-03-26", "amount": "-200.00", "currency": "EUR", "payer": "GA NR123441234 BLZ12341234 0", "text": "Böbbingen"},
    ],
    "notes": (
        "cp1252/latin-1 (ü, ö, ß, Ü), LF, ';' separated, quoted (empty fields "
        "unquoted). Signed Betrag, decimal comma, no thousands separator "
        "('1060,22'). Waehrung column EUR. Dates dd.mm.yy, 2-digit year "
        "(29.03.18 settles day-first); Buchungstag first, Valutadatum second "
        "(line 2: 03.04.18 / 04.04.18; line 16: 26.03.18 / 24.03.18). Line 2 "
        "is 'Umsatz vorgemerkt' (pending) - counted as a transaction row (it "
        "is a real row, not a notice), all others 'Umsatz gebucht'. Line 11 "
        "ABSCHLUSS has Betrag 0,00 and a long text that quotes amounts "
        "('9.432,69 +', '3,90-') - the real amount is 0,00; counted in lines, "
        "neither credit nor debit (a reader using >=0 as credit would say 3 "
        "credits / 15 debits, one using <=0 as debit 2 / 16). Line 12 "
        "ENTGELTABSCHLUSS is -4,50 though its text says 3,90. Payer = "
        "Beguenstigter/Zahlungspflichtiger; line 2's value has 54 spaces "
        "between name and street."
    ),
}

# ---------------------------------------------------------------------------
# sparkasse_de_camt_small.csv  (Sparkasse, DE, CSV-CAMT)
# Credits: line 3 123,00. Debit: line 2 -1234,56 (pending).
HAND["sparkasse_de_camt_small.csv"] = {
    "encoding": "cp1252",
    "header_line": 1,
    "lines": 2,
    "credits": 1,
    "debits": 1,
    "credited": {"EUR": "123.00"},
    "samples": [
        {"line": 2, "date": "2018-03-28", "amount": "-1234.56", "currency": "EUR", "payer": "ASDF Immobilien GmbH", "text": "MIETE04/18"},
        {"line": 3, "date": "2018-03-28", "amount": "123.00", "currency": "EUR", "payer": "Sabrina Mustermann", "text": "Geschenk Hans Meyer"},
    ],
    "notes": (
        "cp1252/latin-1 (ü), LF, ';' separated, all quoted. Line 4 is blank. "
        "Signed Betrag, decimal comma, no thousands separator ('-1234,56'). "
        "Waehrung EUR. Dates dd.mm.yy; line 2 Buchungstag 28.03.18, "
        "Valutadatum 03.04.18. Line 2 is 'Umsatz vorgemerkt' (pending) - "
        "counted; line 3 'Umsatz gebucht'. Oddity: Auftragskonto differs "
        "between rows (12345678 vs 12341234) - anonymisation. Only two rows, "
        "so two samples."
    ),
}

# ---------------------------------------------------------------------------
# sparkasse_de_mt940.csv  (Sparkasse, DE, CSV-MT940)
# No credits. One debit -36,99.
HAND["sparkasse_de_mt940.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 1,
    "credits": 0,
    "debits": 1,
    "credited": {"EUR": "0.00"},
    "samples": [
        {"line": 2, "date": "2018-02-22", "amount": "-36.99", "currency": "EUR", "payer": "Vodafone Kabel DeutschlandGmbH", "text": "www.vodafone.de/meinkabel"},
    ],
    "notes": (
        "Pure ASCII (umlaut-free spellings Beguenstigter, Waehrung), LF, ';' "
        "separated, quoted. Signed Betrag, decimal comma. Waehrung EUR. Date "
        "22.02.18 (dd.mm.yy; upstream file name 20180226 confirms 2018). "
        "Verwendungszweck is a raw SEPA string 'EREF+...MREF+...CRED+...SVWZ+'. "
        "One row -> one sample."
    ),
}

# ---------------------------------------------------------------------------
# ubs_ch_fr.csv  (UBS, CH, French)
# Credits (Crédit column): line 3 240.00. Debits (Débit column): 10.00, 200.00.
HAND["ubs_ch_fr.csv"] = {
    "encoding": "utf-8",
    "header_line": 1,
    "lines": 3,
    "credits": 1,
    "debits": 2,
    "credited": {"CHF": "240.00"},
    "samples": [
        {"line": 2, "date": "2019-03-31", "amount": "-10.00", "currency": "CHF", "payer": None, "text": "Solde prix prestations"},
        {"line": 3, "date": "2019-02-28", "amount": "240.00", "currency": "CHF", "payer": "ASSOCIATION FOO-BAR", "text": "Virement postal"},
        {"line": 4, "date": "2019-04-27", "amount": "-200.00", "currency": "CHF", "payer": "REMB-CASH", "text": "Ordre e-banking"},
    ],
    "notes": (
        "UTF-8 (N°, Débit, Crédit, SàrL, intérieur), LF, ';' separated, "
        "unquoted. Separate unsigned Débit / Crédit columns (credit = money "
        "in). Dot decimal; the Solde column uses an apostrophe thousands "
        "separator (11'373.94). Currency column 'Monn.' = CHF. Only one date "
        "column, 'Date de valeur', dd.mm.yyyy (31.03.2019 settles). Rows are "
        "not in date order (trimmed sample). TRAP: line 2's Description 1 is "
        "'Solde prix prestations' (a service-fee debit of 10.00 with its own "
        "transaction number), NOT a balance line despite the word 'Solde'. "
        "There is no column named as counterparty; 'Description 2' holds the "
        "counterparty (ASSOCIATION FOO-BAR for the credit) and is used as "
        "payer."
    ),
}

# ---------------------------------------------------------------------------
# zkb_ch.csv  (Zürcher Kantonalbank, CH, English export)
# Credits (Credit CHF): line 2 5000.00 + line 8 75.00 = 5075.00.
# Debits (Debit CHF): 25.50 150.00 100.00 50.00 200.00.
HAND["zkb_ch.csv"] = {
    "encoding": "utf-8-sig",
    "header_line": 1,
    "lines": 7,
    "credits": 2,
    "debits": 5,
    "credited": {"CHF": "5075.00"},
    "samples": [
        {"line": 2, "date": "2024-01-01", "amount": "5000.00", "currency": "CHF", "payer": None, "text": "Credit salary: Test Employer"},
        {"line": 3, "date": "2024-01-05", "amount": "-25.50", "currency": "CHF", "payer": None, "text": "Debit TWINT: Test Merchant"},
        {"line": 4, "date": "2024-01-10", "amount": "-150.00", "currency": "CHF", "payer": "Test Utility Company", "text": "Debit eBill"},
        {"line": 8, "date": "2024-01-30", "amount": "75.00", "currency": "CHF", "payer": None, "text": "Credit TWINT: Test Sender"},
    ],
    "notes": (
        "UTF-8 with BOM (EF BB BF) before the first header quote, LF, ';' "
        "separated, all quoted. Separate unsigned 'Debit CHF' / 'Credit CHF' "
        "columns, dot decimal; currency CHF from those header words (the "
        "'Curr' column is empty on every row). Dates dd.mm.yyyy (15.01.2024 "
        "settles); Date first, Value date second (same). 'Balance CHF' is a "
        "running balance and reconciles (5000 -> 4549.50). Values are plainly "
        "test placeholders (Test Employer, Test Merchant). No counterparty "
        "column as such: names are inside 'Booking text'; the 'Details' "
        "column names the payee on lines 4-5 only, so credits get payer null."
    ),
}
