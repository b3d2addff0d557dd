"""examples/shop-events (issue 19): the online shop's workspace works as its README's tour says,
through the real CLI in real processes: a declined card, an abandoned cart of a shopper the
book does not know, a cart ended by `order_paid`, a risky cash-on-delivery order offered a
prepaid link (by customer.score from real reconciled payments), nothing twice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop-events"


def collectbot(ws: Path, now: str, *args: str) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "collectbot", "-c", str(ws), "--now", now, "--json", *args],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_the_tour(tmp_path: Path):
    ws = tmp_path / "shop"
    shutil.copytree(EXAMPLE, ws)
    stamp = datetime.fromisoformat("2026-12-05T08:00:00+05:30").timestamp()
    for f in ws.glob("*.csv"):  # the export as of that morning (limits.max_source_age)
        os.utime(f, (stamp, stamp))
    assert collectbot(ws, "2026-12-05T09:00", "check")[0] == 0
    code, doc = collectbot(ws, "2026-12-05T09:00", "reconcile", str(ws / "payments.csv"))
    assert code == 0
    code, doc = collectbot(ws, "2026-12-05T12:00", "event", "import", str(ws / "events.jsonl"))
    assert code == 0 and (doc["recorded"], doc["duplicates"], doc["errors"]) == (4, 0, [])
    # what each line started, or why not: Asha's cart was paid (line 4) before the import
    assert "line 1: starts ORD-1003@3 (playbook card-failed); `collectbot explain ORD-1003@3` says when its first " \
           "step goes" in doc["notes"]
    assert "line 3: already ended: order_paid #6 was recorded for it (trigger.until of cart)" in doc["notes"]
    code, again = collectbot(ws, "2026-12-05T12:00", "event", "import", str(ws / "events.jsonl"))
    assert (again["recorded"], again["duplicates"]) == (0, 4)  # lines with `id` (or `at`) are recorded once

    code, doc = collectbot(ws, "2026-12-05T12:00", "run")
    assert code == 0
    got = {(m["customer_id"], m["channel"], tuple(m["invoice_ids"]), tuple(m["steps"])): m for m in doc["messages"]}
    assert set(got) == {
        ("C-MEERA", "sms", ("ORD-1003@3",), ("retry",)),           # the declined card, an hour on
        ("guest-7781", "whatsapp", ("cart_abandoned@4",), ("nudge",)),  # a shopper the book does not know
        ("C-RAVI", "whatsapp", ("ORD-1002",), ("prepaid-offer",)),   # risky cash on delivery
    }
    card = got[("C-MEERA", "sms", ("ORD-1003@3",), ("retry",))]["body"]
    assert "order ORD-1003 (₹1,299.00)" in card and "https://chai-and-co.example/pay/ORD-1003" in card
    cart = got[("guest-7781", "whatsapp", ("cart_abandoned@4",), ("nudge",))]
    assert cart["to"] == "+919820044444" and "Hi Neha" in cart["body"]
    assert "https://chai-and-co.example/cart/7781" in cart["body"] and "₹1,840.00" in cart["body"]
    assert "https://chai-and-co.example/pay/ORD-1002" in got[("C-RAVI", "whatsapp", ("ORD-1002",),
                                                                ("prepaid-offer",))]["body"]
    # Asha pays on time: her cash-on-delivery order gets no prepaid offer, and her cart was paid
    assert not [m for m in doc["messages"] if m["customer_id"] == "C-ASHA"]

    assert collectbot(ws, "2026-12-05T12:10", "run")[1]["messages"] == []  # nothing twice
    code, doc = collectbot(ws, "2026-12-05T12:10", "history", "ORD-1003")  # the order and its event's sequence
    assert code == 0 and [(e["kind"], e["invoice_id"]) for e in doc["entries"] if e["kind"] != "message sent"] == [
        ("imported", "ORD-1003"), ("event", "ORD-1003"), ("touch sent", "ORD-1003@3")]
    stamp = datetime.fromisoformat("2026-12-06T08:00:00+05:30").timestamp()
    for f in ws.glob("*.csv"):  # the next morning's export
        os.utime(f, (stamp, stamp))
    code, doc = collectbot(ws, "2026-12-06T10:00", "run")  # the next day's steps
    assert code == 0
    nextday = sorted((m["customer_id"], m["steps"][0]) for m in doc["messages"])
    assert ("guest-7781", "next-day") in nextday and ("C-MEERA", "reminder") in nextday
    code, doc = collectbot(ws, "2026-12-06T10:00", "explain", "cart_abandoned@4")
    assert doc["playbook"] == "cart" and doc["why"].startswith("cart: started by the event cart_abandoned #4")


def test_the_readme_shows_the_cron_and_listen_lines():
    text = (EXAMPLE / "README.md").read_text()
    assert "*/5 * * * * cd /srv/shop && collectbot run --quiet" in text
    assert "collectbot listen --host 127.0.0.1 --port 8787" in text and "X-Collectbot-Signature: sha256=" in text
