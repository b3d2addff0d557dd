"""The one place that loads and validates collectbot.yaml and the playbooks.

Every problem becomes a `ConfigProblem` naming the file, the line and the key path; all
problems are collected before giving up, so `check` can report everything at once.
A typo in a key gets the nearest valid key as a suggestion (`tempalte` -> `template`).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import CollectbotError
from .masking import looks_like_secret, mask
from .models import CHANNELS, MESSAGE_CHANNELS
from .yamlfile import LineDict, LineList, YamlError, load_yaml

CONFIG_FILENAME = "collectbot.yaml"
CONFIG_ENV = "COLLECTBOT_CONFIG"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SOURCE_FORMATS = ("auto", "csv", "excel", "quickbooks", "xero", "zoho", "freshbooks", "wave", "tally", "frappebooks")
EMAIL_PROVIDERS = ("outbox", "sendgrid")
PHONE_PROVIDERS = ("outbox", "twilio")
ANCHORS = ("issued", "due", "previous")
UNITS = ("m", "h", "d", "bd", "w")
_AT_RE = re.compile(r"^\s*(issued|due|previous|promise|event)\s*(?:([+-])\s*(\d+)\s*(m|h|d|bd|w))?\s*$")
_DURATION_RE = re.compile(r"^\s*(\d+)\s*(m|h|d|w)\s*$")
EVENT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")  # what `collectbot event NAME` records


# ---------------------------------------------------------------------------- problems


@dataclass
class ConfigProblem:
    file: str
    line: int | None
    key: str  # dotted key path, e.g. "steps[1].template"
    message: str
    severity: str = "error"  # error | warning

    def __post_init__(self) -> None:
        self.message = mask(self.message)  # a pasted key is echoed back by many problems: never print it

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "severity": self.severity,
        }


class ConfigError(CollectbotError):
    """Raised when the configuration cannot be used; carries every problem found."""

    title = "The configuration has problems:"

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def details(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.problems]

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class At:
    anchor: str  # issued | due | previous | promise (the day a broken promise to pay named) | event (its moment)
    offset: int = 0  # signed count of `unit`
    unit: str = "d"  # m | h | d | bd | w

    def __str__(self) -> str:
        if not self.offset:
            return self.anchor
        sign = "+" if self.offset > 0 else "-"
        return f"{self.anchor}{sign}{abs(self.offset)}{self.unit}"


@dataclass
class Step:
    id: str
    at: At
    channel: str  # email | sms | whatsapp | task
    template: str | None = None
    on_weekdays: tuple[int, ...] = ()  # 0 = Monday
    on_monthdays: tuple[int, ...] = ()
    condition: str | None = None  # `if:`
    fallback: str | None = None
    assign: str | None = None
    note: str | None = None
    line: int | None = None
    variants: tuple[tuple[str, str, int, str | None], ...] = ()  # (name, template, weight, channel): an experiment
    choose: tuple[tuple[str | None, str, str], ...] = ()  # (if, channel, template): the first branch whose `if` holds
    goto: str | None = None  # the playbook this step moves the invoice to (its channel is "goto")


@dataclass
class Playbook:
    name: str
    steps: list[Step]
    match: str | None = None
    priority: int = 0
    order: int = 0  # position in collectbot.yaml's list: breaks priority ties
    file: str = ""
    line_of: dict[str, int] = field(default_factory=dict)  # key path -> line, for check
    first_on_previous: int | None = None  # the line of a first step anchored on `previous` (only a goto target may)
    trigger: str | None = None  # `trigger: {event: NAME}`: a sequence per recorded event NAME, not per invoice
    until: tuple[str, ...] = ()  # `trigger.until`: events that end such a sequence (e.g. order_paid)


@dataclass
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(18, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday..Friday


@dataclass
class Business:
    name: str = "My Business"
    timezone: str = "UTC"
    currency: str = "USD"
    locale: str = "en_US"
    country: str | None = None  # default phone region and holiday country
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    holiday_country: str | None = None
    holiday_subdiv: str | None = None
    holiday_dates: frozenset[date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class SourceSpec:
    path: Path
    role: str = "invoices"  # invoices | customers
    format: str = "auto"
    sheet: str | int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source header
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None  # "." or ","; None: decided from the file's amounts (values.guess_decimal)
    dayfirst: bool | None = None
    date_format: str | None = None
    default_terms: int | None = None  # days from the issue date to the due date, when the book has none
    currency: str | None = None  # the currency of rows without a currency column (default: the business's)
    line: int | None = None


@dataclass
class ChannelConfig:
    name: str  # email | sms | whatsapp
    provider: str = "outbox"
    sender: str | None = None  # `from:` address or number
    from_name: str | None = None
    reply_to: str | None = None
    messaging_service_sid: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None  # sendgrid
    account_sid_env: str | None = None  # twilio
    auth_token_env: str | None = None  # twilio
    api_secret_env: str | None = None  # twilio with an API key: api_key_env names the SK… sid, this its secret
    status_callback: str | None = None  # twilio: the public URL of `collectbot listen`'s /twilio/status
    rate: float | None = None  # messages per second
    timeout: float = 10.0  # seconds per request
    max_tries: int = 4
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)  # anything else in the block


@dataclass
class Limits:
    per_customer_per_day: int = 1
    max_messages_per_run: int = 500
    max_source_age: timedelta = timedelta(days=3)
    concurrency: int = 8
    max_gone: float = 0.5  # a share: a sync closing more than this many of the open invoices (and > 5) is refused
    promise_grace: timedelta = timedelta(days=1)  # a promise is broken this long after its day, if still unpaid
    plan_grace: timedelta = timedelta(days=7)  # an instalment unpaid this long after its date breaks the plan


@dataclass
class PaymentLink:
    url: str | None = None  # Jinja2 template
    upi_vpa: str | None = None
    upi_name: str | None = None


@dataclass
class Config:
    path: Path
    root: Path
    business: Business
    invoice_sources: list[SourceSpec]
    customer_sources: list[SourceSpec]
    state_path: Path
    outbox_dir: Path
    templates_dir: Path
    channels: dict[str, ChannelConfig]
    limits: Limits
    payment_link: PaymentLink
    playbooks: list[Playbook]
    reconcile: dict[str, Any] = field(default_factory=dict)
    warnings: list[ConfigProblem] = field(default_factory=list)
    backups_dir: Path | None = None  # `backups.folder`: copies of the state taken before each run that sends
    backups_keep: int = 7  # `backups.keep`: how many to keep; 0 = none
    replies: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_REPLIES))  # `replies:`
    receipts: dict[str, str] | None = None  # `receipts: {channel, template}`: thank-you messages when money arrives
    fees: "Fees | None" = None  # `fees:`: late fee and interest that templates (and with `charge`, links) show
    listen_secret_env: str | None = None  # `listen.secret_env`: the variable holding the HMAC secret of POST /events

    @property
    def tz(self) -> ZoneInfo:
        return self.business.tz


# ---------------------------------------------------------------------------- locating


def find_config(option: str | os.PathLike | None) -> Path:
    """--config, else $COLLECTBOT_CONFIG, else ./collectbot.yaml (a folder means its collectbot.yaml)."""
    raw = option or os.environ.get(CONFIG_ENV) or CONFIG_FILENAME
    path = Path(raw).expanduser()
    if path.is_dir():
        path = path / CONFIG_FILENAME
    return path.resolve()


# ---------------------------------------------------------------------------- validation helpers


class _Checker:
    """Collects problems for one file, with key paths and lines."""

    def __init__(self, file: Path):
        self.file = str(file)
        self.problems: list[ConfigProblem] = []
        self.suggested: set[str] = set()  # key paths offered as "did you mean": not also reported missing

    def error(self, key: str, line: int | None, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, line, key, message))

    def warn(self, key: str, line: int | None, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, line, key, message, "warning"))

    def mapping(self, value: Any, key: str, line: int | None, allowed: tuple[str, ...]) -> LineDict:
        """Check `value` is a mapping with only `allowed` keys; unknown keys get a suggestion."""
        if value is None:
            empty = LineDict()
            empty.lines, empty.line = {}, line or 0
            return empty
        if not isinstance(value, dict):
            self.error(key, line, f"expected a mapping, got {_kind(value)}")
            empty = LineDict()
            empty.lines, empty.line = {}, line or 0
            return empty
        for k in value:
            if k not in allowed:
                guess = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {guess[0]!r}?)" if guess else f" (valid keys: {', '.join(allowed)})"
                if guess:
                    self.suggested.add(_join(key, guess[0]))
                self.error(_join(key, k), _line(value, k), f"unknown key {k!r}{hint}")
        return value  # type: ignore[return-value]

    def string(self, m: dict, key: str, prefix: str, *, required: bool = False, default: Any = None) -> Any:
        if key not in m or m[key] is None:
            if required and _join(prefix, key) not in self.suggested:
                self.error(_join(prefix, key), getattr(m, "line", None), f"missing required key {key!r}")
            return default
        value = m[key]
        if isinstance(value, (dict, list)):
            self.error(_join(prefix, key), _line(m, key), f"expected text, got {_kind(value)}")
            return default
        return str(value)

    def integer(self, m: dict, key: str, prefix: str, default: int, minimum: int | None = None,
                maximum: int | None = None) -> int:
        if key not in m or m[key] is None:
            return default
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(_join(prefix, key), _line(m, key), f"expected a whole number, got {value!r}")
            return default
        if minimum is not None and value < minimum:
            self.error(_join(prefix, key), _line(m, key), f"must be at least {minimum}, got {value}")
            return default
        if maximum is not None and value > maximum:
            self.error(_join(prefix, key), _line(m, key), f"must be at most {maximum}, got {value}")
            return default
        return value

    def boolean(self, m: dict, key: str, prefix: str, default: bool | None) -> bool | None:
        if key not in m or m[key] is None:
            return default
        value = m[key]
        if not isinstance(value, bool):
            self.error(_join(prefix, key), _line(m, key), f"expected true or false, got {value!r}")
            return default
        return value

    def choice(self, m: dict, key: str, prefix: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.string(m, key, prefix, default=default)
        if value is not None and value not in choices:
            guess = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            self.error(_join(prefix, key), _line(m, key), f"{value!r} is not one of {', '.join(choices)}{hint}")
            return default
        return value


def _join(prefix: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def _line(m: Any, key: Any) -> int | None:
    if isinstance(m, LineDict):
        return m.line_of(key)
    if isinstance(m, LineList) and isinstance(key, int) and key < len(m.lines):
        return m.lines[key]
    return getattr(m, "line", None)


def _kind(value: Any) -> str:
    return {dict: "a mapping", LineDict: "a mapping", list: "a list", LineList: "a list"}.get(
        type(value), type(value).__name__
    )


MAX_REPEATS = 100  # `repeat.times`: a hundred reminders of one step is already more than anyone should get
MAX_DAYS = 3660  # ten years: the furthest a playbook step may be from its anchor
MAX_DURATION_DAYS = 36_600  # a hundred years: the longest duration (a limit set to "never", 10000d, still fits)
_PER_DAY = {"m": 1440, "h": 24, "d": 1, "bd": 1, "w": 1 / 7}  # units of a duration or an offset in a day


def _within(digits: str, unit: str, days: int) -> bool:
    """`digits` of `unit` is at most `days` long (more than nine digits never is)."""
    return len(digits) <= 9 and int(digits) <= days * _PER_DAY[unit]


def parse_duration(text: str) -> timedelta | None:
    """`3d`, `12h`, `30m`, `1w` -> timedelta; None when it is not of that form (or longer than
    MAX_DURATION_DAYS: added to a date, it would pass the calendar's end)."""
    m = _DURATION_RE.match(str(text))
    if not m or not _within(m.group(1), m.group(2), MAX_DURATION_DAYS):
        return None
    n, unit = int(m.group(1)), m.group(2)
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


def parse_at(text: str) -> At | None:
    """`due-3d`, `previous+2bd`, `issued` -> At; None when it is not of that form."""
    m = _AT_RE.match(str(text))
    if not m:
        return None
    anchor, sign, n, unit = m.groups()
    if not sign:
        return At(anchor)
    if not _within(n, unit, MAX_DAYS):
        return None  # beyond ten years: a typo, and a moment past the calendar's end
    return At(anchor, int(n) * (-1 if sign == "-" else 1), unit)


def _parse_time(text: Any) -> time | None:
    if isinstance(text, int):  # YAML reads 09:00 as sexagesimal 540
        return time(text // 60, text % 60) if 0 <= text < 24 * 60 else None
    m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*$", str(text))
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    return time(23, 59, 59) if h == 24 else time(h, mi)


def _weekday(value: Any) -> int | None:
    text = str(value).strip().lower()[:3]
    return WEEKDAYS.index(text) if text in WEEKDAYS else None


_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _scan_secrets(node: Any, ck: _Checker, prefix: str = "") -> None:
    """Warn when a YAML value looks like an API key or token (secrets belong in the environment)."""
    if isinstance(node, dict):
        for k, v in node.items():
            key = _join(prefix, k)
            if isinstance(v, str) and (looks_like_secret(v) or (
                re.search(r"(api_?key|token|secret|password)$", str(k), re.I) and not str(k).endswith("_env")
                and len(v) >= 8
            )):
                ck.warn(key, _line(node, k), "this looks like a secret; put it in an environment variable "
                        "and name the variable here (e.g. api_key_env: SENDGRID_API_KEY)")
            else:
                _scan_secrets(v, ck, key)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _scan_secrets(v, ck, _join(prefix, i))


# ---------------------------------------------------------------------------- collectbot.yaml

TOP_KEYS = (
    "business", "sources", "state", "outbox", "templates", "channels", "limits", "payment_link",
    "playbooks", "reconcile", "backups", "replies", "receipts", "fees", "listen",
    # business settings are also accepted at the top level (SPEC 1 names them without a prefix)
    "name", "timezone", "currency", "locale", "country", "working_hours", "holidays",
)
BUSINESS_KEYS = ("name", "timezone", "currency", "locale", "country", "working_hours", "holidays")
SOURCE_KEYS = ("path", "format", "sheet", "columns", "encoding", "delimiter", "decimal", "dayfirst", "date_format",
               "default_terms", "currency")
CHANNEL_KEYS = (
    "provider", "from", "from_name", "reply_to", "messaging_service_sid", "base_url", "api_key_env",
    "account_sid_env", "auth_token_env", "api_secret_env", "status_callback", "rate", "timeout", "max_tries", "enabled", "options",
)
BACKUP_KEYS = ("keep", "folder")
REPLY_KEYS = ("opt_out", "opt_in", "paid", "dispute")
# How a customer's reply is read (SPEC 8): the whole message one of `opt_out` / `opt_in` (as Twilio
# itself honours them); else any `dispute` phrase in it; else any `paid` phrase; else a plain reply.
DEFAULT_REPLIES: dict[str, tuple[str, ...]] = {
    "opt_out": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"),
    "opt_in": ("START", "UNSTOP"),
    "paid": ("paid", "already paid", "have paid", "payment done", "payment made", "sent the payment",
             "transferred", "remitted", "cleared"),
    "dispute": ("dispute", "disputed", "wrong amount", "wrong invoice", "incorrect", "not ordered", "never ordered",
                "never received", "not received", "did not receive", "didn't receive", "damaged", "defective",
                "overcharged", "refund"),
}
LIMIT_KEYS = ("per_customer_per_day", "max_messages_per_run", "max_source_age", "concurrency", "max_gone",
              "promise_grace", "plan_grace")


def load_config(path: str | os.PathLike, *, with_playbooks: bool = True) -> Config:
    """Load and validate collectbot.yaml (and its playbooks). Raises ConfigError listing every problem."""
    config, problems = read_config(Path(path), with_playbooks=with_playbooks)
    errors = [p for p in problems if p.severity == "error"]
    if errors or config is None:
        raise ConfigError(errors or problems)
    return config


def read_config(path: Path, *, with_playbooks: bool = True) -> tuple[Config | None, list[ConfigProblem]]:
    """Like load_config but returns (config or None, all problems incl. warnings); never raises."""
    path = Path(path).resolve()
    if not path.exists():
        return None, [ConfigProblem(str(path), None, "", "no collectbot.yaml here; run `collectbot init` "
                                    "or pass --config / set COLLECTBOT_CONFIG")]
    try:
        data = load_yaml(path)
    except YamlError as exc:
        return None, [ConfigProblem(exc.file, exc.line, "", exc.message)]
    ck = _Checker(path)
    root = path.parent
    top = ck.mapping(data, "", 1, TOP_KEYS)
    _scan_secrets(top, ck)

    business = _business(ck, top)
    invoice_sources, customer_sources = _sources(ck, top, root)
    channels = _channels(ck, top)
    limits = _limits(ck, top)
    payment_link = _payment_link(ck, top)

    state_path = root / ck.string(top, "state", "", default="collectbot.db")
    outbox_dir = root / ck.string(top, "outbox", "", default="outbox")
    templates_dir = root / ck.string(top, "templates", "", default="templates")
    backups = ck.mapping(top.get("backups"), "backups", _line(top, "backups"), BACKUP_KEYS)
    backups_dir = root / ck.string(backups, "folder", "backups", default="backups")
    backups_keep = ck.integer(backups, "keep", "backups", 7, 0)
    fees = _fees(ck, top)
    receipts = None
    if top.get("receipts") is not None:
        rb = ck.mapping(top.get("receipts"), "receipts", _line(top, "receipts"), ("channel", "template"))
        channel = ck.choice(rb, "channel", "receipts", MESSAGE_CHANNELS, "email") or "email"
        template = ck.string(rb, "template", "receipts", required=True)
        if template:
            receipts = {"channel": channel, "template": template}
    listen_block = ck.mapping(top.get("listen"), "listen", _line(top, "listen"), ("secret_env",))
    listen_secret_env = ck.string(listen_block, "secret_env", "listen")
    replies_block = ck.mapping(top.get("replies"), "replies", _line(top, "replies"), REPLY_KEYS)
    replies = dict(DEFAULT_REPLIES)
    for key in REPLY_KEYS:
        if replies_block.get(key) is not None:
            words = replies_block[key]
            if not isinstance(words, list) or not all(isinstance(w, (str, int)) for w in words):
                ck.error(f"replies.{key}", _line(replies_block, key), "expected a list of words or phrases")
            else:
                replies[key] = tuple(str(w) for w in words)
    reconcile = top.get("reconcile") or {}
    if not isinstance(reconcile, dict):
        ck.error("reconcile", _line(top, "reconcile"), f"expected a mapping, got {_kind(reconcile)}")
        reconcile = {}

    playbooks: list[Playbook] = []
    if with_playbooks:
        playbooks = _playbook_list(ck, top, root)

    config = Config(
        path=path, root=root, business=business, invoice_sources=invoice_sources,
        customer_sources=customer_sources, state_path=state_path, outbox_dir=outbox_dir,
        templates_dir=templates_dir, channels=channels, limits=limits, payment_link=payment_link,
        backups_dir=backups_dir, backups_keep=backups_keep, replies=replies, receipts=receipts, fees=fees,
        playbooks=playbooks, reconcile=dict(reconcile), listen_secret_env=listen_secret_env,
        warnings=[p for p in ck.problems if p.severity == "warning"],
    )
    return config, ck.problems


def _business(ck: _Checker, top: LineDict) -> Business:
    merged = LineDict()
    merged.lines, merged.line = {}, 1
    block = ck.mapping(top.get("business"), "business", _line(top, "business"), BUSINESS_KEYS)
    for k in BUSINESS_KEYS:
        if k in top and k in block:
            ck.warn(k, _line(top, k), f"{k!r} is set both at the top level and under `business:` "
                    f"(line {_line(block, k)}); the `business:` one is used")
    for source in (top, block):  # the business: block wins over top-level keys
        for k in BUSINESS_KEYS:
            if k in source:
                merged[k] = source[k]
                merged.lines[k] = _line(source, k) or 1
    b = Business()
    b.name = ck.string(merged, "name", "business", default=b.name)
    tz = ck.string(merged, "timezone", "business", default=b.timezone)
    try:
        ZoneInfo(tz)
        b.timezone = tz
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder of the zone database
        ck.error("business.timezone", _line(merged, "timezone"), f"unknown time zone {tz!r} (use an IANA name like Asia/Kolkata)")
    cur = ck.string(merged, "currency", "business", default=b.currency)
    if not re.fullmatch(r"[A-Za-z]{3}", cur or ""):
        ck.error("business.currency", _line(merged, "currency"), f"{cur!r} is not an ISO 4217 code like INR or USD")
    else:
        b.currency = cur.upper()
    loc = ck.string(merged, "locale", "business", default=b.locale)
    try:
        from babel import Locale

        Locale.parse(loc)
        b.locale = loc
    except Exception:
        ck.error("business.locale", _line(merged, "locale"), f"unknown locale {loc!r} (e.g. en_IN, en_US, de_DE)")
    if isinstance(merged.get("country"), bool):
        ck.error("business.country", _line(merged, "country"), "YAML read this country code as true/false; "
                 "quote it (country: \"NO\")")
        merged["country"] = None
    country = ck.string(merged, "country", "business", default=None)
    b.country = country.upper() if country else None

    wh = merged.get("working_hours")
    if wh is not None:
        whm = ck.mapping(wh, "business.working_hours", _line(merged, "working_hours"), ("start", "end", "days"))
        hours = WorkingHours()
        for k in ("start", "end"):
            if k in whm:
                t = _parse_time(whm[k])
                if t is None:
                    ck.error(f"business.working_hours.{k}", _line(whm, k), f"expected a time like 09:00, got {whm[k]!r}")
                else:
                    setattr(hours, k, t)
        if "days" in whm:
            days = []
            for i, d in enumerate(whm["days"] or []):
                wd = _weekday(d)
                if wd is None:
                    ck.error(f"business.working_hours.days[{i}]", _line(whm, "days"), f"{d!r} is not a weekday (mon..sun)")
                else:
                    days.append(wd)
            hours.days = tuple(sorted(set(days)))
            if not whm["days"]:
                ck.error("business.working_hours.days", _line(whm, "days"),
                         "no working day is listed, so no message could ever be sent; list the days (mon..sun)")
        if hours.start >= hours.end:
            ck.error("business.working_hours", _line(merged, "working_hours"), "start must be before end")
        b.working_hours = hours

    hol = merged.get("holidays")
    if hol is not None:
        dates: set[date] = set()
        items: list[Any]
        if isinstance(hol, dict):
            hm = ck.mapping(hol, "business.holidays", _line(merged, "holidays"), ("country", "subdiv", "dates"))
            if isinstance(hm.get("country"), bool):
                ck.error("business.holidays.country", _line(hm, "country"), "YAML read this country code as "
                         "true/false; quote it (country: \"NO\")")
            elif hm.get("country"):
                b.holiday_country = str(hm["country"]).upper()
            if hm.get("subdiv"):
                b.holiday_subdiv = str(hm["subdiv"])
            items = list(hm.get("dates") or [])
        elif isinstance(hol, list):
            items = list(hol)
        else:
            items = [hol]
        for item in items:
            if isinstance(item, bool):
                ck.error("business.holidays", _line(merged, "holidays"), "YAML read a country code as true/false; "
                         "quote it (\"NO\")")
            elif isinstance(item, date):
                dates.add(item)
            elif isinstance(item, str) and re.fullmatch(r"[A-Za-z]{2}", item):
                b.holiday_country = item.upper()
            else:
                try:
                    dates.add(date.fromisoformat(str(item)))
                except ValueError:
                    ck.error("business.holidays", _line(merged, "holidays"), f"{item!r} is neither a date (YYYY-MM-DD) nor a country code")
        b.holiday_dates = frozenset(dates)
        if b.holiday_country:
            try:
                from .holiday_calendars import country_holidays

                country_holidays(b.holiday_country, subdiv=b.holiday_subdiv)
            except Exception as exc:  # NotImplementedError for unknown countries
                ck.error("business.holidays.country", _line(merged, "holidays"), f"no holiday calendar for {b.holiday_country!r}: {exc}")
    return b


def _source(ck: _Checker, item: Any, key: str, line: int | None, root: Path, role: str) -> SourceSpec | None:
    if isinstance(item, str):
        return SourceSpec(path=(root / item), role=role, line=line)
    m = ck.mapping(item, key, line, SOURCE_KEYS)
    p = ck.string(m, "path", key, required=True)
    if p is None:
        return None
    spec = SourceSpec(path=root / p, role=role, line=line)
    spec.format = ck.choice(m, "format", key, SOURCE_FORMATS, "auto") or "auto"
    if "sheet" in m and m["sheet"] is not None:
        spec.sheet = m["sheet"] if isinstance(m["sheet"], int) else str(m["sheet"])
    cols = m.get("columns")
    if cols is not None:
        if not isinstance(cols, dict):
            ck.error(f"{key}.columns", _line(m, "columns"), "expected a mapping of canonical field -> column header")
        else:
            spec.columns = {str(k): str(v) for k, v in cols.items()}
    spec.encoding = ck.string(m, "encoding", key)
    if spec.encoding:
        import codecs

        try:
            codecs.lookup(spec.encoding)
        except LookupError:
            ck.error(f"{key}.encoding", _line(m, "encoding"), f"unknown encoding {spec.encoding!r}")
    delim = ck.string(m, "delimiter", key)
    if delim is not None:
        delim = {"\\t": "\t", "tab": "\t"}.get(delim, delim)
        if len(delim) != 1:
            ck.error(f"{key}.delimiter", _line(m, "delimiter"), f"expected one character, got {delim!r}")
        else:
            spec.delimiter = delim
    spec.decimal = ck.choice(m, "decimal", key, (".", ","), None)  # None: decided from the file's own amounts
    spec.dayfirst = ck.boolean(m, "dayfirst", key, None)
    spec.date_format = ck.string(m, "date_format", key)
    code = ck.string(m, "currency", key)
    if code is not None:
        from .currencies import is_iso

        if not is_iso(code.strip().upper()):
            ck.error(f"{key}.currency", _line(m, "currency"), f"{code!r} is not an ISO 4217 currency code (e.g. USD)")
        else:
            spec.currency = code.strip().upper()
    if m.get("default_terms") is not None:
        terms = m["default_terms"]
        span = timedelta(days=terms) if isinstance(terms, int) and not isinstance(terms, bool) else parse_duration(terms)
        if span is None or span.days < 0 or span.days > 366 or span.seconds:
            ck.error(f"{key}.default_terms", _line(m, "default_terms"),
                     f"expected a number of days such as 30 or 30d (at most 366), got {terms!r}")
        else:
            spec.default_terms = span.days
    return spec


def _sources(ck: _Checker, top: LineDict, root: Path) -> tuple[list[SourceSpec], list[SourceSpec]]:
    src = ck.mapping(top.get("sources"), "sources", _line(top, "sources"), ("invoices", "customers"))
    out: dict[str, list[SourceSpec]] = {"invoices": [], "customers": []}
    for role in ("invoices", "customers"):
        value = src.get(role)
        if value is None:
            if role == "invoices":
                ck.error("sources.invoices", _line(top, "sources"), "missing required key 'invoices' (one or more invoice files)")
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            key = f"sources.{role}[{i}]" if isinstance(value, list) else f"sources.{role}"
            line = _line(value, i) if isinstance(value, list) else _line(src, role)
            spec = _source(ck, item, key, line, root, role)
            if spec:
                out[role].append(spec)
    return out["invoices"], out["customers"]


def _channels(ck: _Checker, top: LineDict) -> dict[str, ChannelConfig]:
    block = ck.mapping(top.get("channels"), "channels", _line(top, "channels"), MESSAGE_CHANNELS)
    out: dict[str, ChannelConfig] = {}
    for name in MESSAGE_CHANNELS:
        key = f"channels.{name}"
        m = ck.mapping(block.get(name), key, _line(block, name), CHANNEL_KEYS)
        providers = EMAIL_PROVIDERS if name == "email" else PHONE_PROVIDERS
        ch = ChannelConfig(name=name)
        ch.provider = ck.choice(m, "provider", key, providers, "outbox") or "outbox"
        ch.sender = ck.string(m, "from", key)
        ch.from_name = ck.string(m, "from_name", key)
        ch.reply_to = ck.string(m, "reply_to", key)
        ch.messaging_service_sid = ck.string(m, "messaging_service_sid", key)
        ch.base_url = ck.string(m, "base_url", key)
        ch.api_key_env = ck.string(m, "api_key_env", key, default="SENDGRID_API_KEY" if name == "email" else None)
        ch.account_sid_env = ck.string(m, "account_sid_env", key, default=None if name == "email" else "TWILIO_ACCOUNT_SID")
        ch.auth_token_env = ck.string(m, "auth_token_env", key, default=None if name == "email" else "TWILIO_AUTH_TOKEN")
        ch.api_secret_env = ck.string(m, "api_secret_env", key)
        ch.status_callback = ck.string(m, "status_callback", key)
        if name != "email" and (ch.api_key_env is None) != (ch.api_secret_env is None):
            ck.error(key, _line(block, name), "a Twilio API key needs both api_key_env (the SK… sid) and "
                     "api_secret_env (its secret)")
        ch.enabled = bool(ck.boolean(m, "enabled", key, True))
        ch.max_tries = ck.integer(m, "max_tries", key, ch.max_tries, minimum=1)
        if m.get("timeout") is not None:
            try:
                ch.timeout = float(m["timeout"])
            except (TypeError, ValueError):
                ck.error(f"{key}.timeout", _line(m, "timeout"), f"expected seconds, got {m['timeout']!r}")
        if m.get("rate") is not None:
            r = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h)\s*", str(m["rate"]))
            if not r:
                ck.error(f"{key}.rate", _line(m, "rate"), f"expected a rate like 10/s or 100/m, got {m['rate']!r}")
            else:
                ch.rate = float(r.group(1)) / {"s": 1, "m": 60, "h": 3600}[r.group(2)]
        if isinstance(m.get("options"), dict):
            ch.options = dict(m["options"])
        for var_key in ("api_key_env", "account_sid_env", "auth_token_env", "api_secret_env"):
            var = m.get(var_key)
            if var is not None and not _ENV_NAME_RE.fullmatch(str(var)):
                ck.error(f"{key}.{var_key}", _line(m, var_key), f"expected the NAME of an environment variable "
                         f"(like SENDGRID_API_KEY), got {mask(str(var))[:40]!r}; never put the secret itself here")
        if ch.provider == "twilio" and not (ch.sender or ch.messaging_service_sid):
            ck.error(key, _line(block, name), "twilio needs `from:` (a number) or `messaging_service_sid:`")
        if ch.provider == "sendgrid" and not ch.sender:
            ck.error(key, _line(block, name), "sendgrid needs `from:` (a verified sender address)")
        out[name] = ch
    return out


@dataclass
class Fees:
    late_fee: Decimal | None = None  # a fixed amount, in the invoice's currency
    late_fee_after: int = 0  # days past due after which it applies
    interest_rate: Decimal | None = None  # a year's simple interest, as a fraction (18% -> 0.18)
    interest_after: int = 0  # days past due from which interest runs
    charge: bool = False  # the Pay Now link asks for total_due


def _fees(ck: _Checker, top: LineDict) -> Fees | None:
    m = ck.mapping(top.get("fees"), "fees", _line(top, "fees"), ("late_fee", "interest", "charge"))
    if not m:
        return None
    fees = Fees(charge=bool(ck.boolean(m, "charge", "fees", False)))

    def days_after(block: LineDict, key: str) -> int:
        text = str(block.get("after", "due")).strip()
        if text == "due":
            return 0
        d = parse_duration(text)
        if d is None or d.days < 0:
            ck.error(f"fees.{key}.after", _line(block, "after"), f"expected `due` or a duration like 30d, got {text!r}")
            return 0
        return d.days

    late = ck.mapping(m.get("late_fee"), "fees.late_fee", _line(m, "late_fee"), ("amount", "after"))
    if late:
        try:
            fees.late_fee = Decimal(str(late.get("amount")))
        except ArithmeticError:
            ck.error("fees.late_fee.amount", _line(late, "amount"), f"expected an amount, got {late.get('amount')!r}")
        fees.late_fee_after = days_after(late, "late_fee")
    interest = ck.mapping(m.get("interest"), "fees.interest", _line(m, "interest"), ("rate", "after"))
    if interest:
        rate = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", str(interest.get("rate", "")))
        if rate is None:
            ck.error("fees.interest.rate", _line(interest, "rate"),
                     f"expected a yearly rate like \"18%\", got {interest.get('rate')!r}")
        else:
            fees.interest_rate = Decimal(rate.group(1)) / 100
        fees.interest_after = days_after(interest, "interest")
    return fees


def _limits(ck: _Checker, top: LineDict) -> Limits:
    m = ck.mapping(top.get("limits"), "limits", _line(top, "limits"), LIMIT_KEYS)
    lim = Limits()
    lim.per_customer_per_day = ck.integer(m, "per_customer_per_day", "limits", lim.per_customer_per_day, 1)
    lim.max_messages_per_run = ck.integer(m, "max_messages_per_run", "limits", lim.max_messages_per_run, 0)
    lim.concurrency = ck.integer(m, "concurrency", "limits", lim.concurrency, 1)
    for key in ("max_source_age", "promise_grace", "plan_grace"):  # durations
        if m.get(key) is not None:
            d = parse_duration(str(m[key]))
            if d is None:
                ck.error(f"limits.{key}", _line(m, key), f"expected a duration like 3d or 12h, got {m[key]!r}")
            else:
                setattr(lim, key, d)
    if m.get("max_gone") is not None:
        text = str(m["max_gone"]).strip()
        share = re.fullmatch(r"(\d{1,3}(?:\.\d+)?)\s*%", text)
        if share is None or float(share.group(1)) > 100:
            ck.error("limits.max_gone", _line(m, "max_gone"),
                     f"expected a percentage like 50% (100% turns the guard off), got {m['max_gone']!r}")
        else:
            lim.max_gone = float(share.group(1)) / 100
    return lim


def _payment_link(ck: _Checker, top: LineDict) -> PaymentLink:
    m = ck.mapping(top.get("payment_link"), "payment_link", _line(top, "payment_link"), ("url", "upi"))
    pl = PaymentLink(url=ck.string(m, "url", "payment_link"))
    if m.get("upi") is not None:
        upi = ck.mapping(m["upi"], "payment_link.upi", _line(m, "upi"), ("vpa", "name"))
        pl.upi_vpa = ck.string(upi, "vpa", "payment_link.upi", required=True)
        pl.upi_name = ck.string(upi, "name", "payment_link.upi")
    return pl


# ---------------------------------------------------------------------------- playbooks

PLAYBOOK_KEYS = ("name", "match", "priority", "steps", "trigger")
STEP_KEYS = ("id", "at", "on", "channel", "template", "if", "fallback", "assign", "note", "repeat", "variants",
             "choose", "goto")


def _playbook_list(ck: _Checker, top: LineDict, root: Path) -> list[Playbook]:
    value = top.get("playbooks")
    if value is None:
        ck.error("playbooks", 1, "missing required key 'playbooks' (a list of playbook files)")
        return []
    if not isinstance(value, list):
        value = [value]
    files: list[tuple[Path, int | None]] = []
    for i, item in enumerate(value):
        line = _line(value, i)
        pattern = str(item)
        if any(ch in pattern for ch in "*?["):
            matched = sorted(root.glob(pattern))
            if not matched:
                ck.error(f"playbooks[{i}]", line, f"no playbook file matches {pattern!r}")
            files.extend((p, line) for p in matched)
        else:
            files.append((root / pattern, line))
    if not files and not value:
        ck.warn("playbooks", _line(top, "playbooks"), "no playbooks are listed: nothing will ever be sent")
    playbooks: list[Playbook] = []
    seen: dict[str, str] = {}
    for order, (p, line) in enumerate(files):
        if not p.exists():
            ck.error(f"playbooks[{order}]", line, f"playbook file not found: {p}")
            continue
        pb, problems = read_playbook(p, order=order)
        ck.problems.extend(problems)
        if pb is None:
            continue
        if pb.name in seen:
            ck.problems.append(ConfigProblem(str(p), pb.line_of.get("name"), "name",
                                             f"playbook name {pb.name!r} is already used by {seen[pb.name]}"))
            continue
        seen[pb.name] = str(p)
        playbooks.append(pb)
    _check_jumps(ck, playbooks)
    return playbooks


def by_event(playbooks: list[Playbook]) -> dict[str, list[Playbook]]:
    """Event name -> the playbooks it starts (`trigger:`), in the order they are tried: by
    priority, then file order (as for invoices); a sequence follows the first whose match holds."""
    out: dict[str, list[Playbook]] = {}
    for pb in sorted(playbooks, key=lambda p: (-p.priority, p.order)):
        if pb.trigger:
            out.setdefault(pb.trigger, []).append(pb)
    return out


def _check_jumps(ck: _Checker, playbooks: list[Playbook]) -> None:
    """`goto:` names a playbook that exists, and no chain of jumps visits a playbook twice; only a
    playbook some step jumps to may start with a step anchored on `previous` (the jump)."""
    by_name = {pb.name: pb for pb in playbooks}
    targets = {step.goto for pb in playbooks for step in pb.steps if step.goto}
    for pb in playbooks:
        if pb.first_on_previous is not None and pb.name not in targets:
            retired = (pb.match or "").strip().lower() == "false"  # a target no `goto:` names any more (edited)
            ck.problems.append(ConfigProblem(
                pb.file, pb.first_on_previous, "steps[0].at",
                "no `goto:` moves invoices here any more: only the invoices moved here before follow this playbook"
                if retired else "the first step cannot be anchored on `previous` (only in a playbook that a `goto:` "
                "step moves invoices to: then `previous` is the jump)", "warning" if retired else "error"))
        for step in pb.steps:
            if step.goto and (pb.trigger or (step.goto in by_name and by_name[step.goto].trigger)):
                ck.problems.append(ConfigProblem(pb.file, step.line, "goto", "a `goto:` cannot lead into or out of a "
                                                 "playbook with `trigger:` (its sequences belong to one event)"))
            if step.goto and step.goto not in by_name:
                key = next((k for k, v in pb.line_of.items() if k.endswith(".goto") and pb.line_of.get(k[:-5]) == step.line),
                           "goto")
                ck.problems.append(ConfigProblem(pb.file, pb.line_of.get(key, step.line), key,
                                                 f"goto: no playbook is named {step.goto!r} (known: "
                                                 f"{', '.join(sorted(by_name)) or 'none'})"))

    # depth-first, each playbook entered once (a walk of every path is exponential in the jumps)
    entered: set[str] = set()
    path: list[str] = []  # the playbooks of the walk in progress

    def visit(name: str) -> None:
        entered.add(name)
        path.append(name)
        for step in by_name[name].steps:
            if step.goto not in by_name:
                continue
            if step.goto in path:  # back into the walk in progress: a loop
                loop = [*path[path.index(step.goto):], step.goto]
                pb = by_name[step.goto]
                line = next((s.line for s in pb.steps if s.goto), None)
                ck.problems.append(ConfigProblem(pb.file, line, "goto", "these `goto:` steps make a loop that "
                                                 f"would visit a playbook twice: {' -> '.join(loop)}"))
            elif step.goto not in entered:
                visit(step.goto)
        path.pop()

    for pb in playbooks:
        if pb.name not in entered:
            visit(pb.name)


def read_playbook(path: Path, order: int = 0) -> tuple[Playbook | None, list[ConfigProblem]]:
    """Parse and validate one playbook file (structure only; expressions are compiled by `check`)."""
    try:
        data = load_yaml(path)
    except YamlError as exc:
        return None, [ConfigProblem(exc.file, exc.line, "", exc.message)]
    ck = _Checker(path)
    m = ck.mapping(data, "", 1, PLAYBOOK_KEYS)
    name = ck.string(m, "name", "", required=True, default=path.stem)
    pb = Playbook(name=name, steps=[], order=order, file=str(path))
    pb.line_of = {"name": _line(m, "name") or 1, "match": _line(m, "match") or 1}
    pb.match = ck.string(m, "match", "")
    pb.priority = ck.integer(m, "priority", "", 0)
    if m.get("trigger") is not None:
        tm = ck.mapping(m.get("trigger"), "trigger", _line(m, "trigger"), ("event", "until"))
        pb.trigger = ck.string(tm, "event", "trigger", required=True)
        if pb.trigger is not None and not EVENT_NAME_RE.match(pb.trigger):
            ck.error("trigger.event", _line(tm, "event"), f"{pb.trigger!r} is not an event name (letters, digits, "
                     "_ . : -, starting with a letter): no event of that name can be recorded")
            pb.trigger = None
        until = tm.get("until") or []
        until = [until] if isinstance(until, str) else until
        if not isinstance(until, list) or not all(isinstance(u, str) and EVENT_NAME_RE.match(u) for u in until):
            ck.error("trigger.until", _line(tm, "until"), "expected an event name or a list of them (letters, "
                     "digits, _ . : -, starting with a letter)")
        elif pb.trigger and pb.trigger in until:
            ck.error("trigger.until", _line(tm, "until"), f"`until` names {pb.trigger!r}, the event that starts the "
                     "sequence: each sequence would end the moment it starts")
        else:
            pb.until = tuple(until)
    steps = m.get("steps")
    if not isinstance(steps, list) or not steps:
        ck.error("steps", _line(m, "steps") or 1, "a playbook needs a list of `steps`")
        steps = []
    ids: set[str] = set()
    for i, raw in enumerate(steps):
        key = f"steps[{i}]"
        line = _line(steps, i)
        sm = ck.mapping(raw, key, line, STEP_KEYS)
        sid = ck.string(sm, "id", key, required=True)
        at_text = ck.string(sm, "at", key, required=True)
        choose = _choose(ck, sm, key)
        goto = ck.string(sm, "goto", key)
        channel = ck.choice(sm, "channel", key, CHANNELS, None) or (choose[0][1] if choose else None)
        if goto is not None and not goto.strip():
            ck.error(f"{key}.goto", _line(sm, "goto"), "name the playbook to move the invoice to: goto: legal")
            goto = None
        if goto is not None:
            if any(k in sm for k in ("channel", "template", "choose", "variants", "repeat", "fallback")):
                ck.error(f"{key}.goto", _line(sm, "goto"), "a `goto:` step only moves the invoice to another "
                         "playbook: it takes no channel, template, choose, variants, repeat or fallback")
            channel = "goto"
        elif "choose" in sm:
            if any(k in sm for k in ("channel", "template", "fallback", "variants")):
                ck.error(f"{key}.choose", _line(sm, "choose"), "a `choose:` step takes its channel and template from "
                         "its branches: it takes no channel, template, fallback or variants (write another branch "
                         "instead of a fallback)")
        elif "channel" not in sm and f"{key}.channel" not in ck.suggested:
            ck.error(f"{key}.channel", line, "missing required key 'channel' (email, sms, whatsapp or task)")
        at = parse_at(at_text) if at_text is not None else None
        if at_text is not None and at is None:
            ck.error(f"{key}.at", _line(sm, "at"), f"{at_text!r} is not ANCHOR[+-N UNIT] with anchor issued/due/previous/promise/event "
                     "and unit m, h, d, bd or w (e.g. due+3d), at most ten years away")
        if sid is not None:
            if sid in ids:
                ck.error(f"{key}.id", _line(sm, "id"), f"step id {sid!r} is used twice in this playbook")
            ids.add(sid)
        if at is not None and at.anchor == "event" and m.get("trigger") is None:
            ck.error(f"{key}.at", _line(sm, "at"), "`event` anchors only a playbook with `trigger: {event: NAME}`")
        if at is not None and at.anchor == "previous" and i == 0:
            pb.first_on_previous = _line(sm, "at") or line or 1  # an error unless a `goto:` jumps here (_check_jumps)
        template = ck.string(sm, "template", key) or (choose[0][2] if choose else None)
        variants = _variants(ck, sm, key)
        if variants and not template:
            template = variants[0][1]  # what `check` and a plain reader see as the step's template
        if channel and channel not in ("task", "goto") and not template and f"{key}.template" not in ck.suggested:
            ck.error(f"{key}.template", line, f"{'an' if channel == 'email' else 'a'} {channel} step needs a `template`")
        fallback = ck.choice(sm, "fallback", key, MESSAGE_CHANNELS, None)
        if channel == "task" and not sm.get("note") and f"{key}.note" not in ck.suggested:
            ck.error(f"{key}.note", line, "a task step needs a `note`")
        weekdays: list[int] = []
        monthdays: list[int] = []
        if sm.get("on") is not None:
            on = sm["on"] if isinstance(sm["on"], list) else [sm["on"]]
            for v in on:
                if isinstance(v, int) and not isinstance(v, bool):
                    if 1 <= v <= 31:
                        monthdays.append(v)
                    else:
                        ck.error(f"{key}.on", _line(sm, "on"), f"day of month {v} is not 1..31")
                elif _weekday(v) is not None and len(str(v)) >= 3:
                    weekdays.append(_weekday(v))  # type: ignore[arg-type]
                else:
                    ck.error(f"{key}.on", _line(sm, "on"), f"{v!r} is neither a weekday (mon..sun) nor a day of month")
        if sid is None or at is None or channel is None:
            continue
        pb.line_of[f"steps[{i}]"] = line or 1
        for k in ("if", "template", "assign", "note", "at", "goto"):
            if k in sm:
                pb.line_of[f"steps[{i}].{k}"] = _line(sm, k) or line or 1
        step = Step(
            id=sid, at=at, channel=channel, template=template, on_weekdays=tuple(sorted(set(weekdays))),
            on_monthdays=tuple(sorted(set(monthdays))), condition=ck.string(sm, "if", key), fallback=fallback,
            assign=ck.string(sm, "assign", key), note=ck.string(sm, "note", key), line=line, variants=variants,
            choose=choose, goto=goto,
        )
        pb.steps.append(step)
        pb.steps.extend(_repeats(ck, sm, key, step, ids))
    for n, step in enumerate(pb.steps[:-1]):
        if step.goto and not step.condition:
            ck.warn("steps", pb.steps[n + 1].line, f"step {step.id!r} always moves the invoice to {step.goto!r} "
                    f"(it has no `if`): the steps after it ({', '.join(s.id for s in pb.steps[n + 1:])}) never run")
            break
    return pb, ck.problems


def _choose(ck: _Checker, sm: LineDict, key: str) -> tuple[tuple[str | None, str, str], ...]:
    """`choose: [{if: "previous.status == 'read'", channel: sms, template: firm}, {channel: whatsapp,
    template: nudge}]`: the first branch whose `if` holds (no `if`: always) decides the channel
    and the template; in these conditions `previous.status` is the provider's delivery status."""
    raw = sm.get("choose")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        ck.error(f"{key}.choose", _line(sm, "choose"), "expected a list of {if, channel, template}")
        return ()
    out = []
    for n, b in enumerate(raw):
        where = f"{key}.choose[{n}]"
        bm = ck.mapping(b, where, _line(raw, n), ("if", "channel", "template"))
        channel = ck.choice(bm, "channel", where, MESSAGE_CHANNELS, None)
        template = ck.string(bm, "template", where, required=True)
        if channel is None and f"{where}.channel" not in {p.key for p in ck.problems}:
            ck.error(f"{where}.channel", _line(raw, n), "a branch needs a `channel` (email, sms or whatsapp)")
        elif channel and template:
            out.append((ck.string(bm, "if", where), channel, template))
    for n, b in enumerate(raw[:-1]):
        if isinstance(b, dict) and b.get("if") is None:
            ck.warn(f"{key}.choose[{n}]", _line(raw, n), "this branch has no `if`, so it is always taken: the "
                    "branches after it never are (put it last)")
            break
    return tuple(out)


def _variants(ck: _Checker, sm: LineDict, key: str) -> tuple[tuple[str, str, int, str | None], ...]:
    """`variants: [{name: a, weight: 70, template: firm}, {name: b, weight: 30, template: gentle,
    channel: sms}]`: each customer gets one arm, always the same (a hash of customer, playbook and
    step), in proportion to the weights; an arm may use another channel."""
    raw = sm.get("variants")
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        ck.error(f"{key}.variants", _line(sm, "variants"), "expected a list of two or more {name, template}")
        return ()
    out = []
    for n, v in enumerate(raw):
        vm = ck.mapping(v, f"{key}.variants[{n}]", _line(raw, n), ("name", "template", "weight", "channel"))
        name = ck.string(vm, "name", f"{key}.variants[{n}]", required=True)
        template = ck.string(vm, "template", f"{key}.variants[{n}]", required=True)
        weight = ck.integer(vm, "weight", f"{key}.variants[{n}]", 1, 1)
        channel = ck.choice(vm, "channel", f"{key}.variants[{n}]", MESSAGE_CHANNELS, None)
        if name and template:
            out.append((name, template, weight, channel))
    if len({name for name, *_ in out}) != len(out):
        ck.error(f"{key}.variants", _line(sm, "variants"), "each variant needs its own name")
    return tuple(out)


def _repeats(ck: _Checker, sm: LineDict, key: str, step: Step, ids: set[str]) -> list[Step]:
    """`repeat: {every: 7d, times: 4}`: the step sent `times` times in all (the first included), each
    repetition `every` after the one before went (anchored on `previous`): `remind#2`, `remind#3`…
    — each a step of its own in the ledger, so each happens at most once, and only while open."""
    if sm.get("repeat") is None:
        return []
    rm = ck.mapping(sm.get("repeat"), f"{key}.repeat", _line(sm, "repeat"), ("every", "times"))
    every = parse_duration(str(rm.get("every", "")))
    times = ck.integer(rm, "times", f"{key}.repeat", 0, 2, MAX_REPEATS)  # every send of the step, the first included
    if rm.get("every") is None:
        ck.error(f"{key}.repeat.every", _line(sm, "repeat"), "say how often: every: 7d (hours h, days d or weeks w)")
        return []
    if every is None or every <= timedelta(0):
        ck.error(f"{key}.repeat.every", _line(rm, "every") or _line(sm, "repeat"),
                 f"expected a positive duration in hours, days or weeks like 7d or 12h, got {rm.get('every')!r}")
        return []
    if "times" not in rm:
        ck.error(f"{key}.repeat.times", _line(sm, "repeat"), "say how many times in all: times: 4")
        return []
    unit, n = ("h", int(every.total_seconds() // 3600)) if every % timedelta(days=1) else ("d", every.days)
    out = []
    for k in range(2, times + 1):
        rid = f"{step.id}#{k}"
        if rid in ids:
            ck.error(f"{key}.repeat", _line(sm, "repeat"), f"step id {rid!r} is used twice in this playbook")
        ids.add(rid)
        out.append(replace(step, id=rid, at=At("previous", n, unit)))
    return out
