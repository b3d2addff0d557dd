"""Sending back ends behind one interface (`base.Channel`): outbox, sendgrid, twilio."""

import importlib

_PROVIDER_MODULES = ("outbox", "sendgrid_email", "twilio_messaging")


def load_providers() -> None:
    """Import every provider module so each registers itself in `base.PROVIDERS`."""
    for name in _PROVIDER_MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
