"""The command environment: --now parsing, config discovery, exit-code mapping."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from collectbot.config import find_config
from collectbot.env import UsageError, parse_now

IST = ZoneInfo("Asia/Kolkata")


def test_now_without_offset_is_business_time():
    assert parse_now("2026-11-23T10:00", IST) == datetime(2026, 11, 23, 10, 0, tzinfo=IST)


def test_now_with_offset_or_z_keeps_it():
    assert parse_now("2026-11-23T10:00+00:00", IST) == datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    assert parse_now("2026-11-23T10:00Z", IST) == datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def test_bare_date_means_noon_in_business_time():
    assert parse_now("2026-11-23", IST) == datetime(2026, 11, 23, 12, 0, tzinfo=IST)


def test_bad_now_is_a_usage_error():
    with pytest.raises(UsageError, match="not an ISO 8601"):
        parse_now("next tuesday", IST)


def test_config_discovery_order(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLLECTBOT_CONFIG", raising=False)
    assert find_config(None) == tmp_path / "collectbot.yaml"
    monkeypatch.setenv("COLLECTBOT_CONFIG", str(tmp_path / "b" / "x.yaml"))
    assert find_config(None) == tmp_path / "b" / "x.yaml"
    assert find_config(str(tmp_path / "a")) == tmp_path / "a" / "collectbot.yaml"  # a folder means its collectbot.yaml
