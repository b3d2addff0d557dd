"""Throughput of real sends: N messages through `dispatch.send_all` against the local provider
server answering after a fixed delay, with a worker pool of `concurrency`.

The bound is N × delay / concurrency (every worker always waiting on a request); the target
is at least 80% of it, i.e. elapsed ≤ bound / 0.8. The server runs in its own process so it
does not compete with the senders for the GIL.

    python benchmarks/bench_throughput.py                      # 2,000 SMS via Twilio, 100 ms, 8 workers
    python benchmarks/bench_throughput.py --provider sendgrid --messages 500
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from provider_server import ACCOUNT_SID, API_KEY, AUTH_TOKEN  # noqa: E402

from collectbot.channels.base import OutgoingMessage  # noqa: E402
from collectbot.channels.sendgrid_email import SendGridEmail  # noqa: E402
from collectbot.channels.twilio_messaging import TwilioMessaging  # noqa: E402


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "provider_server.py"), "--port", "0",
                             "--delay", str(delay)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"the provider server did not start: {line!r}")
    return proc, line.split()[-1]


def make_messages(provider: str, n: int) -> list[OutgoingMessage]:
    channel = "email" if provider == "sendgrid" else "sms"
    out = []
    for i in range(n):
        to = f"customer{i}@example.com" if channel == "email" else f"+9198{i:08d}"
        out.append(OutgoingMessage(message_id=i + 1, channel=channel, to=to, body=f"Invoice INV-{i} is due.",
                                   customer_id=f"C{i}", invoice_ids=[f"INV-{i}"], subject="Invoice due"))
    return out


def run(provider: str, n: int, delay: float, concurrency: int) -> dict:
    from collectbot.channels.dispatch import send_all

    proc, url = start_server(delay)
    try:
        if provider == "sendgrid":
            channels = {"email": SendGridEmail(API_KEY, sender="billing@shop.example", base_url=url, timeout=10)}
        else:
            channels = {"sms": TwilioMessaging(ACCOUNT_SID, AUTH_TOKEN, channel="sms", sender="+14155550100",
                                               base_url=url, timeout=10)}
        messages = make_messages(provider, n)
        outcomes: dict[str, int] = {}

        def on_result(message, result):
            outcomes[result.status] = outcomes.get(result.status, 0) + 1

        started = time.perf_counter()
        send_all(messages, channels, concurrency=concurrency, rates={}, max_tries={name: 1 for name in channels},
                 on_result=on_result)
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(10)
    bound = n * delay / concurrency
    return {"provider": provider, "messages": n, "delay_s": delay, "concurrency": concurrency,
            "elapsed_s": round(elapsed, 2), "bound_s": round(bound, 2),
            "efficiency": round(bound / elapsed, 3) if elapsed else None,
            "target_met": elapsed <= bound / 0.8, "outcomes": outcomes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=("twilio", "sendgrid"), default="twilio")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the server waits before answering")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    report = run(args.provider, args.messages, args.delay, args.concurrency)
    print(json.dumps(report, indent=2))
    return 0 if report["target_met"] and report["outcomes"].get("sent") == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
