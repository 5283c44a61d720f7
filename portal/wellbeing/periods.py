"""ISO weeks and the months they belong to, in the center's time zone, and when each closes.

A week closes when its Sunday has ended in the center's time zone. A week
belongs to the month holding its Thursday (the ISO rule), so a month closes
when its last such week has closed: at the end of its last day, or up to
three days later when that week runs into the next month.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from portal import clock


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week() -> str:
    """The center's current ISO week: check-ins go here; it is never shown to anyone until it closes."""
    return iso_week(clock.local_today())


def _week_day(week: str, weekday: int) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), weekday)


def week_start(week: str) -> date:
    return _week_day(week, 1)


def previous_week(week: str) -> str:
    return iso_week(week_start(week) - timedelta(days=7))


def next_week(week: str) -> str:
    return iso_week(week_start(week) + timedelta(days=7))


@lru_cache(maxsize=4096)
def month_of_week(week: str) -> str:
    """The month holding the week's Thursday (the ISO rule), so every week is in exactly one month."""
    return f"{_week_day(week, 4):%Y-%m}"


def month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def month_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@lru_cache(maxsize=1024)
def weeks_of_month(month: str) -> tuple[str, ...]:
    """The ISO weeks whose Thursday falls in `month`, in order (four or five)."""
    first = date.fromisoformat(f"{month}-01")
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    weeks = []
    while f"{thursday:%Y-%m}" == month:
        weeks.append(iso_week(thursday))
        thursday += timedelta(days=7)
    return tuple(weeks)


def last_week_of_month(month: str) -> str:
    return weeks_of_month(month)[-1]


def last_closed_week(current: str | None = None) -> str:
    return previous_week(current or current_week())


def last_closed_month(current: str | None = None) -> str:
    """The newest month whose every week has closed."""
    week = last_closed_week(current)
    month = month_of_week(week)
    return month if last_week_of_month(month) == week else month_from_index(month_index(month) - 1)


def recent_periods(kind: str, count: int, day: date | None = None) -> list[str]:
    """The last `count` weeks or months, oldest first, ending with the one holding `day` (default: today)."""
    day = day or clock.local_today()
    if kind == "week":
        monday = date.fromordinal(day.toordinal() - day.weekday())
        return [iso_week(date.fromordinal(monday.toordinal() - 7 * k)) for k in reversed(range(count))]
    last = month_index(f"{day:%Y-%m}")
    return [month_from_index(last - k) for k in reversed(range(count))]


def closed_periods(kind: str, count: int, current: str | None = None) -> list[str]:
    """The last `count` closed weeks or months, oldest first: what leads may see."""
    if kind == "week":
        last = last_closed_week(current)
        return recent_periods("week", count, week_start(last))
    last = month_index(last_closed_month(current))
    return [month_from_index(last - k) for k in reversed(range(count))]


def period_start(period: str) -> date:
    if "-W" in period:
        return week_start(period)
    year, month = period.split("-")
    return date(int(year), int(month), 1)
