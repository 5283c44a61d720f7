"""What the daily sweep (`portal notify sweep`) notes for recognition and recertification.

- the first day each module version was seen (recertification's due dates count from it);
- the badge for three full months of QA evaluations without a critical miss, once per streak's last month.
"""
from datetime import date

from sqlmodel import Session, select

from portal.certificates.recert import record_versions_seen
from portal.clock import center_day_start, local_date, local_today
from portal.models import QaEvaluation
from portal.recognition.badges import QA_CLEAN_QUARTER, award_badge
from portal.recognition.stars import month_of, previous_month

STREAK_MONTHS = 3


def sweep(session: Session, today: date | None = None) -> int:
    """Note module versions and award QA streak badges; returns how many badges were new. Idempotent."""
    today = today or local_today()
    record_versions_seen(session, today)
    return award_qa_streaks(session, today)


def streak_months(today: date) -> list[date]:
    """The last `STREAK_MONTHS` whole months before today's, oldest first."""
    months = [previous_month(month_of(today))]
    while len(months) < STREAK_MONTHS:
        months.insert(0, previous_month(months[0]))
    return months


def award_qa_streaks(session: Session, today: date) -> int:
    """Agents evaluated in each of the last three whole months and never failed by a critical item then."""
    months = streak_months(today)
    start, end = center_day_start(months[0]), center_day_start(month_of(today))
    counted = (QaEvaluation.status == "submitted", QaEvaluation.calibration_id.is_(None),
               QaEvaluation.submitted_at >= start, QaEvaluation.submitted_at < end)
    failed = set(session.exec(select(QaEvaluation.agent_id).where(*counted, QaEvaluation.failed_by_critical)).all())
    evaluated: dict[int, set[date]] = {}
    for agent_id, submitted_at in session.exec(select(QaEvaluation.agent_id, QaEvaluation.submitted_at)
                                               .where(*counted)).all():
        evaluated.setdefault(agent_id, set()).add(month_of(local_date(submitted_at)))
    source = f"qa:{months[-1].isoformat()[:7]}"
    return sum(award_badge(session, agent_id, QA_CLEAN_QUARTER, source_key=source)
               for agent_id, seen in sorted(evaluated.items())
               if agent_id not in failed and seen >= set(months))
