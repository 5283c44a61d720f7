"""The attempt engine shared by exams and practice: the modes, the questions served, the clock,
ownership, cleaning and storing a response, grading and the totals.

Sitting a written exam: start, save answers, submit, and the server-side clock.

The clock lives in the database: `deadline_at = min(started_at + time limit,
close_at)`, fixed when the attempt starts. Starting again while an attempt is
in progress returns that attempt, so a refresh never resets the clock.
Answers arriving after the deadline are refused and never counted; an
attempt still in progress after its deadline is finalised on the next touch
(by anyone's request) with only the answers saved in time, and counts as
submitted at the deadline.

Practical exams are not sat on screen: a trainer opens an attempt for a
learner (`open_practical`), which goes straight into the marking queue.

Practice quizzes (`portal/quizzes/practice.py`) are a *mode* of this engine
(`PRACTICE`): the same ownership check, the same `clean_response`, the same
grading of one answer (`grade_answer`, which keeps the mark and the feedback
earned on the answer row) and the same totals in SQL (`update_totals`: one
meaning of "percent", rounded to 4 decimals). What differs is when an answer
is graded: practice grades each answer as it is saved (its feedback shows at
once, and it cannot be changed), exams grade on submit. Nothing is graded when
an attempt is read: pages show the stored mark and feedback (`stored_grade`).
"""

import json
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal import permissions
from portal.clock import utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attempt, AttemptAnswer, Exam, Question, QuestionVersion, User
from portal.quizzes import attempt_marks, bank, render
from portal.quizzes.grading import Grade, grade, is_complete_response, matched_pairs, parse_number
from portal.roles import Actor

MAX_TEXT = 20_000
MAX_SHORT_TEXT = 1_000


@dataclass(frozen=True)
class Mode:
    """One way of sitting an attempt: who may, which exams, what its refusals say, when answers are graded."""
    action: str  # the permission over the attempt's taker
    kind: str | None  # the exam kind its attempts belong to (None: any; exams check kinds where they start)
    no_such_attempt: str  # error keys
    not_yours: str
    closed: str
    grade_on_save: bool  # practice: each answer graded as saved, for its feedback; exams: all on submit


WRITTEN = Mode("exams:sit", None, "exams.error.no_such_attempt", "exams.error.not_your_attempt",
               "exams.error.attempt_closed", grade_on_save=False)
PRACTICE = Mode("quizzes:practice", "practice", "quizbank.error.no_such_attempt", "quizbank.error.not_your_attempt",
                "quizbank.error.attempt_finished", grade_on_save=True)


# ----------------------------------------------------------------- the bank


def serve_version(session: Session, idnumber: str, language: str) -> tuple[QuestionVersion, str] | None:
    """The bank's published version of `idnumber` for `language` (see bank.serve_version), and its qtype."""
    version = bank.serve_version(session, idnumber, language)
    if version is None:
        return None
    return version, session.get(Question, version.question_id).qtype


def question_payload(version: QuestionVersion, qtype: str) -> dict:
    """The grading payload (render.version_payload) with the question's type."""
    return {**render.version_payload(version), "qtype": qtype}


# ----------------------------------------------------------------- the clock


def is_expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now >= attempt.deadline_at


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    if attempt.status != "in_progress" or attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def _expired_query(now: datetime, exam_id: int | None, user_id: int | None):
    query = select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at.is_not(None),
                                  Attempt.deadline_at <= now)
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    return query


def has_expired(session: Session, *, now: datetime, exam_id: int | None = None, user_id: int | None = None) -> bool:
    """Whether `finalise_expired` has work to do (a read: pages call it before writing)."""
    return session.exec(_expired_query(now, exam_id, user_id).limit(1)).first() is not None


def finalise_expired(session: Session, *, now: datetime | None = None, exam_id: int | None = None,
                     user_id: int | None = None) -> int:
    """Grade every in-progress attempt past its deadline, as submitted at the deadline."""
    expired = session.exec(_expired_query(now or utcnow(), exam_id, user_id)).all()
    for attempt in expired:
        grade_attempt(session, attempt, session.get(Exam, attempt.exam_id), submitted_at=attempt.deadline_at)
    return len(expired)


# ----------------------------------------------------------------- creating an attempt


def _lock_learner(session: Session, user_id: int) -> None:
    """Serialise one person's starts (two tabs, a double click) so that only one attempt is created.

    PostgreSQL locks the person's row until commit; SQLite's transactions already take the
    writer lock up front (`portal.db.run_transaction`)."""
    session.exec(select(User.id).where(User.id == user_id).with_for_update()).first()


def attempts_used(session: Session, exam_id: int, user_id: int) -> int:
    return session.exec(select(func.count(Attempt.id)).where(Attempt.exam_id == exam_id,
                                                             Attempt.user_id == user_id)).one()


def _new_attempt(session: Session, exam: Exam, user_id: int, language: str, now: datetime, **fields) -> Attempt:
    attempt = Attempt(exam_id=exam.id, user_id=user_id, language=language, status="in_progress",
                      number=attempts_used(session, exam.id, user_id) + 1, started_at=now, **fields)
    session.add(attempt)
    session.flush()
    return attempt


def _add_answers(session: Session, attempt: Attempt, exam: Exam, paper: list[tuple[str, float | None]],
                 rng: random.Random) -> list[tuple[str, float | None]]:
    """One answer row per question of the paper, served in the attempt's language, numbered from 1;
    returns the questions that could not be served (none in that language any more)."""
    unavailable, slot = [], 0
    for idnumber, mark in paper:
        served = serve_version(session, idnumber, attempt.language)
        if served is None:
            unavailable.append((idnumber, mark))
            continue
        version, qtype = served
        slot += 1
        payload = question_payload(version, qtype)
        session.add(AttemptAnswer(attempt_id=attempt.id, slot=slot, idnumber=idnumber,
                                  question_version_id=version.id,
                                  layout=json.dumps(render.make_layout(payload, exam.shuffle_answers, rng)),
                                  max_mark=float(mark if mark is not None else version.default_mark)))
    session.flush()
    return unavailable


def running_attempt_id(session: Session, exam_id: int, user_id: int) -> int | None:
    """The person's attempt in progress at this exam or practice quiz, if any (there is at most one)."""
    return session.exec(select(Attempt.id).where(Attempt.exam_id == exam_id, Attempt.user_id == user_id,
                                                 Attempt.status == "in_progress")
                        .order_by(Attempt.id.desc())).first()


# ----------------------------------------------------------------- answering


def _own_attempt(session: Session, actor: Actor, attempt_id: int, mode: Mode = WRITTEN) -> Attempt:
    """The actor's own attempt in this mode, or NotFound / PermissionDenied in the mode's words."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound(mode.no_such_attempt, attempt=attempt_id)
    if not permissions.may(session, actor, mode.action, attempt.user_id):  # one's own attempt only
        raise PermissionDenied(mode.not_yours)
    if mode.kind is not None and session.get(Exam, attempt.exam_id).kind != mode.kind:
        raise NotFound(mode.no_such_attempt, attempt=attempt_id)
    return attempt


def _answer_rows(session: Session, attempt_id: int,
                 slot: int | None = None) -> list[tuple[AttemptAnswer, QuestionVersion | None, str | None]]:
    query = (select(AttemptAnswer, QuestionVersion, Question.qtype)
             .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id, isouter=True)
             .join(Question, Question.id == QuestionVersion.question_id, isouter=True)
             .where(AttemptAnswer.attempt_id == attempt_id).order_by(AttemptAnswer.slot))
    if slot is not None:
        query = query.where(AttemptAnswer.slot == slot)
    return list(session.exec(query).all())


def _store_response(answer: AttemptAnswer, cleaned: Any) -> None:
    """Keep a response already through `clean_response` (None: unanswered)."""
    answer.response = None if cleaned is None else json.dumps(cleaned, ensure_ascii=False)


def stored_response(answer: AttemptAnswer) -> Any:
    return json.loads(answer.response) if answer.response else None


def clean_response(payload: dict, response: Any, *, slot: int = 0) -> Any:
    """The response in grading.py's shape, or ValidationFailed naming the slot."""
    qtype = payload.get("qtype")
    if response is None or response == "" or response == [] or response == {}:
        return None

    def bad():
        return ValidationFailed("exams.error.bad_response", slot=slot)

    if qtype == "multichoice":
        count = len(payload.get("answers", []))
        if payload.get("single", True):
            if isinstance(response, bool) or not isinstance(response, int) or not 0 <= response < count:
                raise bad()
            return response
        if not isinstance(response, (list, tuple)) or any(
                isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < count for i in response):
            raise bad()
        return sorted(set(response))
    if qtype == "truefalse":
        if not isinstance(response, bool):
            raise bad()
        return response
    if qtype in ("shortanswer", "essay"):
        limit = MAX_TEXT if qtype == "essay" else MAX_SHORT_TEXT
        if not isinstance(response, str) or len(response) > limit:
            raise ValidationFailed("exams.error.text_too_long", slot=slot, limit=limit)
        return response.strip() or None
    if qtype == "numerical":
        if parse_number(response) is None:
            raise ValidationFailed("exams.error.not_a_number", slot=slot)
        return response if isinstance(response, (int, float)) else str(response).strip()
    if qtype == "match":
        if not isinstance(response, dict):
            raise bad()
        count = len(payload.get("subquestions", []))
        choices = {str(p.get("answer", "")) for p in payload.get("subquestions", [])}
        out = {}
        for key, value in response.items():
            if not str(key).isdigit() or not 0 <= int(key) < count or (value and str(value) not in choices):
                raise bad()
            if value:
                out[str(int(key))] = str(value)
        if out and not is_complete_response(payload, out):
            matched, total = matched_pairs(payload, out)
            raise ValidationFailed("exams.error.answer_every_pair", slot=slot, matched=matched, total=total)
        return out or None
    return None


# ----------------------------------------------------------------- grading and totals


def grade_attempt(session: Session, attempt: Attempt, exam: Exam, *, submitted_at: datetime) -> None:
    """Grade every answer not graded yet (practice graded its answers as they were saved; an
    unanswered one scores 0); essays wait for a trainer (status needs_marking)."""
    needs_marking = False
    for answer, version, qtype in _answer_rows(session, attempt.id):
        if version is None:
            needs_marking = needs_marking or answer.mark is None
            continue
        if answer.mark is None and grade_answer(answer, version, qtype).needs_marking:
            needs_marking = True
        session.add(answer)
    attempt.submitted_at = submitted_at
    session.flush()
    update_totals(session, attempt, exam, needs_marking=needs_marking)


def grade_answer(answer: AttemptAnswer, version: QuestionVersion, qtype: str) -> Grade:
    """Grade one stored response and keep the mark and the feedback it earned on the answer
    (a mark of None: it waits for a trainer). The one place an answer of an attempt is graded."""
    result = grade(question_payload(version, qtype), stored_response(answer))
    answer.mark = None if result.needs_marking else round(result.fraction * answer.max_mark, 7)
    answer.feedback = json.dumps(result.feedback, ensure_ascii=False)
    return result


def stored_grade(answer: AttemptAnswer) -> Grade | None:
    """The grade kept when the answer was graded (None: not graded yet), without grading again."""
    if answer.mark is None:
        return None
    return Grade(answer.mark / answer.max_mark if answer.max_mark else 0.0, json.loads(answer.feedback or "[]"))


def update_totals(session: Session, attempt: Attempt, exam: Exam, *, needs_marking: bool) -> None:
    """Score, percent and status from the answers' marks; once graded, the packed marks item analysis reads."""
    score, max_score = session.exec(
        select(func.coalesce(func.sum(AttemptAnswer.mark), 0.0), func.coalesce(func.sum(AttemptAnswer.max_mark), 0.0))
        .where(AttemptAnswer.attempt_id == attempt.id)).one()
    attempt.score, attempt.max_score = float(score), float(max_score)
    if needs_marking:
        attempt.status, attempt.percent, attempt.passed = "needs_marking", None, None
    else:
        attempt.status = "graded"
        attempt.percent = round(100.0 * score / max_score, 4) if max_score else 0.0
        attempt.passed = attempt.percent >= exam.pass_mark
        attempt_marks.store(session, attempt.id)
    session.add(attempt)
