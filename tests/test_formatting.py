"""Dates and times shown to people: the center's clock, the viewer's language (Babel/CLDR)."""
from datetime import UTC, date, datetime

import pytest

from portal.clock import center_time, local_date
from portal.formatting import (NOTHING, format_date, format_datetime, format_day_month, format_month,
                               format_relative, format_time)
from portal.settings import get_settings

LATE_UTC = datetime(2026, 12, 22, 22, 0, tzinfo=UTC)
"""22:00 UTC is already 06:00 the next morning in Shanghai."""


@pytest.fixture(autouse=True)
def shanghai(monkeypatch):
    monkeypatch.setattr(get_settings(), "center_timezone", "Asia/Shanghai")


@pytest.mark.parametrize("language,expected", [("en", "Dec 23, 2026, 6:00\u202fAM"), ("zh-CN", "2026年12月23日 06:00")])
def test_a_late_utc_instant_shows_the_next_day_on_the_centers_clock(language, expected):
    assert format_datetime(LATE_UTC, language) == expected
    assert "UTC" not in format_datetime(LATE_UTC, language)


@pytest.mark.parametrize("language,expected", [("en", "Dec 23, 2026"), ("zh-CN", "2026年12月23日")])
def test_the_date_of_an_instant_is_the_centers_calendar_day(language, expected):
    assert format_date(LATE_UTC, language) == expected
    assert format_date(local_date(LATE_UTC), language) == expected  # a stored center day shows the same


def test_naive_times_are_read_as_utc():
    assert format_time(LATE_UTC.replace(tzinfo=None), "zh-CN") == "06:00"
    assert center_time(LATE_UTC.replace(tzinfo=None)).day == 23


def test_another_center_zone_moves_the_day(monkeypatch):
    monkeypatch.setattr(get_settings(), "center_timezone", "Europe/London")
    assert format_date(LATE_UTC, "en") == "Dec 22, 2026"


def test_months_days_relative_and_missing_values():
    assert format_month(date(2026, 12, 1), "zh-CN") == "2026年12月"
    assert format_month(date(2026, 12, 1), "en") == "Dec 2026"
    assert format_day_month(date(2026, 11, 15), "zh-CN") == "11月15日"
    assert format_relative(datetime(2026, 12, 25, 22, tzinfo=UTC), "en", now=LATE_UTC) == "in 3 days"
    assert format_relative(datetime(2026, 12, 25, 22, tzinfo=UTC), "zh-CN", now=LATE_UTC) == "3天后"
    assert format_datetime(None, "en") == format_date(None, "zh-CN") == NOTHING
