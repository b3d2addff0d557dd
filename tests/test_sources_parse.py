"""The cell parsers: amounts (with Hypothesis properties), dates, phones, statuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, strategies as st

from collectbot.sources import parse
from collectbot.sources.parse import (AmountCache, Bad, amount_column, date_column, default_region, parse_amount, parse_phone,
                                      phone_column,
                                      status_column, STATUS_WORDS)
from collectbot.sources.columns import slug, snake


def western(d: Decimal) -> str:
    return f"{d:,.2f}"


def indian(d: Decimal) -> str:
    whole, frac = f"{d:.2f}".split(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups + [tail]) + "." + frac if groups else f"{tail}.{frac}"


def european(d: Decimal) -> str:
    return f"{d:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


money = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False,
                    allow_infinity=False)
marks = st.sampled_from(["", "₹", "$", "€", "£", "Rs. ", "INR ", "USD "])


@given(money, marks, st.sampled_from([western, indian]))
def test_amounts_round_trip_through_every_written_form(value, mark, form):
    text = form(value)
    assert parse_amount(mark + text) == value
    assert parse_amount(f"({mark}{text})") == -value
    assert parse_amount(f"-{mark}{text}") == -value
    assert parse_amount(f"{text} Cr") == -value and parse_amount(f"{text} Dr") == value


@given(money)
def test_decimal_comma_amounts(value):
    assert parse_amount(european(value), ",") == value
    assert parse_amount("€ " + european(value), ",") == value


@given(st.text(alphabet="abcxyz!?%#", min_size=1))
def test_text_without_digits_is_never_an_amount(text):
    assert isinstance(parse_amount(text), Bad)


def test_misleading_groupings_are_refused_not_misread():
    assert "decimal comma" in parse_amount("1.234,56")
    assert isinstance(parse_amount("12,34.00"), Bad)
    assert isinstance(parse_amount("1,2,3"), Bad)
    assert parse_amount("") is None and parse_amount("  ") is None


def test_amount_column_reports_positions_and_shares_work_between_columns():
    seen = AmountCache()
    values, errors = amount_column(["10", "x", "10", "1,000.50"], ".", seen)
    assert values == [Decimal(10), None, Decimal(10), Decimal("1000.50")] and list(errors) == [1]
    values, errors = amount_column(["10", "", "x"], ".", seen)
    assert values[0] is seen.table["10"] and values[1] is None and list(errors) == [2]


def test_dates_iso_named_and_settled_by_the_column():
    values, errors = date_column(["2026-03-04", "1-Apr-2026", "Apr 2, 2026", "2026-03-04 00:00:00", ""])
    assert values == [date(2026, 3, 4), date(2026, 4, 1), date(2026, 4, 2), date(2026, 3, 4), None] and not errors
    values, errors = date_column(["03/04/2026", "25/04/2026"])
    assert values == [date(2026, 4, 3), date(2026, 4, 25)] and not errors
    values, errors = date_column(["03/04/2026", "04/25/2026"])
    assert values == [date(2026, 3, 4), date(2026, 4, 25)] and not errors
    values, errors = date_column(["03/04/26", "04/04/2026"])  # same day either way is not ambiguous
    assert values[1] == date(2026, 4, 4) and list(errors) == [0]
    values, errors = date_column(["31/02/2026", "banana"], dayfirst=True)
    assert values == [None, None] and "not a valid date" in errors[0] and "not a date" in errors[1]
    values, errors = date_column(["2026.12.01", "01.12.2026"], dayfirst=True)
    assert values == [date(2026, 12, 1), date(2026, 12, 1)]
    values, errors = date_column(["12-01-2026"], date_format="%d-%m-%Y")
    assert values == [date(2026, 1, 12)]


def test_phones_become_e164_and_invalid_ones_say_so():
    assert parse_phone("098765 43210", "IN") == "+919876543210"
    assert parse_phone("whatsapp:+91 98765 43210", None) == "+919876543210"
    assert parse_phone("+919876543210", None) == "+919876543210"
    assert parse_phone("9876543210.0", "IN") == "+919876543210"
    assert "invalid phone number" in parse_phone("+91 12", "IN")
    assert "loaded without it" in parse_phone("12345", "IN")
    assert parse_phone("", "IN") is None


def test_statuses_and_region_and_names():
    values, errors = status_column(["AUTHORISED", "Partially Paid", "", "written-off", "???x"], STATUS_WORDS)
    assert values[:4] == ["open", "partial", "open", "written_off"] and list(errors) == [4]
    assert default_region(None, "en_IN") == "IN" and default_region("gb", "en_IN") == "GB"
    assert default_region(None, "en") is None
    assert slug("Bansal & Sons Pvt. Ltd.") == "bansal-sons-pvt-ltd" and slug("  Amy's  Café ") == "amys-café"
    assert snake("Payment Method") == "payment_method" and snake("Overdue by days") == "overdue_by_days"


def _one_by_one(values, parse_one):
    table = {v: parse_one(v) for v in set(values)}
    out = [None if isinstance(table[v], Bad) else table[v] for v in values]
    return out, {i: str(table[v]) for i, v in enumerate(values) if isinstance(table[v], Bad)}


_PLAINISH = st.text(alphabet="0123456789.-", max_size=8)


@given(st.lists(_PLAINISH, min_size=1, max_size=30), st.lists(st.sampled_from(["", " ", "1,234.50", "₹5", "x"]), max_size=3))
def test_amount_column_reads_whole_columns_as_parse_amount_reads_each_cell(plainish, others):
    """The one-pass path for plain numbers gives what the careful parser gives, cell by cell
    (a malformed one like '1.2.3' or '5-' sends the column down the careful path)."""
    short = plainish + others
    expected = {v: (Decimal(v) if (v[1:] if v[:1] == "-" else v).replace(".", "", 1).isdigit() else parse_amount(v))
                for v in set(short)}
    long = short * (1001 // len(short) + 1)  # past _DIRECT_MIN: whole columns are tried in one pass first
    assert len(long) > parse._DIRECT_MIN
    for values in (short, long):
        got, errors = amount_column(values)
        assert got == [None if isinstance(expected[v], Bad) else expected[v] for v in values]
        assert [str(g) for g in got] == [str(e) for e in (None if isinstance(expected[v], Bad) else expected[v]
                                                          for v in values)]  # the same digits and exponent
        assert set(errors) == {i for i, v in enumerate(values) if isinstance(expected[v], Bad)}


_PHONES = ["+919876543210", "+14155552671", "+442079460123", "+4420794601", "+910000000000", "+0123456789", "+1",
           "+91 98765 43210", "+9198765432101234567", "whatsapp:+919876543210", "+919876543210 ", "+35312345678",
           "98765 43210", "(415) 555-2671", "", "+٩١٩٨٧٦٥٤٣٢١٠", "+79991234567", "+8613812345678"]


@given(st.lists(st.sampled_from(_PHONES), min_size=1, max_size=20), st.sampled_from(["IN", "US", None]))
def test_phone_column_checks_e164_in_bulk_exactly_as_cell_by_cell(values, region):
    assert phone_column(values, region) == _one_by_one(values, lambda v: parse_phone(v, region))


_EMAILISH = st.one_of(
    st.sampled_from(["a@b.co", "x.y@ex.com", "", " a@b.co", "a@b.co ", "mailto:a@b.co", "MAILTO:x@y.z", "no-at",
                     "a@b", "a@b.c,d@e.f", "é@ü.de", "a@b.co\nc@d.ef", "a@b.co\n", "<a@b.co>"]),
    st.text(alphabet="ab@.:, \n;<>\t", max_size=8))


@given(st.lists(_EMAILISH, max_size=12))
def test_email_column_checks_plain_addresses_in_bulk_exactly_as_cell_by_cell(values):
    assert parse.email_column(values) == parse.map_column(values, parse.parse_email)


def test_email_column_bulk_check_accepts_a_clean_column():
    values = [f"user{n}@example{n % 7}.com" for n in range(50)] + ["", "user3@example3.com"]
    got, errors = parse.email_column(values)
    assert got == values[:-2] + [None, "user3@example3.com"] and errors == {}
    got, errors = parse.email_column(values + ["two@a.com\nthree@b.com"])  # one cell, two lines: not an address
    assert errors == {52: "invalid email address 'two@a.com\\nthree@b.com'; the invoice is loaded without it"}
