"""Fault-injection probe of at-most-once sending (issue 14): real `collectbot run` processes
against the local provider server (tests/provider_server.py) scripted to fail — 429 with
Retry-After, 500, answers after the client's timeout (the provider took the message), dropped
connections and hung requests (it did not) — with some runs killed with SIGKILL mid-send. Then
`collectbot sync` (Twilio's message list) and `collectbot events import` (SendGrid's events for
what it took) resolve what they can.

It reports: messages each provider took, duplicates (the same customer, step and channel taken
twice: must be 0), `uncertain` touches before and after resolving (after must be fewer when any
were resolvable), and the same after more runs that follow the resolution.

    python benchmarks/fault_probe.py --runs 40 --customers 30 --seed 1 [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from provider_server import CREDENTIALS, ProviderServer, write_workspace  # noqa: E402

PLAYBOOK = """name: standard
steps:
  - id: first
    at: due+1d
    channel: email
    template: first
  - id: second
    at: due+3d
    channel: sms
    template: second
  - id: third
    at: due+5d
    channel: whatsapp
    template: third
  - id: fourth
    at: due+7d
    channel: email
    template: fourth
"""
# each body names its step and invoice: a provider's log then tells a duplicate from another step
TEMPLATES = {
    "first.email.j2": "Subject: first {{ invoice.invoice_id }}\n[first {{ invoice.invoice_id }}] please pay",
    "second.sms.j2": "[second {{ invoice.invoice_id }}] please pay",
    "third.whatsapp.j2": "[third {{ invoice.invoice_id }}] please pay",
    "fourth.email.j2": "Subject: fourth {{ invoice.invoice_id }}\n[fourth {{ invoice.invoice_id }}] last call",
}
FAULTS = [{"status": 429, "headers": {"Retry-After": "0"}}, {"status": 500}, {"delay": 1.2}, {"drop": True},
          {"hang": True}]
START = datetime(2026, 11, 21, 9, 0)


def _book(customers: int) -> str:
    lines = ["invoice_id,customer_id,customer_name,email,phone,whatsapp,issue_date,due_date,amount,balance,currency,"
             "status"]
    for n in range(customers):
        phone = f"+9198{n:08d}"
        lines.append(f"INV-{n:03d},C{n:03d},Customer {n},c{n}@example.com,{phone},{phone},2026-10-01,2026-11-20,"
                     f"{1000 + n}.00,{1000 + n}.00,INR,open")
    return "\n".join(lines) + "\n"


def _cli(config: Path, *args: str, now: datetime) -> subprocess.Popen:
    env = {**os.environ, **CREDENTIALS, "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "collectbot", "--config", str(config), "--now",
                             now.isoformat(timespec="minutes"), "--json", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _uncertain(config: Path) -> int:
    conn = sqlite3.connect(f"{(config.parent / 'collectbot.db').as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM touches WHERE status IN ('uncertain', 'sending')").fetchone()[0]
    finally:
        conn.close()


def _duplicates(server: ProviderServer) -> list[str]:
    taken = Counter()
    for r in server.sent():
        body = r["body"]
        text = (body.get("content") or [{}])[0].get("value", "") if r["api"] == "sendgrid" else body.get("Body", "")
        taken[(r["api"], r["to"], text.split("]")[0])] += 1
    return [f"{k}: {n}" for k, n in taken.items() if n > 1]


def probe(workdir: Path, *, runs: int, customers: int, seed: int, kill_rate: float = 0.3,
          fault_rate: float = 0.3, after: int = 3) -> dict[str, Any]:
    rng = random.Random(seed)
    with ProviderServer() as server:
        config = write_workspace(workdir, server.url, invoices=_book(customers), playbook=PLAYBOOK,
                                 limits="  concurrency: 4\n")
        text = config.read_text().replace("timeout: 2\n", "timeout: 0.5\n")
        config.write_text(text.replace("    timeout: 0.5\n  sms:", "    timeout: 0.5\n    max_tries: 2\n  sms:"))
        for name, body in TEMPLATES.items():
            (workdir / "templates" / name).write_text(body)
        # at least one answer after the timeout per provider: something each can resolve
        server.script("c0@example.com", {"delay": 1.2})
        server.script("+919800000001", {"delay": 1.2})
        for n in range(customers):
            for to in (f"c{n}@example.com", f"+9198{n:08d}"):
                server.script(to, *[rng.choice(FAULTS) if rng.random() < fault_rate else {} for _ in range(6)])
        exits, killed = Counter(), 0
        now = START
        for _ in range(runs):
            proc = _cli(config, "run", now=now)
            if rng.random() < kill_rate:
                time.sleep(rng.uniform(0.3, 0.9))  # start-up takes ~0.4 s: then it is sending
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    killed += 1
            proc.communicate(timeout=300)
            exits[proc.returncode] += 1
            now += timedelta(hours=rng.choice((2, 6, 12, 24)))
        time.sleep(1.5)  # let delayed answers finish: the provider then lists what it took
        before = _uncertain(config)
        events = workdir / "events.json"
        events.write_text(json.dumps(server.sendgrid_events()))
        sync = _cli(config, "sync", now=now)
        sync_doc = json.loads(sync.communicate(timeout=300)[0] or "{}")
        imported = _cli(config, "events", "import", str(events), now=now)
        events_doc = json.loads(imported.communicate(timeout=300)[0] or "{}")
        resolved_after = _uncertain(config)
        for _ in range(after):  # runs after the resolution must not send any of it again
            now += timedelta(days=1)
            proc = _cli(config, "run", now=now)
            proc.communicate(timeout=300)
            exits[proc.returncode] += 1
        return {
            "runs": runs + after, "killed": killed, "exit_codes": dict(sorted(exits.items())),
            "taken": {"sendgrid": len(server.sent("sendgrid")), "twilio": len(server.sent("twilio"))},
            "duplicates": _duplicates(server),
            "uncertain_before": before, "uncertain_after": resolved_after, "uncertain_at_end": _uncertain(config),
            "resolved": {"twilio": len(sync_doc.get("resolved", [])), "sendgrid": len(events_doc.get("resolved", []))},
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    import tempfile

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="collectbot-probe-"))
    result = probe(workdir / "ws", runs=args.runs, customers=args.customers, seed=args.seed)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
