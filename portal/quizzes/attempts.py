"""Sitting a written exam: start, save answers, submit, and the server-side clock.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attempt, AttemptAnswer, Exam, Question, QuestionVersion, User
from portal.quizzes import attempt_marks, bank, exams as exams_service
from portal.quizzes import render
from portal.quizzes.grading import Grade, grade, is_complete_response, matched_pairs, parse_number
from portal import permissions
from portal.permissions import permission
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission

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


def _lock_learner(session: Session, user_id: int) -> None:
    """Serialise one person's starts (two tabs, a double click) so that only one attempt is created.

    PostgreSQL locks the person's row until commit; SQLite's transactions already take the
    writer lock up front (`portal.db.run_transaction`)."""
    session.exec(select(User.id).where(User.id == user_id).with_for_update()).first()


def _check_may_start(session: Session, exam: Exam, user_id: int, now: datetime) -> None:
    state = exams_service.window_state(exam, now)
    if state == "upcoming":
        raise ValidationFailed("exams.error.not_open_yet", exam=exam.title_en)
    if state == "closed":
        raise ValidationFailed("exams.error.closed", exam=exam.title_en)
    used = attempts_used(session, exam.id, user_id)
    if exam.attempts_allowed and used >= exam.attempts_allowed:
        raise ValidationFailed("exams.error.no_attempts_left", allowed=exam.attempts_allowed)


def attempts_used(session: Session, exam_id: int, user_id: int) -> int:
    return session.exec(select(func.count(Attempt.id)).where(Attempt.exam_id == exam_id,
                                                             Attempt.user_id == user_id)).one()


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


# ----------------------------------------------------------------- practice mode


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


# ----------------------------------------------------------------- submitting and grading


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


# ----------------------------------------------------------------- reading an attempt


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
