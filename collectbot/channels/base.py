"""The small interface every sending back end implements, and the registry that picks one.

A provider gets one `OutgoingMessage` at a time and answers with a `SendResult`; it never
touches the state file. Retrying, rate limiting, concurrency and ledger bookkeeping are
the dispatcher's job, so a provider is just "turn this message into one API call and
classify the answer".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..errors import CollectbotError
from ..config import ChannelConfig, Config


@dataclass
class OutgoingMessage:
    message_id: int  # the ledger's messages.id: sent to the provider as custom args / status callback key
    channel: str  # email | sms | whatsapp
    to: str  # email address or E.164 number (without the whatsapp: prefix)
    body: str
    customer_id: str
    invoice_ids: list[str]
    subject: str | None = None  # email
    html: str | None = None  # email, optional HTML part
    whatsapp_content_sid: str | None = None  # WhatsApp approved template (Twilio Content SID)
    content_variables: dict[str, str] | None = None  # its variables ({"1": "...", ...})
    at: datetime | None = None  # the run's moment (--now): providers that log a time use it, never the clock
    cc: list[str] = field(default_factory=list)  # email copies


@dataclass
class SendResult:
    status: str  # sent | failed
    provider_id: str | None = None  # SendGrid X-Message-Id, Twilio sid, outbox file name
    error: str | None = None  # in words a shop owner understands
    error_code: str | None = None  # provider code (HTTP status, Twilio code)
    retryable: bool = False  # a later attempt may succeed (429, 5xx, timeout, connection)
    retry_after: float | None = None  # seconds, when the provider said so
    suppress: str | None = None  # invalid | opted_out: stop using this address on this channel
    fatal: bool = False  # credentials or account problem: stop the whole run
    details: dict[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    provider: str  # outbox | sendgrid | twilio

    def send(self, message: OutgoingMessage) -> SendResult: ...


class MissingCredentials(CollectbotError):
    """A provider's environment variable is not set: `run` stops before sending (exit 2)."""

    def __init__(self, variable: str, channel: str):
        super().__init__(f"channel {channel!r} needs the environment variable {variable} (the API credential); "
                         "it is not set, so nothing was sent")
        self.variable = variable


# provider name -> factory(channel config, whole config, environment) -> Channel
Factory = Callable[[ChannelConfig, Config, Mapping[str, str]], Channel]
PROVIDERS: dict[str, Factory] = {}


def register_provider(name: str) -> Callable[[Factory], Factory]:
    def decorate(factory: Factory) -> Factory:
        PROVIDERS[name] = factory
        return factory

    return decorate


def make_channel(channel: ChannelConfig, config: Config, environ: Mapping[str, str]) -> Channel:
    """Build the provider for one channel block; raises MissingCredentials for an unset variable."""
    from . import load_providers

    load_providers(channel.provider)
    return PROVIDERS[channel.provider](channel, config, environ)
