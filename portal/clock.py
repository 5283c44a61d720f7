"""One source of "now", so that all rows agree on time.

Times are timezone-aware UTC (SQLModel's UTCDateTime refuses naive values).
"""
from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    return utcnow().date()
