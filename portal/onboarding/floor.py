"""On the floor: the shadowing log (week 1) and supervised calls with ticket reviews (week 2).

New hires log their own calls; the mentor (or a trainer) reviews each
supervised call's ticket. Checklist, pass mark and critical areas are in
`portal.onboarding.rules`.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.notifications import events
from portal import audit
from portal.clock import local_today
from portal.errors import NotFound, ValidationFailed
from portal.i18n import translate
from portal.models import Cohort, ShadowingCall, SupervisedCall, TicketReview, User
from portal.onboarding.access import require_active_new_hire, require_review, require_view, subject
from portal.onboarding.rules import (CALL_TYPES, CHECKLIST, MARKS, PASS_MARK, ReviewOutcome, critical_misses,
                                     review_points)
from portal import permissions
from portal.permissions import permission
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission

MAX_TEXT = 2000
MAX_TICKET_REF = 40


def _text(value: str | None, required_key: str | None) -> str:
    text = (value or "").strip()
    if required_key and not text:
        raise ValidationFailed(required_key)
    if len(text) > MAX_TEXT:
        raise ValidationFailed("onboarding.error.text_too_long", maximum=MAX_TEXT)
    return text


def _call_fields(session: Session, user: User, call_date: date | None, call_type: str, today: date | None) -> None:
    if not isinstance(call_date, date):
        raise ValidationFailed("onboarding.error.date_required")
    today = today or local_today()
    if call_date > today:
        raise ValidationFailed("onboarding.error.future_date", date=call_date.isoformat())
    cohort = session.get(Cohort, user.cohort_id) if user.cohort_id else None
    if cohort is not None and call_date < cohort.start_date:
        raise ValidationFailed("onboarding.error.before_start", date=call_date.isoformat(),
                               start=cohort.start_date.isoformat())
    if call_type not in CALL_TYPES:
        raise ValidationFailed("onboarding.error.unknown_call_type", call_type=str(call_type))


def _flush(session: Session, key: str, **params) -> None:
    """Write now, so a constraint turns into a clear message (the whole unit of work rolls back)."""
    try:
        session.flush()
    except IntegrityError:
        raise ValidationFailed(key, **params) from None


# --------------------------------------------------------------------------- shadowing


@permission("onboarding:log_calls")
def record_shadowing_call(session: Session, actor: Actor, *, call_date: date | None, call_type: str,
                          did_well: str, learned: str, questions: str = "",
                          today: date | None = None, submission_key: str | None = None) -> ShadowingCall:
    """A call the new hire heard beside their mentor: what the agent did well, what they learned, their questions.

    With a `submission_key` (the form's idempotency key), the same form sent twice logs one call.
    """
    user = require_active_new_hire(session, actor)
    earlier = earlier_submission(session, ShadowingCall, checked_key(submission_key), owner_id=user.id)
    if earlier is not None:
        return earlier
    _call_fields(session, user, call_date, call_type, today)
    call = ShadowingCall(user_id=user.id, call_date=call_date, call_type=call_type,
                         did_well=_text(did_well, "onboarding.error.did_well_required"),
                         learned=_text(learned, "onboarding.error.learned_required"),
                         questions=_text(questions, None), submission_key=submission_key)
    session.add(call)
    _flush(session, "onboarding.error.already_logged")
    return call


SHADOWING_COLUMNS = ["id", "call_date", "call_type", "did_well", "learned", "questions", "logged_at"]


@permission("onboarding:view")
def shadowing_log(session: Session, actor: Actor, user_id: int) -> pd.DataFrame:
    """The calls a new hire logged, newest first."""
    require_view(session, actor, user_id)
    rows = session.exec(select(ShadowingCall.id, ShadowingCall.call_date, ShadowingCall.call_type,
                               ShadowingCall.did_well, ShadowingCall.learned, ShadowingCall.questions,
                               ShadowingCall.created_at)
                        .where(ShadowingCall.user_id == user_id)
                        .order_by(ShadowingCall.call_date.desc(), ShadowingCall.id.desc())).all()
    return pd.DataFrame(rows, columns=SHADOWING_COLUMNS)


# --------------------------------------------------------------------------- supervised calls


@permission("onboarding:log_calls")
def record_supervised_call(session: Session, actor: Actor, *, call_date: date | None, call_type: str,
                           ticket_ref: str, summary: str, today: date | None = None,
                           submission_key: str | None = None) -> SupervisedCall:
    """A call the new hire took with the mentor listening in; its ticket waits for the mentor's review.

    With a `submission_key` (the form's idempotency key), the same form sent twice logs one call
    (and is not refused as a ticket logged twice).
    """
    user = require_active_new_hire(session, actor)
    earlier = earlier_submission(session, SupervisedCall, checked_key(submission_key), owner_id=user.id)
    if earlier is not None:
        return earlier
    _call_fields(session, user, call_date, call_type, today)
    ticket_ref = (ticket_ref or "").strip()
    if not ticket_ref:
        raise ValidationFailed("onboarding.error.ticket_required")
    if len(ticket_ref) > MAX_TICKET_REF:
        raise ValidationFailed("onboarding.error.ticket_too_long", maximum=MAX_TICKET_REF)
    exists = session.exec(select(SupervisedCall.id).where(SupervisedCall.user_id == user.id,
                                                          SupervisedCall.ticket_ref == ticket_ref)).first()
    if exists is not None:
        raise ValidationFailed("onboarding.error.duplicate_ticket", ticket=ticket_ref)
    call = SupervisedCall(user_id=user.id, call_date=call_date, call_type=call_type, ticket_ref=ticket_ref,
                          summary=_text(summary, "onboarding.error.summary_required"), submission_key=submission_key)
    session.add(call)
    _flush(session, "onboarding.error.duplicate_ticket", ticket=ticket_ref)
    return call


SUPERVISED_COLUMNS = ["id", "call_date", "call_type", "ticket_ref", "summary", "outcome", "points", "critical_miss",
                      "comment", "reviewer", "reviewed_at", *CHECKLIST]


@permission("onboarding:view")
def supervised_calls(session: Session, actor: Actor, user_id: int) -> pd.DataFrame:
    """A new hire's supervised calls with their reviews (outcome None: waiting for review), newest first."""
    require_view(session, actor, user_id)
    rows = session.exec(
        select(SupervisedCall, TicketReview, User.display_name)
        .join(TicketReview, TicketReview.call_id == SupervisedCall.id, isouter=True)
        .join(User, User.id == TicketReview.reviewer_id, isouter=True)
        .where(SupervisedCall.user_id == user_id)
        .order_by(SupervisedCall.call_date.desc(), SupervisedCall.id.desc())).all()
    records = []
    for call, review, reviewer in rows:
        marks = {area: getattr(review, area) for area in CHECKLIST} if review else {area: None for area in CHECKLIST}
        records.append({
            "id": call.id, "call_date": call.call_date, "call_type": call.call_type, "ticket_ref": call.ticket_ref,
            "summary": call.summary, "outcome": review.outcome if review else None,
            "points": review_points(marks) if review else None,
            "critical_miss": bool(critical_misses(marks)) if review else None,
            "comment": review.comment if review else "", "reviewer": reviewer,
            "reviewed_at": review.reviewed_at if review else None, **marks})
    return pd.DataFrame(records, columns=SUPERVISED_COLUMNS)


@dataclass(frozen=True)
class PendingTicket:
    call_id: int
    user_id: int
    new_hire: str
    call_date: date
    call_type: str
    ticket_ref: str
    summary: str
    logged_at: datetime


@permission("onboarding:mentees")
def review_queue(session: Session, actor: Actor) -> list[PendingTicket]:
    """Tickets of the actor's mentees still waiting for review, oldest first."""
    rows = session.exec(
        select(SupervisedCall, User.display_name)
        .join(User, User.id == SupervisedCall.user_id)
        .join(TicketReview, TicketReview.call_id == SupervisedCall.id, isouter=True)
        .where(permissions.people_filter(session, actor, "onboarding:mentees"), TicketReview.id.is_(None))
        .order_by(SupervisedCall.call_date, SupervisedCall.created_at, SupervisedCall.id)).all()
    return [PendingTicket(c.id, c.user_id, name, c.call_date, c.call_type, c.ticket_ref, c.summary, c.created_at)
            for c, name in rows]


def unchosen_areas(marks: Mapping[str, int | None]) -> list[str]:
    """The checklist areas with no mark chosen: a review starts blank and is saved only when complete."""
    return [area for area in CHECKLIST if marks.get(area) is None]


@permission("onboarding:review_tickets")
def review_ticket(session: Session, actor: Actor, call_id: int, *, outcome: str | None,
                  marks: Mapping[str, int | None],
                  comment: str = "") -> TicketReview:
    """The mentor's review of one ticket: checklist marks, pass or needs rework, and a comment.

    A call passes only with at least PASS_MARK points and no critical miss;
    "needs rework" needs a comment saying what to change.
    """
    call = session.get(SupervisedCall, call_id)
    if call is None:
        raise NotFound("onboarding.error.no_such_call", call=call_id)
    user = subject(session, call.user_id)
    require_review(session, actor, user)
    if session.exec(select(TicketReview.id).where(TicketReview.call_id == call_id)).first() is not None:
        raise ValidationFailed("onboarding.error.already_reviewed", ticket=call.ticket_ref)
    unchosen = unchosen_areas(marks)
    if unchosen:
        raise ValidationFailed("onboarding.error.checklist_unchosen", count=len(unchosen), areas=", ".join(
            translate(f"onboarding.checklist.{area}", actor.language) for area in unchosen))
    if outcome is None:
        raise ValidationFailed("onboarding.error.outcome_required")
    if outcome not in set(ReviewOutcome):
        raise ValidationFailed("onboarding.error.unknown_outcome", outcome=str(outcome))
    if set(marks) != set(CHECKLIST) or any(marks[area] not in MARKS for area in CHECKLIST):
        raise ValidationFailed("onboarding.error.checklist_incomplete")
    comment = _text(comment, "onboarding.error.rework_comment_required" if outcome == ReviewOutcome.REWORK else None)
    points, critical = review_points(marks), critical_misses(marks)
    if outcome == ReviewOutcome.PASSED and critical:
        raise ValidationFailed("onboarding.error.pass_with_critical_miss")
    if outcome == ReviewOutcome.PASSED and points < PASS_MARK:
        raise ValidationFailed("onboarding.error.pass_below_mark", points=points, pass_mark=PASS_MARK)
    review = TicketReview(call_id=call_id, reviewer_id=actor.id, outcome=outcome, comment=comment,
                          **{area: int(marks[area]) for area in CHECKLIST})
    session.add(review)
    _flush(session, "onboarding.error.already_reviewed", ticket=call.ticket_ref)
    audit.record(session, actor_id=actor.id, action="ticket.reviewed", target=user.username, call_id=call_id,
                 ticket=call.ticket_ref, outcome=outcome, points=points, critical_misses=critical)
    events.ticket_reviewed(session, new_hire_id=user.id, call_id=call_id, ticket=call.ticket_ref,
                           passed=outcome == ReviewOutcome.PASSED, reviewer=actor.display_name)
    return review
