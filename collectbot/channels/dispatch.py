"""Send many messages through their channels: a small worker pool, a rate limit per channel,
retries with backoff inside the run, and a stop switch for credential failures.

The dispatcher knows nothing of SQLite. Two callbacks connect it to the ledger, and both are
called under one lock (the state connection is shared between threads):

* `claim(message) -> bool` runs just before a message's first request: it commits the
  `sending` rows and sets `message.message_id`; False means "already taken, do not send".
* `on_result(message, result)` receives the final answer (after retries), with the number of
  tries in `result.details["attempts"]`. When the provider raised something unexpected, or
  the request timed out or lost its connection after it left (`details["maybe_delivered"]`),
  the message may or may not have gone out: the result is `uncertain` and is never retried.
  Only failures where the request certainly did not arrive (429, 5xx, connection refused) are retried.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .base import Channel, OutgoingMessage, SendResult

MAX_BACKOFF = 30.0  # seconds, the longest single wait between tries


class TokenBucket:
    """`rate` sends per second with a burst of one second's worth (at least 1)."""

    def __init__(self, rate: float, sleep: Callable[[float], None], clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.sleep = sleep
        self.clock = clock
        self.stamp = clock()
        self.lock = threading.Lock()

    def take(self) -> None:
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            self.sleep(wait)


def backoff(attempt: int, retry_after: float | None, base: float = 0.5, rng: random.Random | None = None) -> float:
    """Seconds to wait before try `attempt + 1`: the provider's Retry-After when it gave one,
    else exponential (0.5 s, 1 s, 2 s, ...) with full jitter, never more than MAX_BACKOFF."""
    if retry_after is not None and retry_after >= 0:
        return min(float(retry_after), MAX_BACKOFF)
    r = rng or random
    ceiling = min(base * (2 ** (attempt - 1)), MAX_BACKOFF)
    return ceiling / 2 + r.uniform(0, ceiling / 2)


def _uncertain(result: SendResult) -> SendResult:
    return SendResult(
        status="uncertain", error_code=result.error_code, details=result.details,
        error=f"{result.error}; the message may or may not have gone out, so it is not sent again "
              "automatically (`collectbot resend` sends it again if you decide to)",
    )


def send_all(
    messages: list[OutgoingMessage],
    channels: dict[str, Channel],
    *,
    concurrency: int,
    rates: dict[str, float | None],
    max_tries: dict[str, int],
    sleep: Callable[[float], None] = time.sleep,
    on_result: Callable[[OutgoingMessage, SendResult], None],
    claim: Callable[[OutgoingMessage], bool] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Send every message; returns False when a fatal result (bad credentials) stopped the run.

    After a fatal result no new message is claimed or sent: those are neither sent nor
    marked, so the next run plans them again.
    """
    ledger_lock = threading.Lock()
    stop = threading.Event()
    buckets = {name: TokenBucket(rate, sleep) for name, rate in rates.items() if rate}

    def one(message: OutgoingMessage) -> None:
        if stop.is_set():
            return
        if claim is not None:
            with ledger_lock:
                if stop.is_set() or not claim(message):
                    return
        channel = channels[message.channel]
        tries = max(1, max_tries.get(message.channel, 1))
        result = SendResult(status="failed", error="not attempted")
        attempt = 0
        try:
            for attempt in range(1, tries + 1):
                if message.channel in buckets:
                    buckets[message.channel].take()
                result = channel.send(message)
                if result.retryable and result.details.get("maybe_delivered"):
                    # A timeout or a connection lost after the request left: the provider may have
                    # delivered it. Retrying could send it twice (SPEC 3 rule 2), so stop here.
                    result = _uncertain(result)
                    break
                if result.status == "sent" or result.fatal or not result.retryable or attempt == tries:
                    break
                sleep(backoff(attempt, result.retry_after))
        except Exception as exc:  # noqa: BLE001 - a provider bug must not sink the batch
            result = SendResult(status="uncertain", error=f"the provider failed unexpectedly ({type(exc).__name__}: "
                                f"{exc}); the message may or may not have gone out")
        result.details["attempts"] = attempt
        if result.fatal:
            stop.set()
        with ledger_lock:
            on_result(message, result)
            if progress is not None:
                progress(1)

    workers = max(1, concurrency)
    if workers == 1 or len(messages) <= 1:
        for m in messages:
            one(m)
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="send") as pool:
            for future in [pool.submit(one, m) for m in messages]:
                future.result()
    return not stop.is_set()
