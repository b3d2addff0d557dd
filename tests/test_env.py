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
    with pytest.raises(UsageError, match="not a real date"):
        parse_now("next tuesday", IST)


@pytest.mark.parametrize("text, why", [
    ("2026-02-30", "not a real date"),  # February has no 30th
    ("2026-13-01", "not a real date"),  # no 13th month
    ("2026-02-29T10:00", "not a real date"),  # 2026 is not a leap year
    ("9999-12-31", "before 1970 or after 2100"),  # a placeholder, not a moment to act at
    ("0001-01-01T10:00", "before 1970 or after 2100"),
])
def test_a_now_that_is_no_real_moment_is_a_usage_error_naming_it(text, why):
    with pytest.raises(UsageError, match=why) as caught:
        parse_now(text, IST)
    assert repr(text) in str(caught.value)


def test_impossible_now_exits_2_from_the_cli(workspace):
    result = workspace.cli("preview", now="2026-02-30")
    assert result.exit_code == 2 and "--now '2026-02-30' is not a real date" in result.output


def test_config_discovery_order(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLLECTBOT_CONFIG", raising=False)
    assert find_config(None) == tmp_path / "collectbot.yaml"
    monkeypatch.setenv("COLLECTBOT_CONFIG", str(tmp_path / "b" / "x.yaml"))
    assert find_config(None) == tmp_path / "b" / "x.yaml"
    assert find_config(str(tmp_path / "a")) == tmp_path / "a" / "collectbot.yaml"  # a folder means its collectbot.yaml
