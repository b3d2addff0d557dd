"""SMS and WhatsApp through Twilio's Messages API, with the official `twilio` package.

One `OutgoingMessage` becomes one `POST /2010-04-01/Accounts/{sid}/Messages.json`; the
answer is classified into a `SendResult`: retry later (429/20429, 5xx, timeouts, broken
connections), stop using the address (21211 invalid number, 21610 the customer replied
STOP), give up on this message (other 4xx, e.g. 21408 region not enabled), or stop the
whole run (401/403, 20003: the credentials are wrong).

The package has Twilio's address built in; `base_url` (a regional endpoint or a local test
server) is honoured by `RebasedHttpClient`, which rewrites the scheme and host of every
request, including the next-page links of lists, without patching anything global.

`sync` also uses this module to read back delivery statuses and inbound replies.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from ..config import ChannelConfig, Config
from .base import MissingCredentials, OutgoingMessage, SendResult, register_provider
from .sendgrid_email import retry_after_seconds

DEFAULT_SID_VARIABLE = "TWILIO_ACCOUNT_SID"
DEFAULT_TOKEN_VARIABLE = "TWILIO_AUTH_TOKEN"

# Twilio error codes (https://www.twilio.com/docs/api/errors) collectbot treats specially.
INVALID_NUMBER = {21211, 21614}  # not a valid (mobile) number
OPTED_OUT = 21610  # the recipient replied STOP
REGION_NOT_ENABLED = 21408
AUTH_FAILED = 20003
TOO_MANY_REQUESTS = 20429

# Delivery error codes `sync` explains in plain words.
DELIVERY_ERRORS = {
    30003: "the phone is switched off or unreachable",
    30004: "the recipient blocked messages from us",
    30005: "the number does not exist or is no longer in service",
    30006: "the number is a landline or cannot receive text messages",
    30007: "the carrier filtered the message as spam",
    30008: "the carrier could not deliver it (unknown error)",
    63016: "WhatsApp only allows free-form messages within 24 hours of the customer's last message; "
           "use an approved template (whatsapp_content_sid)",
    63024: "the recipient is not on WhatsApp or cannot be reached there",
    63032: "WhatsApp would not deliver it: the customer has blocked or reported us",
}


def explain_delivery_error(code: int | str | None) -> str | None:
    if code in (None, ""):
        return None
    try:
        number = int(code)
    except (TypeError, ValueError):
        return f"Twilio error {code}"
    return DELIVERY_ERRORS.get(number, f"Twilio error {number} (https://www.twilio.com/docs/errors/{number})")


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client sending every request to `base_url` instead of the built-in host.

    It also remembers, per thread, the last raw response, because `TwilioRestException`
    drops the headers and a 429's `Retry-After` lives there.
    """

    def __init__(self, base_url: str | None = None, timeout: float | None = None):
        super().__init__(timeout=timeout)
        self.base = urlsplit(base_url.rstrip("/")) if base_url else None
        self._local = threading.local()
        if self.session is not None:  # the parent only pools https; base_url may be http
            self.session.mount("http://", HTTPAdapter(pool_maxsize=32))
            self.session.mount("https://", HTTPAdapter(pool_maxsize=32))

    def rebase(self, url: str) -> str:
        if self.base is None:
            return url
        parts = urlsplit(url)
        return urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query,
                           parts.fragment))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        self._local.response = None
        response = super().request(method, self.rebase(url), *args, **kwargs)
        self._local.response = response
        return response

    @property
    def last_response(self) -> Response | None:
        return getattr(self._local, "response", None)


@register_provider("twilio")
def make_twilio(channel: ChannelConfig, config: Config, environ: Mapping[str, str]) -> "TwilioMessaging":
    sid_variable = channel.account_sid_env or DEFAULT_SID_VARIABLE
    if channel.api_key_env:  # an API key (SK…) and its secret instead of the account's auth token
        key_variable, secret_variable = channel.api_key_env, channel.api_secret_env or ""
    else:
        key_variable, secret_variable = None, channel.auth_token_env or DEFAULT_TOKEN_VARIABLE
    for variable in filter(None, (sid_variable, key_variable, secret_variable)):
        if not environ.get(variable):
            raise MissingCredentials(variable, channel.name)
    if not (channel.sender or channel.messaging_service_sid):
        raise ValueError(f"the twilio {channel.name} channel needs `from:` or `messaging_service_sid:`")
    return TwilioMessaging(environ[sid_variable], environ[secret_variable], channel=channel.name,
                           sender=channel.sender, messaging_service_sid=channel.messaging_service_sid,
                           base_url=channel.base_url, timeout=channel.timeout,
                           api_key=environ[key_variable] if key_variable else None,
                           status_callback=channel.status_callback,
                           credential_variables=(key_variable or sid_variable, secret_variable))


class TwilioMessaging:
    """The Twilio back end of the sms or whatsapp channel. Thread-safe: dispatcher workers share it."""

    provider = "twilio"

    def __init__(self, account_sid: str, auth_token: str, *, channel: str = "sms", sender: str | None = None,
                 messaging_service_sid: str | None = None, base_url: str | None = None, timeout: float = 10.0,
                 api_key: str | None = None, status_callback: str | None = None,
                 credential_variables: tuple[str, str] = (DEFAULT_SID_VARIABLE, DEFAULT_TOKEN_VARIABLE)):
        """`auth_token` is the account's auth token, or with `api_key` (an SK… sid) that key's secret."""
        if channel not in ("sms", "whatsapp"):
            raise ValueError(f"twilio sends sms or whatsapp, not {channel!r}")
        self.channel = channel
        self.sender = sender
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback  # Twilio posts each status change there (`collectbot listen`)
        self.timeout = timeout
        self.credential_variables = credential_variables
        self.http = RebasedHttpClient(base_url, timeout=timeout)
        # An explicit environment keeps TWILIO_EDGE/TWILIO_REGION of the calling shell from moving the host.
        # With an API key, the key's sid and secret authenticate and the account is named in the path.
        self.client = Client(api_key or account_sid, auth_token, account_sid, http_client=self.http,
                             environment={"TWILIO_EDGE": "", "TWILIO_REGION": ""})

    # -- addresses -----------------------------------------------------------

    def address(self, number: str) -> str:
        """A number as Twilio wants it on this channel: `whatsapp:+E164` for WhatsApp."""
        number = number.strip()
        if self.channel == "whatsapp" and not number.startswith("whatsapp:"):
            return f"whatsapp:{number}"
        return number

    @property
    def our_number(self) -> str | None:
        """The number customers reply to (None when only a messaging service is configured)."""
        return self.address(self.sender) if self.sender else None

    # -- sending -------------------------------------------------------------

    def build(self, message: OutgoingMessage) -> dict[str, Any]:
        """Keyword arguments for `client.messages.create` (the form fields of the request)."""
        params: dict[str, Any] = {"to": self.address(message.to)}
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        if self.sender:
            params["from_"] = self.address(self.sender)
        if self.channel == "whatsapp" and message.whatsapp_content_sid:
            # A business-initiated WhatsApp message must be an approved template: no free text.
            params["content_sid"] = message.whatsapp_content_sid
            params["content_variables"] = json.dumps(message.content_variables or {}, ensure_ascii=False)
        else:
            params["body"] = message.body
        if self.status_callback:
            params["status_callback"] = self.status_callback
        return params

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            created = self.client.messages.create(**self.build(message))
        except TwilioRestException as exc:
            return self._rest_failure(message, exc)
        except requests.exceptions.ConnectTimeout:
            return self._retryable(f"could not connect to Twilio within {self.timeout:g} s", "timeout")
        except requests.exceptions.Timeout:
            return self._retryable(f"Twilio did not answer within {self.timeout:g} s", "timeout",
                                   maybe_delivered=True)
        except requests.exceptions.ConnectionError as exc:
            dropped = "RemoteDisconnected" in str(exc) or "reset" in str(exc).lower() or "aborted" in str(exc).lower()
            return self._retryable(
                "the connection to Twilio broke before it answered" if dropped else f"could not reach Twilio: {exc}",
                "connection", maybe_delivered=dropped)
        except (TwilioException, requests.exceptions.RequestException, ValueError) as exc:
            return self._retryable(f"unexpected answer from Twilio: {exc}", "protocol", maybe_delivered=True)
        return SendResult("sent", provider_id=created.sid, details={"delivery_status": created.status})

    def _retryable(self, error: str, code: str, *, maybe_delivered: bool = False) -> SendResult:
        # maybe_delivered: the request may have reached Twilio before the answer was lost.
        return SendResult("failed", error=error, error_code=code, retryable=True,
                          details={"maybe_delivered": maybe_delivered})

    def _rest_failure(self, message: OutgoingMessage, exc: TwilioRestException) -> SendResult:
        status = int(exc.status or 0)
        code = int(exc.code) if isinstance(exc.code, int) or str(exc.code).isdigit() else status
        reason = str(exc.msg or "").removeprefix("Unable to create record: ").strip()
        to = message.to
        medium = "WhatsApp" if self.channel == "whatsapp" else "SMS"
        last = self.http.last_response
        wait = retry_after_seconds(last.headers) if last is not None else None
        sid_var, token_var = self.credential_variables
        if status == 401 or code == AUTH_FAILED:
            return SendResult("failed", error=f"Twilio rejected the account credentials ({code}): check "
                              f"{sid_var} and {token_var}", error_code=str(code), fatal=True)
        if status == 403:
            return SendResult("failed", error=f"Twilio refused the request (403, error {code}): {reason}. "
                              "Check the account's permissions", error_code=str(code), fatal=True)
        if status == 429 or code == TOO_MANY_REQUESTS:
            return SendResult("failed", error="Twilio is limiting how fast we send (429); trying again later",
                              error_code=str(code), retryable=True, retry_after=wait)
        if status >= 500:
            return SendResult("failed", error=f"Twilio had a problem on its side ({status}); trying again later",
                              error_code=str(code), retryable=True, retry_after=wait)
        if code in INVALID_NUMBER:
            return SendResult("failed", error=f"Twilio says {to} is not a valid mobile number for {medium}",
                              error_code=str(code), suppress="invalid")
        if code == OPTED_OUT:
            return SendResult("failed", error=f"{to} replied STOP to our number, so Twilio will not deliver "
                              f"{medium} to them until they send START", error_code=str(code), suppress="opted_out")
        if code == REGION_NOT_ENABLED:
            return SendResult("failed", error=f"Twilio is not allowed to send {medium} to {to}'s country: enable "
                              "it in the Twilio console (Messaging > Settings > Geo permissions)",
                              error_code=str(code))
        return SendResult("failed", error=f"Twilio rejected the {medium} to {to} (error {code}): {reason}",
                          error_code=str(code))

    # -- reading back (for `collectbot sync`) ----------------------------------

    def fetch(self, sid: str) -> dict[str, Any]:
        """The current state of one message we sent: status, error_code, dates."""
        m = self.client.messages(sid).fetch()
        return {"sid": m.sid, "status": m.status, "error_code": m.error_code, "error_message": m.error_message,
                "to": m.to, "from": m.from_, "date_updated": m.date_updated}

    def sent_to(self, to: str, since: datetime, page_size: int = 50) -> list[dict[str, Any]]:
        """Messages our account sent to `to` since `since` (Twilio filters by day), oldest first."""
        rows = self.client.messages.list(to=self.address(to), date_sent_after=since, page_size=page_size)
        out = [{"sid": m.sid, "body": m.body or "", "status": m.status, "error_code": m.error_code,
                "date_sent": m.date_sent} for m in rows if str(m.direction or "").startswith("outbound")]
        out.sort(key=lambda r: (r["date_sent"] is None, r["date_sent"] or since, r["sid"]))
        return out

    def inbound(self, since: datetime, page_size: int = 50) -> list[dict[str, Any]]:
        """Messages customers sent to our number since `since` (all pages), oldest first."""
        if not self.our_number:
            return []
        rows = self.client.messages.list(to=self.our_number, date_sent_after=since, page_size=page_size)
        out = [{"sid": m.sid, "from": m.from_, "to": m.to, "body": m.body or "", "date_sent": m.date_sent,
                "direction": m.direction} for m in rows if str(m.direction or "").startswith("inbound")]
        out.sort(key=lambda r: (r["date_sent"] is None, r["date_sent"] or since))
        return out
