"""The marking queue, marking essays and practicals, and grade overrides.

Trainers mark; nobody marks or overrides their own attempt. Every mark and
override is in the audit log; an override also keeps its reason and the old
percent in `grade_override`.
"""
import json
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from portal.notifications import events
from portal import audit
from portal.clock import utcnow
from portal.db import rare
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import localized_column
from portal.models import Attempt, AttemptAnswer, Exam, GradeOverride, Question, QuestionVersion, User
from portal.quizzes import exams as exams_service
from portal.quizzes.attempts import finalise_expired, update_totals
from portal.quizzes.specs import RubricScore, RubricSpec
from portal import permissions
from portal.permissions import permission
from portal.roles import Actor

MARK = "exams:mark"

MAX_COMMENT = 5_000
MIN_REASON = 5


@dataclass(frozen=True)
class EssayToMark:
    slot: int
    idnumber: str
    question: str
    response: str
    max_mark: float
    mark: float | None
    comment: str


@dataclass(frozen=True)
class MarkingSheet:
    attempt_id: int
    exam: Exam
    learner: str
    number: int
    submitted_at: datetime | None
    rubric: RubricSpec | None  # practicals
    essays: list[EssayToMark]  # written exams
    points: dict[str, float | None]  # practical: item id -> points given so far
    comments: dict[str, str]
    comment: str


def _attempt_for_marker(session: Session, actor: Actor, attempt_id: int) -> tuple[Attempt, Exam]:
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("exams.error.no_such_attempt", attempt=attempt_id)
    if attempt.user_id == actor.id:
        raise PermissionDenied("exams.error.own_attempt")
    permissions.ensure(session, actor, MARK, attempt.user_id)
    return attempt, session.get(Exam, attempt.exam_id)


@permission(MARK)
def marking_queue(session: Session, actor: Actor, *, now: datetime | None = None, language: str | None = None,
                  offset: int = 0, limit: int | None = None) -> pd.DataFrame:
    """Attempts awaiting marking, oldest submission first (none of the actor's own); titles in `language`;
    only the `limit` from `offset` on (a page of the queue: read by ix_attempt_status_submitted)."""
    finalise_expired(session, now=now or utcnow())
    rows = session.execute(
        select(Attempt.id, Exam.code, Exam.title_en, Exam.title_zh, Exam.kind, User.display_name, Attempt.number,
               Attempt.submitted_at)
        .join(Exam, Exam.id == Attempt.exam_id).join(User, User.id == Attempt.user_id)
        .where(*_waiting(session, actor)).order_by(Attempt.submitted_at, Attempt.id)
        .offset(max(0, offset)).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=["attempt_id", "exam_code", "title_en", "title_zh", "kind", "learner",
                                        "number", "submitted_at"])
    frame["exam"] = localized_column(frame, "title", language or actor.language)
    return frame.drop(columns=["title_en", "title_zh"])


@permission(MARK)
def queue_count(session: Session, actor: Actor) -> int:
    """How many attempts wait for the actor to mark them (the queue's length, on every page)."""
    return session.exec(select(func.count()).select_from(Attempt).where(*_waiting(session, actor))).one()


def _waiting(session: Session, actor: Actor) -> tuple:
    return (rare(Attempt.status == "needs_marking"), Attempt.user_id != actor.id,
            permissions.people_filter(session, actor, MARK))


@permission(MARK)
def marking_sheet(session: Session, actor: Actor, attempt_id: int) -> MarkingSheet:
    attempt, exam = _attempt_for_marker(session, actor, attempt_id)
    learner = session.get(User, attempt.user_id).display_name
    answers = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
                           .order_by(AttemptAnswer.slot)).all()
    if exam.kind == "practical":
        return MarkingSheet(attempt.id, exam, learner, attempt.number, attempt.submitted_at,
                            exams_service.rubric_for(session, exam), [],
                            {a.idnumber: a.mark for a in answers}, {a.idnumber: a.comment for a in answers},
                            attempt.comment)
    return MarkingSheet(attempt.id, exam, learner, attempt.number, attempt.submitted_at, None,
                        _essays(session, attempt.id), {}, {}, attempt.comment)


def _essays(session: Session, attempt_id: int) -> list[EssayToMark]:
    rows = session.execute(
        select(AttemptAnswer, QuestionVersion.questiontext)
        .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(AttemptAnswer.attempt_id == attempt_id, Question.qtype == "essay")
        .order_by(AttemptAnswer.slot)).all()
    return [EssayToMark(a.slot, a.idnumber, text, json.loads(a.response) if a.response else "", a.max_mark,
                        a.mark, a.comment) for a, text in rows]


def _check_comment(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationFailed("exams.error.comment_too_long", limit=MAX_COMMENT)
    return text


@permission(MARK)
def mark_essays(session: Session, actor: Actor, attempt_id: int, marks: dict[int, float],
                comments: dict[int, str] | None = None, comment: str = "") -> Attempt:
    """Give every essay of a written attempt its mark; the attempt is then graded."""
    attempt, exam = _attempt_for_marker(session, actor, attempt_id)
    if exam.kind != "written" or attempt.status == "in_progress":
        raise ValidationFailed("exams.error.not_markable")
    essays = {e.slot: e for e in _essays(session, attempt.id)}
    marks = {int(slot): mark for slot, mark in marks.items()}
    comments = comments or {}
    if set(marks) - set(essays):
        raise ValidationFailed("exams.error.mark_every_essay")
    unmarked = [slot for slot in essays if marks.get(slot) is None]
    if unmarked:
        raise ValidationFailed("exams.error.unmarked_essays", count=len(unmarked),
                               questions=", ".join(str(slot) for slot in unmarked))
    for slot, mark in marks.items():
        if not 0 <= float(mark) <= essays[int(slot)].max_mark:
            raise ValidationFailed("exams.error.mark_out_of_range", slot=slot, maximum=essays[int(slot)].max_mark)
    texts = {int(s): _check_comment(c) for s, c in comments.items()}
    overall = _check_comment(comment)
    for answer in session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id,
                                                           AttemptAnswer.slot.in_(list(essays)))):
        answer.mark = float(marks[answer.slot])
        answer.comment = texts.get(answer.slot, answer.comment)
        session.add(answer)
    session.flush()
    _finish_marking(session, actor, attempt, exam, overall)
    update_totals(session, attempt, exam, needs_marking=False)
    audit.record(session, actor_id=actor.id, action="exam.marked", target=exam.code, attempt=attempt.id,
                 percent=attempt.percent)
    return attempt


@permission(MARK)
def mark_practical(session: Session, actor: Actor, attempt_id: int, points: dict[str, float],
                   comments: dict[str, str] | None = None, comment: str = "") -> RubricScore:
    """Mark a practical against its rubric: per-item points, comments, the critical-miss rule."""
    attempt, exam = _attempt_for_marker(session, actor, attempt_id)
    if exam.kind != "practical":
        raise ValidationFailed("exams.error.not_practical")
    rubric = exams_service.rubric_for(session, exam)
    items = {item.id: item for _, item in rubric.items()}
    if set(points) - set(items):
        raise ValidationFailed("exams.error.mark_every_item")
    unscored = rubric.unscored_items(points)
    if unscored:
        raise ValidationFailed("exams.error.unscored_items", count=len(unscored),
                               items=", ".join(str(number) for number, _ in unscored))
    for item_id, value in points.items():
        if not 0 <= float(value) <= items[item_id].max_points:
            raise ValidationFailed("exams.error.points_out_of_range", item=item_id,
                                   maximum=items[item_id].max_points)
    texts = {k: _check_comment(v) for k, v in (comments or {}).items()}
    overall = _check_comment(comment)
    result = rubric.score({k: float(v) for k, v in points.items()})
    for answer in session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)):
        answer.mark = float(points[answer.idnumber])
        answer.comment = texts.get(answer.idnumber, "")
        session.add(answer)
    session.flush()
    _finish_marking(session, actor, attempt, exam, overall)
    update_totals(session, attempt, exam, needs_marking=False)
    attempt.percent = round(result.percent, 4)
    attempt.passed = result.passed(exam.pass_mark)
    session.add(attempt)
    audit.record(session, actor_id=actor.id, action="exam.marked", target=exam.code, attempt=attempt.id,
                 percent=attempt.percent, critical_missed=result.critical_missed)
    return result


def _finish_marking(session: Session, actor: Actor, attempt: Attempt, exam: Exam, comment: str) -> None:
    attempt.marked_by = actor.id
    attempt.comment = comment
    attempt.submitted_at = attempt.submitted_at or utcnow()
    session.add(attempt)
    events.attempt_marked(session, learner_id=attempt.user_id, attempt_id=attempt.id,
                          exam_titles={"en": exam.title_en, "zh-CN": exam.title_zh})


@permission(MARK)
def override_grade(session: Session, actor: Actor, attempt_id: int, new_percent: float, reason: str) -> Attempt:
    """Set a graded attempt's percent by hand, with a reason; kept in grade_override and the audit log."""
    attempt, exam = _attempt_for_marker(session, actor, attempt_id)
    if attempt.status != "graded":
        raise ValidationFailed("exams.error.override_needs_grade")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed("exams.error.reason_required", minimum=MIN_REASON)
    try:
        new_percent = float(new_percent)
    except (TypeError, ValueError):
        raise ValidationFailed("exams.error.bad_percent") from None
    if not 0 <= new_percent <= 100:
        raise ValidationFailed("exams.error.bad_percent")
    old = attempt.percent
    session.add(GradeOverride(attempt_id=attempt.id, old_percent=old, new_percent=new_percent,
                              reason=_check_comment(reason), by_user_id=actor.id))
    attempt.percent, attempt.passed, attempt.overridden = new_percent, new_percent >= exam.pass_mark, True
    session.add(attempt)
    audit.record(session, actor_id=actor.id, action="exam.grade_overridden", target=exam.code, attempt=attempt.id,
                 old_percent=old, new_percent=new_percent, reason=reason)
    return attempt


@permission(MARK)
def overrides_of(session: Session, actor: Actor, attempt_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(GradeOverride.at, User.display_name, GradeOverride.old_percent, GradeOverride.new_percent,
               GradeOverride.reason)
        .join(User, User.id == GradeOverride.by_user_id)
        .where(GradeOverride.attempt_id == attempt_id).order_by(GradeOverride.id)).all()
    return pd.DataFrame(rows, columns=["at", "by", "old_percent", "new_percent", "reason"])


@permission(MARK)
def graded_attempts(session: Session, actor: Actor, exam_id: int, *, offset: int = 0,
                    limit: int | None = None) -> pd.DataFrame:
    """Graded attempts of an exam (for choosing one to override), by learner; the `limit` from `offset` on."""
    rows = session.execute(
        select(Attempt.id, User.display_name, Attempt.number, Attempt.submitted_at, Attempt.percent,
               Attempt.passed, Attempt.overridden)
        .join(User, User.id == Attempt.user_id)
        .where(*_graded(session, actor, exam_id))
        .order_by(User.display_name, Attempt.number, Attempt.id).offset(max(0, offset)).limit(limit)).all()
    return pd.DataFrame(rows, columns=["attempt_id", "learner", "number", "submitted_at", "percent", "passed",
                                       "overridden"])


@permission(MARK)
def graded_count(session: Session, actor: Actor, exam_id: int) -> int:
    """How many graded attempts `graded_attempts` pages through."""
    return session.exec(select(func.count()).select_from(Attempt).where(*_graded(session, actor, exam_id))).one()


def _graded(session: Session, actor: Actor, exam_id: int) -> tuple:
    return (Attempt.exam_id == exam_id, Attempt.status == "graded", Attempt.user_id != actor.id,
            permissions.people_filter(session, actor, MARK))
