"""`collectbot listen`: an HTTP receiver for what the providers push, recorded into the state.

Sending stays with `run`; this only records, exactly as `sync` and `events import` would:

* `POST /twilio/status` — Twilio's status callback for a message we sent (set a channel's
  `status_callback:` to this URL): the delivery status, as `sync` would fetch it.
* `POST /twilio/inbound` — a message a customer sent to our number (the number's "A message
  comes in" webhook): a reply, read and queued as `sync` does (STOP opts out).
* `POST /sendgrid/events` — SendGrid's Event Webhook (a JSON array), as `events import`.
* `POST /events` — a business event from your shop or app (`{"event": "cart_abandoned",
  "customer_id": "C9", "data": {...}}`), as `collectbot event`; it must be signed:
  `X-Collectbot-Signature: sha256=HEX`, the HMAC-SHA256 of the raw body with the secret in the
  variable `listen.secret_env` names. Without that setting every POST /events is refused.

Twilio's requests are checked with Twilio's own `RequestValidator` (the X-Twilio-Signature of
the URL Twilio called, `--public-url`, signed with the account's auth token); a request that
fails is refused (401) and recorded nowhere, as is an unsigned or wrongly signed POST /events.
SendGrid's signed webhook is checked with SendGrid's `EventWebhook` helper when
`--sendgrid-key-env` names the verification key.
It listens on 127.0.0.1 unless told otherwise: put it behind your tunnel or proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from . import delivery, jsondoc
from .config import Config
from .state import State


class Listener:
    """What the handler needs: where the state is, how to check requests, and the clock."""

    def __init__(self, state_path: Path, *, public_url: str, twilio_token: str | None, now: Callable[[], datetime],
                 replies: Any = None, sendgrid_key: str | None = None, events_secret: str | None = None,
                 config: Config | None = None, log: Callable[[str], None] = lambda s: None):
        self.state_path = state_path
        self.public_url = public_url.rstrip("/")
        self.twilio_token = twilio_token
        self.sendgrid_key = sendgrid_key
        self.events_secret = events_secret
        self.config = config  # the workspace's: which events start sequences, and what recording one means
        self.now = now
        self.replies = replies
        self.log = log
        self.lock = threading.Lock()  # one request writes at a time (SQLite would queue them anyway)

    def twilio_valid(self, path: str, params: dict[str, str], signature: str | None) -> bool:
        from twilio.request_validator import RequestValidator

        if not self.twilio_token or not signature:
            return False
        return RequestValidator(self.twilio_token).validate(self.public_url + path, params, signature)

    def sendgrid_valid(self, body: bytes, signature: str | None, timestamp: str | None) -> bool:
        if not self.sendgrid_key:
            return True
        from sendgrid.helpers.eventwebhook import EventWebhook

        try:
            key = EventWebhook().convert_public_key_to_ecdsa(self.sendgrid_key)
            return bool(signature and timestamp and EventWebhook(key).verify_signature(body.decode(), signature,
                                                                                        timestamp))
        except Exception:  # noqa: BLE001 - a malformed key or signature is a failed check
            return False

    def events_valid(self, body: bytes, signature: str | None) -> bool:
        """`X-Collectbot-Signature: sha256=HEX` is the HMAC-SHA256 of the body with the secret."""
        if not self.events_secret or not signature or not signature.startswith("sha256="):
            return False
        expected = hmac.new(self.events_secret.encode(), body, hashlib.sha256).hexdigest().encode()
        given = signature[len("sha256="):].strip().lower().encode("utf-8", "replace")  # bytes: any text compares
        return hmac.compare_digest(expected, given)

    def record(self, what: Callable[[State, datetime], Any]) -> Any:
        with self.lock, State.open(self.state_path, create=False) as state:
            return what(state, self.now())


def make_server(listener: Listener, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"listener": listener})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    listener: Listener

    def log_message(self, format: str, *args: Any) -> None:
        # a request line that could not be parsed has no command or path yet
        self.listener.log(f"{getattr(self, 'command', None) or '?'} {getattr(self, 'path', None) or '?'} -> "
                          f"{args[1] if len(args) > 1 else (format % args if args else format)}")

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        if status == 401:  # unsigned or wrongly signed: the request must carry a valid signature
            self.send_header("WWW-Authenticate", 'Signature realm="collectbot listen"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer(200 if self.path == "/health" else 404, {"ok": self.path == "/health"})

    def do_POST(self) -> None:
        given = (self.headers.get("Content-Length") or "").strip()
        if not given.isdigit():  # missing, negative or not a number: the body cannot be read safely
            self.close_connection = True
            return self._answer(411, {"error": "a POST needs a Content-Length header with the body's size in bytes"})
        length = int(given)
        if length > 10_000_000:
            self.close_connection = True
            return self._answer(413, {"error": "too large"})
        body = self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        try:
            if path in ("/twilio/status", "/twilio/inbound"):
                return self._twilio(path, body)
            if path == "/sendgrid/events":
                return self._sendgrid(body)
            if path == "/events":
                return self._event(body)
        except Exception as exc:  # noqa: BLE001 - a bad request or a damaged state: say it, keep serving
            self.listener.log(f"error: {type(exc).__name__}: {exc}")
            return self._answer(500, {"error": str(exc)[:200]})
        self._answer(404, {"error": "unknown path"})

    def _twilio(self, path: str, body: bytes) -> None:
        params = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if not self.listener.twilio_valid(self.path, params, self.headers.get("X-Twilio-Signature")):
            return self._answer(401, {"error": "the X-Twilio-Signature does not match"})
        if path == "/twilio/status":
            sid = params.get("MessageSid") or params.get("SmsSid")
            current = {"status": params.get("MessageStatus") or params.get("SmsStatus"),
                       "error_code": params.get("ErrorCode") or None}
            change = self.listener.record(lambda state, now: delivery.record_status_of(state, sid, current, now))
            return self._answer(200, {"recorded": change is not None})
        channel = "whatsapp" if str(params.get("From", "")).startswith("whatsapp:") else "sms"
        reply = {"sid": params.get("MessageSid") or params.get("SmsSid"), "from": params.get("From"),
                 "to": params.get("To"), "body": params.get("Body", ""), "date_sent": None}
        handled = self.listener.record(
            lambda state, now: delivery._record_reply(state, channel, reply, now, self.listener.replies))
        self._answer(200, {"recorded": handled is not None})

    def _event(self, body: bytes) -> None:
        from . import triggers

        if not self.listener.events_secret:
            return self._answer(403, {"error": "POST /events is off: set listen.secret_env in collectbot.yaml"})
        signature = self.headers.get("X-Collectbot-Signature")
        if not signature:
            return self._answer(401, {"error": "no X-Collectbot-Signature header (sha256=HMAC of the body)"})
        if not self.listener.events_valid(body, signature):
            return self._answer(401, {"error": "the X-Collectbot-Signature does not match"})
        try:
            event = triggers.parse_event(jsondoc.loads(body.decode("utf-8")))
        except (ValueError, triggers.EventError) as exc:  # JSONDecodeError, UnicodeDecodeError, EventError
            reason = str(exc) if isinstance(exc, triggers.EventError) else "the body is not a JSON object"
            return self._answer(400, {"error": reason})
        config = self.listener.config
        if config is None:
            return self._answer(403, {"error": "POST /events is off: set listen.secret_env in collectbot.yaml"})

        def record(state: State, now: datetime) -> tuple[int | None, list[str]]:
            got = triggers.record(state, event, now, config)
            return got, (triggers.notes(state, config, event, got, now) if got is not None else [])

        try:
            got, said = self.listener.record(record)
        except triggers.EventError as exc:
            return self._answer(400, {"error": str(exc)})
        self._answer(200, {"recorded": got is not None, "id": got, "notes": said})

    def _sendgrid(self, body: bytes) -> None:
        from .delivery import import_sendgrid_events, read_events_file

        if not self.listener.sendgrid_valid(body, self.headers.get("X-Twilio-Email-Event-Webhook-Signature"),
                                            self.headers.get("X-Twilio-Email-Event-Webhook-Timestamp")):
            return self._answer(401, {"error": "the event webhook signature does not match"})
        try:
            events = read_events_file(body.decode("utf-8", "replace"))
        except ValueError as exc:  # not JSON, or nested too deeply: the sender's mistake, not ours
            return self._answer(400, {"error": str(exc)[:200]})
        report = self.listener.record(lambda state, now: import_sendgrid_events(state, events, now))
        self._answer(200, {"imported": report.imported, "duplicates": report.duplicates})
