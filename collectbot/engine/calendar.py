"""Working days, holidays and working hours: when a message may go out, per time zone.

The planner asks the same few questions hundreds of thousands of times ("is 2026-12-25 a
working day?", "when do working hours start on that date in Asia/Kolkata?"), so every answer
is memoised on a `WorkCalendar`, and one calendar is shared per business configuration.
All instants it returns are aware datetimes in UTC (fast to compare; the planner never
mixes time zones in a comparison).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Business

UTC = timezone.utc
_MAX_SEARCH_DAYS = 800  # a calendar with no working day at all never loops forever


class WorkCalendar:
    """The business's working week, working hours and holidays (dates + a country calendar)."""

    def __init__(self, business: Business):
        wh = business.working_hours
        self.business_tz = _zone(business.timezone) or UTC
        self.start: time = wh.start
        self.end: time = wh.end
        self.days = frozenset(wh.days)
        self.holiday_dates = frozenset(business.holiday_dates)
        self.country = business.holiday_country
        self.subdiv = business.holiday_subdiv
        self._zones: dict[str | None, ZoneInfo] = {}
        self._country_years: dict[int, frozenset[date]] = {}
        self._working: dict[date, bool] = {}
        self._holiday: dict[date, bool] = {}
        self._starts: dict[tuple[date, str], datetime] = {}
        self._bd: dict[tuple[date, int], date] = {}
        self._next_start: dict[tuple[date, str], datetime | None] = {}

    # ------------------------------------------------------------------ zones

    def zone(self, name: str | None) -> ZoneInfo:
        """The recipient's zone: `name` when it is a valid IANA zone, else the business zone."""
        z = self._zones.get(name)
        if z is None:
            z = (_zone(name) if name else None) or self.business_tz
            self._zones[name] = z
        return z

    # ------------------------------------------------------------------ days

    def is_holiday(self, d: date) -> bool:
        h = self._holiday.get(d)
        if h is None:
            h = d in self.holiday_dates or d in self._country_holidays(d.year)
            self._holiday[d] = h
        return h

    def is_working_day(self, d: date) -> bool:
        w = self._working.get(d)
        if w is None:
            w = d.weekday() in self.days and not self.is_holiday(d)
            self._working[d] = w
        return w

    def add_business_days(self, d: date, n: int) -> date:
        """`d` moved by `n` business days (working weekdays that are not holidays); n may be < 0."""
        key = (d, n)
        out = self._bd.get(key)
        if out is None:
            step = 1 if n >= 0 else -1
            out, left, tries = d, abs(n), 0
            while left and tries < _MAX_SEARCH_DAYS:
                out += timedelta(days=step)
                tries += 1
                if self.is_working_day(out):
                    left -= 1
            self._bd[key] = out
        return out

    # ------------------------------------------------------------------ moments

    def day_start(self, d: date, tz: ZoneInfo) -> datetime:
        """Working-hours start on local date `d` in `tz`, as UTC."""
        key = (d, tz.key)
        s = self._starts.get(key)
        if s is None:
            s = datetime.combine(d, self.start, tzinfo=tz).astimezone(UTC)
            self._starts[key] = s
        return s

    def blocked(self, moment: datetime, tz: ZoneInfo) -> tuple[str, datetime | None] | None:
        """None when a message may go out at `moment` in `tz`; else (reason, next allowed moment).

        reason is `holiday` when the local date is a holiday, else `outside_hours` (before or
        after working hours, or a day off)."""
        local = moment.astimezone(tz)
        d = local.date()
        t = local.time()
        if self.is_working_day(d):
            if self.start <= t < self.end:
                return None
            if t < self.start:
                return "outside_hours", self.day_start(d, tz)
        reason = "holiday" if self.is_holiday(d) else "outside_hours"
        return reason, self.next_day_start(d, tz)

    def next_day_start(self, d: date, tz: ZoneInfo) -> datetime | None:
        """Working-hours start of the first working day strictly after local date `d`."""
        key = (d, tz.key)
        if key not in self._next_start:
            found = None
            day = d
            for _ in range(_MAX_SEARCH_DAYS):
                day += timedelta(days=1)
                if self.is_working_day(day):
                    found = self.day_start(day, tz)
                    break
            self._next_start[key] = found
        return self._next_start[key]

    def next_allowed(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """`moment` itself when a message may go then, else the next moment one may."""
        b = self.blocked(moment, tz)
        return moment if b is None else b[1]

    # ------------------------------------------------------------------ internals

    def _country_holidays(self, year: int) -> frozenset[date]:
        if not self.country:
            return frozenset()
        got = self._country_years.get(year)
        if got is None:
            got = _country_calendar(self.country, self.subdiv, year)
            self._country_years[year] = got
        return got


@lru_cache(maxsize=256)
def _country_calendar(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    from ..holiday_calendars import country_holidays

    try:
        return frozenset(country_holidays(country, subdiv=subdiv, years=year).keys())
    except (NotImplementedError, KeyError, ValueError):  # `check` reports an unknown country
        return frozenset()


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder of the zone database
        return None


_CALENDARS: dict[tuple, WorkCalendar] = {}


def calendar_for(business: Business) -> WorkCalendar:
    """One memoised calendar per distinct business setting (the timeline reuses it across runs)."""
    wh = business.working_hours
    key = (business.timezone, wh.start, wh.end, tuple(wh.days), business.holiday_country,
           business.holiday_subdiv, frozenset(business.holiday_dates))
    cal = _CALENDARS.get(key)
    if cal is None:
        if len(_CALENDARS) > 64:
            _CALENDARS.clear()
        cal = _CALENDARS[key] = WorkCalendar(business)
    return cal
