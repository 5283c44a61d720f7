"""One source of "now", so that all rows agree on time.

Times are timezone-aware UTC (SQLModel's UTCDateTime refuses naive values).
Calendar days people see and enter (a call's date, a stage's due date) are
the call center's: `settings.center_timezone`. At 07:00 in Beijing it is
still yesterday in UTC. Showing a time to people goes through `portal.formatting`.
"""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func

from portal.settings import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """Today on the center's calendar (the day people see and enter: due dates, forms' defaults, weeks).

    Not UTC's date: from midnight to 08:00 in Beijing, UTC still has yesterday."""
    return local_today()


def center_zone() -> ZoneInfo:
    """The call center's time zone (`CENTER_TIMEZONE`): every date and time people see is in it."""
    return ZoneInfo(get_settings().center_timezone)


def center_time(moment: datetime) -> datetime:
    """`moment` on the center's clock; a naive value is taken as UTC (SQLite hands some back naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(center_zone())


def local_date(moment: datetime) -> date:
    """The calendar day `moment` falls on in the call center's time zone."""
    return center_time(moment).date()


def local_today() -> date:
    return local_date(utcnow())


def center_day_start(day: date) -> datetime:
    """The instant (UTC) the center's calendar day `day` begins: where a "since <day>" filter starts."""
    return datetime.combine(day, time.min, tzinfo=center_zone()).astimezone(UTC)


def center_day_sql(dialect: str, column):
    """SQL for the calendar day a stored UTC time falls on in the center's zone, comparable with a
    date column (a coaching session's `held_on`): at 07:00 in Beijing UTC's date is still yesterday.

    PostgreSQL converts with its own zone database; SQLite calls `center_date`, which
    portal.db registers on every connection (`center_date_of_stored`)."""
    if dialect == "sqlite":
        return func.center_date(column)
    return func.date(func.timezone(center_zone().key, column))


def center_date_of_stored(value: str | None) -> str | None:
    """SQLite's `center_date(moment)`: the center's day (YYYY-MM-DD) of a UTC time as SQLite stores it."""
    if value is None:
        return None
    return local_date(datetime.fromisoformat(value)).isoformat()
