"""Reading an attempt: what its taker may see (the exam's review options) and what a trainer sees."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal import permissions
from portal.clock import utcnow
from portal.errors import NotFound, PermissionDenied
from portal.models import Attempt, AttemptAnswer, Exam, QuestionVersion
from portal.permissions import permission
from portal.quizzes import exams as exams_service
from portal.quizzes.attempts.engine import (_answer_rows, _own_attempt, grade_attempt, is_expired, question_payload,
                                            seconds_left)
from portal.roles import Actor


@dataclass(frozen=True)
class AttemptQuestion:
    slot: int
    idnumber: str
    qtype: str
    name: str
    text: str
    text_format: str
    payload: dict
    layout: dict
    response: Any
    max_mark: float
    mark: float | None  # None when hidden by the review options or not marked yet
    comment: str
    general_feedback: str  # "" unless right answers may be shown
    version_id: int | None = None  # the question version served: its images are read for it


@dataclass(frozen=True)
class AttemptView:
    attempt_id: int
    exam_id: int
    exam_code: str
    title: str
    kind: str
    user_id: int
    number: int
    status: str
    started_at: datetime
    deadline_at: datetime | None
    submitted_at: datetime | None
    seconds_left: int | None  # None: no time limit or not in progress
    show_marks: bool
    show_answers: bool
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    comment: str
    questions: list[AttemptQuestion] = field(default_factory=list)

    @property
    def answered(self) -> int:
        """Questions with an answer stored on the server (what counts if submitted now)."""
        return sum(1 for question in self.questions if question.response is not None)

    @property
    def unanswered(self) -> int:
        return len(self.questions) - self.answered


def review_allows(when: str, exam: Exam, now: datetime) -> bool:
    """Review option: immediately, after the close date (none set: never), or never."""
    if when == "immediately":
        return True
    if when == "after_close":
        return exam.close_at is not None and now >= exam.close_at
    return False


@permission("exams:attempt_read")
def attempt_view(session: Session, actor: Actor, attempt_id: int, *, now: datetime | None = None,
                 language: str | None = None) -> AttemptView:
    """An attempt for its taker (marks and answers as the review options allow) or a trainer (all)."""
    now = now or utcnow()
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("exams.error.no_such_attempt", attempt=attempt_id)
    if not permissions.may(session, actor, "exams:attempt_read", attempt.user_id):
        raise PermissionDenied("exams.error.not_your_attempt")
    staff = attempt.user_id != actor.id  # allowed over someone else: a trainer, who sees all
    exam = session.get(Exam, attempt.exam_id)
    if attempt.status == "in_progress" and is_expired(attempt, now):
        grade_attempt(session, attempt, exam, submitted_at=attempt.deadline_at)
    done = attempt.status != "in_progress"
    show_marks = done and (staff or review_allows(exam.review_marks, exam, now))
    show_answers = done and (staff or review_allows(exam.review_answers, exam, now))
    questions = [_question_of(answer, version, qtype, show_marks, show_answers)
                 for answer, version, qtype in _answer_rows(session, attempt.id)]
    return AttemptView(
        attempt_id=attempt.id, exam_id=exam.id, exam_code=exam.code,
        title=exams_service.exam_title(exam, language or actor.language), kind=exam.kind, user_id=attempt.user_id,
        number=attempt.number, status=attempt.status, started_at=attempt.started_at,
        deadline_at=attempt.deadline_at, submitted_at=attempt.submitted_at,
        seconds_left=seconds_left(attempt, now), show_marks=show_marks, show_answers=show_answers,
        score=attempt.score if show_marks else None, max_score=attempt.max_score,
        percent=attempt.percent if show_marks else None, passed=attempt.passed if show_marks else None,
        comment=attempt.comment if show_marks else "", questions=questions)


@permission("exams:sit")
def own_attempt_view(session: Session, actor: Actor, attempt_id: int, *, now: datetime | None = None,
                     language: str | None = None) -> AttemptView:
    """`attempt_view` for the attempt's taker only: a link to anyone else's attempt is refused,
    whoever follows it (trainers read attempts in the marking pages)."""
    _own_attempt(session, actor, attempt_id)
    return attempt_view(session, actor, attempt_id, now=now, language=language)


def _question_of(answer: AttemptAnswer, version: QuestionVersion | None, qtype: str | None,
                 show_marks: bool, show_answers: bool) -> AttemptQuestion:
    payload = question_payload(version, qtype) if version is not None else {"qtype": "rubric"}
    if not show_answers:
        payload = _without_answers(payload)
    return AttemptQuestion(
        slot=answer.slot, idnumber=answer.idnumber, qtype=payload["qtype"],
        name=version.name if version else answer.idnumber, text=version.questiontext if version else "",
        text_format=version.questiontextformat if version else "plain", payload=payload,
        layout=json.loads(answer.layout or "{}"),
        response=json.loads(answer.response) if answer.response else None, max_mark=answer.max_mark,
        mark=answer.mark if show_marks else None, comment=answer.comment if show_marks else "",
        general_feedback=(version.generalfeedback if version and show_answers else ""),
        version_id=version.id if version is not None else None)


def _without_answers(payload: dict) -> dict:
    """What the answer widgets need, without fractions, feedback or right answers.

    Matching questions keep their pairs: the widget lists the answers as choices.
    """
    clean = {key: payload[key] for key in ("qtype", "single", "questiontextformat", "subquestions") if key in payload}
    if payload.get("qtype") == "multichoice":
        clean["answers"] = [{"text": a.get("text", ""), "fraction": 0.0} for a in payload.get("answers", [])]
    return clean
