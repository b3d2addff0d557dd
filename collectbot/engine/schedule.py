"""When each step of a playbook comes due for one invoice (SPEC 3, `at:` and `on:`).

Rules:
* Anchors: `issued` (issue_date), `due` (due_date), `previous` (when the previous step of the
  sequence was actually sent), `event` (the moment of the event that started a `trigger:`
  sequence; like `previous`, minutes and hours count from the moment itself).
* Day units (`d`, `w`, `bd`) land on a date, and a date means the start of working hours on it
  in the recipient's time zone: `due+3d` is due_date + 3 at 09:00 recipient time. `bd` counts
  business days (working weekdays that are not holidays).
* Hour and minute units count from the anchor moment; for a date anchor that moment is the start
  of working hours on it (`due+2h` = 11:00 on the due date with 09:00 starts).
* `on:` (weekdays or days of month) moves the due moment to the start of the next allowed day.
* `previous`: the sequence is followed in order. The anchor is the moment the nearest earlier
  step was sent (a `task` row counts: the task was handed to a person), looking back past
  earlier steps that were superseded or skipped for good. While the step right before is not
  settled (never attempted, failed, sending, uncertain), the step is not due yet
  (`waiting_on`). If no earlier step was ever sent, it never comes due.

Every date-anchored answer is memoised per (step, anchor date, zone), since a book of 100k
invoices has only a few hundred distinct due dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..config import Playbook, Step
from ..models import Invoice
from .calendar import UTC, WorkCalendar
from .types import TouchRecord

# Ledger statuses after which a step is never planned again (SPEC 3 rule 2). `failed` is not
# among them: a failed send is retried by the next run.
DONE_STATUSES = frozenset({"sent", "sending", "uncertain", "superseded", "skipped", "task", "jumped"})
SENT_STATUSES = frozenset({"sent", "task"})  # count as "sent" for a `previous` anchor
SETTLED_UNSENT = frozenset({"superseded", "skipped"})  # done for good without being sent


@dataclass(slots=True)
class StepTiming:
    """One step of one invoice: its ledger row (if any) and when it is due (if computable)."""

    index: int
    step: Step
    row: TouchRecord | None
    due_at: datetime | None  # UTC; None when it cannot be computed yet (see `why`)
    why: str | None = None  # no_issue_date | waiting_on (when due_at is None)

    @property
    def done(self) -> bool:
        return self.row is not None and self.row.status in DONE_STATUSES


class Scheduler:
    """Computes due moments; holds the per-(step, date, zone) memo for one planning session."""

    def __init__(self, cal: WorkCalendar, promises: dict[str, date] | None = None):
        self.cal = cal
        self.promises = promises or {}  # invoice -> the promised day, for `promise`-anchored steps
        self._memo: dict[tuple[int, date, str], datetime] = {}
        self._fixed: dict[tuple, tuple[datetime | None, ...]] = {}

    def timings(self, pb: Playbook, inv: Invoice, rows: dict[str, TouchRecord], tz: ZoneInfo,
                start: datetime | None = None) -> list[StepTiming]:
        """Every step of `pb` for `inv`, in playbook order, with its ledger row and due moment.
        `start`: when a `goto:` moved the invoice into `pb` (what its first `previous` counts from)."""
        base = self.fixed_moments(pb, inv, tz)
        out: list[StepTiming] = []
        prev_sent: datetime | None = start  # when the nearest earlier sent step went out
        prev_settled = True  # the step right before is done (sent, or skipped/superseded for good)
        for i, step in enumerate(pb.steps):
            row = rows.get(step.id) if rows else None
            status = row.status if row is not None else None
            if status is not None and status in DONE_STATUSES:
                due, why = None, None
            elif step.at.anchor == "previous":
                if prev_settled and prev_sent is not None:
                    due, why = self.due_at(step, inv, tz, prev_sent), None
                else:
                    due, why = None, "waiting_on"
            elif step.at.anchor == "event":
                due, why = self.due_at(step, inv, tz, inv.event_at), None
            else:
                due = base[i]
                why = None if due is not None else "no_promise" if step.at.anchor == "promise" else "no_issue_date"
            out.append(StepTiming(i, step, row, due, why))
            if status in SENT_STATUSES:
                prev_sent, prev_settled = row.at, True  # type: ignore[union-attr]
            elif status not in SETTLED_UNSENT:
                prev_settled = False
        return out

    def fixed_moments(self, pb: Playbook, inv: Invoice, tz: ZoneInfo) -> tuple[datetime | None, ...]:
        """Due moments of the date-anchored steps (None for `previous` ones and missing dates)."""
        key = (id(pb), inv.due_date, inv.issue_date, tz.key, self.promises.get(inv.invoice_id) if self.promises
               else None)
        got = self._fixed.get(key)
        if got is None:
            got = self._fixed[key] = tuple(
                None if step.at.anchor in ("previous", "event") else self.due_at(step, inv, tz, None)
                for step in pb.steps)
        return got

    def due_at(self, step: Step, inv: Invoice, tz: ZoneInfo, previous: datetime | None) -> datetime | None:
        """The UTC moment `step` comes due for `inv` (None: issued-anchored without issue_date)."""
        at = step.at
        if at.anchor in ("previous", "event"):  # a moment: the step before was sent / the event happened
            if previous is None:
                return None
            if at.unit in ("m", "h"):
                moment = previous + step_delta(at.offset, at.unit)
                return self._apply_on(step, moment.astimezone(UTC), tz)
            anchor_date = previous.astimezone(tz).date()
        else:
            anchor_date = (inv.due_date if at.anchor == "due" else inv.issue_date if at.anchor == "issued"
                           else self.promises.get(inv.invoice_id))
            if anchor_date is None:
                return None
        key = (id(step), anchor_date, tz.key)
        got = self._memo.get(key)
        if got is None:
            got = self._compute(step, anchor_date, tz)
            self._memo[key] = got
        return got

    def _compute(self, step: Step, anchor_date: date, tz: ZoneInfo) -> datetime:
        at = step.at
        cal = self.cal
        if at.unit == "bd":
            moment = cal.day_start(cal.add_business_days(anchor_date, at.offset), tz)
        elif at.unit in ("d", "w"):
            moment = cal.day_start(anchor_date + step_delta(at.offset, at.unit), tz)
        else:
            moment = cal.day_start(anchor_date, tz) + step_delta(at.offset, at.unit)
        return self._apply_on(step, moment, tz)

    def _apply_on(self, step: Step, moment: datetime, tz: ZoneInfo) -> datetime:
        """`on:` — the moment itself when its local day is allowed, else the next allowed day's start."""
        if not (step.on_weekdays or step.on_monthdays):
            return moment
        d = moment.astimezone(tz).date()
        if _allowed_day(step, d):
            return moment
        for _ in range(400):
            d += timedelta(days=1)
            if _allowed_day(step, d):
                return self.cal.day_start(d, tz)
        return moment


def _allowed_day(step: Step, d: date) -> bool:
    return d.weekday() in step.on_weekdays or d.day in step.on_monthdays


def step_delta(n: int, unit: str) -> timedelta:
    """An offset of `at:` counted in minutes, hours, weeks or days (`bd` is counted by the calendar)."""
    if unit == "m":
        return timedelta(minutes=n)
    if unit == "h":
        return timedelta(hours=n)
    if unit == "w":
        return timedelta(weeks=n)
    return timedelta(days=n)
