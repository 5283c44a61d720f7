"""Moving the clock in tests: `portal.clock.utcnow` is the one source of "now"."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from portal import clock
from portal.settings import get_settings


def center_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), ZoneInfo(get_settings().center_timezone)).astimezone(UTC)


def set_center_day(monkeypatch, day: date, moment: datetime | None = None) -> None:
    """From now on it is noon of `day` in the center (or exactly `moment`)."""
    now = moment or center_noon(day)
    monkeypatch.setattr(clock, "utcnow", lambda: now)
