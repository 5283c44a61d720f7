"""A learner's exams: upcoming, open (with any attempt in progress and its time left), results.

Results show marks and right answers only as the exam's review options allow.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from portal.clock import utcnow
from portal.models import Attempt
from portal.quizzes import exams as exams_service
from portal.quizzes.attempts import finalise_expired, review_allows, seconds_left
from portal.permissions import permission
from portal.quizzes.results import final_grades
from portal.roles import Actor


@dataclass(frozen=True)
class MyAttempt:
    attempt_id: int
    number: int
    status: str  # in_progress | needs_marking | graded
    submitted_at: datetime | None
    percent: float | None  # None while hidden by the review options
    passed: bool | None
    comment: str
    answers_visible: bool


@dataclass(frozen=True)
class MyExam:
    exam_id: int
    code: str
    kind: str
    title: str
    description: str
    window: str  # upcoming | open | closed
    open_at: datetime | None
    close_at: datetime | None
    time_limit_minutes: int | None
    pass_mark: float
    grading: str
    attempts_allowed: int
    attempts_used: int
    in_progress_id: int | None
    deadline_at: datetime | None
    seconds_left: int | None
    marks_visible: bool
    final_percent: float | None  # by the grading method; None while hidden or nothing graded
    final_passed: bool | None
    attempts: list[MyAttempt] = field(default_factory=list)

    @property
    def attempts_left(self) -> int | None:
        """Attempts the learner may still start; None when unlimited."""
        return max(0, self.attempts_allowed - self.attempts_used) if self.attempts_allowed else None

    @property
    def open_to_me(self) -> bool:
        """Listed under "Open now": open, nothing in progress, and an attempt left to use."""
        return self.window == "open" and self.in_progress_id is None and self.attempts_left != 0

    @property
    def can_start(self) -> bool:
        return self.kind == "written" and self.open_to_me


@permission("exams:sit")
def my_exams(session: Session, actor: Actor, *, now: datetime | None = None,
             language: str | None = None) -> list[MyExam]:
    """The learner's exams; titles in `language` (default: the actor's)."""
    now = now or utcnow()
    language = language or actor.language
    exams = exams_service.exams_for_learner(session, actor)
    finalise_expired(session, now=now, user_id=actor.id)
    attempts = session.exec(select(Attempt).where(Attempt.user_id == actor.id)
                            .order_by(Attempt.exam_id, Attempt.number)).all()
    by_exam: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_exam.setdefault(attempt.exam_id, []).append(attempt)
    grades = final_grades(session, [e for e in exams if e.id in by_exam], actor.id)  # one query, not one per exam
    return [_my_exam(exam, by_exam.get(exam.id, []), grades.get(exam.id, (None, None)), now, language)
            for exam in exams]


def _my_exam(exam, attempts: list[Attempt], grade: tuple[float | None, bool | None], now: datetime,
             language: str | None) -> MyExam:
    marks_visible = review_allows(exam.review_marks, exam, now)
    answers_visible = review_allows(exam.review_answers, exam, now)
    running = next((a for a in attempts if a.status == "in_progress"), None)
    percent, passed = grade if marks_visible else (None, None)
    return MyExam(
        exam_id=exam.id, code=exam.code, kind=exam.kind, title=exams_service.exam_title(exam, language),
        description=exams_service.exam_description(exam, language),
        window=exams_service.window_state(exam, now), open_at=exam.open_at, close_at=exam.close_at,
        time_limit_minutes=exam.time_limit_minutes, pass_mark=exam.pass_mark, grading=exam.grading,
        attempts_allowed=exam.attempts_allowed, attempts_used=len(attempts),
        in_progress_id=running.id if running else None, deadline_at=running.deadline_at if running else None,
        seconds_left=seconds_left(running, now) if running else None, marks_visible=marks_visible,
        final_percent=percent, final_passed=passed,
        attempts=[MyAttempt(a.id, a.number, a.status, a.submitted_at,
                            a.percent if marks_visible else None, a.passed if marks_visible else None,
                            a.comment if marks_visible else "", answers_visible and a.status != "in_progress")
                  for a in attempts])
