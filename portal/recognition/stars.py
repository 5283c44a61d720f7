"""The service star of the month (服务之星): compliments, leads' nominations, the admin's confirmation.

A lead nominates a member of a team they lead, with the evidence of the month beside each name
(mean QA score, mean exam score, customer compliments); an admin confirms one nomination per
month; the star shows on everyone's Home through the month after (when the month's work is known).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal import audit
from portal.clock import center_day_start, local_today, utcnow
from portal.errors import NotFound, ValidationFailed
from portal.formatting import format_month
from portal.i18n import LANGUAGES
from portal.models import (
    Attempt,
    Compliment,
    Exam,
    QaCall,
    QaEvaluation,
    ServiceStar,
    StarNomination,
    Team,
    User,
)
from portal.notifications.inbox import notify
from portal.permissions import ensure, people_filter, permission
from portal.recognition.thanks import PAGE, checked_message
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission
from portal.users import pick_people

MAX_COMPLIMENT = 280
MAX_REASON = 500
_ONE_DAY = timedelta(days=1)


def month_of(day: date) -> date:
    """The first day of `day`'s month: how a month is stored."""
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return month_of(month.replace(day=1) - _ONE_DAY)


def next_month(month: date) -> date:
    return month_of(month.replace(day=28) + 4 * _ONE_DAY)


def nominable_months(today: date | None = None) -> tuple[date, date]:
    """Last month and this one: a month may be nominated for while it runs and the month after."""
    this = month_of(today or local_today())
    return previous_month(this), this


# --- compliments --------------------------------------------------------------------------------

@permission("recognition:compliment")
def complimentable(session: Session, actor: Actor, search: str = "") -> list[tuple[int, str]]:
    """(id, name) of the active people the actor may record a compliment for whose name matches `search`,
    at most PEOPLE_SHOWN (QA may pick anyone in the center: typing narrows the list)."""
    return pick_people(session, people_filter(session, actor, "recognition:compliment"), search=search)


@permission("recognition:compliment", subject="user_id")
def record_compliment(session: Session, actor: Actor, user_id: int | None, text: str, *, call_ref: str | None = None,
                      received_on: date | None = None, submission_key: str | None = None) -> Compliment:
    """A customer's compliment for an agent, against one of the agent's QA calls (its call id) when it came from one."""
    if user_id is None:
        raise ValidationFailed("recognition.error.agent_required")
    key = checked_key(submission_key)
    earlier = earlier_submission(session, Compliment, key, owner_id=actor.id, owner="recorded_by_id")
    if earlier is not None:
        return earlier
    text = checked_message(text, limit=MAX_COMPLIMENT, empty_key="recognition.error.compliment_required",
                           long_key="recognition.error.compliment_too_long")
    call_id = None
    if (call_ref or "").strip():
        call = session.exec(select(QaCall).where(QaCall.external_id == call_ref.strip())).first()
        if call is None or call.agent_id != user_id:
            raise ValidationFailed("recognition.error.call_not_agents", call=call_ref.strip())
        call_id = call.id
    day = received_on or local_today()
    if day > local_today():
        raise ValidationFailed("recognition.error.future_date")
    row = Compliment(user_id=user_id, call_id=call_id, text=text, recorded_by_id=actor.id, received_on=day,
                     submission_key=key)
    session.add(row)
    session.flush()
    return row


# --- nominations --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A person a lead may nominate, with the month's evidence."""

    user_id: int
    name: str
    team_name: str | None
    qa_percent: float | None
    qa_count: int
    exam_percent: float | None
    compliments: int
    nominated: bool


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    return center_day_start(month), center_day_start(next_month(month))


def _evidence(session: Session, user_ids: list[int], month: date) -> dict[int, tuple]:
    """user id -> (mean QA %, QA evaluations, mean exam %, compliments) for the month."""
    if not user_ids:
        return {}
    start, end = _month_bounds(month)
    qa = {uid: (avg, n) for uid, avg, n in session.exec(
        select(QaEvaluation.agent_id, func.avg(QaEvaluation.percent), func.count())
        .where(QaEvaluation.agent_id.in_(user_ids), QaEvaluation.status == "submitted",
               QaEvaluation.calibration_id.is_(None), QaEvaluation.submitted_at >= start,
               QaEvaluation.submitted_at < end).group_by(QaEvaluation.agent_id)).all()}
    exams = dict(session.exec(
        select(Attempt.user_id, func.avg(Attempt.percent)).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id.in_(user_ids), Attempt.status == "graded", Exam.kind != "practice",
               Attempt.submitted_at >= start, Attempt.submitted_at < end).group_by(Attempt.user_id)).all())
    praise = dict(session.exec(
        select(Compliment.user_id, func.count()).where(Compliment.user_id.in_(user_ids),
                                                       Compliment.received_on >= month,
                                                       Compliment.received_on < next_month(month))
        .group_by(Compliment.user_id)).all())
    return {uid: (*qa.get(uid, (None, 0)), exams.get(uid), praise.get(uid, 0)) for uid in user_ids}


def _checked_month(month: date, today: date | None) -> date:
    month = month_of(month)
    if month not in nominable_months(today):
        raise ValidationFailed("recognition.error.month_closed")
    return month


@permission("recognition:nominate")
def candidates(session: Session, actor: Actor, month: date, *, today: date | None = None) -> list[Candidate]:
    """The active members of the teams the actor leads, with the month's evidence, best QA first."""
    month = _checked_month(month, today)
    rows = session.exec(select(User.id, User.display_name, Team.name).join(Team, Team.id == User.team_id, isouter=True)
                        .where(User.active, User.id != actor.id, people_filter(session, actor, "recognition:nominate"))
                        .order_by(User.display_name)).all()
    evidence = _evidence(session, [r[0] for r in rows], month)
    mine = set(session.exec(select(StarNomination.user_id).where(StarNomination.month == month,
                                                                 StarNomination.nominated_by_id == actor.id)).all())
    found = [Candidate(uid, name, team, *evidence[uid], uid in mine) for uid, name, team in rows]
    return sorted(found, key=lambda c: (c.qa_percent is None, -(c.qa_percent or 0), c.name))


@permission("recognition:nominate", subject="user_id", never_own="recognition.error.nominate_self")
def nominate(session: Session, actor: Actor, user_id: int | None, month: date, reason: str, *,
             today: date | None = None) -> StarNomination:
    """Put `user_id` forward for `month`; nominating the same person again (a double click) keeps one, with the newer reason."""
    if user_id is None:
        raise ValidationFailed("recognition.error.nominee_required")
    month = _checked_month(month, today)
    reason = checked_message(reason, limit=MAX_REASON, empty_key="recognition.error.reason_required",
                             long_key="recognition.error.reason_too_long")
    if session.get(ServiceStar, month) is not None:
        raise ValidationFailed("recognition.error.star_already_confirmed")
    row = session.exec(select(StarNomination).where(StarNomination.month == month, StarNomination.user_id == user_id,
                                                    StarNomination.nominated_by_id == actor.id)).first()
    qa_percent, _, exam_percent, compliments = _evidence(session, [user_id], month)[user_id]
    row = row or StarNomination(month=month, user_id=user_id, nominated_by_id=actor.id)
    row.reason, row.qa_percent, row.exam_percent, row.compliments = reason, qa_percent, exam_percent, compliments
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class NominationView:
    id: int
    user_id: int
    name: str
    team_name: str | None
    nominated_by: str | None
    reason: str
    qa_percent: float | None
    exam_percent: float | None
    compliments: int


@permission("recognition:confirm_star")
def nominations(session: Session, actor: Actor, month: date) -> list[NominationView]:
    """The month's nominations, oldest first, with the evidence as it stood when each was made."""
    nominator = aliased(User)
    rows = session.exec(select(StarNomination.id, StarNomination.user_id, User.display_name, Team.name,
                               nominator.display_name, StarNomination.reason, StarNomination.qa_percent,
                               StarNomination.exam_percent, StarNomination.compliments)
                        .join(User, User.id == StarNomination.user_id).join(Team, Team.id == User.team_id, isouter=True)
                        .join(nominator, nominator.id == StarNomination.nominated_by_id, isouter=True)
                        .where(StarNomination.month == month_of(month))
                        .order_by(StarNomination.created_at, StarNomination.id)).all()
    return [NominationView(*row) for row in rows]


@permission("recognition:confirm_star")
def confirm_star(session: Session, actor: Actor, nomination_id: int) -> ServiceStar:
    """Make a nomination the month's star. Confirming it again is no change; another one for the month is refused."""
    nomination = session.get(StarNomination, nomination_id)
    if nomination is None:
        raise NotFound("recognition.error.no_such_nomination")
    ensure(session, actor, "recognition:confirm_star", nomination.user_id)
    star = session.get(ServiceStar, nomination.month)
    if star is not None:
        if star.nomination_id == nomination.id:
            return star
        raise ValidationFailed("recognition.error.star_already_confirmed")
    star = ServiceStar(month=nomination.month, user_id=nomination.user_id, nomination_id=nomination.id,
                       confirmed_by_id=actor.id, confirmed_at=utcnow())
    session.add(star)
    session.flush()
    person = session.get(User, nomination.user_id)
    audit.record(session, actor_id=actor.id, action="service_star.confirmed", target=person.username,
                 month=nomination.month.isoformat(), nomination=nomination.id)
    notify(session, person.id, "recognition_star", page=PAGE, dedupe_key=f"star:{nomination.month.isoformat()}",
           month={language: format_month(nomination.month, language) for language in LANGUAGES})
    return star


# --- the star on Home ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StarView:
    month: date
    user_id: int
    name: str
    team_name: str | None
    reason: str


def _stars(session: Session, *conditions):
    return (select(ServiceStar.month, ServiceStar.user_id, User.display_name, Team.name, StarNomination.reason)
            .join(User, User.id == ServiceStar.user_id).join(Team, Team.id == User.team_id, isouter=True)
            .join(StarNomination, StarNomination.id == ServiceStar.nomination_id, isouter=True)
            .where(*conditions).order_by(ServiceStar.month.desc()))


def _star_view(row) -> StarView | None:
    if row is None:
        return None
    month, user_id, name, team, reason = row
    return StarView(month, user_id, name, team, reason or "")


@permission("recognition:wall")
def current_star(session: Session, actor: Actor, *, today: date | None = None) -> StarView | None:
    """The star to show on Home: this month's, else last month's (confirmed once that month's work is known)."""
    earliest, _ = nominable_months(today)
    return _star_view(session.exec(_stars(session, ServiceStar.month >= earliest)).first())


@permission("recognition:wall")
def star_of(session: Session, actor: Actor, month: date) -> StarView | None:
    """The confirmed star of `month`, if any."""
    return _star_view(session.exec(_stars(session, ServiceStar.month == month_of(month))).first())
