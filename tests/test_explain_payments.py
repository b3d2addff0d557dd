"""`explain INVOICE` shows the payments reconcile tied to it (issue 5: "matches visible in history
and explain"), through the real CLI on the default workspace (tests/conftest.py)."""

from __future__ import annotations

BANK = """\
Date,Narration,Payer Name,Amount,Currency
2026-03-09,NEFT/123456789012/INV 3 part payment,Globex,800.00,INR
2026-03-09,UPI/INITECH,INITECH,100.00,INR
"""


def test_explain_lists_applied_and_doubtful_payments(workspace):
    workspace.write("bank.csv", BANK)
    code, doc = workspace.json("reconcile", str(workspace.root / "bank.csv"))
    assert code == 0, doc
    review = doc["review"]
    assert [r["invoice_ids"] for r in review] == [["INV-004"]]

    code, partial = workspace.json("explain", "INV-003")
    assert code == 0, partial
    assert partial["balance"] == "1200.00"  # 2000 - 800: the applied payment counts
    [paid] = partial["payments"]
    assert (paid["allocated"], paid["payment_amount"], paid["state"], paid["payer"]) == ("800.00", "800.00", "applied",
                                                                                          "Globex")
    assert paid["description"] == "NEFT/123456789012/INV 3 part payment" and paid["how"].startswith("invoice_number")

    code, doubtful = workspace.json("explain", "INV-004")
    assert code == 0 and doubtful["balance"] == "750.00"  # a suggestion does not lower the balance
    assert [(p["allocated"], p["state"]) for p in doubtful["payments"]] == [("100.00", "for review")]

    code, untouched = workspace.json("explain", "INV-001")
    assert code == 0 and untouched["payments"] == []

    human = workspace.cli("explain", "INV-003")
    assert human.exit_code == 0 and "Payment #" in human.stdout and "800.00" in human.stdout


def test_a_rejected_suggestion_is_no_longer_listed(workspace):
    workspace.write("bank.csv", BANK)
    code, doc = workspace.json("reconcile", str(workspace.root / "bank.csv"))
    [doubtful] = doc["review"]
    code, _ = workspace.json("reconcile", "--reject", str(doubtful["payment_id"]))
    assert code == 0
    code, explained = workspace.json("explain", "INV-004")
    assert explained["balance"] == "750.00"
    assert explained["payments"] == []
