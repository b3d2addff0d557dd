"""Property: any set of bank lines, written in any supported layout, reads back the same.

The writers below are deliberately plain (what a bank's export does); the reader must recover
date, signed amount, currency, payer and reference exactly from every one of them.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from collectbot.reconcile.readers import read_statement

words = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
texts = st.lists(words, min_size=1, max_size=4).map(" ".join)
amounts = st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2).filter(bool)
# (MT940 writes two-digit years: POSIX's rule reads them as 1969-2068, collectbot.values)
lines = st.lists(st.tuples(st.dates(min_value=date(2000, 1, 1), max_value=date(2068, 12, 31)), amounts, texts, texts),
                 min_size=1, max_size=8)


def money(value: Decimal, decimal: str = ".", group: bool = False) -> str:
    text = f"{abs(value):,.2f}" if group else f"{abs(value):.2f}"
    if decimal == ",":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def csv_signed(rows):
    out = ["Date,Payee,Memo,Amount,Currency"]
    out += [f'{d:%d/%m/%Y},{p},{r},"{"-" if a < 0 else ""}{money(a, group=True)}",EUR' for d, a, p, r in rows]
    return "\r\n".join(out) + "\r\n", {"dayfirst": True}


def csv_debit_credit_semicolon(rows):
    out = ["Rekeninghouder;NL00BANK0123456789", "", "Datum;Naam;Omschrijving;Af;Bij"]
    out += [f"{d:%Y%m%d};{p};{r};{money(a, ',', True) if a < 0 else ''};{money(a, ',', True) if a > 0 else ''}"
            for d, a, p, r in rows]
    return "\n".join(out) + "\n", {}


def csv_flag(rows):
    out = ["Booking Date\tCounterparty\tReference\tAmount\tD/C"]
    out += [f"{d:%Y-%m-%d}\t{p}\t{r}\t{money(a)}\t{'D' if a < 0 else 'C'}" for d, a, p, r in rows]
    return "\n".join(out) + "\n", {}


def ofx(rows):
    txns = "".join(f"<STMTTRN><TRNTYPE>{'DEBIT' if a < 0 else 'CREDIT'}<DTPOSTED>{d:%Y%m%d}120000"
                   f"<TRNAMT>{a:.2f}<FITID>F{i}<NAME>{p}<MEMO>{r}</STMTTRN>\n" for i, (d, a, p, r) in enumerate(rows))
    return ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR"
            f"<BANKTRANLIST>\n{txns}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"), {}


def mt940(rows):
    out = [":20:TEST", ":25:NL00BANK0123456789", ":28C:1/1", ":60F:C000101EUR0,00"]
    for i, (d, a, p, r) in enumerate(rows):
        out.append(f":61:{d:%y%m%d}{d:%m%d}{'D' if a < 0 else 'C'}{money(a, ',')}NTRFNONREF//REF{i}")
        out.append(f":86:/TRTP/SEPA OVERBOEKING/NAME/{p}/REMI/{r}")
    out += [":62F:C000101EUR0,00", "-"]
    return "\n".join(out) + "\n", {}


def camt(rows):
    entries = "".join(
        f"<Ntry><Amt Ccy=\"EUR\">{abs(a):.2f}</Amt><CdtDbtInd>{'DBIT' if a < 0 else 'CRDT'}</CdtDbtInd>"
        f"<BookgDt><Dt>{d.isoformat()}</Dt></BookgDt><AcctSvcrRef>S{i}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RltdPties><{'Cdtr' if a < 0 else 'Dbtr'}><Pty><Nm>{p}</Nm></Pty></{'Cdtr' if a < 0 else 'Dbtr'}>"
        f"</RltdPties><RmtInf><Ustrd>{r}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
        for i, (d, a, p, r) in enumerate(rows))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
            f"<BkToCstmrStmt><Stmt>\n{entries}</Stmt></BkToCstmrStmt></Document>\n"), {}


# Where each writer put the remittance text: CSV "Memo"/"Omschrijving" are descriptions.
TEXT_FIELD = {"bank.csv": "description", "nl.csv": "description"}
WRITERS = {"bank.csv": csv_signed, "nl.csv": csv_debit_credit_semicolon, "flag.tsv": csv_flag, "st.ofx": ofx,
           "st.sta": mt940, "st.xml": camt}


@settings(max_examples=25, deadline=None)
@given(lines)
def test_every_layout_reads_back_what_was_written(rows):
    want = [(d, a, p, r) for d, a, p, r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        for name, writer in WRITERS.items():
            text, options = writer(rows)
            path = Path(tmp) / name
            path.write_bytes(text.encode("cp1252" if name == "nl.csv" else "utf-8"))
            result = read_statement(path, options=options, default_currency="EUR")
            assert result.errors == [], (name, result.errors)
            text_field = TEXT_FIELD.get(name, "reference")
            got = [(x.date, x.amount, x.payer, getattr(x, text_field)) for x in result.lines]
            assert got == want, name
            assert all(x.currency == "EUR" for x in result.lines), name
