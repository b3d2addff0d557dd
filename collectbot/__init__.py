"""collectbot: chase unpaid invoices from one cron line."""

__version__ = "0.1.0"
