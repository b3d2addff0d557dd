"""A country's public holidays, from the `holidays` package, loading only that country.

`holidays.country_holidays("IN")` imports `holidays.countries`, whose `__init__` imports the
calendar of every country the package knows (about 250 modules): some 75 ms of CPU on every
command that plans or checks, more than planning a small book, paid again by every cron run.
The package's own registry (`holidays.registry.COUNTRIES`) names the module of each country
code; that one file is loaded on its own (its imports are absolute: the few countries built on
another one, such as American Samoa on the United States, import that one themselves).

The class is then called exactly as `country_holidays` calls it. Anything unexpected (a code
the registry does not list, a package laid out differently) goes to the public
`country_holidays`, which also words the error for an unknown country or subdivision.
`tests/test_holiday_calendars.py` compares the two on several countries and years.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any


def country_holidays(country: str, subdiv: str | None = None, years: int | Iterable[int] | None = None) -> Any:
    """`holidays.country_holidays(country, subdiv=subdiv, years=years)`, importing one country."""
    cls = _country_class(country)
    if cls is None:
        import holidays

        return holidays.country_holidays(country, subdiv=subdiv, years=years)
    return cls(years=years, subdiv=subdiv, expand=True, observed=True, prov=None, state=None, language=None,
               categories=None)


@lru_cache(maxsize=64)
def _country_class(code: str) -> Any:
    """The holiday class for an ISO country code, from its own module file; None to use the public API."""
    try:
        from holidays.registry import COUNTRIES

        found = [(module, names[0]) for module, names in COUNTRIES.items() if code in names[1:]]
        if len(found) != 1:
            return None
        (module, class_name), = found
        name = f"holidays.countries.{module}"
        if name in sys.modules:  # already imported the usual way
            return getattr(sys.modules[name], class_name)
        package = importlib.util.find_spec("holidays")
        if package is None or package.origin is None:
            return None
        path = Path(package.origin).parent / "countries" / f"{module}.py"
        private = f"_collectbot_holidays_{module}"
        if private not in sys.modules:
            spec = importlib.util.spec_from_file_location(private, path)
            if spec is None or spec.loader is None:
                return None
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[private] = loaded
            try:
                spec.loader.exec_module(loaded)
            except BaseException:
                del sys.modules[private]
                raise
        return getattr(sys.modules[private], class_name)
    except Exception:  # noqa: BLE001 - any surprise: the public API decides
        return None
