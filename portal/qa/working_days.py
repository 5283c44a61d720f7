"""Working days (Monday to Friday on the center's calendar): the dispute window.

An agent may dispute an evaluation for `dispute_window_days()` working days after the day it
was submitted (or, for a second round, the day the first round was decided): an evaluation
submitted on Friday can be disputed until the Friday after, the weekend not counting.
The length is `DISPUTE_WINDOW_WORKING_DAYS` (5, as issue #16 asks) unless the environment
sets `QA_DISPUTE_WINDOW_DAYS`.
"""
import os
from datetime import date, datetime, timedelta

from portal.clock import local_date

DISPUTE_WINDOW_WORKING_DAYS = 5
WINDOW_ENV = "QA_DISPUTE_WINDOW_DAYS"


def dispute_window_days() -> int:
    """The window's length in working days: the environment's `QA_DISPUTE_WINDOW_DAYS`, else 5."""
    value = os.environ.get(WINDOW_ENV, "").strip()
    return max(1, int(value)) if value.isdigit() else DISPUTE_WINDOW_WORKING_DAYS


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself does not count)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def window_closes_on(opened_at: datetime, days: int | None = None) -> date:
    """The last center calendar day of a window opened at `opened_at` (a UTC instant)."""
    return add_working_days(local_date(opened_at), dispute_window_days() if days is None else days)
