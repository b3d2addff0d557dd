"""A local stand-in for the SendGrid and Twilio HTTP APIs, for tests and the benchmark (not in the package).

The official `sendgrid` and `twilio` clients talk real HTTP to it on 127.0.0.1, so the
providers are tested end to end without the network. It answers the few endpoints
collectbot uses, with the bodies, headers and error shapes of the real APIs
(../shared/contracts/ and the providers' docs):

    POST /v3/mail/send                                      202, X-Message-Id
    POST /2010-04-01/Accounts/{AccountSid}/Messages.json    201, message resource (sid SM…)
    GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json   fetch (scripted delivery status)
    GET  /2010-04-01/Accounts/{AccountSid}/Messages.json?To=…   list, paged (scripted inbound replies)

Behaviour is scripted per recipient address: a list of responses consumed in order, each
`{"status": 429, "code": 20429, "message": "...", "headers": {"Retry-After": "2"},
"delay": 0.5, "hang": true, "drop": true}`; when the list is used up, requests succeed.
Every request is logged (method, path, query, headers incl. auth, parsed body, what was
answered), in memory and optionally as JSON lines in a file.

Use it in-process (`ProviderServer().start()`, or the `provider_server` pytest fixture), or
as a separate process so real-process tests can kill the client mid-request:

    python tests/provider_server.py --port 0 --script script.json --log log.jsonl

which prints `listening on http://127.0.0.1:PORT` once ready. The script file holds
`{"responses": {...}, "delivery": {...}, "inbound": [...], "delay": 0.1, "api_key": ...,
"account_sid": ..., "auth_token": ...}`.
"""

from __future__ import annotations

import argparse
import contextlib
import base64
import json
import re
import secrets
import socket
import struct
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API_KEY = "SG.test-key.for-the-local-server"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "local-test-auth-token"
API_KEY_SID = "SK" + "fedcba9876543210" * 2  # a Twilio API key of the account, and its secret
API_KEY_SECRET = "local-test-api-key-secret"

_TWILIO_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages(?:/(?P<sid>[^/]+))?\.json$")


def _twilio_error(code: int, message: str, status: int) -> dict[str, Any]:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


def _sendgrid_errors(*errors: tuple[str, str | None]) -> dict[str, Any]:
    return {"errors": [{"message": m, "field": f, "help": None} for m, f in errors]}


def _rfc2822(dt: datetime) -> str:
    return format_datetime(dt.astimezone(timezone.utc))


def _parse_when(text: str | None) -> datetime:
    if not text:
        return datetime.now(timezone.utc)
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class ProviderServer:
    """One threaded HTTP server answering like SendGrid and Twilio. Thread-safe scripting and log."""

    def __init__(self, *, port: int = 0, api_key: str = API_KEY, account_sid: str = ACCOUNT_SID,
                 auth_token: str = AUTH_TOKEN, delay: float = 0.0, log_path: str | Path | None = None,
                 script: dict[str, Any] | None = None):
        self.api_key = api_key
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.delay = delay  # seconds before every answer (the benchmark's 100 ms)
        self.log_path = Path(log_path) if log_path else None
        self.requests: list[dict[str, Any]] = []
        self.messages: dict[str, dict[str, Any]] = {}  # sid -> stored Twilio message resource
        self._responses: dict[str, list[dict[str, Any]]] = {}
        self._delivery: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if script:
            self.load_script(script)

    # -- scripting -----------------------------------------------------------

    def load_script(self, script: dict[str, Any]) -> None:
        self.api_key = script.get("api_key", self.api_key)
        self.account_sid = script.get("account_sid", self.account_sid)
        self.auth_token = script.get("auth_token", self.auth_token)
        self.delay = float(script.get("delay", self.delay))
        for to, responses in (script.get("responses") or {}).items():
            self.script(to, *responses)
        for key, spec in (script.get("delivery") or {}).items():
            self.set_delivery(key, spec.get("status", "delivered"), spec.get("error_code"))
        for item in script.get("inbound") or []:
            self.add_inbound(item["from"], item["to"], item.get("body", ""), date_sent=item.get("date_sent"),
                             sid=item.get("sid"))

    def script(self, to: str, *responses: dict[str, Any]) -> None:
        """Queue responses for requests to `to` (email or number, with or without `whatsapp:`)."""
        with self._lock:
            self._responses.setdefault(_bare(to), []).extend(responses)

    def set_delivery(self, sid_or_to: str, status: str, error_code: int | None = None) -> None:
        """What a fetch of that message (by sid, or any message to that address) reports."""
        with self._lock:
            self._delivery[_bare(sid_or_to)] = {"status": status, "error_code": error_code}

    def add_inbound(self, from_: str, to: str, body: str, *, date_sent: str | None = None,
                    sid: str | None = None) -> str:
        """A message a customer sent to one of our numbers (seen by the list endpoint)."""
        sid = sid or "SM" + uuid.uuid4().hex
        when = _parse_when(date_sent)
        with self._lock:
            self.messages[sid] = self._resource(sid, to=to, from_=from_, body=body, status="received",
                                                direction="inbound", when=when)
        return sid

    def _next_response(self, to: str) -> dict[str, Any]:
        with self._lock:
            queue = self._responses.get(_bare(to))
            return queue.pop(0) if queue else {}

    # -- log -----------------------------------------------------------------

    def log(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)
            if self.log_path:
                with self.log_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def sendgrid_events(self, kind: str = "delivered") -> list[dict[str, Any]]:
        """What SendGrid's Event Webhook would post for every email it took: one `kind` event each,
        with the personalization's custom_args echoed back (as SendGrid does)."""
        out = []
        for n, r in enumerate(self.sent("sendgrid")):
            args = (r["body"].get("personalizations") or [{}])[0].get("custom_args") or {}
            out.append({"event": kind, "email": r["to"], "timestamp": int(time.time()), "sg_event_id": f"{kind}-{n}",
                        "sg_message_id": f"{r['message_id']}.filter0001.{n}", **({"custom_args": args} if args else {})})
        return out

    def sent(self, api: str | None = None) -> list[dict[str, Any]]:
        """Logged send requests that were accepted (api: 'sendgrid' | 'twilio' | None for both)."""
        return [r for r in self.requests if r.get("accepted") and (api is None or r["api"] == api)]

    # -- lifecycle -----------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ProviderServer":
        handler = type("BoundHandler", (_Handler,), {"provider": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        httpd.request_queue_size = 128
        httpd.allow_reuse_address = True
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hung requests: they close without answering
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "ProviderServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- Twilio message resources --------------------------------------------

    def _resource(self, sid: str, *, to: str, from_: str | None, body: str, status: str, direction: str,
                  when: datetime, messaging_service_sid: str | None = None) -> dict[str, Any]:
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        return {
            "account_sid": self.account_sid, "api_version": "2010-04-01", "body": body,
            "date_created": _rfc2822(when), "date_sent": _rfc2822(when), "date_updated": _rfc2822(when),
            "direction": direction, "error_code": None, "error_message": None, "from": from_,
            "messaging_service_sid": messaging_service_sid, "num_media": "0", "num_segments": "1",
            "price": None, "price_unit": "USD", "sid": sid, "status": status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")}, "to": to, "uri": uri,
            "_when": when.timestamp(),
        }

    def _public(self, message: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in message.items() if not k.startswith("_")}
        with self._lock:
            scripted = self._delivery.get(message["sid"]) or (
                self._delivery.get(_bare(message["to"])) if message["direction"] != "inbound" else None)
        if scripted:
            out["status"] = scripted["status"]
            out["error_code"] = scripted["error_code"]
            out["error_message"] = None if scripted["error_code"] is None else f"error {scripted['error_code']}"
        return out


def _bare(address: str) -> str:
    address = address.strip()
    return address[len("whatsapp:"):] if address.lower().startswith("whatsapp:") else address


class _Handler(BaseHTTPRequestHandler):
    provider: ProviderServer
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs: the clients reuse connections
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server_version = "collectbot-provider-server/1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the structured log is enough
        pass

    # -- plumbing ------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            for k, v in (headers or {}).items():
                self.send_header(k, str(v))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a timeout): what a provider sees too

    def _entry(self, api: str, body: Any, to: str | None) -> dict[str, Any]:
        split = urlsplit(self.path)
        return {
            "time": time.time(), "api": api, "method": self.command, "path": split.path,
            "query": {k: v[0] if len(v) == 1 else v for k, v in parse_qs(split.query).items()},
            "headers": dict(self.headers.items()), "body": body, "to": to,
        }

    def _misbehave(self, spec: dict[str, Any]) -> bool:
        """Apply a scripted delay, hang or dropped connection. True when no answer must be sent."""
        delay = float(spec.get("delay", self.provider.delay))
        if delay:
            time.sleep(delay)
        if spec.get("hang"):
            self.provider._stopping.wait()
        if spec.get("hang") or spec.get("drop"):
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        return False

    # -- routing -------------------------------------------------------------

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/v3/mail/send":
            return self._sendgrid_send()
        m = _TWILIO_PATH.match(path)
        if m and not m.group("sid"):
            return self._twilio_create(m.group("account"))
        self._read_body()
        self._answer(404, _twilio_error(20404, f"The requested resource {path} was not found", 404))

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        m = _TWILIO_PATH.match(path)
        if not m:
            return self._answer(404, _twilio_error(20404, f"The requested resource {path} was not found", 404))
        if m.group("sid"):
            return self._twilio_fetch(m.group("account"), m.group("sid"))
        return self._twilio_list(m.group("account"))

    # -- SendGrid ------------------------------------------------------------

    def _sendgrid_send(self) -> None:
        raw = self._read_body()
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        to = None
        try:
            to = body["personalizations"][0]["to"][0]["email"]
        except (KeyError, IndexError, TypeError):
            pass
        entry = self._entry("sendgrid", body, to)
        spec = self.provider._next_response(to) if to else {}
        entry["respond"] = "hang" if spec.get("hang") else "drop" if spec.get("drop") else spec.get("status", 202)
        if self.headers.get("Authorization") != f"Bearer {self.provider.api_key}":
            entry["respond"] = 401
            self.provider.log(entry)
            return self._answer(401, _sendgrid_errors(
                ("The provided authorization grant is invalid, expired, or revoked", None)))
        problems = _sendgrid_problems(body)
        if problems:
            entry["respond"] = 400
            self.provider.log(entry)
            return self._answer(400, _sendgrid_errors(*problems))
        entry["accepted"] = entry["respond"] == 202
        if entry["accepted"]:
            entry["message_id"] = secrets.token_urlsafe(16)[:22]  # X-Message-Id, and sg_message_id in events
        self.provider.log(entry)
        if self._misbehave(spec):
            return
        status = int(spec.get("status", 202))
        if status == 202:
            return self._answer(202, None, {"X-Message-Id": entry["message_id"], **spec.get("headers", {})})
        message = spec.get("message") or {429: "too many requests", 500: "internal server error"}.get(status, "error")
        self._answer(status, spec.get("body") or _sendgrid_errors((message, spec.get("field"))), spec.get("headers"))

    # -- Twilio --------------------------------------------------------------

    def _twilio_authorised(self, account: str) -> bool:
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        p = self.provider
        # the account's own sid and auth token, or an API key (SK…) of the account and its secret
        return account == p.account_sid and ((user == p.account_sid and password == p.auth_token)
                                             or (user == API_KEY_SID and password == API_KEY_SECRET))

    def _twilio_create(self, account: str) -> None:
        raw = self._read_body().decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        to = form.get("To")
        entry = self._entry("twilio", form, to)
        spec = self.provider._next_response(to) if to else {}
        entry["respond"] = "hang" if spec.get("hang") else "drop" if spec.get("drop") else spec.get("status", 201)
        if not self._twilio_authorised(account):
            entry["respond"] = 401
            self.provider.log(entry)
            return self._answer(401, _twilio_error(20003, "Authenticate", 401))
        problem = _twilio_problem(form)
        if problem:
            entry["respond"] = 400
            self.provider.log(entry)
            return self._answer(400, _twilio_error(problem[0], problem[1], 400))
        entry["accepted"] = entry["respond"] == 201
        self.provider.log(entry)
        if self._misbehave(spec):
            return
        status = int(spec.get("status", 201))
        if status != 201:
            code = int(spec.get("code") or status)
            message = spec.get("message") or _TWILIO_MESSAGES.get(code, "error").format(to=to)
            return self._answer(status, spec.get("body") or _twilio_error(code, message, status), spec.get("headers"))
        sid = "SM" + uuid.uuid4().hex
        resource = self.provider._resource(
            sid, to=to or "", from_=form.get("From"), body=form.get("Body", ""), status="queued",
            direction="outbound-api", when=datetime.now(timezone.utc),
            messaging_service_sid=form.get("MessagingServiceSid"))
        with self.provider._lock:
            self.provider.messages[sid] = resource
        entry["sid"] = sid
        self._answer(201, self.provider._public(resource), spec.get("headers"))

    def _twilio_fetch(self, account: str, sid: str) -> None:
        entry = self._entry("twilio", None, None)
        if not self._twilio_authorised(account):
            entry["respond"] = 401
            self.provider.log(entry)
            return self._answer(401, _twilio_error(20003, "Authenticate", 401))
        message = self.provider.messages.get(sid)
        entry["respond"] = 200 if message else 404
        self.provider.log(entry)
        if not message:
            return self._answer(404, _twilio_error(
                20404, f"The requested resource {urlsplit(self.path).path} was not found", 404))
        self._answer(200, self.provider._public(message))

    def _twilio_list(self, account: str) -> None:
        entry = self._entry("twilio", None, None)
        q = entry["query"]
        if not self._twilio_authorised(account):
            entry["respond"] = 401
            self.provider.log(entry)
            return self._answer(401, _twilio_error(20003, "Authenticate", 401))
        entry["respond"] = 200
        self.provider.log(entry)
        with self.provider._lock:
            rows = list(self.provider.messages.values())
        rows = sorted(rows, key=lambda m: m["_when"], reverse=True)
        if q.get("To"):
            rows = [m for m in rows if m["to"] == q["To"]]
        if q.get("From"):
            rows = [m for m in rows if m["from"] == q["From"]]
        if q.get("DateSent>"):
            after = _parse_when(q["DateSent>"]).timestamp()
            rows = [m for m in rows if m["_when"] >= after]
        if q.get("DateSent<"):
            before = _parse_when(q["DateSent<"]).timestamp()
            rows = [m for m in rows if m["_when"] <= before]
        size = int(q.get("PageSize") or 50)
        page = int(q.get("Page") or 0)
        chunk = rows[page * size:(page + 1) * size]
        base = urlsplit(self.path).path
        params = {k: v for k, v in q.items() if k not in ("Page", "PageToken", "PageSize")}

        def uri(n: int) -> str:
            extra = {"PageToken": f"PA{n}"} if n else {}
            return f"{base}?{urlencode({**params, 'PageSize': size, 'Page': n, **extra})}"

        more = (page + 1) * size < len(rows)
        self._answer(200, {
            "messages": [self.provider._public(m) for m in chunk],
            "end": page * size + max(len(chunk) - 1, 0), "start": page * size,
            "first_page_uri": uri(0), "next_page_uri": uri(page + 1) if more else None,
            "previous_page_uri": uri(page - 1) if page else None,
            "page": page, "page_size": size, "uri": uri(page),
        })


_TWILIO_MESSAGES = {
    20429: "Too Many Requests",
    21211: "Invalid 'To' Phone Number: {to}",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}",
    21610: "Attempt to send to unsubscribed recipient",
    20003: "Authenticate",
    20500: "An internal server error has occurred",
}


def _twilio_problem(form: dict[str, str]) -> tuple[int, str] | None:
    """The checks Twilio makes on a create request that collectbot could get wrong."""
    to = form.get("To")
    if not to:
        return 21604, "A 'To' phone number is required."
    if not re.fullmatch(r"(whatsapp:)?\+[1-9]\d{6,14}", to):
        return 21211, f"Invalid 'To' Phone Number: {to}"
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return 21603, "A 'From' phone number is required."
    if form.get("From") and to.startswith("whatsapp:") != form["From"].startswith("whatsapp:"):
        return 63007, "Twilio could not find a Channel with the specified From address"
    if not (form.get("Body") or form.get("ContentSid") or form.get("MediaUrl")):
        return 21602, "Message body is required."
    if form.get("ContentVariables"):
        try:
            json.loads(form["ContentVariables"])
        except ValueError:
            return 21656, "The ContentVariables Parameter is invalid."
    return None


def _sendgrid_problems(body: Any) -> list[tuple[str, str | None]]:
    """The checks SendGrid makes on /v3/mail/send that collectbot could get wrong."""
    if not isinstance(body, dict):
        return [("Bad Request", None)]
    problems: list[tuple[str, str | None]] = []
    pers = body.get("personalizations")
    if not pers or not all(isinstance(p, dict) and p.get("to") for p in pers):
        problems.append(("The personalizations field is required and must have at least one personalization.",
                         "personalizations"))
    if not (isinstance(body.get("from"), dict) and body["from"].get("email")):
        problems.append(("The from object must be provided for every email send. "
                         "It is an object that requires an email parameter.", "from.email"))
    if not body.get("subject") and not any(isinstance(p, dict) and p.get("subject") for p in pers or []):
        problems.append(("The subject is required. You can get around this requirement if you use a template "
                         "with a subject defined or if every personalization has a subject defined.", "subject"))
    content = body.get("content")
    if not body.get("template_id") and not (isinstance(content, list) and content):
        problems.append(("Unless a valid template_id is provided, the content parameter is required. "
                         "There must be at least one defined content block.", "content"))
    return problems


# ---------------------------------------------------------------------------- a workspace for tests

CREDENTIALS = {"SENDGRID_API_KEY": API_KEY, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}
OUR_NUMBER = "+14155550100"

_INVOICES = """invoice_id,customer_id,customer_name,email,phone,whatsapp,issue_date,due_date,amount,balance,currency,status
INV-1,C1,Patel Fabrics,accounts@patel.example,+919820012345,+919820012345,2026-10-01,2026-11-20,48500.00,48500.00,INR,open
INV-2,C1,Patel Fabrics,accounts@patel.example,+919820012345,+919820012345,2026-10-01,2026-11-20,1250.00,1250.00,INR,open
INV-3,C2,Mehta Hardware,billing@mehta.example,+919833344455,+919833344455,2026-10-01,2026-11-20,8900.00,8900.00,INR,open
"""

_PLAYBOOK = """name: standard
steps:
  - id: first
    at: due+3d
    channel: email
    template: reminder
  - id: second
    at: due+10d
    channel: sms
    template: reminder
  - id: third
    at: due+17d
    channel: whatsapp
    template: reminder
"""

_TEMPLATES = {
    "reminder.email.j2": "Subject: {{ invoices|length }} invoice(s) overdue at {{ business.name }}\n"
                         "Dear {{ customer.name }}, please pay {% for i in invoices %}{{ i.invoice_id }} {% endfor %}",
    "reminder.email.html.j2": "<p>Dear {{ customer.name }} &lt;friend&gt;</p>",
    "reminder.sms.j2": "{{ customer.name }}: please pay {% for i in invoices %}{{ i.invoice_id }} {% endfor %}",
    "reminder.whatsapp.j2": "WhatsApp: {{ customer.name }}, please pay {{ invoices|length }} invoice(s)",
}


def write_workspace(root: Path, base_url: str, *, invoices: str = _INVOICES, playbook: str = _PLAYBOOK,
                    limits: str = "", extra: str = "") -> Path:
    """A small workspace whose three channels use SendGrid and Twilio at `base_url`. Returns the config path.

    `limits` adds lines under `limits:` (e.g. "  concurrency: 1\\n"); `extra` is appended to the file."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "invoices.csv").write_text(invoices)
    (root / "playbooks").mkdir(exist_ok=True)
    (root / "playbooks" / "standard.yaml").write_text(playbook)
    (root / "templates").mkdir(exist_ok=True)
    for name, text in _TEMPLATES.items():
        (root / "templates" / name).write_text(text)
    (root / "collectbot.yaml").write_text(f"""business:
  name: Sharma Traders
  timezone: UTC
  currency: INR
  locale: en_IN
  country: IN
  working_hours: {{start: "00:00", end: "24:00", days: [mon, tue, wed, thu, fri, sat, sun]}}
sources:
  invoices: invoices.csv
channels:
  email:
    provider: sendgrid
    from: billing@sharma.example
    from_name: Sharma Traders
    base_url: {base_url}
    timeout: 2
  sms:
    provider: twilio
    from: "{OUR_NUMBER}"
    base_url: {base_url}
    timeout: 2
  whatsapp:
    provider: twilio
    from: "{OUR_NUMBER}"
    base_url: {base_url}
    timeout: 2
limits:
  max_source_age: 10000d
{limits}playbooks:
  - playbooks/standard.yaml
{extra}""")
    return root / "collectbot.yaml"


def cli(config: Path, *args: str, now: str, env: dict[str, str] | None = None):
    """Run the real CLI in-process with --json and the test credentials; returns (exit code, JSON, result)."""
    from typer.testing import CliRunner

    from collectbot.cli import app

    env = {**CREDENTIALS, "COLUMNS": "200", **(env or {})}
    result = CliRunner().invoke(app, ["--config", str(config), "--now", now, "--json", *args], env=env,
                                catch_exceptions=False)
    try:
        doc = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"stdout is not one JSON document (exit {result.exit_code}):\n{result.stdout}\n"
                             f"--- stderr:\n{result.stderr}") from None
    return result.exit_code, doc, result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def listen_process(config: Path, now: str, env: dict[str, str] | None = None, port: int | None = None):
    """`collectbot listen` as a real process on a free port, once its /health answers; yields
    its base URL (http://127.0.0.1:PORT) and stops it (SIGTERM) afterwards."""
    import os
    import subprocess
    import urllib.request

    port = port or free_port()
    proc = subprocess.Popen([sys.executable, "-m", "collectbot", "--config", str(config), "--now", now, "listen",
                             "--port", str(port)], env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "listen did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err, err  # whatever it was sent, listen says it in words


def db_rows(config: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Query the workspace's state file, read only."""
    import sqlite3

    conn = sqlite3.connect(f"{(config.parent / 'collectbot.db').as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", help="JSON file: responses, delivery, inbound, delay, credentials")
    parser.add_argument("--log", help="append every request as a JSON line to this file")
    parser.add_argument("--delay", type=float, default=None, help="seconds before every answer")
    args = parser.parse_args(argv)
    script = json.loads(Path(args.script).read_text()) if args.script else {}
    server = ProviderServer(port=args.port, log_path=args.log, script=script)
    if args.delay is not None:
        server.delay = args.delay
    server.start()
    print(f"listening on {server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


try:  # the pytest fixture, when imported by a test module
    import pytest

    @pytest.fixture
    def provider_server():
        """A fresh local provider server for one test."""
        server = ProviderServer().start()
        try:
            yield server
        finally:
            server.stop()
except ImportError:  # pragma: no cover - running as a plain script without pytest
    pass


if __name__ == "__main__":
    sys.exit(main())
