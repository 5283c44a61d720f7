"""Written and practical exams on the engine: starting (or resuming) an attempt, saving the
answers, submitting; a trainer opening a practical attempt for a learner."""

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attempt, AttemptAnswer, Exam, User
from portal.permissions import permission
from portal.quizzes import exams as exams_service
from portal.quizzes.attempts.engine import (_add_answers, _answer_rows, _lock_learner, _new_attempt, _own_attempt,
                                            _store_response, attempts_used, clean_response, finalise_expired,
                                            grade_attempt, is_expired, question_payload, running_attempt_id)
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission


@dataclass(frozen=True)
class SaveOutcome:
    """What `save_answers` did: the slots stored, the slots refused (with why), and the server's count."""
    saved: list[int]
    refused: dict[int, ValidationFailed]
    answered: int  # slots with an answer stored, after this save
    total: int


@dataclass(frozen=True)
class SubmitOutcome:
    attempt_id: int
    status: str
    late: bool  # the deadline had passed: the answers sent with the submission were not counted


# ----------------------------------------------------------------- starting


@permission("exams:sit")
def start_attempt(session: Session, actor: Actor, exam_id: int, *, now: datetime | None = None,
                  rng: random.Random | None = None) -> int:
    """Start a written exam, or return the attempt already in progress (same deadline)."""
    now = now or utcnow()
    exam = exams_service.get_exam(session, exam_id)
    if not exams_service.assigned_to(session, actor, exam):
        raise PermissionDenied("exams.error.not_assigned")
    if exam.kind != "written":
        raise ValidationFailed("exams.error.practical_by_trainer")
    return _start_or_resume(session, actor, exam, now, rng or random.Random())


@permission("exams:sit")
def start_drawn_attempt(session: Session, actor: Actor, exam_id: int, draw: Callable[[int], list[str]], *,
                        now: datetime | None = None) -> int:
    """`start_attempt` for an exam whose paper the caller draws per person (a contest round, see
    portal/contests/rounds.py): `draw(number)` gives the idnumbers of the person's attempt `number`.
    The caller has checked that the actor may sit it; the clock, the attempts allowed, the resume
    after a reload and the double-click lock are the engine's, as for any exam."""
    exam = session.get(Exam, exam_id)
    if exam is None:
        raise NotFound("exams.error.no_such_exam", exam=exam_id)
    return _start_or_resume(session, actor, exam, now or utcnow(), random.Random(), draw=draw)


def _start_or_resume(session: Session, actor: Actor, exam: Exam, now: datetime, rng: random.Random,
                     draw: Callable[[int], list[str]] | None = None) -> int:
    _lock_learner(session, actor.id)
    finalise_expired(session, now=now, exam_id=exam.id, user_id=actor.id)
    running = running_attempt_id(session, exam.id, actor.id)
    if running is not None:
        return running
    _check_may_start(session, exam, actor.id, now)
    return _create_written_attempt(session, exam, actor, now, rng, draw=draw).id


def _check_may_start(session: Session, exam: Exam, user_id: int, now: datetime) -> None:
    state = exams_service.window_state(exam, now)
    if state == "upcoming":
        raise ValidationFailed("exams.error.not_open_yet", exam=exam.title_en)
    if state == "closed":
        raise ValidationFailed("exams.error.closed", exam=exam.title_en)
    used = attempts_used(session, exam.id, user_id)
    if exam.attempts_allowed and used >= exam.attempts_allowed:
        raise ValidationFailed("exams.error.no_attempts_left", allowed=exam.attempts_allowed)


def _draw_paper(session: Session, exam: Exam, rng: random.Random) -> list[tuple[str, float | None]]:
    """(idnumber, mark or None for the question's default mark) per slot."""
    slots = exams_service.exam_slots(session, exam.id)
    if slots:
        return [(s.idnumber, s.mark) for s in slots]
    pool = exams_service.pool_idnumbers(session, json.loads(exam.pool_tags), exam.pool_match,
                                        json.loads(exam.pool_exclude_tags or "[]"))
    if not exam.pool_count or len(pool) < exam.pool_count:
        raise ValidationFailed("exams.error.pool_too_small", wanted=exam.pool_count or 0, available=len(pool))
    return [(idnumber, None) for idnumber in rng.sample(pool, exam.pool_count)]


def _create_written_attempt(session: Session, exam: Exam, actor: Actor, now: datetime,
                            rng: random.Random, draw: Callable[[int], list[str]] | None = None) -> Attempt:
    language = actor.language or "en"
    deadline = now + timedelta(minutes=exam.time_limit_minutes) if exam.time_limit_minutes else None
    if exam.close_at and (deadline is None or exam.close_at < deadline):
        deadline = exam.close_at
    attempt = _new_attempt(session, exam, actor.id, language, now, deadline_at=deadline)
    paper = [(idnumber, None) for idnumber in draw(attempt.number)] if draw else _draw_paper(session, exam, rng)
    for idnumber, _ in _add_answers(session, attempt, exam, paper, rng):
        raise ValidationFailed("exams.error.question_unavailable", question=idnumber)
    audit.record(session, actor_id=actor.id, action="exam.attempt_started", target=exam.code,
                 attempt=attempt.id, number=attempt.number)
    return attempt


@permission("exams:mark", subject="user_id")
def open_practical(session: Session, actor: Actor, exam_id: int, user_id: int, *,
                   now: datetime | None = None, submission_key: str | None = None) -> int:
    """A trainer opens a practical attempt for a learner; it waits in the marking queue.

    A second click with the same form's `submission_key` returns the attempt the first one opened.
    """
    now = now or utcnow()
    submission_key = checked_key(submission_key)
    if earlier := earlier_submission(session, Attempt, submission_key, owner_id=user_id):
        return earlier.id
    exam = exams_service.get_exam(session, exam_id)
    if exam.kind != "practical":
        raise ValidationFailed("exams.error.not_practical")
    if user_id == actor.id:
        raise PermissionDenied("exams.error.own_attempt")
    exams_service.require_sittable(exam, now)  # the exam's own state first: it is the reason, not the learner
    from portal.auth import actor_for

    user = session.get(User, user_id)
    if user is None or not exams_service.assigned_to(session, actor_for(session, user), exam):
        raise ValidationFailed("exams.error.learner_not_assigned")
    waiting = session.exec(select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.user_id == user_id,
                                                    Attempt.status == "needs_marking")).first()
    if waiting is not None:
        raise ValidationFailed("exams.error.practical_waiting", learner=user.display_name)
    _check_may_start(session, exam, user_id, now)
    rubric = exams_service.rubric_for(session, exam)
    attempt = Attempt(exam_id=exam.id, user_id=user_id, number=attempts_used(session, exam.id, user_id) + 1,
                      language=user.language or "en", status="needs_marking", started_at=now, submitted_at=now,
                      submission_key=submission_key)
    session.add(attempt)
    session.flush()
    for slot, (_, item) in enumerate(rubric.items(), start=1):
        session.add(AttemptAnswer(attempt_id=attempt.id, slot=slot, idnumber=item.id,
                                  max_mark=float(item.max_points)))
    audit.record(session, actor_id=actor.id, action="exam.practical_opened", target=exam.code,
                 attempt=attempt.id, user=user.username)
    return attempt.id


# ----------------------------------------------------------------- answering and submitting


@permission("exams:sit")
def save_answers(session: Session, actor: Actor, attempt_id: int, responses: dict[int, Any], *,
                 now: datetime | None = None) -> SaveOutcome:
    """Save each response by slot on its own: a bad one is refused (with its reason) and never
    stops the others. The whole batch is refused only when the attempt takes no answers
    (someone else's, submitted, or past its deadline)."""
    now = now or utcnow()
    attempt = _own_attempt(session, actor, attempt_id)
    if attempt.status != "in_progress":
        raise ValidationFailed("exams.error.attempt_closed")
    if is_expired(attempt, now):
        raise ValidationFailed("exams.error.time_up")
    rows = {answer.slot: (answer, version, qtype) for answer, version, qtype in _answer_rows(session, attempt_id)}
    saved, refused = [], {}
    for slot, response in responses.items():
        slot = int(slot)
        try:
            if slot not in rows:
                raise ValidationFailed("exams.error.no_such_slot", slot=slot)
            answer, version, qtype = rows[slot]
            cleaned = clean_response(question_payload(version, qtype), response, slot=slot)
        except ValidationFailed as refusal:
            refused[slot] = refusal
            continue
        _store_response(answer, cleaned)
        session.add(answer)
        saved.append(slot)
    session.flush()
    answered = sum(1 for answer, _, _ in rows.values() if answer.response is not None)
    return SaveOutcome(saved=sorted(saved), refused=refused, answered=answered, total=len(rows))


@permission("exams:sit")
def submit_attempt(session: Session, actor: Actor, attempt_id: int, responses: dict[int, Any] | None = None, *,
                   now: datetime | None = None) -> SubmitOutcome:
    """Save the last responses (if in time; a refused one is left out, as when saving) and grade.
    After the deadline the attempt is finalised with the answers saved in time only, and `late`
    says so. Submitting an attempt already submitted (a double click) changes nothing and returns
    its outcome."""
    now = now or utcnow()
    attempt = _own_attempt(session, actor, attempt_id)
    if attempt.status != "in_progress":
        return SubmitOutcome(attempt.id, attempt.status, late=False)
    exam = session.get(Exam, attempt.exam_id)
    if is_expired(attempt, now):
        grade_attempt(session, attempt, exam, submitted_at=attempt.deadline_at)
        return SubmitOutcome(attempt.id, attempt.status, late=True)
    if responses:
        save_answers(session, actor, attempt_id, responses, now=now)
    grade_attempt(session, attempt, exam, submitted_at=now)
    audit.record(session, actor_id=actor.id, action="exam.attempt_submitted", target=exam.code,
                 attempt=attempt.id, status=attempt.status)
    return SubmitOutcome(attempt.id, attempt.status, late=False)
