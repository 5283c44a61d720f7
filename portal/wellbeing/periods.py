"""ISO weeks and the months they belong to."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from portal.clock import today

def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week() -> str:
    return iso_week(today())


def _week_day(week: str, weekday: int) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), weekday)


def week_start(week: str) -> date:
    return _week_day(week, 1)


@lru_cache(maxsize=4096)
def month_of_week(week: str) -> str:
    """The month holding the week's Thursday (the ISO rule), so every week is in exactly one month."""
    return f"{_week_day(week, 4):%Y-%m}"


def month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def month_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def recent_periods(kind: str, count: int, day: date | None = None) -> list[str]:
    """The last `count` weeks or months, oldest first, ending with the current one."""
    day = day or today()
    if kind == "week":
        monday = date.fromordinal(day.toordinal() - day.weekday())
        return [iso_week(date.fromordinal(monday.toordinal() - 7 * k)) for k in reversed(range(count))]
    last = month_index(f"{day:%Y-%m}")
    return [month_from_index(last - k) for k in reversed(range(count))]


def period_start(period: str) -> date:
    if "-W" in period:
        return week_start(period)
    year, month = period.split("-")
    return date(int(year), int(month), 1)

