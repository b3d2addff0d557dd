"""Turn playbook expressions and message templates into text, safely.

Everything a user writes in a playbook (`match`, `if`, `assign`, `note`) or in `templates/`
runs in ONE Jinja2 *sandboxed* environment: a template can read invoice and customer fields
and format them, but cannot reach Python internals (`''.__class__...` is refused) nor change
the data (`invoice.update(...)`, `invoices.pop()` are refused too).

The planner calls `Renderer`; `check` calls `compile_problems` so that a broken expression or a
missing template file is reported before anything is sent.

Template files (SPEC 4), for a template named NAME:

* `NAME.email.j2` - first line `Subject: ...`, then the text body;
* `NAME.email.html.j2` - optional HTML part, auto-escaped;
* `NAME.sms.j2`, `NAME.whatsapp.j2` - the text.

A WhatsApp template may name an approved Twilio Content template in header lines at the top:
`Content-Sid: HX...` followed by `Var-1: {{ customer.name }}`, `Var-2: ...` lines; a blank line
ends the header and the rest is the plain text (what the outbox shows).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
from jinja2 import (FileSystemLoader, TemplateError, TemplateNotFound, TemplateSyntaxError, Undefined, nodes, pass_context,
                    pass_environment)
from jinja2.filters import do_sum
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import CollectbotError
from .config import Config, ConfigProblem, Playbook, Step
from .currencies import totals_of
from .models import MESSAGE_CHANNELS, Customer, Invoice

_SUBJECT_RE = re.compile(r"^Subject:[ \t]*(.*)$")
_EMAIL_TEMPLATE = re.compile(r"\.email(?:\.[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)?\.j2$")  # x.email.j2, x.email.pt-BR.j2
_SUBJECT_SOURCE_RE = re.compile(r"\A(\s*Subject:[ \t]*)([^\n]*)")  # the first line of an email template
_WA_HEADER_RE = re.compile(r"^(Content-Sid|Var-([A-Za-z0-9_]+)):[ \t]*(.*)$", re.IGNORECASE)
_EXTRA_KEY_RE = re.compile(r"[^0-9a-zA-Z]+")


class RenderError(CollectbotError):
    """A template or expression failed; the message names which one and why."""


@dataclass
class RenderedMessage:
    subject: str | None
    body: str
    html: str | None
    whatsapp_content_sid: str | None = None
    content_variables: dict[str, str] | None = None


class Money(Decimal):
    """A Decimal that remembers its currency, so `{{ i.balance|money }}` is right inside loops
    over invoices of different currencies. Arithmetic on it gives plain Decimals."""

    currency: str

    def __new__(cls, value: Any, currency: str) -> Money:
        self = super().__new__(cls, value)
        self.currency = currency
        return self

    def __reduce__(self):  # keep pickling/copying working despite the extra attribute
        return (Money, (str(self), self.currency))


class View(dict):
    """A dict whose keys win over dict methods in templates: `invoice.items` is the column
    `items`, not `dict.items`. Plain dict otherwise (JSON-friendly, `view["balance"]`)."""


class InvoiceView(View):
    """An invoice's view whose `pay_link` is worked out the first time it is read.

    Conditions read thousands of invoice views that never print a link; rendering the
    `payment_link.url` template for each of them was a large share of a big run."""

    __slots__ = ("_link",)

    def __missing__(self, key: str) -> Any:
        if key == "pay_link":
            self["pay_link"] = value = self._link(self)
            return value
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key == "pay_link" else super().get(key, default)


class CurrencyFormat:
    """`format_currency` for one locale and currency, without babel's per-call pattern work.

    It is built from babel's own pattern and symbols, and checked against `format_currency`
    on sample amounts when made: if they ever disagree (an unusual pattern), `ok` is False
    and the caller uses babel directly."""

    SAMPLES = ("0", "1", "-1", "12.5", "999.999", "1234", "-1234567.891", "12345678901.05", "0.004", "-0.004",
               "0.125", "0.135", "100000", "1234567.5")

    def __init__(self, locale: Locale, currency: str):
        self.locale, self.currency = locale, currency
        self.ok = False
        try:
            pattern = locale.currency_formats["standard"]
            symbols = locale.number_symbols.get(locale.default_numbering_system, {}) or locale.number_symbols.get("latn", {})
            symbol = get_currency_symbol(currency, locale)
            self.digits = get_currency_precision(currency)
            self.quantum = Decimal(1).scaleb(-self.digits)
            self.decimal, self.group = symbols["decimal"], symbols["group"]
            self.minus = symbols.get("minusSign", "-")
            self.primary, self.secondary = pattern.grouping
            self.prefix = tuple(p.replace("¤", symbol).replace("-", self.minus) for p in pattern.prefix)
            self.suffix = tuple(p.replace("¤", symbol).replace("-", self.minus) for p in pattern.suffix)
            self.min_int = pattern.int_prec[0]
            self.ok = all(self(Decimal(v)) == format_currency(Decimal(v), currency, locale=locale) for v in self.SAMPLES)
        except Exception:  # noqa: BLE001 - any surprise means: let babel do it
            self.ok = False

    def __call__(self, amount: Decimal) -> str:
        q = amount.quantize(self.quantum, rounding=ROUND_HALF_EVEN)
        negative = amount < 0  # as babel: the sign of the amount, not of the rounded one
        text = f"{abs(q):f}"
        whole, _, frac = text.partition(".")
        whole = whole.rjust(self.min_int, "0")
        if len(whole) > self.primary:
            head, tail = whole[:-self.primary], whole[-self.primary:]
            step = self.secondary or self.primary
            groups = []
            while len(head) > step:
                groups.insert(0, head[-step:])
                head = head[:-step]
            groups.insert(0, head)
            whole = self.group.join([*groups, tail])
        number = f"{whole}{self.decimal}{frac}" if self.digits else whole
        i = 1 if negative else 0
        return f"{self.prefix[i]}{number}{self.suffix[i]}"


class _Loader(FileSystemLoader):
    """Template files as written, except that an email's `Subject:` line renders as one line:
    a newline in the data (a customer name pasted with a line break) would otherwise end the
    subject there and push the rest into the body. The line keeps its number (errors name it)."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        if _EMAIL_TEMPLATE.search(template):
            source = _SUBJECT_SOURCE_RE.sub(r"\1{% filter oneline %}\2{% endfilter +%}", source, count=1)
        return source, filename, uptodate


def oneline(value: Any) -> str:
    """Runs of white space, line breaks included, as one space."""
    return " ".join(str(value).split())


def text_value(value: Any) -> str | Any:
    """How a value is printed in any template: None as nothing — a message never says "None"."""
    return "" if value is None else value


class RawValue(str):
    """`{{ x|raw }}` in `payment_link.url`: inserted as it is, not URL-encoded."""


def url_value(value: Any) -> str:
    """How a value is inserted into `payment_link.url`: URL-encoded (`INV-1?amount=1` stays one
    value), None as nothing, `|raw` as it is."""
    if isinstance(value, RawValue):
        return str(value)
    return "" if value is None else quote(str(value), safe="")


# The longest message a channel carries (Twilio: 1,600 characters of SMS or WhatsApp text), and
# the longest text a template may build at all: `{{ 'x' * 10**9 }}` must not eat the machine.
MAX_MESSAGE = {"sms": 1_600, "whatsapp": 1_600, "email": 1_000_000}
MAX_TEXT = 1_000_000


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, immutable: a template cannot change the views the planner shares between
    messages, nor build a text, a list or a number too big to hold (`*` and `**` are checked)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int) and abs(right) > 1_000 and isinstance(left, int) and abs(left) > 1:
                raise SecurityError(f"{left} ** {right} is too big a number for a template")
        else:
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise SecurityError(f"a template may not build a text or list of more than {MAX_TEXT:,} items")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, View) and attribute in obj:
            return obj[attribute]
        if attribute == "pay_link" and type(obj) is InvoiceView:
            return obj[attribute]  # what the sandbox ends with (no such attribute): made on first read
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """Refuse loudly: Jinja's default quietly returns an undefined value instead."""
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")


def _is_html(name: str | None) -> bool:
    return bool(name) and str(name).endswith(".html.j2")


# ---------------------------------------------------------------------------- the renderer


class Renderer:
    """Renders conditions, inline texts and message templates for one configuration.

    Builds one sandboxed environment; template files are loaded lazily from
    `config.templates_dir` and, like compiled expressions, cached for the renderer's life."""

    def __init__(self, config: Config):
        self.config = config
        self.business = config.business
        self.locale = _locale(config.business.locale)
        self.env = _Environment(
            loader=_Loader(str(config.templates_dir)),
            autoescape=_is_html,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            keep_trailing_newline=False,
            finalize=text_value,
        )
        self.env.filters["money"] = self._money_filter
        self.env.filters["date"] = self._date_filter
        self.env.filters["amounts"] = self._amounts_filter
        self.env.filters["sum"] = _sum_in_one_currency
        self.env.filters["oneline"] = oneline
        self.env.filters["raw"] = RawValue
        urlencode = self.env.filters["urlencode"]
        self.env.filters["urlencode"] = lambda value: RawValue(urlencode(value))  # encoded once, not twice
        self.business_view = View(
            name=self.business.name, currency=self.business.currency, locale=self.business.locale,
            timezone=self.business.timezone, country=self.business.country,
        )
        self.env.globals["business"] = self.business_view
        self._expressions: dict[str, Any] = {}
        self._texts: dict[str, Any] = {}
        self._simple: dict[str, Any] = {}  # expression -> `_simple_comparison` evaluator, or None
        self._text_parts: dict[str, Any] = {}  # source -> `_plain_fields` parts, or None (Jinja renders it)
        self._files: dict[str, Any] = {}  # file name -> Template, or None when absent
        self._money_formats: dict[str, CurrencyFormat] = {}
        self._zeros: dict[tuple[str, str], Money] = {}  # see _zero
        self._dates: dict[tuple[Any, str], str] = {}  # (date, format) -> text: a book has few distinct due dates
        self._globals: dict[Any, dict[str, Any]] = {}  # template -> its globals as a plain dict (see _render)
        self._pay_url = None
        self._variants: dict[str, bool] = {}  # TEMPLATE.CHANNEL.LANG -> whether the file exists
        self._override: Locale | None = None  # the customer's `locale` while one message renders
        pl = config.payment_link
        if pl.url:  # every value URL-encoded as it is inserted (`|raw` for the rare exception)
            try:
                self._pay_url = self.env.overlay(finalize=url_value).from_string(pl.url)
            except TemplateSyntaxError as exc:
                raise RenderError(f"payment_link.url {pl.url!r}: {exc.message}") from None
        self._pay_parts = _plain_fields(self.env, pl.url) if pl.url else None
        self._upi_prefix = None
        if pl.upi_vpa:
            self._upi_prefix = f"upi://pay?pa={quote(pl.upi_vpa, safe='@')}&pn={quote(pl.upi_name or self.business.name, safe='')}"

    # ------------------------------------------------------------------ views

    def invoice_view(self, invoice: Invoice, balance: Decimal, *, today: date,
                     customer: Customer | dict | None = None) -> View:
        """What templates see as `invoice`: canonical fields, extra columns flattened in
        (`invoice.risk`), `balance` = the effective balance, `days_overdue`, `pay_link`."""
        cur = invoice.currency or self.business.currency
        view = InvoiceView()
        view._link = lambda v: self.pay_link(v, customer)
        _flatten_extra(view, invoice.extra)
        days = (today - invoice.due_date).days
        # A Money costs a microsecond to make; an invoice with nothing paid (its balance is its
        # amount, the same parsed object) shares one for all three and a zero for `paid`.
        amount = Money(invoice.amount, cur)
        owed = amount if balance is invoice.amount else Money(balance, cur)
        source = (owed if invoice.balance is balance else amount if invoice.balance is invoice.amount
                  else Money(invoice.balance, cur))
        paid = invoice.amount - balance
        paid = self._zero(paid, cur) if not paid else Money(paid, cur)
        # an event's sequence on an invoice (`ORD-1@7`, triggers.py) speaks of, and links to, that invoice
        shown = (invoice.extra["event"].get("invoice_id") or invoice.invoice_id) if invoice.trigger else invoice.invoice_id
        view.update(
            invoice_id=shown, customer_id=invoice.customer_id, customer_name=invoice.customer_name,
            email=invoice.email, phone=invoice.phone, whatsapp=invoice.whatsapp,
            issue_date=invoice.issue_date, due_date=invoice.due_date,
            amount=amount, balance=owed, source_balance=source, paid=paid,
            currency=cur, status=invoice.status,
            days_overdue=max(days, 0), days_until_due=max(-days, 0), overdue=days > 0,
        )
        fees = self.config.fees
        if fees is not None:  # as of the message's day: a late fee after its days, simple interest actual/365
            fee = fees.late_fee if fees.late_fee is not None and days > fees.late_fee_after else Decimal(0)
            running = max(days - fees.interest_after, 0)
            interest = (balance * fees.interest_rate * running / 365).quantize(Decimal("0.01"), ROUND_HALF_UP) \
                if fees.interest_rate and balance > 0 else Decimal(0)
            view.update(fee=Money(fee, cur), interest=Money(interest, cur),
                        total_due=Money(balance + fee + interest, cur))
        return view  # `pay_link` is computed when first read (InvoiceView)

    def _zero(self, value: Decimal, currency: str) -> Money:
        """The Money for a zero, one per (text, currency): `0.00` and `0` print differently."""
        key = (str(value), currency)
        money = self._zeros.get(key)
        if money is None:
            money = self._zeros[key] = Money(value, currency)
        return money

    # The keys `customer_view` always sets from the Customer's own fields (they win over extra columns).
    CUSTOMER_FIELDS = frozenset({"customer_id", "name", "email", "phone", "whatsapp", "tier", "timezone", "language",
                                 "owner"})

    def customer_view(self, customer: Customer) -> View:
        """What templates see as `customer`: its fields plus extra columns flattened in."""
        view = View()
        _flatten_extra(view, customer.extra)
        view.update(
            # a customer known by id alone is called by its id, never "None"
            customer_id=customer.customer_id, name=customer.name or customer.customer_id, email=customer.email,
            phone=customer.phone,
            whatsapp=customer.whatsapp, tier=customer.tier, timezone=customer.timezone,
            language=customer.language, owner=customer.owner,
        )
        return view

    def context(self, invoice: dict, customer: dict, *, today: date, previous: dict | None = None,
                history: list[dict] | None = None, invoices: list[dict] | None = None) -> dict[str, Any]:
        """The standard context for one invoice (`invoices` defaults to just this one)."""
        invoices = invoices if invoices is not None else [invoice]
        return {
            "invoice": invoice, "customer": customer, "today": today, "previous": previous,
            "history": history or [], "invoices": invoices, "totals": totals_of(invoices),
            "business": self.business_view,
        }

    # ------------------------------------------------------------------ evaluation

    def condition(self, expr: str, context: dict) -> bool:
        """Evaluate a `match` / `if` expression; RenderError when it cannot be evaluated.

        A comparison of a field with a constant (`invoice.balance >= 1000`) is evaluated without
        Jinja when the field is a plain key of a view: the planner's memo of results cannot help
        there (balances are all different), and a Jinja call per invoice was most of planning it.
        Anything else, or anything that raises, is left to Jinja (its answer, its error)."""
        simple = self._simple_of(expr)
        if simple is not None:
            try:
                value = simple(context)
            except Exception:  # noqa: BLE001 - let Jinja evaluate it and word the error
                value = _UNPARSED
            if value is not _UNPARSED:
                return bool(value)
        fn = self._expressions.get(expr)
        if fn is None:
            try:
                fn = self.env.compile_expression(expr, undefined_to_none=False)
            except TemplateSyntaxError as exc:
                raise RenderError(f"expression {expr!r}: {exc.message}") from None
            self._expressions[expr] = fn
        try:
            value = fn(**context)
        except Exception as exc:  # noqa: BLE001 - anything a user expression raises is a render problem
            raise RenderError(f"expression {expr!r}: {_reason(exc)}") from None
        return bool(value) and not isinstance(value, Undefined)

    def _simple_of(self, expr: str) -> Callable[[dict], Any] | None:
        """`_simple_comparison` of a condition, kept per condition (None: Jinja evaluates it)."""
        return _kept(self._simple, expr, lambda: _simple_comparison(self.env, expr))

    def is_simple(self, expr: str) -> bool:
        """True when `condition(expr, ...)` is usually a direct comparison (no Jinja): cheaper than any memo of it."""
        return self._simple_of(expr) is not None

    def simple_reads(self, expr: str) -> tuple[str, str] | None:
        """(name, attribute) a simple comparison reads (`customer.tier == 'vip'` -> ("customer", "tier")):
        its answer, or Jinja's, depends on that one value only. None for any other expression."""
        simple = self._simple_of(expr)
        return getattr(simple, "reads", None)

    def text(self, source: str, context: dict) -> str:
        """Render an inline template (a task's `assign` or `note`).

        A text made only of plain text, `{{ name.attribute }}` and `{{ name|length }}` (the usual
        `Call {{ customer.name }}: {{ invoices|length }} invoice(s)`) is filled without Jinja: a big
        run has one such note per task, each with its own values, so memos do not help."""
        parts = self.plain_parts(source)
        if parts is not None:
            filled = _fill(parts, context)
            if filled is not None:
                return filled.strip()
        template = self._texts.get(source)
        if template is None:
            template = self._compile_text(source, "text")
            self._texts[source] = template
        try:
            return self._render(template, context).strip()
        except Exception as exc:  # noqa: BLE001
            raise RenderError(f"template {source!r}: {_reason(exc)}") from None

    def plain_parts(self, source: str) -> list[tuple[str, str | None]] | None:
        """`_plain_fields` of an inline text, kept per text (None: Jinja renders it)."""
        return _kept(self._text_parts, source, lambda: _plain_fields(self.env, source))

    def is_plain(self, source: str) -> bool:
        """True when `text(source, ...)` is a plain fill (no Jinja): cheaper than any memo of it."""
        return self.plain_parts(source) is not None

    def language_variant(self, template: str, channel: str, language: str | None) -> str | None:
        """`TEMPLATE.CHANNEL.LANG` for a customer whose language is LANG (`pt-BR`, then `pt`), if
        such a file exists; None: the default template."""
        if not language:
            return None
        tag = str(language).strip().replace("_", "-")
        for lang in dict.fromkeys((tag, tag.split("-")[0])):
            name = f"{template}.{channel}.{lang}"
            found = self._variants.get(name)
            if found is None:
                found = self._variants[name] = (Path(self.config.templates_dir) / f"{name}.j2").is_file()
            if found:
                return name
        return None

    def message(self, template: str, channel: str, context: dict) -> RenderedMessage:
        """Render `templates/TEMPLATE.CHANNEL.j2` (and the HTML part for email) — or the variant in
        the customer's language, with money and dates in the customer's `locale` when it has one."""
        customer = context.get("customer") or {}
        variant = self.language_variant(template, channel, customer.get("language"))
        locale = customer.get("locale")
        self._override = _locale(str(locale)) if locale else None
        try:
            return self._message(template, channel, context, variant)
        finally:
            self._override = None

    def _message(self, template: str, channel: str, context: dict, variant: str | None) -> RenderedMessage:
        name = f"{variant or f'{template}.{channel}'}.j2"
        text = self._render_file(name, context, required=True)
        assert text is not None
        limit = MAX_MESSAGE.get(channel, MAX_TEXT)
        if len(text) > limit:
            raise RenderError(f"template {name}: the message is {len(text):,} characters; {channel} carries at most "
                              f"{limit:,}")
        if channel == "email":
            subject, body = _split_subject(text, name)
            html = self._render_file(f"{variant or f'{template}.email'}.html.j2", context, required=False)
            if html is not None and len(html) > MAX_MESSAGE["email"]:
                raise RenderError(f"template {template}.email.html.j2: the message is {len(html):,} characters; "
                                  f"email carries at most {MAX_MESSAGE['email']:,}")
            return RenderedMessage(subject=subject, body=body, html=html)
        if channel == "whatsapp":
            sid, variables, body = _split_whatsapp(text)
            if sid and not body:
                body = "\n".join(f"{k}: {v}" for k, v in (variables or {}).items())
            return RenderedMessage(subject=None, body=body, html=None, whatsapp_content_sid=sid,
                                   content_variables=variables)
        return RenderedMessage(subject=None, body=text.strip(), html=None)

    def pay_link(self, invoice_view: dict, customer_view: dict | None = None) -> str | None:
        """The invoice's Pay Now link: `payment_link.url` rendered, or a UPI intent link."""
        if self._pay_parts is not None:
            link = _fill(self._pay_parts, {"invoice": invoice_view, "customer": customer_view}, url_value)
            if link is not None:
                return link.strip()
        if self._pay_url is not None:
            try:
                return self._render(self._pay_url, {"invoice": invoice_view, "customer": customer_view or {}}).strip()
            except Exception as exc:  # noqa: BLE001
                raise RenderError(f"payment_link.url: {_reason(exc)}") from None
        if self._upi_prefix is not None:
            currency = invoice_view.get("currency") or self.business.currency
            if currency != "INR":  # UPI moves rupees only: no link rather than a link that cannot work
                return None
            asked = "total_due" if self.config.fees is not None and self.config.fees.charge else "balance"
            amount = Decimal(invoice_view[asked]).quantize(Decimal("0.01"))
            return (f"{self._upi_prefix}&am={amount}&cu={quote(str(currency), safe='')}"
                    f"&tn={quote(str(invoice_view['invoice_id']), safe='')}")
        return None

    # ------------------------------------------------------------------ filters

    @pass_context
    def _money_filter(self, ctx: Any, value: Any, currency: str | None = None) -> str:
        if value is None or isinstance(value, Undefined):
            return ""
        try:
            amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except InvalidOperation:
            raise RenderError(f"money: {value!r} is not a number") from None
        if currency is None:
            currency = getattr(value, "currency", None)
        if currency is None:
            invoice = ctx.get("invoice") if ctx is not None else None
            currency = invoice.get("currency") if isinstance(invoice, dict) else None
        currency = currency or self.business.currency
        if self._override is not None:  # the customer's own locale: formatted for them
            return format_currency(amount, currency, locale=self._override)
        fmt = self._money_formats.get(currency)
        if fmt is None:
            fmt = self._money_formats[currency] = CurrencyFormat(self.locale, currency)
        return fmt(amount) if fmt.ok else format_currency(amount, currency, locale=self.locale)

    @pass_context
    def _amounts_filter(self, ctx: Any, totals: Any, last: str = " and ", between: str = ", ") -> str:
        """`{{ totals|amounts }}`: one total per currency, each in its own money ("₹36,000.00 and
        $1,500.00"); money is never added across currencies (SPEC 2)."""
        if totals is None or isinstance(totals, Undefined):
            return ""
        shown = [self._money_filter(ctx, t["amount"], t["currency"]) for t in totals]
        return between.join(shown[:-1]) + (last if len(shown) > 1 else "") + (shown[-1] if shown else "")

    def _date_filter(self, value: Any, format: str = "medium") -> str:  # noqa: A002 - Jinja keyword name
        if self._override is not None:
            return self._format_date(value, format)
        if type(value) is date:  # the usual `{{ i.due_date|date }}`: a book has few distinct dates
            key = (value, format)
            text = self._dates.get(key)
            if text is None:
                text = self._dates[key] = self._format_date(value, format)
            return text
        return self._format_date(value, format)

    def _format_date(self, value: Any, format: str) -> str:  # noqa: A002
        if value is None or isinstance(value, Undefined) or value == "":
            return ""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
            except ValueError:
                raise RenderError(f"date: {value!r} is not an ISO date") from None
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.business.tz)
            return babel_format_datetime(value, format=format, locale=self._override or self.locale)
        if isinstance(value, date):
            return babel_format_date(value, format=format, locale=self._override or self.locale)
        raise RenderError(f"date: {value!r} is not a date")

    # ------------------------------------------------------------------ internals

    def _render(self, template: Any, context: dict[str, Any]) -> str:
        """`template.render(**context)`, without Jinja's per-call copy of the globals.

        Jinja merges the environment's globals into every render's context by iterating a
        ChainMap; that was the largest single cost of rendering tens of thousands of short
        texts. Here the globals are merged from a plain dict made once per template (the
        context still wins over them, as in Jinja); errors go through Jinja's own handler, so
        tracebacks and line numbers are the same as with `render`."""
        base = self._globals.get(template)
        if base is None:
            base = self._globals[template] = dict(template.globals)
        ctx = new_context(self.env, template.name, template.blocks, {**base, **context}, shared=True, globals=base)
        try:
            return self.env.concat(template.root_render_func(ctx))  # type: ignore[attr-defined]
        except Exception:
            self.env.handle_exception()
            raise  # handle_exception always raises; this keeps type checkers content

    def _compile_text(self, source: str, what: str) -> Any:
        try:
            return self.env.from_string(source)
        except TemplateSyntaxError as exc:
            raise RenderError(f"{what} {source!r}: {exc.message}") from None

    def _render_file(self, name: str, context: dict, *, required: bool) -> str | None:
        if name not in self._files:
            try:
                self._files[name] = self.env.get_template(name)
            except TemplateNotFound:
                self._files[name] = None
            except TemplateSyntaxError as exc:
                raise RenderError(f"template {exc.filename or name}, line {exc.lineno}: {exc.message}") from None
        template = self._files[name]
        if template is None:
            if required:
                raise RenderError(f"template {name} not found in {self.config.templates_dir}")
            return None
        try:
            return self._render(template, context)
        except RenderError as exc:
            raise RenderError(f"template {name}: {exc}") from None
        except Exception as exc:  # noqa: BLE001
            raise RenderError(f"template {name}{_template_line(exc, name)}: {_reason(exc)}") from None


def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def _flatten_extra(view: dict, extra: dict[str, Any]) -> None:
    """Extra columns under their own name and a normalised one (`Risk Class` -> `risk_class`)."""
    for key, value in (extra or {}).items():
        k = str(key)
        view[k] = value
        norm = _normal_key(k)
        if norm and norm not in view:
            view[norm] = value


@lru_cache(maxsize=4096)
def _normal_key(key: str) -> str:
    """`Risk Class` -> `risk_class` (an export has a few column names, seen on every row)."""
    return _EXTRA_KEY_RE.sub("_", key).strip("_").lower()


_UNPARSED = object()


def _kept(cache: dict, key: str, make: Callable[[], Any]) -> Any:
    """`cache[key]`, made by `make()` the first time (None is a kept answer too)."""
    value = cache.get(key, _UNPARSED)
    if value is _UNPARSED:
        value = cache[key] = make()
    return value


_LENGTH = "|length"  # the "attribute" of a `{{ name|length }}` part (never a real attribute name)


def _plain_fields(env: Any, source: str) -> list[tuple[str, str | None]] | None:
    """`source` as (text, None), (name, attribute) and (name, "|length") parts when it is only
    text, `{{ name.attribute }}` and `{{ name|length }}` (or `|count`) fields
    (`https://pay.example.com/i/{{ invoice.invoice_id }}`), else None.

    Such a template is filled by `_fill` without Jinja: a pay link is made for every invoice
    a message lists, and a Jinja render per link was a large share of rendering a big run."""
    try:
        body = env.parse(source).body
    except TemplateError:
        return None
    parts: list[tuple[str, str | None]] = []
    for node in body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                parts.append((child.data, None))
            elif (isinstance(child, nodes.Getattr) and isinstance(child.node, nodes.Name)
                  and child.node.ctx == "load"):
                parts.append((child.node.name, child.attr))
            elif (isinstance(child, nodes.Filter) and child.name in ("length", "count")
                  and isinstance(child.node, nodes.Name) and child.node.ctx == "load" and not child.args
                  and not child.kwargs and child.dyn_args is None and child.dyn_kwargs is None):
                parts.append((child.node.name, _LENGTH))
            else:
                return None
    return parts


def _fill(parts: list[tuple[str, str | None]], values: dict[str, Any],
          finalize: Callable[[Any], str] = lambda v: str(text_value(v))) -> str | None:
    """The text of `_plain_fields` parts, as Jinja renders it (`finalize` of each field — `str`, or
    the environment's finalize — and `len` for `|length`), or None when a field is not a plain key
    of a view, or a counted name is absent or has no length (then Jinja must render it: undefined,
    a dict method, an error...)."""
    out: list[str] = []
    for name, attr in parts:
        if attr is None:
            out.append(name)
            continue
        view = values.get(name)
        if attr == _LENGTH:
            if view is None or not hasattr(view, "__len__"):
                return None
            out.append(str(len(view)))
            continue
        if not isinstance(view, View) or attr not in view:
            return None
        out.append(finalize(view[attr]))
    return "".join(out)


_COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge, "lt": operator.lt,
            "lteq": operator.le}


def _simple_comparison(env: Any, expr: str) -> Callable[[dict], Any] | None:
    """For `name.attr OP constant` (either way round, OP one of == != < <= > >=): a function of the
    context giving what Jinja gives, or `_UNPARSED` when Jinja must decide (the name is not in the
    context, or is not a view holding `attr` as a key). None for any other expression."""
    try:
        parser = Parser(env, expr, state="variable")
        node = parser.parse_expression()
        if not parser.stream.eos:
            return None
    except TemplateSyntaxError:
        return None
    if not isinstance(node, nodes.Compare) or len(node.ops) != 1 or node.ops[0].op not in _COMPARE:
        return None
    compare = _COMPARE[node.ops[0].op]
    left, right = node.expr, node.ops[0].expr
    field_first = isinstance(right, nodes.Const)
    field, const = (left, right) if field_first else (right, left)
    if not (isinstance(const, nodes.Const) and isinstance(field, nodes.Getattr)
            and isinstance(field.node, nodes.Name) and field.node.ctx == "load"):
        return None
    name, attr, value = field.node.name, field.attr, const.value

    def evaluate(context: dict) -> Any:
        view = context.get(name)
        if not isinstance(view, View) or attr not in view:
            return _UNPARSED
        return compare(view[attr], value) if field_first else compare(value, view[attr])

    evaluate.reads = (name, attr)  # type: ignore[attr-defined]
    return evaluate


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    if type(exc).__name__ == "SecurityError":
        return f"not allowed in a template ({text})"
    return text


def _template_line(exc: BaseException, name: str) -> str:
    """Best-effort line of the template where rendering failed (from the traceback)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f", line {line}" if line else ""


def _split_subject(text: str, name: str) -> tuple[str, str]:
    lines = text.lstrip("\n").split("\n")
    m = _SUBJECT_RE.match(lines[0].strip()) if lines else None
    if not m:
        raise RenderError(f"template {name}: the first line must be `Subject: ...`")
    body = "\n".join(lines[1:]).strip("\n")
    return m.group(1).strip(), body.rstrip()


def _split_whatsapp(text: str) -> tuple[str | None, dict[str, str] | None, str]:
    lines = text.lstrip("\n").split("\n")
    sid: str | None = None
    variables: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _WA_HEADER_RE.match(lines[i].strip())
        if not m:
            break
        if m.group(2) is None:
            sid = m.group(3).strip()
        else:
            variables[m.group(2)] = m.group(3).strip()
        i += 1
    if i == 0:
        return None, None, text.strip()
    return sid or None, variables or None, "\n".join(lines[i:]).strip()


# ---------------------------------------------------------------------------- money across currencies


_MONEY_FIELDS = frozenset({"balance", "amount", "effective_balance"})


@pass_environment
def _sum_in_one_currency(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """Jinja's `sum`, refusing to add invoice money across currencies (the message is not sent;
    `totals` gives one total per currency)."""
    items = list(iterable)
    if attribute in _MONEY_FIELDS:
        currencies = {i.get("currency") for i in items if hasattr(i, "get")}
        if len(currencies) > 1:
            raise RenderError(f"sum of {attribute} over invoices in {' and '.join(sorted(map(str, currencies)))}: "
                              "money in different currencies cannot be added; use {{ totals|amounts }}")
    return do_sum(environment, items, attribute, start)


# ---------------------------------------------------------------------------- check


def compile_problems(config: Config) -> list[ConfigProblem]:
    """Every expression, inline template and template file the configuration uses, compiled.

    Reports (with file, line and key): expressions and `assign`/`note` texts that do not
    compile, template files missing for a step's channel or fallback, template files that do
    not compile, and email templates without a `Subject:` first line."""
    problems: list[ConfigProblem] = []
    try:
        renderer = Renderer(config)
    except RenderError as exc:
        return [ConfigProblem(str(config.path), None, "payment_link.url", str(exc))]
    env = renderer.env
    tdir = Path(config.templates_dir)
    needed: dict[str, tuple[str, int | None, str]] = {}  # template file -> first (playbook file, line, key) using it

    for pb in config.playbooks:
        if pb.match:
            _check_expression(env, pb.match, pb.file, pb.line_of.get("match"), "match", problems)
        for step in pb.steps:
            key = _step_key(pb, step)
            if step.condition:
                _check_expression(env, step.condition, pb.file, _key_line(pb, key, "if", step), f"{key}.if", problems)
            for n, branch in enumerate(step.choose):
                if branch[0]:
                    _check_expression(env, branch[0], pb.file, step.line, f"{key}.choose[{n}].if", problems)
            for k, src in (("assign", step.assign), ("note", step.note)):
                if src:
                    _check_text(env, src, pb.file, _key_line(pb, key, k, step), f"{key}.{k}", problems)
            if step.channel in MESSAGE_CHANNELS and step.template:
                channels = [step.channel] + ([step.fallback] if step.fallback and step.fallback != step.channel else [])
                for template, arm_channel in dict.fromkeys([(step.template, None),
                                                            *((arm[1], arm[3]) for arm in step.variants),
                                                            *((b[2], b[1]) for b in step.choose)]):
                    for ch in [arm_channel] if arm_channel else channels:
                        fname = f"{template}.{ch}.j2"
                        needed.setdefault(fname, (pb.file, _key_line(pb, key, "template", step), f"{key}.template"))

    if config.receipts:
        needed.setdefault(f"{config.receipts['template']}.{config.receipts['channel']}.j2",
                          (str(config.path), None, "receipts.template"))
    for fname, (pfile, line, key) in needed.items():
        if not (tdir / fname).is_file():
            problems.append(ConfigProblem(pfile, line, key, f"template file {fname} not found in {tdir}"))

    if tdir.is_dir():
        for path in sorted(tdir.rglob("*.j2")):
            found = _check_template_file(env, tdir, path)
            problems.extend(found)
            if not found and re.fullmatch(r".+\.(email|sms|whatsapp)\.j2", path.name):  # a message template
                problems.extend(_sample_render(renderer, config, path, path.relative_to(tdir).as_posix()))
    elif needed:
        problems.append(ConfigProblem(str(config.path), None, "templates", f"templates folder not found: {tdir}"))
    return problems


def _sample_render(renderer: Renderer, config: Config, path: Path, rel: str) -> list[ConfigProblem]:
    """Render a template once for a sample invoice (₹/$ 1,000.00 of "Sample Customer", ten days
    overdue at 2026-01-11). A template the sandbox refuses (`{{ ''.__class__ }}`) fails for every
    invoice: an error, so `run` never starts on it. Any other failure may come from the sample's
    missing extra columns: a warning to try it with real data (`collectbot preview`)."""
    template, channel = rel[: -len(".j2")].rsplit(".", 1)
    today = date(2026, 1, 11)
    customer = Customer("SAMPLE", "Sample Customer", "sample@example.com", "+10000000000")
    invoice = Invoice("INV-SAMPLE", "SAMPLE", date(2026, 1, 1), Decimal("1000.00"), Decimal("1000.00"),
                      config.business.currency, issue_date=date(2025, 12, 2), customer_name="Sample Customer",
                      email="sample@example.com", phone="+10000000000")
    try:
        cview = renderer.customer_view(customer)
        iview = renderer.invoice_view(invoice, invoice.balance, today=today, customer=cview)
        context = renderer.context(iview, cview, today=today)
        context["payment"] = {"amount": Decimal("400.00"), "date": "2026-01-10", "reference": "SAMPLE"}  # receipts
        context["event"] = {"id": 1, "name": "sample_event", "at": datetime(2026, 1, 11, 9, 0, tzinfo=UTC),
                            "data": {}, "invoice_id": None, "customer_id": "SAMPLE"}  # `trigger:` sequences
        renderer.message(template, channel, context)
    except RenderError as exc:
        refused = isinstance(exc.__context__, SecurityError) or "unsafe" in str(exc)
        line = re.search(r", line (\d+):", str(exc))
        return [ConfigProblem(str(path), int(line.group(1)) if line else None, rel, f"fails when rendered for a sample invoice: {exc}"
                              + ("" if refused else "; check it with your own data (`collectbot preview`)"),
                              "error" if refused else "warning")]
    return []


def _step_key(pb: Playbook, step: Step) -> str:
    """`steps[N]` of the step in its playbook file: by its line when that line holds one step only
    (a step the loader dropped shifts the indexes), else by its position (a flow-style playbook
    writes every step on one line)."""
    keys = [k for k, v in pb.line_of.items() if re.fullmatch(r"steps\[\d+\]", k) and v == step.line]
    return keys[0] if len(keys) == 1 else f"steps[{pb.steps.index(step)}]"


def _key_line(pb: Playbook, key: str, sub: str, step: Step) -> int | None:
    return pb.line_of.get(f"{key}.{sub}") or step.line


def _check_expression(env: Any, expr: str, file: str, line: int | None, key: str, out: list[ConfigProblem]) -> None:
    try:
        env.compile_expression(expr)
    except TemplateError as exc:
        out.append(ConfigProblem(file, line, key, f"expression {expr!r} does not compile: {exc.message}"))


def _check_text(env: Any, src: str, file: str, line: int | None, key: str, out: list[ConfigProblem]) -> None:
    try:
        env.from_string(src)
    except TemplateError as exc:
        out.append(ConfigProblem(file, line, key, f"template {src!r} does not compile: {exc.message}"))


def _check_template_file(env: Any, tdir: Path, path: Path) -> list[ConfigProblem]:
    rel = path.relative_to(tdir).as_posix()
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [ConfigProblem(str(path), None, rel, f"cannot read template: {exc}")]
    try:
        env.compile(source, name=rel, filename=str(path))
    except TemplateSyntaxError as exc:
        return [ConfigProblem(str(path), exc.lineno, rel, f"template does not compile: {exc.message}")]
    except TemplateError as exc:
        return [ConfigProblem(str(path), None, rel, f"template does not compile: {exc.message}")]
    problems: list[ConfigProblem] = []
    if _EMAIL_TEMPLATE.search(rel):
        first = _first_text_line(source)
        if first is None or not _SUBJECT_RE.match(first[1].strip()):
            problems.append(ConfigProblem(str(path), first[0] if first else 1, rel,
                                          "an email template's first line must be `Subject: ...`"))
    if rel.endswith(".whatsapp.j2"):
        first = _first_text_line(source)
        for n, raw in enumerate(source.split("\n")[first[0] - 1 if first else 0:], first[0] if first else 1):
            m = _WA_HEADER_RE.match(raw.strip())
            if not m:
                break
            if m.group(2) is None and not re.fullmatch(r"HX[0-9a-fA-F]{32}", m.group(3).strip()):
                problems.append(ConfigProblem(str(path), n, rel, "Content-Sid should be a Twilio Content SID "
                                              "(HX followed by 32 hex digits)", "warning"))
    return problems


def _first_text_line(source: str) -> tuple[int, str] | None:
    """First line that is not blank and not only a Jinja comment or tag."""
    blanked = re.sub(r"\{#.*?#\}|\{%.*?%\}", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.DOTALL)
    for n, raw in enumerate(blanked.split("\n"), 1):
        stripped = raw.strip()
        if stripped:
            return n, stripped
    return None
