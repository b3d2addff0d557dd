"""The pure planning engine: (invoices, customers, playbooks, ledger, now) -> what to send.

Nothing here reads the clock, a file or the database; see `types.py` for the contract.
"""

from .explain import Explanation, NextEvent, PlaybookCheck, StepState, UnknownInvoice, explain
from .planner import plan
from .timeline import timeline
from .types import (
    PERMANENT_SKIPS,
    WAITING_SKIPS,
    Plan,
    PlanInput,
    PlannedMessage,
    PlannedTask,
    PlannedTouch,
    SentMessage,
    Skip,
    TouchRecord,
)

__all__ = [
    "PERMANENT_SKIPS", "WAITING_SKIPS", "Explanation", "NextEvent", "Plan", "PlanInput", "PlannedMessage",
    "PlannedTask", "PlannedTouch", "PlaybookCheck", "SentMessage", "Skip", "StepState", "TouchRecord",
    "UnknownInvoice", "explain", "plan", "timeline",
]
