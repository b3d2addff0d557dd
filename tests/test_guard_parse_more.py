"""Guards on reading cells (collectbot/sources/parse.py) that the other tests leave open: amounts in
every written form (Dr/Cr, brackets, signs before or after a currency, decimal commas), the
column fast paths that must read exactly what the careful parser reads, dates in each accepted
form and how a column settles day/month order, phone numbers that are not already E.164, emails
behind `mailto:`, currency codes, status words and the phone region.

Expected values are worked out by hand in the comments. The CLI test uses the default workspace
(tests/conftest.py): NOW is Tuesday 2026-03-10 10:00 Asia/Kolkata, Globex INV-003 (due 2026-03-07,
2000.00) gets the `day-3` email.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from collectbot.sources import parse
from collectbot.sources.parse import (STATUS_WORDS, Bad, amount_column, date_column, default_region, email_column,
                                      parse_amount, parse_currency, parse_email, parse_phone, phone_column,
                                      status_column)
from tests.conftest import DEFAULT_INVOICES

NOT_AMOUNT = "not an amount: {!r}"


# ---------------------------------------------------------------------------- amounts


def test_amounts_with_dr_cr_brackets_signs_and_codes_in_either_order():
    cases = [
        # Tally's suffix: Cr = credit = negative, Dr = debit = positive; with or without a space
        ("5 Cr", ".", Decimal("-5")),
        ("5Cr", ".", Decimal("-5")),
        ("₹ 1,23,456.50 Dr", ".", Decimal("123456.50")),  # Indian grouping 1,23,456 = 123456
        ("(5) Cr", ".", Decimal("5")),                     # a credit in brackets: negative twice
        # the sign and the currency in either order: `$-5` needs the second pass
        ("$-5", ".", Decimal("-5")),
        ("-$5", ".", Decimal("-5")),
        ("+5", ".", Decimal("5")),                         # '+' is no minus
        ("\u22125", ".", Decimal("-5")),                   # U+2212, the typographic minus
        # a trailing minus after the currency code, and before it
        ("12.50 USD-", ".", Decimal("-12.50")),
        ("1,234.50- INR", ".", Decimal("-1234.50")),
        ("1'234.50", ".", Decimal("1234.50")),             # Swiss apostrophe grouping
        ("1 234,50", ",", Decimal("1234.50")),             # space grouping with a decimal comma
        ("1.234,56 €", ",", Decimal("1234.56")),
        (",5", ",", Decimal("0.5")),
        (".5", ".", Decimal("0.5")),
    ]
    for text, decimal, expected in cases:
        assert parse_amount(text, decimal) == expected, (text, decimal)


def test_malformed_amounts_are_refused_with_the_right_words():
    # a bracket must be closed on both sides: '(12' and '12)' are not -12
    # only two sign/currency passes: '+-+5' leaves '+5', which is no amount
    # 'Cr' alone is a suffix with nothing before it
    for text in ("(12", "12)", "+-+5", "Cr", "abc"):
        assert parse_amount(text) == NOT_AMOUNT.format(text), text
        assert isinstance(parse_amount(text), Bad)
    # 1.234,56 with decimal '.' is refused with the hint; with decimal ',' a Western 1,234.56 is
    # refused with the other hint; a value like neither gets no hint
    assert parse_amount("1.234,56") == ("not an amount: '1.234,56' "
                                        "(it looks like a decimal comma: set decimal: ',' on this source)")
    assert parse_amount("1,234.56", ",") == ("not an amount: '1,234.56' "
                                             "(it looks like a decimal point, but this file writes decimal commas)")
    assert parse_amount("1,2,3") == NOT_AMOUNT.format("1,2,3")


def test_amount_column_fast_paths_read_exactly_what_the_careful_parser_reads():
    # Decimal() itself would take scientific notation; the careful parser refuses it, and so must
    # the one-pass paths, in a short column and in one longer than _DIRECT_MIN (1000)
    values, errors = amount_column(["1E+5", "10"])
    assert values == [None, Decimal("10")] and errors == {0: NOT_AMOUNT.format("1E+5")}
    long = ["10"] * 1000 + ["1E+5"]
    values, errors = amount_column(long)
    assert values[:1000] == [Decimal("10")] * 1000 and values[1000] is None
    assert errors == {1000: NOT_AMOUNT.format("1E+5")}
    # the per-cell plain check: '5.' and '-5.' are the numbers 5 and -5 (one '.' dropped, then
    # digits), read beside a cell that sends the column down the careful path
    values, errors = amount_column(["5.", "-5.", "x"])
    assert values == [Decimal("5"), Decimal("-5"), None] and errors == {2: NOT_AMOUNT.format("x")}
    # spaces around a plain number change nothing, to the last digit and sign: ' -0.00 ' goes to
    # parse_amount, '-0.00' is converted directly, and both are Decimal('-0.00')
    for plain in ("-0.00", "12.50", "-7"):
        spaced, direct = amount_column([f" {plain} "])[0][0], amount_column([plain])[0][0]
        assert str(spaced) == str(direct) == plain, plain


def test_tally_dr_cr_balances_in_a_book_are_read_end_to_end(make_workspace):
    # INV-003: amount 'INR 2,000.00', balance '1,500.00 Dr' -> 2000 and +1500 (a debit): open with
    # 0 < 1500 < 2000 is partial, and it is still chased (the day-3 email at NOW)
    rows = [dict(r) for r in DEFAULT_INVOICES]
    rows[2].update(amount="INR 2,000.00", balance="1,500.00 Dr")
    assert rows[2]["invoice_id"] == "INV-003"
    ws = make_workspace(invoices=rows)
    code, doc = ws.json("check")
    assert code == 0 and doc["errors"] == [], doc["errors"]
    code, doc = ws.json("explain", "INV-003")
    assert code == 0, doc
    assert (Decimal(doc["balance"]), doc["status"]) == (Decimal("1500.00"), "partial")
    code, doc = ws.json("preview")
    assert "INV-003" in {i for m in doc["messages"] for i in m["invoice_ids"]}


# ---------------------------------------------------------------------------- dates


def test_every_named_and_iso_form_of_1_april_2026():
    forms = ["2026-04-01", "2026/4/1", "2026.04.01", "2026-04-01T10:30:00Z", "2026-04-01 00:00:00",
             "1-Apr-2026", "1-Apr-26", "1 Apr 2026", "1 Apr 26", "1 April 2026", "1-April-2026",
             "Apr 1, 2026", "April 1, 2026", "Apr 1 2026", "April 1 2026", "01/Apr/2026", "1 Apr, 2026",
             "Wed, 01 Apr 2026",  # 2026-01-01 is a Thursday; +90 days (31+28+31) = Thursday+6 = Wednesday
             "Apr. 1, 2026",      # the dot after an abbreviated month is dropped
             "  1  Apr   2026 "]  # spaces squeezed
    values, errors = date_column(forms)
    assert errors == {} and values == [date(2026, 4, 1)] * len(forms)


def test_a_date_without_a_year_and_the_bounds_of_real_dates():
    # '1-Apr' has no year: no date (not 1 April 1900)
    values, errors = date_column(["1-Apr", "1970-01-01", "2100-12-31", "04/01/2026 10:30 AM"], dayfirst=False)
    assert values == [None, date(1970, 1, 1), date(2100, 12, 31), date(2026, 4, 1)]
    assert errors == {0: "not a date: '1-Apr'"}


def test_date_format_reads_what_it_says_and_names_the_format_when_a_value_misses():
    values, errors = date_column(["2026-01-12", "12/01/2026", "Jan 12"], date_format="%d/%m/%Y")
    # ISO is always read; 12/01/2026 with %d/%m/%Y is 12 January
    assert values == [date(2026, 1, 12), date(2026, 1, 12), None]
    assert errors == {2: "'Jan 12' does not match date_format '%d/%m/%Y'"}


def test_the_column_settles_day_month_order_only_with_a_value_above_12():
    # 25/12: 25 can only be a day -> day-first for the whole column, so 03/04 is 3 April
    assert date_column(["25/12/2026", "03/04/2026"]) == ([date(2026, 12, 25), date(2026, 4, 3)], {})
    # 13 is the smallest number that settles it
    assert date_column(["13/05/2026", "03/04/2026"]) == ([date(2026, 5, 13), date(2026, 4, 3)], {})
    # 12/25: 25 can only be a day in second place -> month-first, so 03/04 is 4 March
    assert date_column(["12/25/2026", "03/04/2026"]) == ([date(2026, 12, 25), date(2026, 3, 4)], {})
    assert date_column(["05/13/2026", "03/04/2026"]) == ([date(2026, 5, 13), date(2026, 3, 4)], {})
    # 12 settles nothing: 12/05 and 05/12 are both ambiguous
    values, errors = date_column(["12/05/2026", "05/12/2026"])
    assert values == [None, None]
    assert errors == {
        0: "ambiguous date '12/05/2026': it could be 12 May 2026 or 5 Dec 2026; set dayfirst: true (31/12/2026) "
           "or dayfirst: false (12/31/2026), or date_format, on this source",
        1: "ambiguous date '05/12/2026': it could be 5 Dec 2026 or 12 May 2026; set dayfirst: true (31/12/2026) "
           "or dayfirst: false (12/31/2026), or date_format, on this source"}


def test_a_column_that_says_both_orders_reads_each_settled_value_its_own_way():
    # 13/05 and 25/12 say day-first, 05/13 and 12/25 month-first: nothing is settled for the column,
    # so each value above 12 is read the only way it can be, 07/07 is the same either way, and
    # 03/04 is ambiguous
    values, errors = date_column(["13/05/2026", "05/13/2026", "25/12/2026", "12/25/2026", "07/07/2026",
                                  "03/04/2026"])
    assert values == [date(2026, 5, 13), date(2026, 5, 13), date(2026, 12, 25), date(2026, 12, 25),
                      date(2026, 7, 7), None]
    assert list(errors) == [5] and errors[5].startswith("ambiguous date '03/04/2026'")


# ---------------------------------------------------------------------------- phones, emails, currency


def test_phone_numbers_not_yet_e164_and_what_an_invalid_one_says():
    tail = "; the invoice is loaded without it"
    # '+(91)' is no E.164 yet: phonenumbers reads it
    assert parse_phone("+(91)9876543210", None) == "+919876543210"
    # 919876543210 without '+', read in India: its country code written without the '+' (not kept
    # as written because 9876543210 after its first digits would fit the +1 plan)
    assert parse_phone("919876543210", "IN") == "+919876543210"
    assert parse_phone("whatsapp:", "IN") is None  # the prefix alone is a blank cell
    assert parse_phone("whatsapp:12345", "IN") == "invalid phone number '12345' for region IN" + tail
    assert parse_phone("N/A", "IN") == "invalid phone number 'N/A' for region IN" + tail
    assert parse_phone("12345", None) == "invalid phone number '12345'" + tail  # no region to name
    assert parse_phone("+91 12", "IN") == "invalid phone number '+91 12'" + tail  # its own country code
    # a float's '.0' goes only after digits: 'ext.0' stays as written, '5.0' is the number 5
    assert parse_phone("ext.0", "IN") == "invalid phone number 'ext.0' for region IN" + tail
    assert parse_phone("5.0", "IN") == "invalid phone number '5' for region IN" + tail
    # E.164-looking but not: 0000000 does not fit India's plan, +999 is no country, none starts with 0
    # and +49 with 14 more digits is 16 digits, one more than E.164 allows
    for text in ("+910000000", "+99912345678", "+014155552671", "+4914169385891751"):
        assert parse_phone(text, None) == f"invalid phone number {text!r}" + tail


def test_phone_column_keeps_only_real_e164_numbers_as_written():
    # 0919876543210 has no '+': in India 0 is the trunk prefix and 919876543210 is too long, so it
    # is invalid (not kept as written because its digits after '0' look like +91 ...)
    # +4914169385891751 has 16 digits: too long for E.164 even though its digits fit Germany's plan
    values, errors = phone_column(["+014155552671", "+(91)9876543210", "0919876543210", "+919876543210",
                                   "+4914169385891751"], "IN")
    assert values == [None, "+919876543210", None, "+919876543210", None]
    assert errors == {0: "invalid phone number '+014155552671'; the invoice is loaded without it",
                      2: "invalid phone number '0919876543210' for region IN; the invoice is loaded without it",
                      4: "invalid phone number '+4914169385891751'; the invoice is loaded without it"}


def test_mailto_addresses_and_currency_codes():
    assert parse_email("mailto:a@b.co") == "a@b.co" and parse_email("MAILTO:x@y.example") == "x@y.example"
    assert parse_email("mailto:") is None and parse_email(" ") is None
    assert email_column(["mailto:a@b.co", ""]) == (["a@b.co", None], {})
    assert parse_currency(" usd ") == "USD" and parse_currency("") is None and parse_currency("  ") is None
    for text in ("US$", "RUPEES"):
        assert parse_currency(text) == f"not an ISO 4217 currency code: {text!r} (e.g. INR, USD, EUR)"


def test_status_words_and_the_phone_region():
    values, errors = status_column(["Partially Paid (Overdue)", "Write-Off", "CANCELLED", "Awaiting Approval",
                                    "  ", "Part paid?", "Refunded"], STATUS_WORDS)
    assert values == ["partial", "written_off", "void", "draft", "open", "partial", None]
    assert errors == {6: "unknown status 'Refunded' (known: open, partial, paid, void, draft, written_off and "
                         "the usual words of accounting exports)"}
    assert default_region(None, None) is None and default_region("in", None) == "IN"
    assert default_region(None, "zh-Hant-TW") == "TW"  # 'Hant' is a script, not a territory


def test_phone_numbers_are_read_on_a_fresh_country_code_memo(monkeypatch):
    # _PREFIXES remembers (code width, plan) per first three digits; with it empty, each path
    # must fill it rather than read a missing entry (+91: India, width 2; +1: NANP, width 1)
    monkeypatch.setattr(parse, "_PREFIXES", {})
    assert parse_phone("+919876543210", None) == "+919876543210"
    assert parse._PREFIXES["919"][0] == 2
    monkeypatch.setattr(parse, "_PREFIXES", {})
    assert phone_column(["+14155552671"], None) == (["+14155552671"], {})
    assert parse._PREFIXES["141"][0] == 1


def test_numbers_already_in_e164_take_the_fast_path_at_every_code_width_and_length():
    # A valid E.164 number is recognised by the regex check of its country's plan, cell by cell and
    # a column at a time, without the full phonenumbers parse (what keeps a 100k-row book fast):
    # country codes of 1, 2 and 3 digits, a non-geographic code (+800 freephone), and the shortest
    # (8 characters) and longest (16) numbers the check takes; phonenumbers agrees with each.
    numbers = ["+14155552671", "+919876543210", "+351912345678", "+80012345678", "+4312692", "+432628264498630"]
    for text in numbers:
        assert parse._already_e164(text), text
        assert parse._already_e164_many({text}) == [text], text
        assert parse_phone(text, None) == text
