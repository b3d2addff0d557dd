"""The planner's contract: what it is given and what it answers.

`engine.plan(PlanInput, renderer) -> Plan` is a pure function: no clock, no files, no
database. The pipeline builds `PlanInput` from the sources and the state file, and turns
`Plan` into ledger rows and sends (run) or into a report (preview).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from ..config import Config
from ..models import Customer, Invoice


@dataclass(slots=True)
class TouchRecord:
    """A row of the touch ledger as the planner sees it. Read-only by convention: a rerun reads
    ~180k of them, and a frozen dataclass's `__init__` (object.__setattr__ per field) cost ~3x."""

    invoice_id: str
    playbook: str
    step: str
    channel: str
    status: str  # sending | sent | failed | uncertain | superseded | skipped | task | jumped
    at: datetime  # when it was recorded (sent_at for sent ones)
    message_id: int | None = None
    delivery_status: str | None = None  # provider-reported (delivered, undelivered, read, bounce...)
    reason: str | None = None  # for skipped/superseded rows: why (no_address, opted_out, condition_false...)


@dataclass(slots=True)
class SentMessage:
    """A message already sent (or in flight) to a customer: for the per-day cap."""

    customer_id: str
    channel: str
    at: datetime


@dataclass
class PlanInput:
    now: datetime  # aware
    config: Config  # business settings, limits, playbooks, channels, payment_link
    invoices: list[Invoice]  # only invoices present in the latest sources
    customers: dict[str, Customer]  # every customer_id referenced by an invoice
    balances: dict[str, Decimal]  # effective balance per invoice_id (SPEC 2); a missing one is the invoice's balance
    touches: dict[str, list[TouchRecord]]  # ledger rows per invoice_id
    recent_messages: list[SentMessage] = field(default_factory=list)  # the last ~2 days, for the daily cap
    held_invoices: dict[str, str] = field(default_factory=dict)  # invoice_id -> reason (paused, disputed, promise)
    held_customers: dict[str, str] = field(default_factory=dict)  # customer_id -> reason
    suppressed: dict[tuple[str, str], str] = field(default_factory=dict)  # (customer_id, channel) -> reason
    suppressed_addresses: dict[tuple[str, str], str] = field(default_factory=dict)  # (channel, address) -> reason
    max_messages: int | None = None  # --limit for this run (min with limits.max_messages_per_run)
    # when a hold ends by itself (a pause --until, a promise and its grace); absent: until released
    held_invoices_until: dict[str, datetime] = field(default_factory=dict)
    held_customers_until: dict[str, datetime] = field(default_factory=dict)
    promises: dict[str, date] = field(default_factory=dict)  # invoice_id -> the day a promise to pay named
    # customer_id -> its payment history: avg_days_late, on_time_ratio, last_payment_date (ledger.payment_history)
    payment_history: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what the input's makers want said (an event without amount)


@dataclass(slots=True)
class PlannedTouch:
    invoice_id: str
    playbook: str
    step: str
    channel: str  # channel actually used (after fallback)
    due_at: datetime


class _CoversTouches:
    """What a message and a task derive from the touches they cover."""

    touches: list[PlannedTouch]

    @property
    def invoice_ids(self) -> list[str]:
        return [t.invoice_id for t in self.touches]

    @property
    def playbook(self) -> str:
        return self.touches[0].playbook


@dataclass
class PlannedMessage(_CoversTouches):
    customer_id: str
    channel: str  # email | sms | whatsapp
    to: str
    touches: list[PlannedTouch]  # one per invoice covered (several when consolidated)
    scheduled_at: datetime  # the moment it may go out (== now in a run; later in a timeline)
    body: str
    subject: str | None = None
    html: str | None = None
    whatsapp_content_sid: str | None = None
    content_variables: dict[str, str] | None = None
    cc: list[str] = field(default_factory=list)  # email: copies to the customer's other contacts (a `cc` column)
    variant: str | None = None  # the arm of the step's `variants:` this customer gets

    @property
    def steps(self) -> list[str]:
        # a receipt's ledger step names its payment (receipt-12: once per payment); it is shown as `receipt`
        return list(dict.fromkeys("receipt" if t.playbook == "receipts" else t.step for t in self.touches))


@dataclass
class PlannedTask(_CoversTouches):
    customer_id: str
    touches: list[PlannedTouch]
    assign: str
    note: str
    scheduled_at: datetime
    amount: Decimal = Decimal(0)  # sum of balances covered (queue ordering)

    @property
    def step(self) -> str:
        return self.touches[0].step


# Skip reasons. PERMANENT ones are written to the ledger (the step will never be sent);
# the others are re-evaluated on every run (the step waits).
PERMANENT_SKIPS = frozenset({"superseded", "no_address", "opted_out", "condition_false", "jumped"})  # jumped: a goto
WAITING_SKIPS = frozenset({"outside_hours", "holiday", "cap", "daily_cap", "not_due", "waiting_on"})


@dataclass(slots=True)
class Skip:
    invoice_id: str
    playbook: str
    step: str
    reason: str  # superseded | no_address | opted_out | condition_false | outside_hours | holiday | cap | daily_cap ...
    channel: str | None = None
    until: datetime | None = None  # for waiting skips: the next moment it may go
    detail: str | None = None  # human words

    # Every field `as_dict` may show besides the invoice id (jsondoc writes skips by these).
    SHOWN: ClassVar[tuple[str, ...]] = ("playbook", "step", "reason", "until", "detail")

    @property
    def permanent(self) -> bool:
        return self.reason in PERMANENT_SKIPS

    @property
    def status(self) -> str:
        """The ledger status of a permanent skip: superseded, jumped (a `goto:`), else skipped."""
        return "superseded" if self.reason == "superseded" else "jumped" if self.reason == "jumped" else "skipped"

    @property
    def recorded_reason(self) -> str:
        """What the ledger keeps as the reason: the playbook a `goto:` moved to, else the reason."""
        return self.detail or self.reason if self.reason == "jumped" else self.reason

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"invoice_id": self.invoice_id, "playbook": self.playbook, "step": self.step,
                             "reason": self.reason}
        if self.until:
            d["until"] = self.until
        if self.detail:
            d["detail"] = self.detail
        return d


@dataclass
class Plan:
    now: datetime
    messages: list[PlannedMessage] = field(default_factory=list)
    tasks: list[PlannedTask] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    stopped: dict[str, str] = field(default_factory=dict)  # invoice_id -> why nothing more is sent (paid, gone...)
    playbook_of: dict[str, str] = field(default_factory=dict)  # invoice_id -> playbook chosen (or absent: none)
    capped: int = 0  # messages held back by max_messages_per_run / --limit
    errors: list[dict[str, Any]] = field(default_factory=list)  # condition/template failures, per invoice
