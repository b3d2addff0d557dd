"""Never print a secret: a value that looks like a provider key is masked wherever collectbot
says it — a key pasted into `api_key_env:` instead of a variable's name, echoed back in a
config problem, a warning or an error, in human and --json output alike."""

from __future__ import annotations

import re

# SendGrid API keys, Twilio account SIDs, API key SIDs and auth tokens (32 hex), Stripe secret keys.
SECRET = re.compile(r"SG\.[\w-]{10,}\.[\w-]{10,}|(?<![\w])(?:AC|SK)?[0-9a-fA-F]{32}(?![\w])|sk_(?:live|test)_\w{10,}")


def looks_like_secret(value: str) -> bool:
    return SECRET.fullmatch(value.strip()) is not None


def mask(text: str) -> str:
    """`text` with every key-like value cut to its first four characters and "…(hidden)"."""
    if not isinstance(text, str) or len(text) < 32:
        return text
    return SECRET.sub(lambda m: f"{m.group(0)[:4]}…(hidden)", text)
