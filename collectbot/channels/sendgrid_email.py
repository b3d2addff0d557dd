"""Email through SendGrid's v3 Mail Send API, with the official `sendgrid` package.

One `OutgoingMessage` becomes one `POST /v3/mail/send`; the answer is classified into a
`SendResult` the dispatcher can act on: retry later (429, 5xx, timeouts, broken
connections, with the wait SendGrid asked for), give up on this message (400), or stop the
whole run (401/403: the key is wrong, every other message would fail the same way).

`custom_args` carry the ledger's message id and the invoice ids, so SendGrid's event
webhook (see `collectbot events import`) can be tied back to the message it is about.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import python_http_client.exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Cc, Content, CustomArg, Email, Mail, ReplyTo, To

from ..config import ChannelConfig, Config
from .base import MissingCredentials, OutgoingMessage, SendResult, register_provider

DEFAULT_HOST = "https://api.sendgrid.com"
DEFAULT_KEY_VARIABLE = "SENDGRID_API_KEY"


def retry_after_seconds(headers: Mapping[str, str] | Any) -> float | None:
    """How long the provider asked us to wait, from `Retry-After` (seconds or an HTTP date) or
    SendGrid's `X-RateLimit-Reset` (epoch seconds).

    Dates are measured against the response's own `Date` header, not our clock, so the answer
    is right even when the local clock is off (and nothing here reads the clock). Without a
    `Date` header a date-valued hint cannot be turned into seconds and is ignored (None).
    """
    if headers is None:
        return None

    def header(name: str) -> str | None:
        value = headers.get(name)
        return str(value).strip() if value is not None else None

    reference = None
    if header("Date"):
        try:
            reference = parsedate_to_datetime(header("Date")).timestamp()
        except (TypeError, ValueError):
            reference = None
    retry_after = header("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                when = parsedate_to_datetime(retry_after).timestamp()
            except (TypeError, ValueError):
                when = None
            if when is not None and reference is not None:
                return max(0.0, when - reference)
    reset = header("X-RateLimit-Reset")
    if reset and reference is not None:
        try:
            return max(0.0, float(reset) - reference)
        except ValueError:
            return None
    return None


@register_provider("sendgrid")
def make_sendgrid(channel: ChannelConfig, config: Config, environ: Mapping[str, str]) -> "SendGridEmail":
    variable = channel.api_key_env or DEFAULT_KEY_VARIABLE
    api_key = environ.get(variable)
    if not api_key:
        raise MissingCredentials(variable, channel.name)
    if not channel.sender:
        raise ValueError("the sendgrid email channel needs `from:` (a verified sender address)")
    return SendGridEmail(api_key, sender=channel.sender, from_name=channel.from_name, reply_to=channel.reply_to,
                         base_url=channel.base_url, timeout=channel.timeout, key_variable=variable)


class SendGridEmail:
    """The SendGrid back end of the email channel. Thread-safe: the dispatcher's workers share it."""

    provider = "sendgrid"

    def __init__(self, api_key: str, *, sender: str, from_name: str | None = None, reply_to: str | None = None,
                 base_url: str | None = None, timeout: float = 10.0, key_variable: str = DEFAULT_KEY_VARIABLE):
        self.host = (base_url or DEFAULT_HOST).rstrip("/")
        self.sender = sender
        self.from_name = from_name
        self.reply_to = reply_to
        self.timeout = timeout
        self.key_variable = key_variable
        self.client = SendGridAPIClient(api_key, host=self.host)
        # python_http_client waits forever by default; a hung request must end as a retryable failure.
        self.client.client.timeout = timeout

    def build(self, message: OutgoingMessage) -> dict[str, Any]:
        """The Mail Send request body for one message."""
        mail = Mail(from_email=Email(self.sender, self.from_name), to_emails=To(message.to),
                    subject=message.subject or "")
        mail.content = Content("text/plain", message.body)
        if message.html:
            mail.content = Content("text/html", message.html)
        if self.reply_to:
            mail.reply_to = ReplyTo(self.reply_to)
        for address in message.cc:
            mail.add_cc(Cc(address), p=0)
        # Per-personalization custom_args: an object in the API contract (the top-level one is a string).
        mail.custom_arg = [
            CustomArg("collectbot_message_id", str(message.message_id), p=0),
            CustomArg("invoice_ids", ",".join(message.invoice_ids), p=0),
        ]
        return mail.get()

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            response = self.client.client.mail.send.post(request_body=self.build(message))
        except http_errors.HTTPError as exc:
            return self._http_failure(message, exc)
        except (TimeoutError, socket.timeout):
            return _retryable(f"SendGrid did not answer within {self.timeout:g} s", "timeout",
                              maybe_delivered=True)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                return _retryable(f"SendGrid did not answer within {self.timeout:g} s", "timeout")
            return _retryable(f"could not reach SendGrid at {self.host}: {exc.reason}", "connection")
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            return _retryable(f"the connection to SendGrid broke before it answered ({type(exc).__name__})",
                              "connection", maybe_delivered=True)
        message_id = response.headers.get("X-Message-Id")
        return SendResult(status="sent", provider_id=message_id, details={"http_status": response.status_code})

    def _http_failure(self, message: OutgoingMessage, exc: http_errors.HTTPError) -> SendResult:
        status = int(exc.status_code)
        reason = _error_text(exc.body)
        code = str(status)
        if status == 401:
            return SendResult("failed", error=f"SendGrid rejected the API key (401): check {self.key_variable}",
                              error_code=code, fatal=True)
        if status == 403:
            return SendResult("failed", error=f"SendGrid refused to send from {self.sender} (403): {reason}. "
                              f"Check that the key in {self.key_variable} has Mail Send permission and that "
                              "the sender is verified", error_code=code, fatal=True)
        if status == 429:
            return SendResult("failed", error="SendGrid is limiting how fast we send (429); trying again later",
                              error_code=code, retryable=True, retry_after=retry_after_seconds(exc.headers))
        if status >= 500:
            return SendResult("failed", error=f"SendGrid had a problem on its side ({status}); trying again later",
                              error_code=code, retryable=True, retry_after=retry_after_seconds(exc.headers))
        return SendResult("failed", error=f"SendGrid rejected the email to {message.to} ({status}): {reason}",
                          error_code=code)


def _retryable(error: str, code: str, *, maybe_delivered: bool = False) -> SendResult:
    # maybe_delivered: the request may have reached SendGrid before the answer was lost.
    return SendResult("failed", error=error, error_code=code, retryable=True,
                      details={"maybe_delivered": maybe_delivered})


def _error_text(body: bytes | str | None) -> str:
    """SendGrid's `{"errors": [{"message", "field", "help"}]}` as one readable line."""
    try:
        errors = json.loads(body or b"{}").get("errors") or []
    except (ValueError, AttributeError):
        return (body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")).strip()[:200]
    parts = []
    for e in errors:
        text = str(e.get("message") or "").strip()
        if e.get("field"):
            text = f"{e['field']}: {text}"
        parts.append(text)
    return "; ".join(p for p in parts if p) or "no reason given"
