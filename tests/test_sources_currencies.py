"""Currencies are never guessed across (SPEC 2): ISO 4217 codes only, and an amount written
with a symbol must be in the row's currency — the currency column's, else the source's
`currency:`, else the business currency (INR in these workspaces).
"""

from __future__ import annotations


def check(make_workspace, text: str, **source) -> tuple[int, dict]:
    ws = make_workspace(invoices=text, config={"sources": {"invoices": [{"path": "invoices.csv", **source}]}})
    return ws.json("check")


def errors_by_row(doc) -> dict[int, tuple[str, str]]:
    return {e["row"]: (e["column"], e["message"]) for e in doc["errors"]}


def test_a_dollar_amount_in_a_rupee_book_is_a_bad_row_never_rupees(make_workspace):
    code, doc = check(make_workspace, "Invoice No,Customer,Due Date,Amount\n"
                                      "C-1,Acme,2026-03-20,$250.00\n"
                                      "C-2,Acme,2026-03-20,\"₹1,200\"\n"
                                      "C-3,Acme,2026-03-20,€99\n"
                                      "C-4,Acme,2026-03-20,300\n"
                                      "C-5,Acme,2026-03-20,450 INR\n")
    got = errors_by_row(doc)
    assert got == {
        2: ("Amount", "written in $ but the business currency is INR: add a currency column or set currency: "
                      "on the source"),
        4: ("Amount", "written in € but the business currency is INR: add a currency column or set currency: "
                      "on the source"),
    }
    # C-2 (₹1,200), C-4 (300) and C-5 (450 INR) are rupees: 1,950 outstanding, nothing else
    assert doc["summary"]["outstanding"] == {"INR": "1950"}


def test_the_source_currency_says_what_a_symbol_means(make_workspace):
    code, doc = check(make_workspace, "Invoice No,Customer,Due Date,Amount\nC-1,Acme,2026-03-20,$250.00\n"
                                      "C-2,Acme,2026-03-20,80\n", currency="USD")
    assert code == 0 and doc["errors"] == []
    assert doc["summary"]["outstanding"] == {"USD": "330.00"}  # 250.00 + 80
    # a dollar source that is Canadian: $ can mean CAD too
    code, doc = check(make_workspace, "Invoice No,Customer,Due Date,Amount\nC-1,Acme,2026-03-20,$250.00\n",
                      currency="CAD")
    assert doc["errors"] == [] and doc["summary"]["outstanding"] == {"CAD": "250.00"}
    # but a pound sign in that source is not Canadian
    code, doc = check(make_workspace, "Invoice No,Customer,Due Date,Amount\nC-1,Acme,2026-03-20,£250.00\n",
                      currency="CAD")
    assert errors_by_row(doc)[2][1].startswith("written in £ but the source's currency: is CAD")


def test_a_currency_column_must_hold_iso_codes_and_agree_with_the_symbol(make_workspace):
    code, doc = check(make_workspace, "Invoice No,Customer,Due Date,Amount,Currency\n"
                                      "D-1,Acme,2026-03-20,$250.00,USD\n"
                                      "D-2,Acme,2026-03-20,250.00,XYZ\n"
                                      "D-3,Acme,2026-03-20,£5,EUR\n"
                                      "D-4,Acme,2026-03-20,€5,eur\n")
    assert errors_by_row(doc) == {
        3: ("Currency", "'XYZ' is not an ISO 4217 currency code (e.g. INR, USD, EUR)"),
        4: ("Amount", "written in £ but its currency column says EUR: which is it?"),
    }
    assert doc["summary"]["outstanding"] == {"USD": "250.00", "EUR": "5"}


def test_a_source_currency_that_is_not_a_code_is_a_config_error(make_workspace):
    code, doc = check(make_workspace, "Invoice No,Customer,Due Date,Amount\nC-1,Acme,2026-03-20,5\n", currency="$")
    assert code == 2
    (p,) = doc["problems"]
    assert p["key"].endswith(".currency") and "'$' is not an ISO 4217 currency code" in p["message"]
