"""`collectbot.holiday_calendars.country_holidays` loads one country's module of the `holidays`
package instead of all of them; it must give what `holidays.country_holidays` gives."""

from __future__ import annotations

import subprocess
import sys

import holidays
import pytest

from collectbot.holiday_calendars import country_holidays

CASES = [("IN", None), ("IN", "MH"), ("US", "CA"), ("GB", "SCT"), ("DE", "BY"), ("AE", None), ("SG", None),
         ("AS", None), ("IND", None)]  # American Samoa is built on the United States; IND is India's alpha-3


@pytest.mark.parametrize("country,subdiv", CASES)
def test_the_same_holidays_as_the_public_api(country, subdiv):
    years = [2025, 2026, 2027]
    ours = country_holidays(country, subdiv=subdiv, years=years)
    theirs = holidays.country_holidays(country, subdiv=subdiv, years=years)
    assert dict(ours) == dict(theirs) and len(ours) > 5


@pytest.mark.parametrize("country,subdiv", [("XX", None), ("IN", "NOPE"), ("in", None)])
def test_an_unknown_country_or_subdivision_fails_as_the_public_api_does(country, subdiv):
    with pytest.raises(Exception) as ours:
        country_holidays(country, subdiv=subdiv)
    with pytest.raises(Exception) as theirs:
        holidays.country_holidays(country, subdiv=subdiv)
    assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def test_one_country_is_loaded_without_the_others():
    """The point of the module: the calendar of India alone, not every country's module."""
    probe = ("import sys\nfrom collectbot.holiday_calendars import country_holidays\n"
             "h = country_holidays('IN', years=2026)\n"
             "print(len(h), 'holidays.countries' in sys.modules, "
             "sum(m.startswith('holidays.countries.') for m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    count, whole_package, countries = done.stdout.split()
    assert int(count) > 5 and whole_package == "False" and countries == "0", done.stderr
