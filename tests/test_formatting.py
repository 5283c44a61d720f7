"""Dates and times shown to people: the center's clock, the viewer's language (Babel/CLDR)."""
from datetime import UTC, date, datetime
from types import SimpleNamespace

import altair as alt
import pandas as pd
import pytest

from portal.clock import center_time, local_date
from portal.coaching import CoachingSettings
from portal.coaching_pdf import _ack_text
from portal.formatting import (NOTHING, center_wall_clock, chart_time_locale, format_date, format_datetime,
                               format_day_month, format_month, format_relative, format_time)
from portal.i18n import Translator
from portal.settings import get_settings
from portal.ui.coaching_views import ack_badge
from portal.ui.charts import day_axis, in_language, score_trend_spec_inline
from portal.ui.dates import time_columns
from portal.ui.exam_widgets import when
from portal.ui.onboarding import day as onboarding_day

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


# --------------------------------------------------------------------------- the same event, the same day, everywhere


@pytest.mark.parametrize("language,day", [("en", "Dec 23, 2026"), ("zh-CN", "2026年12月23日")])
def test_an_instant_late_in_the_utc_day_shows_the_centers_next_day_on_every_page(language, day):
    """22:00 UTC on Dec 22 is Dec 23 in Shanghai: an exam's time, a coaching acknowledgement (page and PDF),
    a practice review's due time and an onboarding day all say Dec 23."""
    t = Translator(language)
    acknowledged = SimpleNamespace(acknowledged=True, acknowledged_at=LATE_UTC, ack_overdue=False,
                                   ack_due_on=date(2026, 12, 30))
    shown = {"exam": when(LATE_UTC, t), "coaching page": ack_badge(t, acknowledged),
             "coaching pdf": _ack_text(acknowledged, t), "practice": format_datetime(LATE_UTC, language),
             "onboarding": onboarding_day(t, local_date(LATE_UTC))}
    assert all(day in text for text in shown.values()), shown
    assert not any("UTC" in text or "2026-12-22" in text for text in shown.values()), shown


# --------------------------------------------------------------------------- charts


def test_chart_dates_are_written_in_the_viewers_language():
    chart = alt.Chart(pd.DataFrame({"on": pd.to_datetime(["2026-11-15"]), "v": [1]})).mark_point().encode(
        x=day_axis("on:T", "日期", "zh-CN"), y="v:Q")
    spec = in_language(chart, "zh-CN").to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == "%-m月%-d日"
    assert spec["config"]["locale"]["time"]["months"][11] == "十二月"
    assert chart_time_locale("zh-CN")["shortMonths"][10] == "11月"
    assert chart_time_locale("en")["shortDays"][0] == "Sun"


def test_the_team_trend_chart_speaks_the_viewers_language(monkeypatch):
    results = pd.DataFrame({"agent": ["Chen Jie"], "exam_en": ["Product"], "percent": [91.0], "pass_mark": [80.0],
                            "submitted_on": [date(2026, 11, 15)]})
    means = pd.DataFrame({"taken_on": [date(2026, 11, 15)], "mean": [91.0], "exam_en": ["Product"]})
    spec = score_trend_spec_inline(results, means, CoachingSettings(), Translator("zh-CN"), set(), "exam_en")
    assert spec["config"]["locale"]["time"]["shortMonths"][10] == "11月"
    assert spec["layer"][0]["encoding"]["x"]["axis"]["format"] == "%-m月%-d日"


def test_center_wall_clock_is_the_centers_time_without_a_zone():
    shown = center_wall_clock(pd.Series([LATE_UTC]))
    assert shown.iloc[0] == pd.Timestamp("2026-12-23 06:00") and shown.dt.tz is None


def test_tables_show_their_date_and_time_columns_the_viewers_way():
    frame = pd.DataFrame({"taken_on": [date(2026, 6, 10)], "at": pd.to_datetime([LATE_UTC]), "n": [1]})
    config = time_columns(Translator("zh-CN"), frame, {"taken_on": "考试日期"})
    assert set(config) == {"考试日期", "at"}
    assert config["考试日期"]["type_config"]["format"] == "YYYY年M月D日"
    assert config["at"]["type_config"]["format"] == "YYYY年M月D日 HH:mm"
    assert config["at"]["type_config"]["timezone"] == "Asia/Shanghai"
