"""Which column of a bank or payments export holds what.

Like the invoice sources, columns are recognised from common header names in English,
Dutch, German, Spanish and the big exporters (PayPal, Wise, Revolut, Chase, Lloyds, Knab,
ING), and a `reconcile.bank_csv` mapping in collectbot.yaml overrides any of them by header
name or by 1-based position.
"""

from __future__ import annotations

import re

# field -> synonyms in priority order (normalised: lower case, punctuation as spaces).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "booking date", "posting date", "transaction date", "completed date", "payment date",
             "date paid", "paid on", "paid date", "received on", "received date", "txn date", "tran date",
             "datum", "transactiedatum", "boekdatum", "buchungstag", "buchungsdatum", "fecha",
             "started date", "value date", "valutadatum", "valuta"),
    "amount": ("amount", "transaction amount", "payment amount", "paid amount", "amount paid",
               "amount received", "received amount", "gross", "bruto", "bedrag", "betrag", "importe",
               "montant", "value"),
    "debit": ("debit", "debit amount", "debits", "withdrawal", "withdrawals", "withdrawal amount", "paid out",
              "money out", "af", "debet", "uitgaven", "soll", "cargo"),
    "credit": ("credit", "credit amount", "credits", "deposit", "deposits", "deposit amount", "paid in",
               "money in", "bij", "haben", "abono"),
    "dc_flag": ("d/c", "dc", "c/d", "cd", "credit/debit", "debit/credit", "creditdebet", "af bij", "af/bij",
                "cr/dr", "dr/cr", "debet/credit", "credit debit indicator", "soll/haben"),
    "description": ("description", "label", "naam / omschrijving", "omschrijving", "mededelingen",
                    "transaction description", "transaction details", "narrative", "narration", "memo",
                    "particulars", "remarks", "detail", "descripción", "descripcion", "beschreibung",
                    "verwendungszweck", "buchungstext"),
    "payer": ("payer", "payer name", "paid by", "received from", "from", "customer", "customer name", "client",
              "client name", "partner name", "counterparty", "counterparty name", "counter party", "name",
              "naam", "tegenrekeninghouder", "payee", "payee name", "nombre", "sender", "remitter",
              "auftraggeber", "beneficiary"),
    "reference": ("reference", "payment reference", "your reference", "referentie", "ref", "ref no",
                  "reference number", "remittance information", "remittance", "kenmerk", "referencia"),
    "transaction_id": ("transaction id", "transaction reference", "utr", "utr number", "utr no",
                       "transferwise id", "id de transacción", "id de transaccion", "txn id", "bank reference",
                       "operation number", "transactie id", "reference id", "id"),
    "currency": ("currency", "currency code", "ccy", "valutacode", "divisa", "währung", "wahrung", "munt"),
    "invoice": ("invoice", "invoice #", "invoice no", "invoice number", "invoice id", "invoice ref",
                "invoice numbers", "invoices", "inv", "inv no", "inv #", "bill no", "bill number",
                "factuur", "factuurnummer", "rechnung", "rechnungsnummer", "id de factura"),
    "method": ("method", "payment method", "payment mode", "mode"),
    "balance": ("balance", "running balance", "saldo", "closing balance", "available balance", "kontostand"),
}
# Fields where every matching column counts (joined, or first non-empty per row).
MULTI = ("date", "description", "payer")
# Header prefixes that still mean "amount" (e.g. "Bedrag (EUR)", "Amount (INR)").
_AMOUNT_PREFIX = re.compile(r"^(amount|bedrag|betrag|importe)\b")


def normalise(header: str) -> str:
    text = (header or "").strip().lower().lstrip("\ufeff")
    text = re.sub(r"[^\w#/]+", " ", text)
    text = re.sub(r"\s*/\s*", " / " if " / " in (header or "") else "/", text)
    return re.sub(r"\s+", " ", text).strip()


def map_header(header: list[str]) -> dict[str, list[int]]:
    """field -> column indexes (priority order) recognised in one header row."""
    names = [normalise(h) for h in header]
    found: dict[str, list[int]] = {}
    taken: set[int] = set()
    for field, synonyms in SYNONYMS.items():
        cols = []
        for syn in synonyms:
            for i, name in enumerate(names):
                if name == syn and i not in taken and i not in cols:
                    cols.append(i)
        if field == "amount" and not cols:
            cols = [i for i, n in enumerate(names) if _AMOUNT_PREFIX.match(n) and i not in taken][:1]
        if cols:
            found[field] = cols if field in MULTI else cols[:1]
            taken.update(found[field])
    return found


def currency_in_header(header: str) -> str | None:
    """'Bedrag (EUR)' -> 'EUR'."""
    m = re.search(r"\(([A-Z]{3})\)", header or "")
    return m.group(1) if m else None
