"""Which column of a bank or payments export holds what.

Like the invoice sources, columns are recognised from common header names in English,
Dutch, German, Spanish and the big exporters (PayPal, Wise, Revolut, Chase, Lloyds, Knab,
ING), and a `reconcile.bank_csv` mapping in collectbot.yaml overrides any of them by header
name or by 1-based position.
"""

from __future__ import annotations

import re

from ...currencies import is_iso
from ...headers import columns_of, squash, synonym_index

# field -> synonyms in priority order (compared squashed: case, spaces and punctuation do not matter).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "booking date", "posting date", "transaction date", "completed date", "payment date",
             "date paid", "paid on", "paid date", "received on", "received date", "txn date", "tran date",
             "datum", "transactiedatum", "uitvoeringsdatum", "boekdatum", "buchungstag", "buchungsdatum", "buchung",
             "fecha",
             "fecha operación", "fecha operacion", "fecha de operación", "fecha de operacion", "f operación",
             "f operacion", "date opération", "date operation", "date de l opération", "date de l operation",
             "date comptable", "data operazione", "data contabile", "data", "started date", "value date",
             "valutadatum", "wertstellung", "fecha valor", "f valor", "date de valeur", "date valeur", "valuta"),
    "amount": ("amount", "transaction amount", "payment amount", "paid amount", "amount paid",
               "amount received", "received amount", "gross", "bruto", "bedrag", "betrag", "umsatz", "importe",
               "montant", "montant de l opération", "montant de l operation", "importo", "value"),
    "debit": ("debit", "debit amount", "debits", "withdrawal", "withdrawals", "withdrawal amount", "paid out",
              "money out", "af", "debet", "uitgaven", "soll", "cargo", "débit", "dépense", "addebiti", "uscite"),
    "credit": ("credit", "credit amount", "credits", "deposit", "deposits", "deposit amount", "paid in",
               "money in", "bij", "haben", "abono", "crédit", "recette", "accrediti", "entrate"),
    "dc_flag": ("d/c", "dc", "c/d", "cd", "credit/debit", "debit/credit", "creditdebet", "af bij", "af/bij",
                "cr/dr", "dr/cr", "debet/credit", "credit debit indicator", "soll/haben"),
    "description": ("description", "label", "naam / omschrijving", "omschrijving", "mededelingen",
                    "transaction description", "transaction details", "narrative", "narration", "memo",
                    "particulars", "remarks", "detail", "details", "desc", "description 1", "description 2",
                    "description 3", "booking text", "payment purpose", "text", "omschrijving 1", "omschrijving 2",
                    "omschrijving 3", "détail de l écriture", "detail de l ecriture", "transaktionstyp",
                    "vwz1", "vwz2", "vwz3", "vwz4", "vwz5", "vwz6", "vwz7", "vwz8", "vwz9", "vwz10", "vwz11", "vwz12",
                    "vwz13", "vwz14", "descripción", "descripcion", "beschreibung",
                    "verwendungszweck", "vorgang/verwendungszweck", "buchungstext", "libellé", "libelle",
                    "libellé de l opération", "libelle de l operation", "libellé simplifié", "détail", "concepto",
                    "concepto común", "concepto propio", "movimiento", "observaciones", "descrizione", "descrizione operazioni",
                    "causale", "mitteilungen"),
    "payer": ("payer", "payer name", "paid by", "received from", "from", "customer", "customer name", "client",
              "client name", "partner name", "counterparty", "counterparty name", "counter party", "name",
              "naam", "naam tegenpartij", "tegenrekeninghouder", "auftraggebername", "empfängername", "payee",
              "payee name", "nombre", "sender", "remitter",
              "auftraggeber", "beguenstigter/zahlungspflichtiger", "begünstigter/zahlungspflichtiger",
              "auftraggeber/empfänger", "auftraggeber / empfänger", "auftraggeber/empfaenger",
              "auftraggeber / empfaenger", "auftraggeber / begünstigter", "auftraggeber / beguenstigter",
              "name zahlungsbeteiligter", "zahlungspflichtige r", "zahlungspflichtiger", "empfänger",
              "tiers", "émetteur", "bénéficiaire", "ordenante", "beneficiario", "beneficiary"),
    "reference": ("reference", "payment reference", "your reference", "referentie", "ref", "ref no",
                  "reference number", "remittance information", "remittance", "kenmerk", "referencia",
                  "kundenreferenz end to end", "kundenreferenz", "end to end referenz", "référence",
                  "riferimento"),
    "transaction_id": ("transaction id", "transaction reference", "utr", "utr number", "utr no",
                       "transferwise id", "id de transacción", "id de transaccion", "txn id", "bank reference",
                       "operation number", "transactie id", "reference id", "id"),
    "currency": ("currency", "currency code", "ccy", "curr", "valutacode", "valuta rekening", "divisa", "währung",
                 "wahrung", "waehrung", "devise", "monnaie", "monn", "moneda", "munt", "valuta"),
    "invoice": ("invoice", "invoice #", "invoice no", "invoice number", "invoice id", "invoice ref",
                "invoice numbers", "invoices", "inv", "inv no", "inv #", "bill no", "bill number",
                "factuur", "factuurnummer", "rechnung", "rechnungsnummer", "id de factura"),
    "method": ("method", "payment method", "payment mode", "mode", "betaalwijze", "type betaling"),
    "balance": ("balance", "running balance", "saldo", "closing balance", "available balance", "kontostand"),
}
# Fields where every matching column counts (joined, or first non-empty per row).
MULTI = ("date", "description", "payer")
# Header prefixes that still mean "amount" (e.g. "Bedrag (EUR)", "Amount (INR)").
# ... followed only by its currency: "Bedrag (EUR)", "Betrag (€)", "Amount in INR" — not "Amount details"
_AMOUNT_PREFIX = re.compile(r"^(amount|bedrag|betrag|importe|montant|importo)\b(\s*(in\s+)?(\(?[a-z]{3}\)?|\(?€\)?|"
                            r"euros?|\(euros?\)))?$")
# "Débit euros", "Crédit (EUR)", "Soll (EUR)": a debit or credit column with its currency
_SIDE_PREFIX = {"debit": re.compile(r"^(debit|débit|soll|af)\b"), "credit": re.compile(r"^(credit|crédit|haben|bij)\b")}


def _spaced(header: str) -> str:
    """'Bedrag (EUR)' -> 'bedrag eur': words kept apart, for the prefix rules above."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", (header or "").lower().lstrip("\ufeff"))).strip()


INDEX = synonym_index(SYNONYMS)


def map_header(header: list[str]) -> dict[str, list[int]]:
    """field -> column indexes (priority order) recognised in one header row: the synonyms
    (compared as every reader compares headers, `headers.squash`), then, for a header no synonym
    names, the words an amount, debit or credit column starts with before its currency."""
    found = {f: (cols if f in MULTI else cols[:1]) for f, cols in columns_of(header, INDEX).items()}
    taken = {i for cols in found.values() for i in cols}
    names = [_spaced(h) for h in header]
    for field in ("amount", *_SIDE_PREFIX):
        if field in found:
            continue
        if field == "amount":
            cols = [i for i, n in enumerate(names) if _AMOUNT_PREFIX.match(n) and i not in taken][:1]
        else:
            cols = [i for i, n in enumerate(names) if _SIDE_PREFIX[field].match(n) and i not in taken
                    and currency_in_header(header[i])][:1]
        if cols:
            found[field] = cols
            taken.update(cols)
    if "currency" in found and "amount" in found:
        # ING Germany: "Saldo;Währung;Betrag;Währung" — the amount's currency is the one after it
        after = found["amount"][0] + 1
        if after < len(header) and INDEX.get(squash(header[after]), ("",))[0] == "currency":
            found["currency"] = [after]
    return found


def currency_in_header(header: str) -> str | None:
    """'Bedrag (EUR)' -> 'EUR', 'Débit euros' / 'Betrag in €' -> 'EUR'."""
    m = re.search(r"\(([A-Z]{3})\)", header or "")
    if m:
        return m.group(1)
    if re.search(r"(?i)\beuros?\b|€|\(eur\)|\beur\b", header or ""):
        return "EUR"
    m = re.search(r"\b([A-Z]{3})\s*$", header or "")  # "Debit CHF", "Amount INR"
    if m:
        return m.group(1) if is_iso(m.group(1)) else None
    return None
