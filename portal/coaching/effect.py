"""The coaching effect: exam averages before and after a session, and the agent's live QA scores beside them."""

from sqlalchemy import and_, case, func, literal, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from portal.clock import center_day_sql
from portal.coaching.settings import EFFECT_KINDS
from portal.coaching.views import Effect
from portal.models import Attempt, CoachingSession, Exam, QaEvaluation


def _plus_days(session: Session, column, days: int):
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(days):+d} days")
    return column + int(days)


def effect_aggregates(session: Session, window_days: int) -> list:
    """Exam average and count `window_days` before and after a session, as aggregate columns.

    Use with `with_effect_attempts` on a query grouped by session. Written and
    practical exams only; the session day itself counts as neither. Days are the center's.
    """
    day = center_day_sql(session.get_bind().dialect.name, Attempt.submitted_at)
    held = CoachingSession.held_on
    counted = Exam.id.is_not(None)  # the attempt's exam is written or practical (see with_effect_attempts)
    before = and_(counted, day >= _plus_days(session, held, -window_days), day < held)
    after = and_(counted, day > held, day <= _plus_days(session, held, window_days))
    return [func.avg(case((before, Attempt.percent))).label("before_avg"),
            func.count(case((before, Attempt.id))).label("before_n"),
            func.avg(case((after, Attempt.percent))).label("after_avg"),
            func.count(case((after, Attempt.id))).label("after_n")]


def with_effect_attempts(session: Session, query, window_days: int):
    """Join each session of `query` to its agent's graded written and practical attempts around it.

    Only attempts within a day of the window are joined (an index range on
    attempt (user_id, submitted_at)), not every attempt the agent ever made;
    the exact window is in `effect_aggregates`. As before, a session is left
    out when its agent has graded attempts but none of them written or practical.
    """
    held = CoachingSession.held_on
    graded = and_(Attempt.status == "graded", Attempt.percent.is_not(None))
    near = and_(Attempt.user_id == CoachingSession.agent_id, graded,
                Attempt.submitted_at >= _plus_days(session, held, -window_days - 1),
                Attempt.submitted_at < _plus_days(session, held, window_days + 2))
    agent_attempt = Attempt.__table__.alias("any_attempt")
    agent_graded = and_(agent_attempt.c.user_id == CoachingSession.agent_id, agent_attempt.c.status == "graded",
                        agent_attempt.c.percent.is_not(None))
    counted_exam = Exam.__table__.alias("any_exam")
    has_counted = (sa_select(literal(1)).select_from(agent_attempt)
                   .join(counted_exam, counted_exam.c.id == agent_attempt.c.exam_id)
                   .where(agent_graded, counted_exam.c.kind.in_(EFFECT_KINDS)).exists())
    has_graded = sa_select(literal(1)).select_from(agent_attempt).where(agent_graded).exists()
    return (query.outerjoin(Attempt, near)
            .outerjoin(Exam, and_(Exam.id == Attempt.exam_id, Exam.kind.in_(EFFECT_KINDS)))
            .where(or_(has_counted, ~has_graded)))


def effect_query(session: Session, window_days: int):
    """Per session: exam average and count `window_days` before and after it, in SQL."""
    query = (select(CoachingSession.id.label("session_id"), *effect_aggregates(session, window_days))
             .select_from(CoachingSession))
    return with_effect_attempts(session, query, window_days).group_by(CoachingSession.id)


def qa_effect_query(session: Session, window_days: int):
    """Per session: the agent's live QA score average and count `window_days` before and after it (the session
    day counts as neither), over the evaluations near it only (index agent_id, submitted_at). Sessions without
    QA scores near them are left out."""
    day = center_day_sql(session.get_bind().dialect.name, QaEvaluation.submitted_at)
    held = CoachingSession.held_on
    before = and_(day >= _plus_days(session, held, -window_days), day < held)
    after = and_(day > held, day <= _plus_days(session, held, window_days))
    near = and_(QaEvaluation.agent_id == CoachingSession.agent_id, QaEvaluation.status == "submitted",
                QaEvaluation.calibration_id.is_(None),
                QaEvaluation.submitted_at >= _plus_days(session, held, -window_days - 1),
                QaEvaluation.submitted_at < _plus_days(session, held, window_days + 2))
    return (select(CoachingSession.id.label("session_id"),
                   func.avg(case((before, QaEvaluation.percent))).label("qa_before_avg"),
                   func.count(case((before, QaEvaluation.id))).label("qa_before_n"),
                   func.avg(case((after, QaEvaluation.percent))).label("qa_after_avg"),
                   func.count(case((after, QaEvaluation.id))).label("qa_after_n"))
            .select_from(CoachingSession).join(QaEvaluation, near).group_by(CoachingSession.id))


def session_effects(session: Session, session_ids: list[int], window_days: int) -> dict[int, Effect]:
    if not session_ids:
        return {}
    query = effect_query(session, window_days).where(CoachingSession.id.in_(session_ids))
    exams = {sid: (_round(b), int(bn), _round(a), int(an)) for sid, b, bn, a, an in session.exec(query).all()}
    qa_query = qa_effect_query(session, window_days).where(CoachingSession.id.in_(session_ids))
    qa = {sid: (_round(b), int(bn), _round(a), int(an)) for sid, b, bn, a, an in session.exec(qa_query).all()}
    return {sid: Effect(*exams.get(sid, (None, 0, None, 0)), *qa.get(sid, (None, 0, None, 0)))
            for sid in session_ids if sid in exams or sid in qa}


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)
