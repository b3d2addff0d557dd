"""Guards for collectbot/sources/parse.py and collectbot/sync.py found by mutation testing.

- the phone region taken from the business locale is never a part made of digits;
- a phone cell of '+' and a short non-ASCII digit run is an invalid number on its row, not a
  crash of the whole load (the three-digit country-code fast path must only look at three-digit heads);
- a sync that adds new invoices and reopens gone ones reports as `updated` only the invoices that
  were already known and present.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectbot.sources.parse import default_region, phone_column
from test_sync import NOW, Book


@pytest.fixture
def book(tmp_path):
    b = Book(tmp_path)
    yield b
    b.state.close()


# ---------------------------------------------------------------------------- parse.py


def test_the_region_from_a_locale_is_never_a_run_of_digits():
    # A POSIX locale string that babel accepts (it drops '.UTF-16'): split on '_' and '-' it gives
    # 'en', 'IN.UTF', '16'. '16' is two characters but no territory code, so it must not become
    # the phone region (reading phones "in region 16" fails every local number).
    region = default_region(None, "en_IN.UTF-16")
    assert region is None or region.isalpha()
    # the ordinary cases
    assert default_region(None, "en_IN") == "IN"
    assert default_region("de", "en_IN") == "DE"  # the business country wins
    assert default_region(None, "zh_Hant_TW") == "TW"  # the script (4 letters) is skipped


def test_a_plus_with_a_short_non_ascii_digit_run_is_an_invalid_phone_not_a_crash():
    # '+²' and '+٣': '+' then one character that str.isdigit() accepts. Neither is a phone number;
    # the row keeps its invoice and gets the usual message. '+٩' (Arabic-Indic 9) likewise.
    # The E.164 value next to them is kept as it is.
    values = ["+²", "+919876543210", "+٩", "+²"]
    out, errors = phone_column(values, "IN")
    assert out == [None, "+919876543210", None, None]
    assert errors == {0: "invalid phone number '+²'; the invoice is loaded without it",
                      2: "invalid phone number '+٩'; the invoice is loaded without it",
                      3: "invalid phone number '+²'; the invoice is loaded without it"}


# ---------------------------------------------------------------------------- sync.py


def test_updated_counts_only_known_present_invoices_when_some_are_new_and_some_reopened(book):
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,")
    book.sync()
    book.write("I-1,Ana,,2026-12-01,10,,")  # I-2 leaves the book: gone
    assert book.sync(NOW + timedelta(days=1)).gone_ids == ["I-2"]
    book.write("I-1,Ana,,2026-12-01,10,,", "I-2,Bo,,2026-12-01,20,,", "I-3,Cy,,2026-12-01,30,,")
    report = book.sync(NOW + timedelta(days=2))
    # loaded: I-1, I-2, I-3. New: I-3 (1). Reopened: I-2 (1). Updated = 3 - 1 - 1 = 1 (I-1 only).
    assert (report.new, report.reopened_ids, report.updated) == (1, ["I-2"], 1)
    # I-1 is unchanged, I-2 came back (rewritten, but counted as reopened, not changed)
    assert report.changed == 0


def test_a_phone_of_digits_int_cannot_read_is_one_bad_row_not_a_failed_load(tmp_path):
    # "²³⁴" are digits to str.isdigit() but not to int(): the load used to stop with
    # "invalid literal for int()"; it is one invalid phone on its row, the invoice still loads
    from collectbot.sources.parse import phone_column

    values, errors = phone_column(["+²³⁴5678901", "+919876543210"], "IN")
    assert values[1] == "+919876543210" and values[0] is None and 0 in errors


def test_the_phone_region_comes_from_a_posix_locale_too():
    from collectbot.sources.parse import default_region

    # en_IN.UTF-8 is India whatever its encoding suffix; de_DE@euro is Germany
    assert default_region(None, "en_IN.UTF-8") == "IN"
    assert default_region(None, "de_DE@euro") == "DE"
    assert default_region("us", "en_IN") == "US"  # the business country wins
