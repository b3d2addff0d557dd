"""Sending back ends behind one interface (`base.Channel`): outbox, sendgrid, twilio."""

import importlib

# provider name (as in collectbot.yaml) -> the module that registers it in `base.PROVIDERS`
_PROVIDER_MODULES = {"outbox": "outbox", "sendgrid": "sendgrid_email", "twilio": "twilio_messaging"}


def load_providers(*names: str) -> None:
    """Import the modules of the named providers (all of them when none is named), so each
    registers itself in `base.PROVIDERS`. Only what is used is imported: the SendGrid and Twilio
    client libraries cost a third of a second that an outbox-only workspace never needs."""
    for provider in names or tuple(_PROVIDER_MODULES):
        module = _PROVIDER_MODULES.get(provider)
        if module is None:
            continue  # unknown names are refused by the config loader; PROVIDERS[...] says so here
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
