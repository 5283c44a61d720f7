"""Retention: raw responses past the retention period are deleted; their published cells stay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, text
from sqlmodel import Session, select

from portal.clock import local_date
from portal.models import WellbeingParticipation, WellbeingResponse
from portal.settings import get_settings
from portal.wellbeing.periods import iso_week, month_from_index, month_index, month_of_week
from portal.wellbeing.publication import publish_closed_periods

@dataclass(frozen=True)
class PurgeReport:
    kept_from_month: str
    deleted_responses: int
    archived_cells: int  # cells published by this run (published cells are kept for good)
    deleted_participation: int


def retention_cutoff_month(day: date, months: int) -> str:
    """Responses in weeks whose month is before this one are past retention."""
    return month_from_index(month_index(f"{day:%Y-%m}") - months)


def purge_expired_responses(session: Session, now: datetime | date) -> PurgeReport:
    """Publish every closed period, then delete raw responses older than the retention period.

    Whole months at a time. The published cells stay (they never change);
    comments go with their responses. Participation rows are needed only
    for the current week; older ones go too. On SQLite deleted rows are
    overwritten with zeros. A system task (CLI), not a user action, hence
    no actor.
    """
    day = local_date(now) if isinstance(now, datetime) else now
    published = publish_closed_periods(session, iso_week(day))
    cutoff = retention_cutoff_month(day, get_settings().wellbeing_retention_months)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))
    table = WellbeingResponse.__table__
    weeks = session.execute(select(table.c.iso_week).distinct()).scalars()
    expired_weeks = sorted({w for w in weeks if month_of_week(w) < cutoff})
    deleted = session.execute(delete(table).where(table.c.iso_week.in_(expired_weeks))).rowcount if expired_weeks else 0
    participation = WellbeingParticipation.__table__
    gone = session.execute(delete(participation).where(participation.c.iso_week < iso_week(day))).rowcount
    session.flush()
    return PurgeReport(cutoff, deleted or 0, published.cells_published, gone or 0)
