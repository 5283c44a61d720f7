"""Practice quizzes and the spaced review of missed product questions.

A practice quiz is an `Exam(kind="practice")` (seeded from
`quizzes/practice.yaml`): each attempt draws `pool_count` questions at
random from the questions carrying any of its `pool_tags`, served in the
learner's language. Each answer is graded at once and its feedback shown;
retries are unlimited; the score counts at the end.

A missed question tagged `product` gets an FSRS review card
(`ReviewCard`): rated Again when missed, Good when answered right, and
due cards come back in the review queue.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import fsrs
import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.i18n import localized_field
from portal.models import Attempt, Exam, QuestionVersion, ReviewCard
from portal.quizzes import attempts, bank, render
from portal.quizzes.grading import Grade, grade
from portal.permissions import permission
from portal.roles import Actor
from portal.settings import REPO_ROOT

PRACTICE = "practice"
PRACTISE = "quizzes:practice"
REVIEW_TAG = "product"
# Practice marks itself: essays (marked by hand) and descriptions (nothing to answer) are never drawn.
UNMARKED_QTYPES = ("essay", "description")
QUIZ_ROOT = REPO_ROOT / "quizzes"


# --- practice quizzes as exams ------------------------------------------------------------


@lru_cache
def _excluded_tags(root: Path = QUIZ_ROOT) -> dict[str, tuple[str, ...]]:
    """`exclude_tags` per practice id from practice.yaml (the exam table has no column for it)."""
    from portal.quizzes.specs import load_quiz_specs

    return {code: tuple(spec.exclude_tags) for code, spec in load_quiz_specs(root).practice.items()}


@permission("questions:bank")
def sync_practice_quizzes(session: Session, actor: Actor, specs: dict) -> list[str]:
    """Create or update one practice `Exam` per `PracticeSpec`; returns the codes created."""
    created = []
    for code, spec in specs.items():
        exam = session.exec(select(Exam).where(Exam.code == code)).first()
        if exam is None:
            exam = Exam(code=code, kind=PRACTICE, title_en="", title_zh="", attempts_allowed=0,
                        review_marks="immediately", review_answers="immediately",
                        created_by=actor.id)
            created.append(code)
        elif exam.kind != PRACTICE:
            raise ValidationFailed("quizbank.error.code_taken", code=code)
        exam.title_en, exam.title_zh = spec.title.en, spec.title.zh_CN
        if spec.description is not None:
            exam.description_en, exam.description_zh = spec.description.en, spec.description.zh_CN
        exam.pool_tags = json.dumps(list(spec.tags))
        exam.pool_match = "any"
        exam.pool_count = spec.count
        exam.shuffle_answers = spec.shuffle_answers
        session.add(exam)
    session.flush()
    return created


@dataclass(frozen=True)
class PracticeQuiz:
    exam_id: int
    code: str
    title: str
    description: str
    count: int  # questions per attempt
    available: int  # questions in the pool
    attempts: int  # finished attempts of this learner
    best_percent: float | None
    last_percent: float | None


def _title(exam: Exam, language: str) -> str:
    return localized_field(exam, "title", language)


def _description(exam: Exam, language: str) -> str:
    return localized_field(exam, "description", language)


def _pool(session: Session, exam: Exam) -> list[str]:
    return bank.eligible_idnumbers(session, json.loads(exam.pool_tags or "[]"), match=exam.pool_match,
                                   exclude_tags=_excluded_tags().get(exam.code, ()),
                                   exclude_qtypes=UNMARKED_QTYPES)


@permission(PRACTISE)
def list_practice_quizzes(session: Session, actor: Actor, language: str = "en") -> list[PracticeQuiz]:
    exams = session.exec(select(Exam).where(Exam.kind == PRACTICE, Exam.status == "published")
                         .order_by(Exam.id)).all()
    finished = session.exec(select(Attempt).where(Attempt.user_id == actor.id, Attempt.status == "graded",
                                                  Attempt.exam_id.in_([e.id for e in exams]))
                            .order_by(Attempt.submitted_at)).all()
    quizzes = []
    for exam in exams:
        mine = [a for a in finished if a.exam_id == exam.id]
        percents = [a.percent for a in mine if a.percent is not None]
        quizzes.append(PracticeQuiz(exam.id, exam.code, _title(exam, language), _description(exam, language),
                                    exam.pool_count or 0, len(_pool(session, exam)), len(mine),
                                    max(percents) if percents else None, percents[-1] if percents else None))
    return quizzes


def _practice_exam(session: Session, code: str) -> Exam:
    exam = session.exec(select(Exam).where(Exam.code == code, Exam.kind == PRACTICE)).first()
    if exam is None or exam.status != "published":
        raise NotFound("quizbank.error.no_such_practice", code=code)
    return exam


@permission(PRACTISE)
def open_attempt_id(session: Session, actor: Actor, code: str) -> int | None:
    """The learner's unfinished attempt at this practice quiz, if any."""
    return attempts.running_attempt_id(session, _practice_exam(session, code).id, actor.id)


@permission(PRACTISE)
def start_practice(session: Session, actor: Actor, code: str, language: str = "en",
                   rng: random.Random | None = None) -> int:
    """The attempt in progress at this quiz, or a new one with questions drawn at random; returns its id."""
    exam = _practice_exam(session, code)
    return attempts.start_practice_attempt(session, actor, exam, _pool(session, exam), language, rng=rng)


@dataclass(frozen=True)
class PracticeItem:
    slot: int
    idnumber: str
    version: QuestionVersion
    payload: dict
    layout: dict
    response: object
    grade: Grade | None  # None until answered

    @property
    def answered(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class PracticeAttempt:
    attempt: Attempt
    code: str
    title: str
    items: list[PracticeItem]

    @property
    def answered(self) -> int:
        return sum(item.answered for item in self.items)

    @property
    def next_item(self) -> PracticeItem | None:
        return next((item for item in self.items if not item.answered), None)


@permission(PRACTISE)
def get_practice_attempt(session: Session, actor: Actor, attempt_id: int, language: str = "en") -> PracticeAttempt:
    """The attempt as saved: each answered question with the grade kept when it was answered."""
    attempt, rows = attempts.practice_answers(session, actor, attempt_id)
    exam = session.get(Exam, attempt.exam_id)
    items = [PracticeItem(answer.slot, answer.idnumber, version, render.version_payload(version),
                          json.loads(answer.layout or "{}"), attempts.stored_response(answer),
                          attempts.stored_grade(answer))
             for answer, version, _ in rows]
    return PracticeAttempt(attempt, exam.code, _title(exam, language), items)


@permission(PRACTISE)
def answer_practice(session: Session, actor: Actor, attempt_id: int, slot: int, response,
                    now: datetime | None = None) -> Grade:
    """Grade one answer at once (practice gives immediate feedback); one answer per question.
    A missed product question goes into the learner's spaced review."""
    answer, result = attempts.answer_in_practice(session, actor, attempt_id, slot, response)
    _schedule_review(session, actor.id, answer.idnumber, result, now or utcnow())
    session.flush()
    return result


finish_practice = attempts.finish_practice  # the attempt engine's practice mode (one meaning of "percent")


@permission(PRACTISE)
def practice_history(session: Session, actor: Actor, language: str = "en") -> pd.DataFrame:
    """The learner's finished practice attempts, newest first."""
    rows = session.exec(select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
                        .where(Attempt.user_id == actor.id, Exam.kind == PRACTICE, Attempt.status == "graded")
                        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())).all()
    columns = ["attempt_id", "code", "quiz", "number", "submitted_at", "score", "max_score", "percent"]
    return pd.DataFrame([{"attempt_id": a.id, "code": e.code, "quiz": _title(e, language), "number": a.number,
                          "submitted_at": a.submitted_at, "score": a.score, "max_score": a.max_score,
                          "percent": a.percent} for a, e in rows], columns=columns)


def best_practice_scores(session: Session, user_id: int) -> dict[str, float]:
    """Practice id -> the best percent of this person's finished attempts (for onboarding's min_quiz_score)."""
    return best_practice_scores_of(session, [user_id]).get(user_id, {})


def best_practice_scores_of(session: Session, user_ids: list[int]) -> dict[int, dict[str, float]]:
    """`best_practice_scores` for many people in one query: user id -> practice id -> best percent."""
    if not user_ids:
        return {}
    rows = session.exec(select(Attempt.user_id, Exam.code, func.max(Attempt.percent))
                        .join(Exam, Exam.id == Attempt.exam_id)
                        .where(Attempt.user_id.in_(user_ids), Exam.kind == PRACTICE, Attempt.status == "graded",
                               Attempt.percent.is_not(None))
                        .group_by(Attempt.user_id, Exam.code)).all()
    scores: dict[int, dict[str, float]] = {}
    for user_id, code, best in rows:
        scores.setdefault(user_id, {})[code] = float(best)
    return scores


# --- spaced review (FSRS) -------------------------------------------------------------


def scheduler() -> fsrs.Scheduler:
    """A missed question comes back after 10 minutes; once right, FSRS spaces it out over days."""
    return fsrs.Scheduler(learning_steps=(timedelta(minutes=10),), relearning_steps=(timedelta(minutes=10),),
                          enable_fuzzing=False)


def _schedule_review(session: Session, user_id: int, idnumber: str, result: Grade, now: datetime) -> None:
    """Again when missed (a card is made for a product question), Good when right (only if a card exists)."""
    if result.fraction is None:
        return
    missed = not render.is_full_credit(result.fraction)
    card_row = session.get(ReviewCard, (user_id, idnumber))
    if card_row is None:
        if not missed or not bank.has_tag(session, idnumber, REVIEW_TAG):
            return
        card = fsrs.Card(due=now)
    else:
        card = fsrs.Card.from_dict(json.loads(card_row.card))
    card, _ = scheduler().review_card(card, fsrs.Rating.Again if missed else fsrs.Rating.Good, now)
    if card_row is None:
        card_row = ReviewCard(user_id=user_id, idnumber=idnumber, card="", due_at=card.due)
    card_row.card = json.dumps(card.to_dict())
    card_row.due_at = card.due
    session.add(card_row)


@dataclass(frozen=True)
class ReviewItem:
    idnumber: str
    due_at: datetime
    version: QuestionVersion
    payload: dict
    layout: dict


@permission(PRACTISE)
def count_due_reviews(session: Session, actor: Actor, now: datetime | None = None) -> int:
    return session.exec(select(func.count()).select_from(ReviewCard)
                        .where(ReviewCard.user_id == actor.id, ReviewCard.due_at <= (now or utcnow()))).one()


@permission(PRACTISE)
def due_reviews(session: Session, actor: Actor, language: str = "en",
                now: datetime | None = None) -> list[ReviewItem]:
    """The learner's review cards that are due, oldest first, served in `language`."""
    cards = session.exec(select(ReviewCard).where(ReviewCard.user_id == actor.id,
                                                  ReviewCard.due_at <= (now or utcnow()))
                         .order_by(ReviewCard.due_at, ReviewCard.idnumber)).all()
    items = []
    for card in cards:
        version = bank.serve_version(session, card.idnumber, language)
        if version is None:  # archived or withdrawn since
            continue
        payload = render.version_payload(version)
        rng = random.Random(f"{actor.id}:{card.idnumber}:{card.due_at.isoformat()}")
        items.append(ReviewItem(card.idnumber, card.due_at, version, payload, render.make_layout(payload, True, rng)))
    return items


@dataclass(frozen=True)
class ReviewOutcome:
    grade: Grade
    next_due: datetime


@permission(PRACTISE)
def answer_review(session: Session, actor: Actor, idnumber: str, response, language: str = "en",
                  now: datetime | None = None) -> ReviewOutcome:
    """Grade a review answer and reschedule its card (Again when missed, Good when right)."""
    now = now or utcnow()
    card_row = session.get(ReviewCard, (actor.id, idnumber))
    if card_row is None:
        raise NotFound("quizbank.error.no_such_review")
    version = bank.serve_version(session, idnumber, language)
    if version is None:
        raise NotFound("quizbank.error.no_such_review")
    payload = render.version_payload(version)
    attempts.require_complete(payload, response)
    result = grade(payload, response)
    _schedule_review(session, actor.id, idnumber, result, now)
    session.flush()
    return ReviewOutcome(result, session.get(ReviewCard, (actor.id, idnumber)).due_at)


@permission(PRACTISE)
def review_schedule(session: Session, actor: Actor) -> pd.DataFrame:
    """All of the learner's review cards with their next due time."""
    cards = session.exec(select(ReviewCard).where(ReviewCard.user_id == actor.id).order_by(ReviewCard.due_at)).all()
    return pd.DataFrame([{"idnumber": c.idnumber, "due_at": c.due_at} for c in cards], columns=["idnumber", "due_at"])
