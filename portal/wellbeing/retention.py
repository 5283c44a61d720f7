"""Retention: raw responses past the retention period are folded into aggregates and deleted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from portal.models import WellbeingAggregate, WellbeingParticipation, WellbeingResponse
from portal.settings import get_settings
from portal.wellbeing.periods import iso_week, month_from_index, month_index, month_of_week
from portal.wellbeing.publication import published_cells

@dataclass(frozen=True)
class PurgeReport:
    kept_from_month: str
    deleted_responses: int
    archived_cells: int
    deleted_participation: int


def retention_cutoff_month(day: date, months: int) -> str:
    """Responses in weeks whose month is before this one are past retention."""
    return month_from_index(month_index(f"{day:%Y-%m}") - months)


def purge_expired_responses(session: Session, now: datetime | date) -> PurgeReport:
    """Fold raw responses older than the retention period into aggregates, then delete them.

    Whole months at a time, so a month is never half raw and half archived.
    Only cells that pass suppression are archived. Participation rows are
    needed only for the current week; older ones go too. A system task (CLI),
    not a user action, hence no actor.
    """
    day = now.date() if isinstance(now, datetime) else now
    cutoff = retention_cutoff_month(day, get_settings().wellbeing_retention_months)
    table = WellbeingResponse.__table__
    weeks = session.execute(select(table.c.iso_week).distinct()).scalars()
    expired_weeks = sorted({w for w in weeks if month_of_week(w) < cutoff})
    archived = 0
    if expired_weeks:
        expired_periods = set(expired_weeks) | {month_of_week(w) for w in expired_weeks}
        existing = {(a.group_key, a.period) for a in session.exec(select(WellbeingAggregate))}
        for (group, period), stats in published_cells(session).items():
            if period in expired_periods and (group, period) not in existing:
                session.add(WellbeingAggregate(group_key=group, period=period, **stats))
                archived += 1
    deleted = session.execute(delete(table).where(table.c.iso_week.in_(expired_weeks))).rowcount if expired_weeks else 0
    participation = WellbeingParticipation.__table__
    gone = session.execute(delete(participation).where(participation.c.iso_week < iso_week(day))).rowcount
    session.flush()
    return PurgeReport(cutoff, deleted or 0, archived, gone or 0)

