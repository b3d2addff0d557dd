"""The offline provider: every message becomes a file a person can open, plus one JSON line.

A new user sees exactly what would go out (`outbox/12-email-acme.eml` opens in any mail
client) without any account; tests read `outbox/messages.jsonl` to know what was sent.

`COLLECTBOT_OUTBOX_DELAY` (seconds, a testing aid) makes each send wait before writing, so a
test can kill a run mid-send or overlap two runs.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from ..config import ChannelConfig, Config
from .base import OutgoingMessage, SendResult, register_provider

DELAY_ENV = "COLLECTBOT_OUTBOX_DELAY"
_append_lock = threading.Lock()


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:60] or "customer"


class OutboxChannel:
    provider = "outbox"

    def __init__(self, channel: ChannelConfig, directory: Path, sender: str, delay: float = 0.0):
        self.channel = channel
        self.directory = Path(directory)
        self.sender = sender
        self.delay = delay

    def send(self, message: OutgoingMessage) -> SendResult:
        if self.delay:
            time.sleep(self.delay)
        if not self.directory.is_dir():  # names, addresses and amounts: for the owner's eyes only, like the state
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
        is_email = message.channel == "email"
        name = f"{message.message_id}-{message.channel}-{_safe(message.customer_id)}.{'eml' if is_email else 'txt'}"
        data = self._email(message) if is_email else self._text(message)
        tmp = self.directory / f".{name}.tmp"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            fh.write(data)
        os.replace(tmp, self.directory / name)
        line = {
            "message_id": message.message_id, "channel": message.channel, "to": message.to,
            "subject": message.subject, "body": message.body, "invoice_ids": message.invoice_ids,
            "customer_id": message.customer_id, "file": name, **({"cc": message.cc} if message.cc else {}),
            "at": (message.at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds"),
        }
        log = os.open(self.directory / "messages.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with _append_lock, os.fdopen(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return SendResult(status="sent", provider_id=name)

    def _email(self, message: OutgoingMessage) -> bytes:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        if message.cc:
            mail["Cc"] = ", ".join(message.cc)
        mail["Subject"] = message.subject or ""
        mail["X-Collectbot-Message"] = str(message.message_id)
        mail["X-Collectbot-Invoices"] = ", ".join(message.invoice_ids)
        mail.set_content(message.body)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return bytes(mail)

    def _text(self, message: OutgoingMessage) -> bytes:
        head = f"To: {message.to}\nFrom: {self.sender}\nChannel: {message.channel}\n"
        if message.whatsapp_content_sid:
            head += f"Content-Sid: {message.whatsapp_content_sid}\n"
            head += f"Content-Variables: {json.dumps(message.content_variables or {}, ensure_ascii=False)}\n"
        return (head + "\n" + message.body + "\n").encode("utf-8")


@register_provider("outbox")
def make_outbox(channel: ChannelConfig, config: Config, environ: Mapping[str, str]) -> OutboxChannel:
    sender = channel.sender or "collectbot@localhost"
    if channel.name == "email" and (channel.from_name or config.business.name):
        sender = formataddr((channel.from_name or config.business.name, sender))
    try:
        delay = float(environ.get(DELAY_ENV) or 0)
    except ValueError:
        delay = 0.0
    return OutboxChannel(channel, config.outbox_dir, sender, delay)
