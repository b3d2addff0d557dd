"""Column names of invoice books and customers files: which header holds which canonical field.

Exports name the same thing many ways ("Invoice #", "Invoice No", "Num"...). Synonyms are
listed in order of preference: when a file has both "Total" and "Amount", the earlier synonym
wins and the other column stays in `extra`. How headers are compared and looked up is
`collectbot/headers.py`, shared with bank statements.
"""

from __future__ import annotations

import re

from ..headers import synonym_index

INVOICE_FIELDS = ("invoice_id", "customer_id", "customer_name", "email", "phone", "whatsapp",
                  "issue_date", "due_date", "amount", "balance", "currency", "status")
CUSTOMER_FIELDS = ("customer_id", "name", "email", "phone", "whatsapp", "tier", "timezone", "language", "owner")

INVOICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "invoice_id": ("invoice_id", "invoice #", "invoice no", "invoice number", "invoice num", "invoice",
                   "inv no", "inv #", "invoice ref", "bill no", "bill number", "ref no", "num", "number", "doc no"),
    "customer_id": ("customer_id", "customer id", "customer code", "customer no", "customer number", "client id",
                    "account id", "account number", "party code"),
    "customer_name": ("customer_name", "customer name", "customer", "client name", "client", "customer (full name)",
                      "contact name", "party's name", "party name", "party", "company", "company name", "name",
                      "bill to", "billed to"),
    "email": ("email", "email address", "e-mail", "customer email", "contact email", "client email", "billing email"),
    "phone": ("phone", "phone number", "mobile", "mobile number", "mobile no", "cell", "contact number", "telephone",
              "tel", "customer phone"),
    "whatsapp": ("whatsapp", "whatsapp number", "whatsapp no", "wa number"),
    "issue_date": ("issue_date", "invoice date", "date", "issue date", "issued", "date issued", "bill date",
                   "invoice dt", "created", "created date", "invoiced_at", "invoiced at"),
    "due_date": ("due_date", "due date", "due", "date due", "due on", "payment due", "payment due date", "due_at",
                 "due at"),
    "amount": ("amount", "total", "invoice total", "invoice amount", "total amount", "grand total", "amount total",
               "gross amount", "bill amount", "invoice value"),
    "balance": ("balance", "balance due", "amount due", "open balance", "outstanding", "outstanding amount",
                "amount outstanding", "pending amount", "due amount", "remaining", "unpaid amount", "open amount"),
    "currency": ("currency", "currency code", "ccy", "cur"),
    "status": ("status", "invoice status", "payment status", "invoice_status_code", "status code"),
}

# Columns that are read to work out a canonical field and are kept in `extra` too (SPEC 2,
# "What the columns say"): `paid` gives balance = amount - paid when there is no balance column,
# `terms` gives due = issue date + terms when a due date is missing.
HELPER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "paid": ("paid", "amount paid", "paid amount", "total paid", "paid to date", "payments", "payment amount"),
    "terms": ("terms", "payment terms", "credit terms", "terms of payment", "credit period"),
}

CUSTOMER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customer id", "customer code", "customer no", "customer number", "client id",
                    "account id", "id", "code"),
    "name": ("name", "customer name", "customer", "client name", "client", "company", "company name",
             "contact name", "party's name", "party name", "display name"),
    "email": INVOICE_SYNONYMS["email"],
    "phone": INVOICE_SYNONYMS["phone"],
    "whatsapp": INVOICE_SYNONYMS["whatsapp"],
    "tier": ("tier", "segment", "customer tier", "category", "class"),
    "timezone": ("timezone", "time zone", "tz"),
    "language": ("language", "lang", "locale"),
    "owner": ("owner", "account manager", "account owner", "manager", "sales person", "salesperson", "rep"),
}


def snake(header: object) -> str:
    """'Payment Method' -> 'payment_method': the name an extra column gets in templates and conditions."""
    return re.sub(r"[^0-9a-z]+", "_", str(header).strip().lower()).strip("_")


def slug(name: object) -> str:
    """A customer id from a name: 'Bansal & Sons Pvt. Ltd.' -> 'bansal-sons-pvt-ltd'.

    Used for invoices and the customers file alike, so a customers file keyed by name joins an
    export that carries only names. Letters of any script are kept ('Müller' -> 'müller')."""
    text = re.sub(r"['’`]", "", str(name).strip().lower())
    return re.sub(r"[\W_]+", "-", text).strip("-")


INVOICE_INDEX = synonym_index(INVOICE_SYNONYMS)
HELPER_INDEX = synonym_index(HELPER_SYNONYMS)
CUSTOMER_INDEX = synonym_index(CUSTOMER_SYNONYMS)
