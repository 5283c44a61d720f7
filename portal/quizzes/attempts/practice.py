"""The engine's practice mode (`PRACTICE`): each answer is graded as it is saved, for its
feedback; no clock, no attempt limit (the quizzes themselves: portal/quizzes/practice.py)."""

import random
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import Attempt, AttemptAnswer, Exam, QuestionVersion
from portal.permissions import permission
from portal.quizzes import render
from portal.quizzes.attempts.engine import (PRACTICE, _add_answers, _answer_rows, _lock_learner, _new_attempt,
                                            _own_attempt, _store_response, clean_response, grade_attempt,
                                            grade_answer, question_payload, running_attempt_id)
from portal.quizzes.grading import Grade, is_complete_response, matched_pairs
from portal.roles import Actor


@permission("quizzes:practice")
def start_practice_attempt(session: Session, actor: Actor, exam: Exam, pool: list[str], language: str, *,
                           now: datetime | None = None, rng: random.Random | None = None) -> int:
    """Practice mode of starting: the attempt in progress at this quiz, or a new one drawing up to
    `pool_count` questions of `pool` at random (no clock, no attempt limit). A double click or a
    second tab finds the first attempt (the learner's starts are serialised, as for exams)."""
    now, rng = now or utcnow(), rng or random.Random()
    _lock_learner(session, actor.id)
    running = running_attempt_id(session, exam.id, actor.id)
    if running is not None:
        return running
    if not pool:
        raise ValidationFailed("quizbank.error.empty_pool")
    drawn = rng.sample(pool, min(exam.pool_count or len(pool), len(pool)))
    attempt = _new_attempt(session, exam, actor.id, language, now)
    _add_answers(session, attempt, exam, [(idnumber, None) for idnumber in drawn], rng)  # withdrawn since: skipped
    return attempt.id


@permission("quizzes:practice")
def answer_in_practice(session: Session, actor: Actor, attempt_id: int, slot: int,
                       response: Any) -> tuple[AttemptAnswer, Grade]:
    """Practice mode of saving: the response is checked as in an exam (`clean_response`) and graded
    at once, for its feedback; one answer per question. No response at all scores 0, as an
    unanswered question does when the attempt is finished (the page asks for an answer first)."""
    attempt = _own_attempt(session, actor, attempt_id, PRACTICE)
    if attempt.status != "in_progress":
        raise ValidationFailed(PRACTICE.closed)
    rows = _answer_rows(session, attempt.id, slot)
    if not rows:
        raise NotFound("quizbank.error.no_such_slot", slot=slot)
    answer, version, qtype = rows[0]
    if answer.mark is not None:
        raise ValidationFailed("quizbank.error.already_answered")
    payload = question_payload(version, qtype)
    require_complete(payload, response)
    _store_response(answer, clean_response(payload, response, slot=slot))
    result = grade_answer(answer, version, qtype)
    session.add(answer)
    session.flush()
    return answer, result


def require_complete(payload: dict, response: Any) -> None:
    """Refuse a partly matched response before it is graded as if it were the learner's answer
    (`grading.is_complete_response`, in practice's words; `clean_response` says it per slot)."""
    if render.response_is_empty(response) or is_complete_response(payload, response):
        return
    matched, total = matched_pairs(payload, response)
    raise ValidationFailed("quizbank.error.answer_every_pair", matched=matched, total=total)


@permission("quizzes:practice")
def finish_practice(session: Session, actor: Actor, attempt_id: int, now: datetime | None = None) -> Attempt:
    """Practice mode of submitting: unanswered questions score 0, the totals are the engine's.
    Finishing an attempt already finished (a double click) changes nothing and returns it."""
    attempt = _own_attempt(session, actor, attempt_id, PRACTICE)
    if attempt.status == "in_progress":
        grade_attempt(session, attempt, session.get(Exam, attempt.exam_id), submitted_at=now or utcnow())
    return attempt


@permission("quizzes:practice")
def practice_answers(session: Session, actor: Actor,
                     attempt_id: int) -> tuple[Attempt, list[tuple[AttemptAnswer, QuestionVersion, str]]]:
    """A practice attempt and its answers with the versions served, in slot order (nothing graded)."""
    attempt = _own_attempt(session, actor, attempt_id, PRACTICE)
    return attempt, [row for row in _answer_rows(session, attempt.id) if row[1] is not None]
