"""Dates and times as people read them: on the center's clock, in the viewer's language.

The one place that turns a date or an instant into display text (CLDR patterns through Babel):
every page and widget calls these rather than `strftime`/`isoformat`, so the same event shows
the same day everywhere. An instant (a `datetime`) is first moved to the center's time zone
(`portal.clock.center_zone`); a `date` is already a center calendar day.
"""
from datetime import date, datetime
from functools import lru_cache

import pandas as pd
from babel import dates as babel_dates

from portal.clock import center_time, center_zone, utcnow
from portal.i18n import babel_locale

NOTHING = "—"
TABLE_FORMATS = {"en": ("MMM D, YYYY", "MMM D, YYYY, h:mm A"), "zh-CN": ("YYYY年M月D日", "YYYY年M月D日 HH:mm")}
"""(date, date and time) patterns for table columns, in the grid's (Moment.js) syntax; the same readings
as `format_date` and `format_datetime` give."""


def _day(value: date | datetime) -> date:
    return center_time(value).date() if isinstance(value, datetime) else value


def format_date(value: date | datetime | None, language: str | None, *, length: str = "medium") -> str:
    """"Dec 23, 2026" / "2026年12月23日"; `length` is a CLDR length (short, medium, long, full)."""
    if value is None:
        return NOTHING
    return babel_dates.format_date(_day(value), length, locale=babel_locale(language))


def format_time(value: datetime | None, language: str | None) -> str:
    """"6:00 AM" / "06:00" on the center's clock."""
    if value is None:
        return NOTHING
    return babel_dates.format_time(center_time(value), "short", locale=babel_locale(language))


def format_datetime(value: datetime | None, language: str | None) -> str:
    """"Dec 23, 2026, 6:00 AM" / "2026年12月23日 06:00": the day and the minute, on the center's clock."""
    if value is None:
        return NOTHING
    locale = babel_locale(language)
    return locale.datetime_formats["medium"].format(format_time(value, language), format_date(value, language))


def format_month(value: date | datetime | None, language: str | None) -> str:
    """"Dec 2026" / "2026年12月"."""
    if value is None:
        return NOTHING
    return babel_dates.format_skeleton("yMMM", _day(value), locale=babel_locale(language))


def format_day_month(value: date | datetime | None, language: str | None) -> str:
    """"Dec 23" / "12月23日": short day labels, e.g. on a chart axis."""
    if value is None:
        return NOTHING
    return babel_dates.format_skeleton("MMMd", _day(value), locale=babel_locale(language))


def format_relative(value: datetime | None, language: str | None, *, now: datetime | None = None) -> str:
    """"in 3 days" / "3天后", "2 hours ago" / "2小时前"."""
    if value is None:
        return NOTHING
    return babel_dates.format_timedelta(center_time(value) - center_time(now or utcnow()), add_direction=True,
                                        locale=babel_locale(language))


def zone_name(language: str | None) -> str:
    """The center's zone as people call it: "China Time" / "中国时间" (for a caption saying which clock)."""
    return babel_dates.get_timezone_name(center_zone(), locale=babel_locale(language))


def table_formats(language: str | None) -> tuple[str, str]:
    """The (date, date and time) column patterns for `language` (see `TABLE_FORMATS`)."""
    return TABLE_FORMATS.get(language, TABLE_FORMATS["en"])


# --------------------------------------------------------------------------- charts (Vega-Lite)

CHART_DATE_FORMATS = {"en": ("%b %-d", "%b %-d, %Y"), "zh-CN": ("%-m月%-d日", "%Y年%-m月%-d日")}
"""(axis, tooltip) day patterns for chart time axes, in d3-time-format syntax: the readings `format_day_month`
and `format_date` give."""


def chart_date_formats(language: str | None) -> tuple[str, str]:
    return CHART_DATE_FORMATS.get(language, CHART_DATE_FORMATS["en"])


@lru_cache
def chart_time_locale(language: str | None) -> dict:
    """A d3 time-format locale from CLDR (Vega-Lite's `config.locale.time`): month and day names in the
    viewer's language wherever a chart writes a date itself."""
    locale = babel_locale(language)
    months, days = locale.months["format"], locale.days["format"]
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # d3 counts from Sunday, CLDR from Monday
    periods = locale.day_periods["format"]["abbreviated"]
    axis, full = chart_date_formats(language)
    return {"dateTime": f"{full} %H:%M:%S", "date": full, "time": "%H:%M:%S",
            "periods": [periods["am"], periods["pm"]],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)]}


def center_wall_clock(moments: pd.Series) -> pd.Series:
    """Instants as the center's clock reads them, without a zone: a chart draws a zoneless time as
    written, where it would move a UTC one to the browser's zone."""
    moments = pd.to_datetime(moments)
    if moments.dt.tz is None:
        moments = moments.dt.tz_localize("UTC")
    return moments.dt.tz_convert(center_zone().key).dt.tz_localize(None)
