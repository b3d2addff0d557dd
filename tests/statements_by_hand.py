"""Statement samples read by hand, not by collectbot: the reference the readers are held to.

Each entry was read from the raw file by a person (2026-12-05), with no parser run and without
looking at the readers' `.expected.json` golden files: how many lines are money in and out, the
total credited per currency, and the date, signed amount, currency and payer of at least three
lines, each with a comment saying where in the file it was read. "?" as a currency means the
file names none. `tests/test_statements_by_hand.py` holds the readers (and so the golden files)
to these values. Conventions: a zero amount is neither a credit nor a debit; a line's date is its
booking date (the transaction date for Knab, see there).
"""

# fmt: off
# ---- csv
# Hand reading of the CSV / XLSX statement fixtures and payments/payments_inr.csv.
# Read with cat -A -n / sed -n / iconv (view only); the .xlsx was unzipped to a scratch dir and
# sheet1.xml + sharedStrings.xml + styles.xml read by eye (scratch dir removed afterwards).
# Sums done with bc / python3 -c on numbers copied by hand. No parser run, no *.expected.json
# opened, nothing under collectbot/ read.
# Conventions: raw_line = 1-based physical line (sheet row for the xlsx). Amounts signed
# (credits +, debits -). "payer" = the counterparty-name column of the file (for a debit line:
# the payee/recipient named in that column); None when the file has no counterparty-name column
# (description-only files) or the column is empty on that line.
# Where a file writes whole numbers ("2500", "2000") next to 2-decimal amounts, totals and
# amounts are given with 2 decimals.

CSV = {
    "csv/actual_windows1252_euro.csv": {
        # 2 lines, LF, cp1252 bytes (0xE9 = e-acute, 0x80 = euro sign in the payee). Header
        # "Date","Payee","Amount"; one data row (line 2), single signed Amount column, 100.25 > 0
        # -> credit. No currency column/header: the euro sign is inside the payee text only, so "?".
        # DATE AMBIGUOUS: "2025.12.04" has no part > 12; read as YYYY.MM.DD (the usual order for a
        # year-first date) -> 2025-12-04; YYYY.DD.MM would give 2025-04-12.
        "credits": 1, "credited": {"?": "100.25"}, "debits": 0,
        "lines": [
            {"raw_line": 2, "date": "2025-12-04", "amount": "100.25", "currency": "?", "payer": "Caf\u00e9 \u20acR\u00e9my"},  # "Café €Rémy" decoded from cp1252
        ],
    },
    "csv/asn_nl_headerless.csv": {
        # 11 lines, no header, all 11 are transactions. ASN layout: col1 boekingsdatum, col2 own
        # IBAN, col3 counter IBAN, col4 counter name, col8 account currency EUR, col9 balance BEFORE
        # the entry, col10 entry currency EUR, col11 signed amount, col12 journaaldatum,
        # col13 valutadatum, col19 statement no. DD-MM-YYYY (17-06-2022, 25-06, 27-06 ...).
        # Balance chain checks: 130.44+223.77=354.21 (line 2 before-balance), ... 644.24-560.00=84.24.
        # Credits: lines 1, 4, 8. Debits: 2,3,5,6,7,9,10,11 (8). Line 3 has no counter IBAN/name
        # (bank fee). Line 6: col1 28-06-2022, col12 (journaaldatum) 29-06-2022, col13 28-06-2022.
        "credits": 3, "credited": {"EUR": "3286.92"}, "debits": 8,
        "lines": [
            {"raw_line": 1, "date": "2022-06-17", "amount": "223.77", "currency": "EUR", "payer": "XXXXXXXXX Z Z Z Z"},
            {"raw_line": 4, "date": "2022-06-27", "amount": "503.15", "currency": "EUR", "payer": "Optimal BV"},  # 'DIVIDEND 27/06/2022'
            {"raw_line": 8, "date": "2022-07-07", "amount": "2560.00", "currency": "EUR", "payer": "M     XXXXXXXXX ET MME"},  # 5 spaces after "M", as in file
            {"raw_line": 6, "date": "2022-06-28", "amount": "-400.00", "currency": "EUR", "payer": "ASN Optimaalbeleggen"},  # debit; journaaldatum 29-06-2022, valutadatum 28-06-2022
        ],
    },
    "csv/beangulp_chase_style_checking.csv": {
        # 7 lines: header + 6 transactions (lines 2-7), each ends with a trailing comma.
        # Posting Date is M/D/YYYY (3/18/2016, 3/15/2016 -> month first). Amount signed; Details
        # CREDIT/DEBIT agrees with the sign. Credits lines 3, 6; debits 2, 4, 5, 7.
        # No currency anywhere in the file -> "?". Only a Description column (no counterparty-name
        # column) -> payer None (line 3 description "EMPLOYER INC    DIRECT DEP ...").
        "credits": 2, "credited": {"?": "2700.73"}, "debits": 4,
        "lines": [
            {"raw_line": 3, "date": "2016-03-15", "amount": "2590.73", "currency": "?", "payer": None},  # EMPLOYER INC DIRECT DEP
            {"raw_line": 6, "date": "2016-03-05", "amount": "110.00", "currency": "?", "payer": None},  # CA STATE NYSTTAXRFD
            {"raw_line": 2, "date": "2016-03-18", "amount": "-2680.89", "currency": "?", "payer": None},  # debit, Payment to Chafe card
        ],
    },
    "csv/ing_nl_comma_decimal.csv": {
        # 7 lines: header + 6 rows. Datum YYYYMMDD; "Af Bij" gives the sign (Bij = in, Af = out);
        # "Bedrag (EUR)" decimal comma, currency EUR from that header. Each row also has
        # "Valutadatum: DD-MM-YYYY" in Mededelingen, equal to Datum on every row.
        # Bij: lines 3 (1,25), 4 (0,00), 5 (20,00). Line 4 is a ZERO amount ("Bij","0,00")
        # -> neither credit nor debit, not counted. Af: lines 2, 6, 7.
        # Payer taken from "Naam / Omschrijving" (name/description column).
        "credits": 2, "credited": {"EUR": "21.25"}, "debits": 3,
        "lines": [
            {"raw_line": 3, "date": "2020-02-13", "amount": "1.25", "currency": "EUR", "payer": "Kwijtschelding"},
            {"raw_line": 5, "date": "2019-12-13", "amount": "20.00", "currency": "EUR", "payer": "PAULISSEN G J L M"},
            {"raw_line": 2, "date": "2020-02-13", "amount": "-1.25", "currency": "EUR", "payer": "Kosten OranjePakket met korting"},  # debit
            {"raw_line": 4, "date": "2020-02-13", "amount": "0.00", "currency": "EUR", "payer": "Kwijtschelding"},  # zero line, not counted
        ],
    },
    "csv/knab_nl_semicolon_creditdebet.csv": {
        # 30 lines, ';'-separated. Line 1 "KNAB EXPORT;;;..." (title, excluded), line 2 header
        # (excluded), lines 3-30 = 28 transactions. CreditDebet C/D gives the sign; Bedrag decimal
        # comma, many whole numbers ("2500"). Valutacode EUR per line. DD-MM-YYYY (21-06-2019).
        # Three dates per row: Transactiedatum (col2), Valutadatum (col8), Boekdatum (col16);
        # dates below are Boekdatum. They differ on line 9 (Transactiedatum 09-06-2019, Valuta and
        # Boek 10-06-2019); lines 13/23/25/28 have Valutadatum one day after Transactie=Boek date.
        # C: lines 4,6,8,11,12,14,16,20,22,24,26,29,30 (13). D: 3,5,7,9,10,13,15,17,18,19,21,23,25,27,28 (15).
        # Sum C: 827.75+2500+2500+1000+2500+1500+2000+3500+1500+1000+1000+1000+7.02 = 20834.77.
        "credits": 13, "credited": {"EUR": "20834.77"}, "debits": 15,
        "lines": [
            {"raw_line": 4, "date": "2019-06-21", "amount": "827.75", "currency": "EUR", "payer": "Gert Janssen"},
            {"raw_line": 20, "date": "2019-05-27", "amount": "3500.00", "currency": "EUR", "payer": "Gert Janssen"},  # file "3500"
            {"raw_line": 30, "date": "2019-01-07", "amount": "7.02", "currency": "EUR", "payer": "Knab"},  # Rente (interest), empty Tegenrekeningnummer
            # debit; Boekdatum 10-06-2019, Transactiedatum 09-06-2019. collectbot dates a Knab line by its
            # Transactiedatum (the day the customer paid), so the date below is that one.
            {"raw_line": 9, "date": "2019-06-09", "amount": "-1000.00", "currency": "EUR", "payer": "JANSSEN G J L M"},
            {"raw_line": 27, "date": "2019-01-07", "amount": "-0.01", "currency": "EUR", "payer": "G. Janssen"},  # debit "0,01"
        ],
    },
    "csv/lloyds_uk_debit_credit_columns.csv": {
        # 13 lines: header + 12 rows, trailing comma on header only. DD/MM/YYYY (15/01/2024).
        # Separate Debit Amount / Credit Amount columns. Credit: line 5 ("2000") and line 13 ("500");
        # debits lines 2,3,4,6,7,8,9,10,11,12 (10). Balance checks: 6029.49+2000=8029.49,
        # 6381.70+45.00=6426.70.
        # CURRENCY: no currency column or header; GBP is only implied (UK sort code, descriptions
        # "NON-GBP TRANS FEE") -> key "?" per the rule. Only "Transaction Description" (no
        # counterparty-name column) -> payer None.
        "credits": 2, "credited": {"?": "2500.00"}, "debits": 10,
        "lines": [
            {"raw_line": 5, "date": "2023-12-01", "amount": "2000.00", "currency": "?", "payer": None},  # FPI "HHHHH LTD RP555000111222333 ..."; file writes "2000"
            {"raw_line": 13, "date": "2023-12-01", "amount": "500.00", "currency": "?", "payer": None},  # BGC "CLIENT CO LTD ..."; file writes "500"
            {"raw_line": 2, "date": "2024-01-15", "amount": "-8.99", "currency": "?", "payer": None},  # debit DEB "ACME STORE CD 1417    14JAN24"
        ],
    },
    "csv/oca_sheet_debit_credit_columns.csv": {
        # 3 lines: header + 2 rows. Date MM/DD/YYYY (12/15/2018). Amount + "D/C" column: sign comes
        # from D/C, magnitude from Amount. Line 2: "33.50","D" -> -33.50. Line 3: "-1,533.50","C"
        # -> +1533.50 (the minus in the file contradicts "C"; Balance column confirms credit:
        # -23.50 + 1533.50 = 1,510.00). AMBIGUITY: a reader trusting the Amount sign would see -1533.50.
        # No currency -> "?". Payer from "Partner Name".
        "credits": 1, "credited": {"?": "1533.50"}, "debits": 1,
        "lines": [
            {"raw_line": 3, "date": "2018-12-15", "amount": "1533.50", "currency": "?", "payer": "Azure Interior"},  # "C" with "-1,533.50" in file
            {"raw_line": 2, "date": "2018-12-15", "amount": "-33.50", "currency": "?", "payer": "John Doe"},  # "D"
        ],
    },
    "csv/oca_sheet_metadata_header_rows.csv": {
        # 10 lines. Excluded: lines 1-2 metadata (bank/agency code, download dates 01/04/2020 -
        # 02/04/2020, account, ": EUR"), line 3 empty, line 4 "Balance at end of period" +31070,11,
        # line 5 column header, line 10 "Balance at start of period" +30000,77 (footer).
        # Transactions lines 6-9: Debit column holds negative values ("-50,00"), Credit column
        # positive; decimal comma. Currency EUR from line 2 ": EUR".
        # DATE ORDER AMBIGUOUS: "01/04/20", "02/04/20" have no part > 12. Read DD/MM/YY (decimal
        # comma, French-style "Bank code/Agency Code" header -> European) -> 2020-04-01/02.
        # MM/DD would give 2020-01-04 / 2020-02-04.
        # Balances do not reconcile: 30000.77 + 1300.00 - 230.68 = 31070.09, footer says 31070.11.
        # No counterparty-name column (Label "LABEL n", Detail "DETAILS n"/"CLIENTS X") -> payer None.
        "credits": 1, "credited": {"EUR": "1300.00"}, "debits": 3,
        "lines": [
            {"raw_line": 9, "date": "2020-04-02", "amount": "1300.00", "currency": "EUR", "payer": None},  # UNIQUE OP 4, Detail "DETAILS 3"
            {"raw_line": 6, "date": "2020-04-01", "amount": "-50.00", "currency": "EUR", "payer": None},  # debit
            {"raw_line": 8, "date": "2020-04-02", "amount": "-80.68", "currency": "EUR", "payer": None},  # debit
        ],
    },
    "csv/oca_sheet_multi_currency.csv": {
        # 3 lines: header + 2 rows. MM/DD/YYYY (12/15/2018). Per-line Currency column.
        # Line 2 USD -33.50 (debit), line 3 EUR "1,525.00" (credit, thousands comma).
        "credits": 1, "credited": {"EUR": "1525.00"}, "debits": 1,
        "lines": [
            {"raw_line": 3, "date": "2018-12-15", "amount": "1525.00", "currency": "EUR", "payer": "Azure Interior"},
            {"raw_line": 2, "date": "2018-12-15", "amount": "-33.50", "currency": "USD", "payer": "John Doe"},  # debit
        ],
    },
    "csv/oca_sheet_sample_statement_en.csv": {
        # 3 lines: header + 2 rows. MM/DD/YYYY (12/15/2018). Columns Currency, Amount,
        # Amount Currency. Line 2: USD, -33.50, Amount Currency 0.0. Line 3: EUR, "1,525.00",
        # Amount Currency "1,000.00". Currency taken from the per-line Currency column as the
        # brief says. AMBIGUITY: in OCA's sheet format "Amount" may be in the journal's currency
        # and Currency/"Amount Currency" the original (foreign) currency, i.e. line 3 could be
        # 1525.00 in account currency = 1000.00 EUR.
        "credits": 1, "credited": {"EUR": "1525.00"}, "debits": 1,
        "lines": [
            {"raw_line": 3, "date": "2018-12-15", "amount": "1525.00", "currency": "EUR", "payer": "Azure Interior"},  # Amount Currency 1,000.00
            {"raw_line": 2, "date": "2018-12-15", "amount": "-33.50", "currency": "USD", "payer": "John Doe"},  # debit
        ],
    },
    "csv/oca_sheet_sample_statement_en.xlsx": {
        # One sheet "Sheet1", A1:G3: row 1 header (shared strings 0-6), rows 2-3 data. Same content
        # as the .csv twin. A2/A3 = serial 43449 with style 2 (numFmt DD/MM/YYYY), 1900 date system
        # -> 2018-12-15. Row 2: C2 "USD", D2 -33.5, E2 0, F2 "John Doe". Row 3: C3 "EUR", D3 1525,
        # E3 1000 (Amount Currency), F3 "Azure Interior", no G3. Numbers stored without fixed
        # decimals; given with 2. Same currency ambiguity as the .csv twin.
        "credits": 1, "credited": {"EUR": "1525.00"}, "debits": 1,
        "lines": [
            {"raw_line": 3, "date": "2018-12-15", "amount": "1525.00", "currency": "EUR", "payer": "Azure Interior"},
            {"raw_line": 2, "date": "2018-12-15", "amount": "-33.50", "currency": "USD", "payer": "John Doe"},  # debit
        ],
    },
    "csv/paypal_statement_en.csv": {
        # 20 lines: header + 19 rows. Date M/D/YYYY (9/25/2018, 9/27/2018 -> month first).
        # Per-line Currency (EUR and USD). Amount = Gross (signed); Fee/Net also given.
        # EUR: credits lines 3,5,7,9 ("General Currency Conversion" into EUR), debits 2,4,6,8
        # ("General Withdrawal - Bank Account"). USD: credits 10,12,14,16,17,18,20 ("Express
        # Checkout Payment"), debits 11,13,15,19 (currency conversion out of USD).
        # USD credited is GROSS 22010.80; NET would be 21194.30 (fees 816.50, carried on the same
        # lines in the Fee column, not separate lines). Fees are 0.00 on all EUR lines.
        # Conversion lines count as money in/out of that currency balance (internal transfers).
        # Line 17 has Time Zone "CET" (others America/Los_Angeles). Payer from "Name" (empty on
        # withdrawal/conversion lines -> None).
        "credits": 11, "credited": {"EUR": "17346.31", "USD": "22010.80"}, "debits": 8,
        "lines": [
            {"raw_line": 10, "date": "2018-09-04", "amount": "1309.80", "currency": "USD", "payer": "Partner 1"},  # gross; fee -48.76, net 1,261.04
            {"raw_line": 17, "date": "2018-09-27", "amount": "920.70", "currency": "USD", "payer": "Partner 3"},  # CET line; fee -34.37, net 886.33
            {"raw_line": 3, "date": "2018-09-04", "amount": "1058.09", "currency": "EUR", "payer": None},  # currency conversion in, Name empty
            {"raw_line": 2, "date": "2018-09-04", "amount": "-1058.09", "currency": "EUR", "payer": None},  # debit, withdrawal to Bank A
            {"raw_line": 11, "date": "2018-09-04", "amount": "-1261.00", "currency": "USD", "payer": None},  # debit, conversion out of USD
        ],
    },
    "csv/paypal_statement_es.csv": {
        # 5 lines: header (with 6 extra empty trailing columns) + 4 rows, UTF-8. Divisa EUR per line.
        # Decimal comma, '.' thousands ("4.626,81"). All 4 are "Pago estándar" credits.
        # Amount = Bruto (gross): 49,37 + 28,82 + 35,78 + 22,47 = 136.44; NET (Neto) total would be
        # 131.08 (fees 5.36 in the Comisión column of the same lines; Saldo rises by the net).
        # DATE ORDER AMBIGUOUS from the dates alone ("2/1/2020", "3/1/2020"): read D/M/YYYY
        # (Spanish-locale export, decimal comma) -> 2020-01-02 / 2020-01-03; M/D would give
        # 2020-02-01 / 2020-03-01. Payer from "Nombre".
        "credits": 4, "credited": {"EUR": "136.44"}, "debits": 0,
        "lines": [
            {"raw_line": 2, "date": "2020-01-02", "amount": "49.37", "currency": "EUR", "payer": "Partner 1"},  # net 47,59
            {"raw_line": 3, "date": "2020-01-02", "amount": "28.82", "currency": "EUR", "payer": "Partner 2"},  # net 27,63
            {"raw_line": 5, "date": "2020-01-03", "amount": "22.47", "currency": "EUR", "payer": "Partner 4"},  # net 21,47
        ],
    },
    "csv/revolut_eur.csv": {
        # 10 lines: header + 9 rows. Dates ISO; "Started Date" and "Completed Date"; dates below
        # are Completed Date (started date in comments). Amount signed, Fee 0.00 everywhere,
        # Currency EUR per line. Only credit: line 5 TOPUP 500.00.
        # Line 3 "Google *temporary Hold" amount 0.00 -> ZERO line, neither credit nor debit.
        # Lines 7 and 10 are State PENDING (no Completed Date, no Balance): counted as debits per the
        # status-column rule -> debits 2,4,6,7,8,9,10 = 7. If pending rows are dropped: 5 debits.
        # Only a Description column (no counterparty-name column) -> payer None.
        "credits": 1, "credited": {"EUR": "500.00"}, "debits": 7,
        "lines": [
            {"raw_line": 5, "date": "2022-01-08", "amount": "500.00", "currency": "EUR", "payer": None},  # "Top-Up by *1234"; started 2022-01-08 08:11:42
            {"raw_line": 2, "date": "2022-01-02", "amount": "-250.00", "currency": "EUR", "payer": None},  # "To Guybrush Threepwood"
            {"raw_line": 4, "date": "2022-01-07", "amount": "-38.71", "currency": "EUR", "payer": None},  # completed 2022-01-07, started 2022-01-06
            {"raw_line": 7, "date": "2022-01-13", "amount": "-44.57", "currency": "EUR", "payer": None},  # PENDING, no completed date -> started date
        ],
    },
    "csv/wise_usd_with_payment_reference.csv": {
        # 6 lines: header + 5 rows. Date DD-MM-YYYY (24-08-2020); "Date Time" same day on every row.
        # Amount signed, Currency USD per line; "Transaction Type" CREDIT/DEBIT agrees with sign.
        # Credits lines 4 (125.00) and 5 (20.17); debits 2, 3, 6. Payer from "Payer Name" for credits
        # (line 5 "Topped up balance" has none -> None); for debits the "Payee Name" column.
        # Line 2's 11.35 "Total fees" is the separate debit line 3; line 5's 0.17 fee is line 6.
        "credits": 2, "credited": {"USD": "145.17"}, "debits": 3,
        "lines": [
            {"raw_line": 4, "date": "2020-08-24", "amount": "125.00", "currency": "USD", "payer": "Friend."},  # "Received money from the friend. with reference "
            {"raw_line": 5, "date": "2020-08-20", "amount": "20.17", "currency": "USD", "payer": None},  # Topped up balance
            {"raw_line": 2, "date": "2020-08-24", "amount": "-357.38", "currency": "USD", "payer": "John Doe"},  # debit, Payee Name; ref "Moving to Revolut"
        ],
    },
    "payments/payments_inr.csv": {
        # 5 lines, CRLF. Header + 4 rows of payments RECEIVED ("Received From"), all money in.
        # Date DD/MM/YYYY (13/03/2026 -> day first). Amounts: line 2 "₹1,18,000.00" (Indian
        # grouping = 118000.00), line 3 "₹50,000", line 4 "2,500.50" (no ₹ sign), line 5
        # "twelve hundred" (amount in words, not a number).
        # Line 5 EXCLUDED from counts/total as having no numeric amount (it would be 1200 if read).
        # CURRENCY: INR from the ₹ signs on lines 2-3 (118000.00 + 50000.00 = 168000.00); line 4
        # has no symbol, so the file does not say (a workspace would count it in its own currency).
        "credits": 3, "credited": {"INR": "168000.00", "?": "2500.50"}, "debits": 0,
        "lines": [
            {"raw_line": 2, "date": "2026-03-05", "amount": "118000.00", "currency": "INR", "payer": "Bansal & Sons"},
            {"raw_line": 3, "date": "2026-03-13", "amount": "50000.00", "currency": "INR", "payer": "Acme Traders"},  # file "₹50,000"
            {"raw_line": 4, "date": "2026-03-14", "amount": "2500.50", "currency": "?", "payer": "Unknown sender"},  # no ₹ sign: the file does not say
        ],
    },
}

# ---- ofx_qfx_qif
# Hand reading of the OFX / QFX / QIF statement fixtures in
# /work/main/tests/fixtures/statements/{ofx,qfx,qif}/ (expected.json files NOT opened,
# collectbot code NOT read). Read with cat -A / sed -n / grep -o counts / od -c / iconv (display only).
# Conventions:
#   * raw_line = 1-based line of the <STMTTRN> open tag (OFX/QFX) or of the record's first line
#     (the D line) for QIF. For one-line SGML bodies the line holding the whole body is given and the
#     transaction is named by FITID in the comment.
#   * date = DTPOSTED (OFX) date part, timezone bracket ignored; QIF D field, order explained per file.
#   * amount = signed, decimals as the file writes them (no padding: "-80", "-29", "-102.1" kept);
#     a decimal comma "-200,00" is written "-200.00"; QIF thousands comma "-1,000.00" -> "-1000.00".
#   * payer = NAME (OFX) / P (QIF) as written, entities decoded ONE level, non-ASCII decoded per the
#     file's CHARSET; trailing blanks kept exactly (see notes). None when there is no NAME / P.
#   * credited = {} when there are no credits.
#   * No file has a per-transaction <CURRENCY> or <ORIGCURRENCY>; currency is CURDEF everywhere.

OFX_QFX_QIF = {
    # ------------------------------------------------------------------ OFX
    "ofx/checking_sgml_v102_usd.ofx": {
        # SGML v102, one tag per line, tab-indented. One STMTRS, CURDEF USD (line 37), 3 STMTTRN.
        # Only credit: FITID 0000486 dividend +0.01. Debits: -34.51, -25.00 (CHECK 319).
        "credits": 1, "credited": {"USD": "0.01"}, "debits": 2,
        "lines": [
            {"raw_line": 46, "date": "2011-03-31", "amount": "0.01", "currency": "USD",
             "payer": "DIVIDEND EARNED FOR PERIOD OF 03"},  # FITID 0000486, NAME is truncated by the bank (MEMO has the full text)
            {"raw_line": 54, "date": "2011-04-05", "amount": "-34.51", "currency": "USD",
             "payer": "AUTOMATIC WITHDRAWAL, ELECTRIC BILL"},  # FITID 0000487
            {"raw_line": 62, "date": "2011-04-07", "amount": "-25.00", "currency": "USD",
             "payer": "RETURNED CHECK FEE, CHECK # 319"},  # FITID 0000488, CHECKNUM 319
        ],
    },
    "ofx/bank_medium_sgml_oneline_cad.ofx": {
        # SGML v102; despite the name, each STMTTRN sits on its own line (15,16,17); header blocks are
        # packed on lines 11-14 and 18. CURDEF CAD (line 13). 3 STMTTRN, all negative.
        "credits": 0, "credited": {}, "debits": 3,
        "lines": [
            {"raw_line": 15, "date": "2009-04-01", "amount": "-6.60", "currency": "CAD",
             "payer": "MCDONALD'S #112"},  # FITID 0000123456782009040100001, POS
            {"raw_line": 16, "date": "2009-04-02", "amount": "-316.67", "currency": "CAD",
             "payer": "Joe's Bald Hairstyles"},  # FITID 0000123456782009040200004, CHECK, CHECKNUM 0
            {"raw_line": 17, "date": "2009-04-03", "amount": "-22.00", "currency": "CAD",
             "payer": "CONNIE'S HAIR D"},  # FITID 0000123456782009040300005, POS
        ],
    },
    "ofx/beangulp_amex_creditcard_oneline.ofx": {
        # SGML v102 credit card (CCSTMTRS), CURDEF USD. Whole body is ONE line (line 11).
        # 27 <STMTTRN> (27 </STMTTRN>, 27 <TRNAMT>, every TRNAMT starts with '-') -> 27 debits, 0 credits.
        # Amounts are written without padding ("-29", "-102.1", "-15.9") - kept as written.
        # NAMEs are fixed-width and several end in blanks before the next tag; kept exactly.
        "credits": 0, "credited": {}, "debits": 27,
        "lines": [
            {"raw_line": 11, "date": "2013-11-21", "amount": "-29", "currency": "USD",
             "payer": "JEFFREY'S 0252      NEW YORK   "},  # FITID 320133250213757584 (1st txn); 6 blanks before NEW, 3 trailing blanks
            {"raw_line": 11, "date": "2013-11-22", "amount": "-13.93", "currency": "USD",
             "payer": "WHOLEFDS HOU 10236 02124201320"},  # FITID 320133260227320537 (2nd txn)
            {"raw_line": 11, "date": "2013-11-02", "amount": "-30.49", "currency": "USD",
             "payer": "BARNES & NOBLE 2675 NEW YORK   "},  # FITID 320133060449360218 (14th txn); raw "BARNES &amp; NOBLE", 3 trailing blanks
            {"raw_line": 11, "date": "2013-11-08", "amount": "-102.1", "currency": "USD",
             "payer": "EATALY NY           NEW YORK   "},  # FITID 320133120033277045 (20th txn); 11 blanks before NEW, 3 trailing blanks
        ],
    },
    "ofx/suncorp_xml_v200_aud_cdata.ofx": {
        # XML OFX v200, CRLF line ends, CURDEF AUD (line 26). 1 STMTTRN, debit.
        # NAME is in CDATA and ends with two blanks inside the CDATA ("...ALDI STORE  ").
        "credits": 0, "credited": {}, "debits": 1,
        "lines": [
            {"raw_line": 35, "date": "2013-12-15", "amount": "-16.85", "currency": "AUD",
             "payer": "EFTPOS WDL HANDYWAY ALDI STORE  "},  # FITID 1; two trailing blanks are inside the CDATA
        ],
    },
    "ofx/anz_creditcard_v203_aud.ofx": {
        # OFX v203 header but SGML-style body (no closing tags on leaves). Credit card, CURDEF AUD.
        # 1 STMTTRN, debit -5.50, no NAME (only MEMO "SOME MEMO"). LEDGERBAL -123.45 / AVAILBAL 123.45 ignored.
        "credits": 0, "credited": {}, "debits": 1,
        "lines": [
            {"raw_line": 29, "date": "2017-05-08", "amount": "-5.50", "currency": "AUD",
             "payer": None},  # FITID 201705080001, MEMO "SOME MEMO"
        ],
    },
    "ofx/multiple_accounts_v211.ofx": {
        # XML OFX v211 with TWO bank accounts (STMTRS ACCTID 9100 CHECKING, ACCTID 9200 SAVINGS), both
        # CURDEF USD. Neither has a BANKTRANLIST; only LEDGERBAL (111, 222). Zero transactions in total.
        "credits": 0, "credited": {}, "debits": 0,
        "lines": [],
    },
    "ofx/nubank_br_creditcard_brl.ofx": {
        # SGML v102 credit card, CURDEF BRL. 6 STMTTRN, all negative; no NAME (MEMO "-memo-message-").
        # Note: the file has no </BANKTRANLIST> close tag (LEDGERBAL follows directly).
        # Debits add up to 1280.91 = |LEDGERBAL -1280.91| (checked: 13.00+162.90+33.46+9.02+103.53+959.00).
        "credits": 0, "credited": {}, "debits": 6,
        "lines": [
            {"raw_line": 40, "date": "2024-03-23", "amount": "-13.00", "currency": "BRL", "payer": None},   # FITID 11111111-UUID-4747-8883-111111111111
            {"raw_line": 48, "date": "2024-03-23", "amount": "-162.90", "currency": "BRL", "payer": None},  # FITID 11111111-UUID-44dc-b153-111111111111
            {"raw_line": 56, "date": "2024-03-23", "amount": "-33.46", "currency": "BRL", "payer": None},   # FITID 11111111-UUID-4ec7-a011-111111111111
            {"raw_line": 64, "date": "2024-03-22", "amount": "-9.02", "currency": "BRL", "payer": None},    # FITID 11111111-UUID-4ca3-8d84-111111111111
            {"raw_line": 72, "date": "2024-03-22", "amount": "-103.53", "currency": "BRL", "payer": None},  # FITID 11111111-UUID-4b37-972f-111111111111
            {"raw_line": 80, "date": "2024-03-22", "amount": "-959.00", "currency": "BRL", "payer": None},  # FITID 11111111-UUID-427c-8fc0-111111111111
        ],
    },
    "ofx/oca_ofx_iban_usd.ofx": {
        # XML OFX v211, TWO accounts: a bank STMTRS (ACCTID 12345678901, USD) whose transactions are
        # spread over FOUR separate BANKTRANLIST blocks (non-standard; one STMTTRN each), plus a credit
        # card CCSTMTRS (ACCTID 123412341234, USD) with an EMPTY BANKTRANLIST. All accounts counted:
        # 4 transactions, all negative, integer amounts without decimals ("-80").
        "credits": 0, "credited": {}, "debits": 4,
        "lines": [
            {"raw_line": 32, "date": "2013-08-24", "amount": "-80", "currency": "USD", "payer": "Agrolait"},      # FITID 219378
            {"raw_line": 43, "date": "2013-08-24", "amount": "-90", "currency": "USD", "payer": "China Export"},  # FITID 219379
            {"raw_line": 54, "date": "2013-08-24", "amount": "-100", "currency": "USD", "payer": "Axelor Scuba"}, # FITID 219380
            {"raw_line": 65, "date": "2013-08-24", "amount": "-90", "currency": "USD", "payer": "China Scuba"},   # FITID 219381
        ],
    },
    "ofx/stmtrs_decimal_comma.ofx": {
        # XML OFX v200, CURDEF USD, amounts with DECIMAL COMMA ("-200,00", BALAMT "200,29").
        # Only 2 STMTTRN in the file (so only 2 lines can be given), both debits, no NAME.
        "credits": 0, "credited": {}, "debits": 2,
        "lines": [
            {"raw_line": 38, "date": "2005-10-04", "amount": "-200.00", "currency": "USD", "payer": None},  # FITID 00002, CHECK 1000, raw "-200,00"
            {"raw_line": 45, "date": "2005-10-20", "amount": "-300.00", "currency": "USD", "payer": None},  # FITID 00003, ATM, raw "-300,00"
        ],
    },
    # ------------------------------------------------------------------ QFX
    "qfx/actual_cp1252_euro_sign.qfx": {
        # SGML v102, header ENCODING:USASCII but CHARSET:1252; NAME bytes 0xE9 and 0x80 -> "é" and "€"
        # under cp1252 (0x80 would be a C1 control under latin-1). CURDEF CAD (euro signs are only text).
        # 1 STMTTRN, debit. MEMO "Paiement 5€ — débit" (0x97 = em dash).
        "credits": 0, "credited": {}, "debits": 1,
        "lines": [
            {"raw_line": 43, "date": "2022-10-19", "amount": "-20.00", "currency": "CAD",
             "payer": "Café Métro €uro"},  # FITID cafe1252xx
        ],
    },
    "qfx/actual_html_entities_cad.qfx": {
        # SGML v102, CURDEF CAD, each STMTTRN on one line (15, 16). 2 debits of -1.00.
        # Line 15 NAME is "000000000000000" (payee only in MEMO "...;B.C. HYDRO &amp; POWER AUTHORITY;...").
        # Line 16 NAME is DOUBLE-escaped "TPAY &amp;lt;DEFTPYMT&amp;gt;": one-level decode gives
        # "TPAY &lt;DEFTPYMT&gt;", a second decode would give "TPAY <DEFTPYMT>" (AMBIGUOUS, see report).
        "credits": 0, "credited": {}, "debits": 2,
        "lines": [
            {"raw_line": 15, "date": "2023-05-09", "amount": "-1.00", "currency": "CAD",
             "payer": "000000000000000"},  # FITID 23129130032333396279270000
            {"raw_line": 16, "date": "2023-03-01", "amount": "-1.00", "currency": "CAD",
             "payer": "TPAY &lt;DEFTPYMT&gt;"},  # FITID 23060061032549554596530000; fully decoded: "TPAY <DEFTPYMT>"
        ],
    },
    "qfx/actual_iso8859-1_fr_cad.qfx": {
        # SGML v102, CHARSET:8859-1; bytes 0xE9 -> "é". CURDEF CAD. 1 STMTTRN, debit.
        "credits": 0, "credited": {}, "debits": 1,
        "lines": [
            {"raw_line": 43, "date": "2022-10-19", "amount": "-20.00", "currency": "CAD",
             "payer": "Paiement facture/Carte prépayée"},  # FITID wSoKuCS77, MEMO "PWW"
        ],
    },
    "qfx/beangulp_investment_401k.qfx": {
        # SGML v102, CRLF, body on one line (11). INVESTMENT statement only (INVSTMTRS, CURDEF USD,
        # 401k): INVTRANLIST holds 12 BUYMF, 4 TRANSFER, 2 REINVEST (DIV) - none is a bank transaction.
        # There is no INVBANKTRAN, no STMTTRN and no TRNAMT anywhere; plus INVPOSLIST (2 POSMF),
        # INV401K/INV401KBAL and a SECLIST. Bank transactions: none.
        "credits": 0, "credited": {}, "debits": 0,
        "lines": [],
    },
    # ------------------------------------------------------------------ QIF
    "qif/oca_test.qif": {
        # !Type:Bank, 5 records, all negative. Date order M/D/YY: "8/15/13" can only be
        # month 8, day 15 (15 is no month); the rest read the same way. YY 13 -> 2013.
        # "-1,000.00" uses a THOUSANDS comma (a dot decimal follows), i.e. -1000.00.
        "credits": 0, "credited": {}, "debits": 5,
        "lines": [
            {"raw_line": 2, "date": "2013-08-12", "amount": "-1000.00", "currency": "?", "payer": "Delta PC"},  # raw T-1,000.00
            {"raw_line": 6, "date": "2013-08-15", "amount": "-75.46", "currency": "?", "payer": "Walts Drugs"},
            {"raw_line": 10, "date": "2013-03-03", "amount": "-379.00", "currency": "?", "payer": "Epic Technologies"},
            {"raw_line": 14, "date": "2013-03-04", "amount": "-20.28", "currency": "?", "payer": "YOUR LOCAL SUPERMARKET"},
            {"raw_line": 18, "date": "2013-03-03", "amount": "-421.35", "currency": "?", "payer": "SPRINGFIELD WATER UTILITY"},
        ],
    },
    "qif/oca_test_ymd.qif": {
        # !Type:Bank, same 5 records as oca_test.qif with dates written YY/MM/DD: "13/08/12", "13/08/15",
        # "13/3/3", "13/3/4", "13/3/3". First field is 13 in every record (cannot be a month), the last
        # field varies 12/15/3/4/3: year-first reads as one 2013 statement; D/M/Y would spread the
        # records over 2003..2015 with every day = 13 - implausible. Read as YY/M/D (file name says ymd).
        "credits": 0, "credited": {}, "debits": 5,
        "lines": [
            {"raw_line": 2, "date": "2013-08-12", "amount": "-1000.00", "currency": "?", "payer": "Delta PC"},  # raw D13/08/12, T-1,000.00
            {"raw_line": 6, "date": "2013-08-15", "amount": "-75.46", "currency": "?", "payer": "Walts Drugs"},
            {"raw_line": 10, "date": "2013-03-03", "amount": "-379.00", "currency": "?", "payer": "Epic Technologies"},
            {"raw_line": 14, "date": "2013-03-04", "amount": "-20.28", "currency": "?", "payer": "YOUR LOCAL SUPERMARKET"},
            {"raw_line": 18, "date": "2013-03-03", "amount": "-421.35", "currency": "?", "payer": "SPRINGFIELD WATER UTILITY"},
        ],
    },
    "qif/quiffen_split.qif": {
        # !Type:Bank, ONE record (lines 2-11) with splits: T-10.00 (U-10.00 duplicates it), split lines
        # $-9.00 + $-1.00 = -10.00. Date "1/ 1'00": Quicken M/D'YY with blank padding, apostrophe = 2000s
        # -> 2000-01-01 (month/day order can't be told from 1/1 itself; both give the same date).
        "credits": 0, "credited": {}, "debits": 1,
        "lines": [
            {"raw_line": 2, "date": "2000-01-01", "amount": "-10.00", "currency": "?", "payer": "A Payee"},
        ],
    },
    "qif/quiffen_multi_account_splits.qif": {
        # Sections: !Type:Class x2 and !Type:Cat x2 (class/category lists, no transactions);
        # !Type:Bank (lines 28-91) with 6 records; !Type:Invst (lines 92-101) with ONE investment
        # record (Buy $AAPL, I32.00 price, Q376 qty, O10 commission, $100.00) - not bank-like, EXCLUDED;
        # !Type:Security x2 (security lists, no transactions). No !Account headers: despite the name
        # there is only one bank account block.
        # Bank records: line 29 T0.00 "Opening Balance" (ZERO: neither credit nor debit);
        # credits 67.50 (T-Mobile, splits -15.00 + 82.50) and 32.00 (US Post Office) -> 99.50;
        # debits -10.00 (Target, splits -5 -5), -25.00 (Walmart), -100.00 (Amazon.com, splits
        # -50 -25 -10 -15; a stray D1/10'2020 sits inside its split lines at line 79 - the record's
        # date is line 72).
        # Dates M/D'YYYY: "2/14'2020" -> 14 can only be the day.
        "credits": 2, "credited": {"?": "99.50"}, "debits": 3,
        "lines": [
            # zero-amount record, not counted: {"raw_line": 29, "date": "2020-02-10", "amount": "0.00", "currency": "?", "payer": "Opening Balance"},
            {"raw_line": 35, "date": "2020-02-14", "amount": "67.50", "currency": "?", "payer": "T-Mobile"},
            {"raw_line": 46, "date": "2020-02-14", "amount": "32.00", "currency": "?", "payer": "US Post Office"},
            {"raw_line": 52, "date": "2020-02-12", "amount": "-10.00", "currency": "?", "payer": "Target"},
            {"raw_line": 64, "date": "2020-02-11", "amount": "-25.00", "currency": "?", "payer": "Walmart"},
            {"raw_line": 72, "date": "2020-02-10", "amount": "-100.00", "currency": "?", "payer": "Amazon.com"},
        ],
    },
    "qif/quiffen_oth_a_account.qif": {
        # Byte-identical to quiffen_multi_account_splits.qif except line 28 is "!Type:Oth A" instead of
        # "!Type:Bank" and the final !Type:Security "Bitcoin - USD" block is absent.
        # "Oth A" = Quicken "Other Asset" account: its records have the same D/T/P/L/S layout as bank
        # records (bank-like), so they are COUNTED here (same numbers as the Bank file). If a reader
        # only accepts !Type:Bank/Cash/CCard, the answer would be 0/0/0 - see report.
        # Class/Cat lists, the one !Type:Invst record (Buy $AAPL) and Security lists excluded as above.
        # Zero record at line 29 (T0.00 "Opening Balance") is neither.
        "credits": 2, "credited": {"?": "99.50"}, "debits": 3,
        "lines": [
            # zero-amount record, not counted: {"raw_line": 29, "date": "2020-02-10", "amount": "0.00", "currency": "?", "payer": "Opening Balance"},
            {"raw_line": 35, "date": "2020-02-14", "amount": "67.50", "currency": "?", "payer": "T-Mobile"},
            {"raw_line": 46, "date": "2020-02-14", "amount": "32.00", "currency": "?", "payer": "US Post Office"},
            {"raw_line": 52, "date": "2020-02-12", "amount": "-10.00", "currency": "?", "payer": "Target"},
            {"raw_line": 64, "date": "2020-02-11", "amount": "-25.00", "currency": "?", "payer": "Walmart"},
            {"raw_line": 72, "date": "2020-02-10", "amount": "-100.00", "currency": "?", "payer": "Amazon.com"},
        ],
    },
}

# ---- camt053
# Hand reading of the camt.053 / camt.054 fixtures (read with cat -n / grep -n; sums done by hand
# with python3 -c on copied numbers). No parser, no *.expected.json, nothing under collectbot/ read.
# raw_line = 1-based line of the <Ntry> start, or of the <TxDtls> start for a batch entry
# (an <Ntry> with several <TxDtls>). Amounts are copied as written in the file (credits positive,
# debits negative); compare with Decimal, since one file (raiffeisen) writes amounts without
# fixed decimals ("368", "905.3").

CAMT = {
    "camt053/genkgo_camt053_v2_five_decimals.xml": {
        # camt.053.001.02, 1 Stmt, 1 Ntry (line 61) with 1 TxDtls (line 78, no own Amt/CdtDbtInd).
        # Despite the file name, amounts have THREE decimals (8.850, balances 18.150 / 27.050);
        # 18.150 + 8.850 = 27.000, but CLBD says 27.050 (balances don't reconcile, 0.050 off).
        # RltdPties has only Cdtr "Company Name" (no Dbtr), so payer None. Only one line exists.
        "credits": 1, "credited": {"EUR": "8.850"}, "debits": 0,
        "lines": [
            {"raw_line": 61, "date": "2014-12-31", "amount": "8.850", "currency": "EUR", "payer": None},  # ValDt 2015-01-02
        ],
    },
    "camt053/genkgo_camt053_v2_multi_statement.xml": {
        # camt.053.001.02, TWO <Stmt> (lines 26 and 112), one Ntry each, each Ntry with 1 TxDtls.
        # Stmt 1: CRDT 8.85 (RltdPties only Cdtr "Company Name 1", no Dbtr -> payer None).
        # Stmt 2: DBIT 7.00 to Cdtr "Company Name 2". Counted over both statements.
        "credits": 1, "credited": {"EUR": "8.85"}, "debits": 1,
        "lines": [
            {"raw_line": 66, "date": "2014-12-31", "amount": "8.85", "currency": "EUR", "payer": None},  # Stmt 1; ValDt 2015-01-02
            {"raw_line": 145, "date": "2014-12-31", "amount": "-7.00", "currency": "EUR", "payer": "Company Name 2"},  # Stmt 2; debit, creditor name; ValDt 2015-01-02
        ],
    },
    "camt053/genkgo_camt053_v2_structured_scor_ref.xml": {
        # camt.053.001.02, 1 Stmt, 1 Ntry (line 90) with 1 TxDtls (line 107, no own Amt).
        # Balances are in mixed currencies (EUR/SEK/CHF/JPY) - ignored; the entry is EUR.
        # Dbtr/Nm "NAME NAME"; RmtInf is structured SCOR ref 4654654654654654 (no Ustrd).
        "credits": 1, "credited": {"EUR": "8.85"}, "debits": 0,
        "lines": [
            {"raw_line": 90, "date": "2014-12-31", "amount": "8.85", "currency": "EUR", "payer": "NAME NAME"},  # ValDt 2015-01-02
        ],
    },
    "camt053/genkgo_camt053_v8_bookgdt_dttm.xml": {
        # camt.053.001.08, 1 Stmt, 1 Ntry (line 110), BookgDt is a DtTm 2014-12-31T13:15:00+01:00.
        # AMBIGUOUS: its single TxDtls (line 133) carries its own <Amt Ccy="SEK">0</Amt> and
        # CdtDbtInd CRDT; per the rule "one TxDtls -> use the Ntry amount" the line is EUR 8.85.
        # (A reader that takes the TxDtls amount would get SEK 0.) Payer from Dbtr/Pty/Nm.
        "credits": 1, "credited": {"EUR": "8.85"}, "debits": 0,
        "lines": [
            {"raw_line": 110, "date": "2014-12-31", "amount": "8.85", "currency": "EUR", "payer": "NAME NAME"},  # DtTm date part; ValDt 2015-01-02
        ],
    },
    "camt053/iso20022_chf_camt053_001_08.xml": {
        # camt.053.001.08, 1 Stmt, 1 Ntry (line 99) with 1 TxDtls (line 128, own Amt CHF 1284.30 CRDT,
        # same as Ntry). TxsSummry agrees: 1 credit entry, sum 1284.30, 0 debits.
        # Balances reconcile: 832.01 + 1284.30 = 2116.31. Payer from Dbtr/Pty/Nm = "PAYEE".
        "credits": 1, "credited": {"CHF": "1284.30"}, "debits": 0,
        "lines": [
            {"raw_line": 99, "date": "2023-01-25", "amount": "1284.30", "currency": "CHF", "payer": "PAYEE"},  # ValDt same
        ],
    },
    "camt053/iso20022_postfinance_ch_camt053_001_02.xml": {
        # camt.053.001.02, 1 Stmt, 5 Ntry (lines 49, 92, 135, 178, 221), all CRDT, each 1 TxDtls
        # (amount only in AmtDtls/InstdAmt, equal to Ntry Amt). Currency code is literally "XXX".
        # 10000.00 + 1000.00 + 1000.00 + 1000.00 + 10.00 = 13010.00.
        # No RltdPties anywhere -> payer None. Balances (OPBD 0.00, CLBD 10000.00) do NOT reconcile
        # with the 13010.00 of entries. ValDt = BookgDt for every entry.
        "credits": 5, "credited": {"XXX": "13010.00"}, "debits": 0,
        "lines": [
            {"raw_line": 49, "date": "2016-04-23", "amount": "10000.00", "currency": "XXX", "payer": None},
            {"raw_line": 92, "date": "2016-07-28", "amount": "1000.00", "currency": "XXX", "payer": None},
            {"raw_line": 135, "date": "2016-12-11", "amount": "1000.00", "currency": "XXX", "payer": None},
            {"raw_line": 178, "date": "2016-12-27", "amount": "1000.00", "currency": "XXX", "payer": None},
            {"raw_line": 221, "date": "2016-12-31", "amount": "10.00", "currency": "XXX", "payer": None},  # ACMT/ACOP/INTR (interest)
        ],
    },
    "camt053/iso20022_raiffeisen_ch_camt053_001_04.xml": {
        # camt.053.001.04, 1 Stmt, 16 Ntry, NO TxDtls and NO RltdPties anywhere (payer always None;
        # only AddtlNtryInf text). Dates are written with an offset, e.g. "2017-04-11+02:00".
        # 1 CRDT (line 363, "368"), 15 DBIT: 905.3, 158.5, 38, 14.5, 155.85, 240, 1395, 49.7,
        # 799.75, 136.6, 71.8, 18.1, 13.95, 34, 16.8 = 4047.85.
        # Balances reconcile: 9433.31 + 368 - 4047.85 = 5753.46.
        # Amounts are written without fixed decimals; copied verbatim ("368" == 368.00).
        "credits": 1, "credited": {"CHF": "368"}, "debits": 15,
        "lines": [
            {"raw_line": 363, "date": "2017-04-11", "amount": "368", "currency": "CHF", "payer": None},  # "Accredito xxxxxxxxxxxxxx"; ValDt same
            {"raw_line": 54, "date": "2017-04-01", "amount": "-905.3", "currency": "CHF", "payer": None},  # ValDt 2017-04-03; direct debit "...xxxx AG"
            {"raw_line": 82, "date": "2017-04-01", "amount": "-158.5", "currency": "CHF", "payer": None},  # ValDt 2017-04-03; MIGROS card purchase
            {"raw_line": 211, "date": "2017-04-05", "amount": "-1395", "currency": "CHF", "payer": None},  # ValDt same; "E-banking Ordine a Huber-SchindlerAG..."
        ],
    },
    "camt053/oca_camt053_001_02_abnamro_nl.xml": {
        # camt.053.001.02, 1 Stmt, 3 Ntry:
        #  line 50: DBIT 754.25, 1 TxDtls, Cdtr "INSURANCE COMPANY TESTX".
        #  line 113: DBIT 664.05 with <RvslInd>true</RvslInd> (REVERSAL), a batch (Btch NbOfTxs 2,
        #    TtlAmt 664.05 DBIT) of 2 TxDtls (lines 144 and 185) with amounts in AmtDtls/TxAmt:
        #    564.05 and 100.00 (sum 664.05), no own CdtDbtInd -> entry's DBIT; both Cdtr "Test Customer",
        #    RtrInf reason AC06 (returned direct debit).
        #  line 228: CRDT 1405.31, 1 TxDtls, Dbtr "3rd party Media".
        # debits = 3 at TxDtls level (= 2 entries). All dates 2014-01-05 (ValDt same).
        # Balances do NOT reconcile either way: OPBD 15568.27 -> CLBD 15121.12 (-447.15), entries
        # give -12.99 (reversal taken as debit) or +1315.11 (reversal taken as credit).
        "credits": 1, "credited": {"EUR": "1405.31"}, "debits": 3,
        "lines": [
            {"raw_line": 228, "date": "2014-01-05", "amount": "1405.31", "currency": "EUR", "payer": "3rd party Media"},
            {"raw_line": 50, "date": "2014-01-05", "amount": "-754.25", "currency": "EUR", "payer": "INSURANCE COMPANY TESTX"},  # debit, creditor name
            {"raw_line": 144, "date": "2014-01-05", "amount": "-564.05", "currency": "EUR", "payer": "Test Customer"},  # batch TxDtls 1/2 of reversed entry line 113
            {"raw_line": 185, "date": "2014-01-05", "amount": "-100.00", "currency": "EUR", "payer": "Test Customer"},  # batch TxDtls 2/2 of reversed entry line 113
        ],
    },
    "camt053/oca_camt053_batch_txdtls.xml": {
        # camt.053.001.04, 1 Stmt, 1 Ntry (line 53) CRDT 3483.00 = batch (Btch NbOfTxs 2) of
        # 2 TxDtls each with own Amt + CdtDbtInd CRDT: line 79 CHF 2187.00, line 144 CHF 1296.00
        # (sum 3483.00). Both Dbtr/Nm "Banque Cantonale Vaudoise". BookgDt 2017-03-22, ValDt 2017-03-23.
        # Balances reconcile: 75960.15 + 3483.00 = 79443.15. Only two lines exist.
        "credits": 2, "credited": {"CHF": "3483.00"}, "debits": 0,
        "lines": [
            {"raw_line": 79, "date": "2017-03-22", "amount": "2187.00", "currency": "CHF", "payer": "Banque Cantonale Vaudoise"},  # ValDt 2017-03-23
            {"raw_line": 144, "date": "2017-03-22", "amount": "1296.00", "currency": "CHF", "payer": "Banque Cantonale Vaudoise"},  # ValDt 2017-03-23
        ],
    },
    "camt053/oca_camt053_no_entries.xml": {
        # camt.053.001.04, 1 Stmt with only two balances (OPBD = CLBD = CHF 1520.76), no <Ntry>.
        "credits": 0, "credited": {}, "debits": 0,
        "lines": [],
    },
    "camt053/oca_camt054_debit_credit_notification.xml": {
        # camt.054.001.04 (BkToCstmrDbtCdtNtfctn), 1 <Ntfctn> (no Stmt, no balances),
        # 1 Ntry (line 31) CRDT 5.00 with Btch NbOfTxs 1 and 1 TxDtls (line 57, own Amt EUR 5.00 CRDT).
        "credits": 1, "credited": {"EUR": "5.00"}, "debits": 0,
        "lines": [
            {"raw_line": 31, "date": "2022-01-26", "amount": "5.00", "currency": "EUR", "payer": "Test Customer"},  # ValDt same
        ],
    },
    "same/same.camt053.xml": {
        # camt.053.001.02, 1 Stmt, no balances, 6 Ntry each with 1 TxDtls (no own Amt).
        # CRDT: 1180.00 + 500.00 + 2400.00 + 75.50 = 4155.50; DBIT: 250.00 (Cdtr "Office Rent Ltd"),
        # 12.00 (no RltdPties, "Bank charges"). ValDt = BookgDt everywhere.
        # Payer of line 9 is written "Bansal &amp; Sons" in the XML, i.e. "Bansal & Sons".
        "credits": 4, "credited": {"EUR": "4155.50"}, "debits": 2,
        "lines": [
            {"raw_line": 9, "date": "2026-03-02", "amount": "1180.00", "currency": "EUR", "payer": "Bansal & Sons"},  # INV-0042
            {"raw_line": 27, "date": "2026-03-03", "amount": "500.00", "currency": "EUR", "payer": "Acme Traders"},
            {"raw_line": 45, "date": "2026-03-04", "amount": "-250.00", "currency": "EUR", "payer": "Office Rent Ltd"},  # debit, creditor name
            {"raw_line": 63, "date": "2026-03-05", "amount": "2400.00", "currency": "EUR", "payer": "Kumar Enterprises"},
            {"raw_line": 81, "date": "2026-03-06", "amount": "75.50", "currency": "EUR", "payer": "Priya Sharma"},
            {"raw_line": 99, "date": "2026-03-09", "amount": "-12.00", "currency": "EUR", "payer": None},  # bank charges, no party
        ],
    },
}

# ---- mt940_bai2
# Hand-read reference values for MT940 / BAI2 statement fixtures.
# Read with cat -A / sed -n / grep -n only; sums done by hand (python3 -c / bc on copied numbers).
# No *.expected.json opened, nothing under collectbot/ read.
#
# Conventions:
#  - MT940 "date": the entry (booking) date MMDD from :61: when present, year taken from the value
#    date (no file crosses a year end); else the value date. Comments say which.
#  - MT940 mark: no RC/RD (reversal) marks occur in ANY of the 10 MT940 files (0 reversals).
#    "CR"/"DR" (sepa_structured86_de) and "CN" (mbank) and "DF" (sberbank) are C/D followed by
#    the optional 3rd currency letter (EUR->R, PLN->N, HUF->F), confirmed by balance arithmetic.
#  - BAI2 "date": 02-record as-of date unless the 16 record carries a funds-type V value date.
#  - "credited" is {} when there are no credits.

MT940_BAI2 = {
    "mt940/abnamro_nl.sta": {
        # Two statements (:60F: / :60M:), both EUR. 10 :61: lines, all 'D' -> 0 credits, 10 debits.
        # Entry dates present on every :61:. Debits: 9.00, 11.59, 11.63, 11.80, 13.45, 15.49, 107.00,
        # 141.48 (stmt 1) and 9.49, 15.00 (stmt 2). Odd: the source's balances do not reconcile
        # (3236.28 - 321.44 != 876.84; 2876.84 - 24.49 != 1849.75) - upstream test data, not a reading issue.
        # Blank line 22 between records. No credits, so only debit lines listed.
        "credits": 0, "credited": {}, "debits": 10,
        "lines": [
            {"raw_line": 8, "date": "2011-05-24", "amount": "-9.00", "currency": "EUR", "payer": "KPN - DIGITENNE"},  # entry date 0524; "GIRO 428428 KPN - DIGITENNE"
            {"raw_line": 12, "date": "2011-05-23", "amount": "-11.59", "currency": "EUR", "payer": "DIRCKIII FIL2500 KATWIJK"},  # value 2011-05-21, entry 0523; card payment (BEA) merchant
            {"raw_line": 23, "date": "2011-05-23", "amount": "-107.00", "currency": "EUR", "payer": "HANS ANDERS OPT./056 KAT"},  # "107," = 107.00; value 05-21, entry 0523; merchant text truncated in source
            {"raw_line": 38, "date": "2011-05-24", "amount": "-15.00", "currency": "EUR", "payer": "MYCOM DEN HAAG"},  # second statement; :86: "52.89.39.882   MYCOM DEN HAAG"
        ],
    },
    "mt940/actual_swift_block_structured86_utf8.sta": {
        # SWIFT blocks {1:}{2:}{4: ... -}. EUR. 6 :61: lines: 1 credit (1200.00), 5 debits
        # (42.50+89.99+15.00+24.80+31.00=203.29; 1500+1200-203.29 = 2496.71 = :62F: OK).
        # Odd: line 20 "Paiement mobile" sits between :61: (line 19) and its :86: (line 21) - a
        # continuation of the :61: supplementary details, not a transaction. :86: formats are mixed:
        # /NAME/ subfields (lines 9, 11), German ?32 structured (line 13), free text (15, 17-18, 21).
        # UTF-8 text: "Boulangerie L'Étoile", "Salaire août 2025", "MÜLLER GMBH".
        "credits": 1, "credited": {"EUR": "1200.00"}, "debits": 5,
        "lines": [
            {"raw_line": 10, "date": "2025-08-02", "amount": "1200.00", "currency": "EUR", "payer": "Employeur Acme SARL"},  # entry date 0802 (= value date); /NAME/
            {"raw_line": 8, "date": "2025-08-01", "amount": "-42.50", "currency": "EUR", "payer": "Boulangerie L'\u00c9toile"},  # /NAME/ subfield
            {"raw_line": 12, "date": "2025-08-03", "amount": "-89.99", "currency": "EUR", "payer": "M\u00dcLLER GMBH"},  # ?32 subfield
            {"raw_line": 19, "date": "2025-08-06", "amount": "-31.00", "currency": "EUR", "payer": "TREMBLAY, MARIE"},  # free-text :86: "B32?TREMBLAY, MARIE Paiement mobile"; name reading is a judgement
        ],
    },
    "mt940/ing_nl.sta": {
        # EUR. 7 :61: lines, no entry dates (value date used). Credits: 3.68 (line 20), 1.00 (line 22)
        # = 4.68. Debits: 25.03, 3.03, 1.11, 20.00, 1.10 (5). Line 27 is a statement-level :86: after
        # :62F: ("D000004C000002D25,24C28,71") - not a transaction; it claims 4 debits/25.24 and
        # 2 credits/28.71, which does NOT match the :61: lines (5 debits/50.27, 2 credits/4.68), and
        # 0 - 50.27 + 4.68 != 3.47 (:62F:). Upstream data is inconsistent; counts above are of :61: lines.
        # Tab characters inside :86: on lines 13 and 17.
        "credits": 2, "credited": {"EUR": "4.68"}, "debits": 5,
        "lines": [
            {"raw_line": 20, "date": "2010-07-22", "amount": "3.68", "currency": "EUR", "payer": "TMG GPHONGKONG"},  # value date; free text "0123456789 EJ46GREENP100610T1456 CLIEOP TMG GPHONGKONG AMSTERDAM" - name ambiguous (AMSTERDAM = town)
            {"raw_line": 22, "date": "2010-07-23", "amount": "1.00", "currency": "EUR", "payer": "Hr S Marechal"},  # value date; "0111111111 Hr S Marechal / ROSMALEN ..."
            {"raw_line": 14, "date": "2010-07-22", "amount": "-1.11", "currency": "EUR", "payer": "TMG TANGO"},  # iDEAL "KN: TMG TANGO"
        ],
    },
    "mt940/mbank_pl.sta": {
        # PLN. Starts with ^A (SOH) and ends with -^C (ETX). 3 :61: lines "CN0,01": C + 3rd currency
        # letter N + amount 0,01. 0.40 + 0.03 = 0.43 = :62F: OK. Each :61: has a supplementary line
        # "911-TRANSAKCJA IPH". Payer from "OD: JAN NOWAK" in :86: (address follows on next line).
        "credits": 3, "credited": {"PLN": "0.03"}, "debits": 0,
        "lines": [
            {"raw_line": 6, "date": "2017-01-19", "amount": "0.01", "currency": "PLN", "payer": "JAN NOWAK"},  # entry date 0119
            {"raw_line": 12, "date": "2017-01-19", "amount": "0.01", "currency": "PLN", "payer": "JAN NOWAK"},
            {"raw_line": 18, "date": "2017-01-19", "amount": "0.01", "currency": "PLN", "payer": "JAN NOWAK"},
        ],
    },
    "mt940/oca_sns_nl.940": {
        # Three SWIFT-block statements, EUR. 8 :61: lines: 7 debits (713.13, 10.18, 13.52, 25.61,
        # 10.95, 907.29, 35.00) and ONE 'C' line of 0,00 (line 50, type NDIV): an informational notice
        # ("Mobiel betalen is vanaf nu niet meer mogelijk ...") - it is C-marked, so counted as a
        # credit here, but it moves no money; a reader that drops zero-amount entries would get
        # credits=0 / credited {}. AMBIGUOUS. Balances: 3026.96-762.44=2264.52 OK; 2264.52-10.95=2253.57 OK.
        # Third statement (from line 59) has no :62F: (file ends with -}{5:}). Many whitespace-only
        # :86: continuation lines; counterparty name is also on the :61: supplementary line.
        # By this file's convention (a zero amount is neither) the notice is not a credit: 0 credits.
        "credits": 0, "credited": {}, "debits": 7,
        "lines": [
            {"raw_line": 6, "date": "2017-12-27", "amount": "-713.13", "currency": "EUR", "payer": "gerrits glas en schilderwerk"},  # entry date 1227
            {"raw_line": 21, "date": "2017-12-27", "amount": "-13.52", "currency": "EUR", "payer": "vitens nv"},
            {"raw_line": 64, "date": "2017-12-29", "amount": "-907.29", "currency": "EUR", "payer": "florius"},
        ],
    },
    "mt940/postfinance_ch.sta": {
        # Two statements, CHF. 4 :61: lines: credits 79.70, 149.50, 10.10 (=239.30), debit 79.90.
        # Type codes start with F (FMSC). Each :61: has a supplementary reference line.
        # Stmt 1 reconciles (0+229.2 = 229.2); stmt 2 does not (229.2-79.9+10.1 = 159.4 vs :62F: 159.6) - upstream data.
        # Payer after "AUFTRAGGEBER:" up to the street. Line 24's :86: is only "EINZAHLUNGSSCHEIN" (deposit slip) -> None.
        "credits": 3, "credited": {"CHF": "239.30"}, "debits": 1,
        "lines": [
            {"raw_line": 5, "date": "2013-12-09", "amount": "79.70", "currency": "CHF", "payer": "JANE DOE"},  # entry date 1209
            {"raw_line": 9, "date": "2013-12-09", "amount": "149.50", "currency": "CHF", "payer": "JOHN DOE"},
            {"raw_line": 24, "date": "2013-12-18", "amount": "10.10", "currency": "CHF", "payer": None},  # "EINZAHLUNGSSCHEIN"
            {"raw_line": 19, "date": "2013-12-16", "amount": "-79.90", "currency": "CHF", "payer": "XXXXXXXXX XXX"},  # name masked in source
        ],
    },
    "mt940/rabobank_iban_nl.sta": {
        # First line ":940:". Two statements, EUR, zero-padded amounts. 4 :61: lines, all D:
        # 25.00, 10.00, 25.00, 10.00. 1000-35=965 OK, 965-35=930 OK. No entry dates -> value dates.
        # :61: lines have trailing spaces and a supplementary line (counter IBAN / P-number).
        # /NAME/ on line 8 wraps: "CONTRA ACCOUN" + "T HOLDER". No credits.
        "credits": 0, "credited": {}, "debits": 4,
        "lines": [
            {"raw_line": 6, "date": "2013-01-01", "amount": "-25.00", "currency": "EUR", "payer": "CONTRA ACCOUNT HOLDER"},  # value date
            {"raw_line": 10, "date": "2013-01-02", "amount": "-10.00", "currency": "EUR", "payer": "JOHN DOE"},
            {"raw_line": 18, "date": "2013-01-08", "amount": "-25.00", "currency": "EUR", "payer": "CONTRA ACCOUNT HOLDER"},
            {"raw_line": 22, "date": "2013-01-09", "amount": "-10.00", "currency": "EUR", "payer": "JOHN DOE"},
        ],
    },
    "mt940/sberbank_hu_huf.sta": {
        # CRLF line endings. HUF. Non-standard ":NS:" fields (header block lines 4-9 and per-transaction
        # detail instead of :86:). 3 :61: lines "DF...": D + 3rd currency letter F. Debits 2402.00,
        # 3460.00, 3575.00 = 9437.00; 627311.30-9437.00 = 617874.30 = :62F: OK. Type field "S   " + ref "X".
        # Counterparty in :NS: subfield 15 (+16 continuation: "Fiokte"+"lep"). Some bytes are U+FFFD
        # replacement chars (mojibake, e.g. "Tranzakci\ufffds Illet\ufffdk"). No credits.
        "credits": 0, "credited": {}, "debits": 3,
        "lines": [
            {"raw_line": 12, "date": "2017-10-11", "amount": "-2402.00", "currency": "HUF", "payer": "ERGO Versicherung AG Fioktelep"},  # entry 1011
            {"raw_line": 24, "date": "2017-10-11", "amount": "-3460.00", "currency": "HUF", "payer": "ERGO Eletbiztosito Zrt."},
            {"raw_line": 35, "date": "2017-10-11", "amount": "-3575.00", "currency": "HUF", "payer": "ERGO Versicherung AG Fioktelep"},
        ],
    },
    "mt940/sepa_structured86_de.sta": {
        # Two statements, EUR. 11 :61: lines. Marks "CR"/"DR" = C/D + 3rd currency letter R (not
        # reversals): stmt 1 reconciles with that reading (766656.49+360093.91-1500.00 = 1125250.40 = :62F:).
        # Credits (8): 50990.05, 154551.93, 154551.93, 335.33, 15000.00, 15000.05, 125004.88, 915311.55
        # = 1430745.72. Debits (3): 1500.00, 0.08, 3572569.03. Stmt 2 opens D (negative) and does not
        # reconcile by 300.08 (computed -4472349.17 vs :62F: D4472049.09) - upstream data.
        # Semantically 4 of the credits + the 0.08 debit are "RETOURE" (returns, GVC 159) but they are
        # plain C/D marks, counted by mark. Entry date (0904) is before the value date (070907) on
        # lines 5/10/15 - date given is the entry date. Payer = ?32+?33 concatenated; RETOURE -> None.
        "credits": 8, "credited": {"EUR": "1430745.72"}, "debits": 3,
        "lines": [
            {"raw_line": 5, "date": "2007-09-04", "amount": "50990.05", "currency": "EUR", "payer": "KARL KAUFMANN"},  # entry 0904 (value 2007-09-07); literally ?32"KARL" ?33"        KAUFMANN" (8 spaces)
            {"raw_line": 10, "date": "2007-09-04", "amount": "154551.93", "currency": "EUR", "payer": "Quentin Quast"},  # ?32
            {"raw_line": 15, "date": "2007-09-04", "amount": "154551.93", "currency": "EUR", "payer": "Karl Kaufmann"},  # ?32
            {"raw_line": 38, "date": "2007-09-04", "amount": "15000.05", "currency": "EUR", "payer": "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"},  # ?32 "Richter Renate 70 Zeichen B" + ?33 "eginn Fuellzeichen xxxxxxxx"
            {"raw_line": 32, "date": "2007-09-04", "amount": "335.33", "currency": "EUR", "payer": None},  # RETOURE, no ?32
            {"raw_line": 19, "date": "2007-09-04", "amount": "-1500.00", "currency": "EUR", "payer": None},  # SEPA-UEBERW batch, no name
        ],
    },
    "same/same.sta": {
        # EUR. 6 :61: lines: credits 1180.00, 500.00, 2400.00, 75.50 (=4155.50); debits 250.00, 12.00.
        # 0+4155.50-262.00 = 3893.50 = :62F: OK. /NAME/ subfields. Line 13 continues line 12's REMI.
        "credits": 4, "credited": {"EUR": "4155.50"}, "debits": 2,
        "lines": [
            {"raw_line": 5, "date": "2026-03-02", "amount": "1180.00", "currency": "EUR", "payer": "Bansal & Sons"},  # entry 0302
            {"raw_line": 7, "date": "2026-03-03", "amount": "500.00", "currency": "EUR", "payer": "Acme Traders"},
            {"raw_line": 11, "date": "2026-03-05", "amount": "2400.00", "currency": "EUR", "payer": "Kumar Enterprises"},
            {"raw_line": 14, "date": "2026-03-06", "amount": "75.50", "currency": "EUR", "payer": "Priya Sharma"},
            {"raw_line": 9, "date": "2026-03-04", "amount": "-250.00", "currency": "EUR", "payer": "Office Rent Ltd"},
            {"raw_line": 16, "date": "2026-03-09", "amount": "-12.00", "currency": "EUR", "payer": None},  # bank charges
        ],
    },
    "bai2/account_trailer_amount_blank_example.bai2": {
        # 02 as-of 210101, two 03 accounts (12345, 54321) with no summaries, 49 trailers with blank
        # amount. No 16 records at all -> no transactions, so no lines can be given.
        "credits": 0, "credited": {}, "debits": 0,
        "lines": [],
    },
    "bai2/citi_example.bai2": {
        # 02 as-of 150715, currency GBP (02 and 03). One 16 record: type 191 (credit), amount "001" =
        # GBP 0.01 (49 control total 20001 = 10000+10000+1 confirms), funds type V 150715, bank ref
        # 1234567890, cust ref RP12312312312312, empty text; 88 lines carry FR/ENDT/TRID/PY/BI/OB/BO.
        # Payer: "BO1:DOE JO" (by-order-of name). Only one transaction exists.
        "credits": 1, "credited": {"GBP": "0.01"}, "debits": 0,
        "lines": [
            {"raw_line": 4, "date": "2015-07-15", "amount": "0.01", "currency": "GBP", "payer": "DOE JO"},  # V date = as-of date 150715
        ],
    },
    "bai2/nwb_example.bai2": {
        # 01 has a non-standard time "14:59:35". 02 as-of 091216, currency blank; 03 says GBP.
        # 03/88 summary: 400 = 2765 (4 items), 100 = 89 (1 item). 16 records: 699 x4 (971, 100, 123,
        # 1571 = 2765, debits) and 399 x1 (89, credit) -> GBP 0.89. 49 control 143764 checks.
        # Texts all in 88 continuations (line 15 continues line 14: "CLIE"+"NT").
        # Payer for the credit is ambiguous: "TFR ... BGC INTERNATIONAL-5373 CLIENT SECCY AC TFR" reads as
        # name field "BGC INTERNATIONAL-5373 CLIENT SE" + "CCY AC TFR"; a person would say BGC International.
        "credits": 1, "credited": {"GBP": "0.89"}, "debits": 4,
        "lines": [
            {"raw_line": 13, "date": "2009-12-16", "amount": "0.89", "currency": "GBP", "payer": "BGC INTERNATIONAL"},  # ambiguous name, see above
            {"raw_line": 5, "date": "2009-12-16", "amount": "-9.71", "currency": "GBP", "payer": None},  # "LVP ... RELAY TFR", no name
            {"raw_line": 7, "date": "2009-12-16", "amount": "-1.00", "currency": "GBP", "payer": "XTESTX LIMITED"},  # "...XTESTX LIMITEDCCY AC TFR"
            {"raw_line": 11, "date": "2009-12-16", "amount": "-15.71", "currency": "GBP", "payer": None},  # URGENT TFR
        ],
    },
    "bai2/svb_us_example.bai2": {
        # Two groups (02 as-of 220201 and 220202), USD. One 16 record each, type 142 (credit):
        # 490196 = 4901.96, 905800 = 9058.00 -> USD 13959.96. Text in 88 "SOME PAYMENT ACH OFFSET"
        # (no payer name). 49 control 138884258 checks with 4901.96. 99 record lacks trailing "/".
        # Only two transactions exist.
        "credits": 2, "credited": {"USD": "13959.96"}, "debits": 0,
        "lines": [
            {"raw_line": 7, "date": "2022-02-01", "amount": "4901.96", "currency": "USD", "payer": None},
            {"raw_line": 16, "date": "2022-02-02", "amount": "9058.00", "currency": "USD", "payer": None},
        ],
    },
    "bai2/moov_sample1_cad_fixed_width_amounts.bai": {
        # 02 as-of 060317, CAD. Two 03 records for the SAME account number 10200123456, zero-padded
        # amounts. 17 16 records, each with funds type V + value date (060316 for the first account
        # block, 060317 for the second) -> dates below are those value dates (as-of is 2006-03-17).
        # Block 1: 108 x3 (203500+2500+2500 = 208500) credits, 409 x8 (=208500) debits; matches 88 summary.
        # Block 2: 108 x2 (11500+100000 = 111500) credits, 409 x4 (=111500) debits; matches summary.
        # Credits 5 = CAD 3200.00, debits 12. Texts are locations/descriptions (MACLEOD MALL,
        # MONTREAL, TFR 1020 0345678), not clear payer names -> None (ambiguous: a reader might use the text).
        "credits": 5, "credited": {"CAD": "3200.00"}, "debits": 12,
        "lines": [
            {"raw_line": 8, "date": "2006-03-16", "amount": "2035.00", "currency": "CAD", "payer": None},  # "TFR 1020 0345678"
            {"raw_line": 9, "date": "2006-03-16", "amount": "25.00", "currency": "CAD", "payer": None},  # "MACLEOD MALL" (place)
            {"raw_line": 20, "date": "2006-03-17", "amount": "1000.00", "currency": "CAD", "payer": None},  # "MONTREAL" (place)
            {"raw_line": 5, "date": "2006-03-16", "amount": "-25.00", "currency": "CAD", "payer": None},  # 409 "RETURNED CHEQUE"
        ],
    },
    "bai2/moov_sample2_multi_group_lockbox.bai": {
        # 4 groups, all as-of 040620, currency blank everywhere -> USD default. 16 records:
        # line 5 type 115 450000 (funds type S with 3 availability amounts, not summed),
        # line 10 type 115 500000 "LOCK BOX NO.68751", line 16 type 218 20000000 (funds V 040622, text
        # in 88 "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"), line 18 type 195 10000000
        # (funds type 1). All credits: 4500+5000+200000+100000 = USD 309500.00. Groups 3/4 have none.
        # 49 control totals (9150000, 4000000, 180000000) check. 03 line 7-9 has summary continued
        # across 88 with the type code split at line ends ("190/" ... "88,500000").
        "credits": 4, "credited": {"USD": "309500.00"}, "debits": 0,
        "lines": [
            {"raw_line": 5, "date": "2004-06-20", "amount": "4500.00", "currency": "USD", "payer": None},
            {"raw_line": 10, "date": "2004-06-20", "amount": "5000.00", "currency": "USD", "payer": None},  # lockbox number only
            {"raw_line": 16, "date": "2004-06-22", "amount": "200000.00", "currency": "USD", "payer": "THE ARAMCO OIL CO"},  # V value date 040622 (as-of 2004-06-20)
            {"raw_line": 18, "date": "2004-06-20", "amount": "100000.00", "currency": "USD", "payer": None},
        ],
    },
    "bai2/moov_sample4_goldman_remittance_88_continuations.bai": {
        # 02 as-of 230906 (01 file date 210706), currency blank in 02, USD in 03. 17 16 records, texts
        # contain commas; 88 lines carry EREF/CRNM/DBNM etc. No record carries its own date.
        # Credits (9): 261 1435.00, 266 19.12, 195 11.25, 257 600.00, 255 9.31, 195 500.50, 175 5.27,
        # 275 3376.86, 165 50.00 = USD 6007.31. Debits (8): 447 600.00, 447 9286.50, 557 2000.00,
        # 451 555.55, 495 505.00, 475 101.00, 475 442.50, 495 300000.00.
        # Several credits are returns/rejects of outgoing money (261, 266, 257, 255) - counted as credits
        # by type code. 03 summaries (100/400 counts) don't match the 16s; 49 control -1260161341762 odd.
        # Payer: "From:/Return From:" in text, else DBNM; None when nothing names the payer.
        "credits": 9, "credited": {"USD": "6007.31"}, "debits": 8,
        "lines": [
            {"raw_line": 10, "date": "2023-09-06", "amount": "1435.00", "currency": "USD", "payer": "TEST INC"},  # "From: TEST INC" (but 88 DBNM says SAMPLE INC - ambiguous)
            {"raw_line": 56, "date": "2023-09-06", "amount": "600.00", "currency": "USD", "payer": "Company1"},  # "Return From: Company1", DBNM Company1
            {"raw_line": 62, "date": "2023-09-06", "amount": "9.31", "currency": "USD", "payer": "Test2 Customer"},
            {"raw_line": 68, "date": "2023-09-06", "amount": "500.50", "currency": "USD", "payer": "SAMPLE INC"},  # RTP Incoming "From: SAMPLE INC"
            {"raw_line": 85, "date": "2023-09-06", "amount": "3376.86", "currency": "USD", "payer": "SAMPLE INC"},  # Cash Concentration "From: SAMPLE INC"
            {"raw_line": 50, "date": "2023-09-06", "amount": "11.25", "currency": "USD", "payer": None},  # Incoming Wire, text "-", only CRNM (creditor) given
            {"raw_line": 102, "date": "2023-09-06", "amount": "-300000.00", "currency": "USD", "payer": "TEST AND COMPANY"},  # Outgoing Wire "To: TEST AND COMPANY"
        ],
    },
}

HAND = {**CSV, **OFX_QFX_QIF, **CAMT, **MT940_BAI2}
