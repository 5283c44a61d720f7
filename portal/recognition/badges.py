"""Badges for milestones, shown on a person's profile.

`award_badge` is the one way a badge is given (onboarding graduation, contests, thanks received,
QA streaks): idempotent by (person, code, source_key), so a rerun, a double click or two processes
at once give the badge once.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.models import Badge

GRADUATED = "onboarding_graduate"
QA_CLEAN_QUARTER = "qa_no_critical_3m"
CONTEST_WINNER = "contest_winner"
THANKS_10 = "thanks_10"
#: Every badge code, in the order a profile shows them (texts: `recognition.badge.<code>`).
BADGE_CODES = (GRADUATED, QA_CLEAN_QUARTER, CONTEST_WINNER, THANKS_10)
THANKS_FOR_BADGE = 10


def award_badge(session: Session, user_id: int, code: str, *, source_key: str) -> bool:
    """Give `user_id` the badge `code` for `source_key` once; True when it was new.

    No permission of its own: it is called by services that already checked theirs (a sign-off,
    a contest result), never by a page.
    """
    if code not in BADGE_CODES:
        raise ValueError(f"unknown badge code {code!r}")
    if _held(session, user_id, code, source_key):
        return False
    try:
        with session.begin_nested():
            session.add(Badge(user_id=user_id, code=code, source_key=source_key[:120]))
    except IntegrityError:  # the same badge given at the same moment by another process
        return False
    return True


def _held(session: Session, user_id: int, code: str, source_key: str) -> bool:
    return session.exec(select(Badge.id).where(Badge.user_id == user_id, Badge.code == code,
                                               Badge.source_key == source_key[:120])).first() is not None


@dataclass(frozen=True)
class BadgeView:
    code: str
    source_key: str
    awarded_at: datetime


def badges_of(session: Session, user_id: int) -> list[BadgeView]:
    """A person's badges in profile order, then oldest first (callers check permission)."""
    rows = session.exec(select(Badge).where(Badge.user_id == user_id).order_by(Badge.awarded_at, Badge.id)).all()
    order = {code: i for i, code in enumerate(BADGE_CODES)}
    return sorted((BadgeView(r.code, r.source_key, r.awarded_at) for r in rows), key=lambda b: order[b.code])
