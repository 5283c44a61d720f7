"""Graded exams: setting them up, assigning them to cohorts, and who may sit them.

Assignment rule: an exam assigned to one or more cohorts is seen only by
learners (new hires and agents) in those cohorts; an exam assigned to no
cohort is seen by every learner. Only published exams are shown, and a
learner may start one only between its open and close dates.

Written exams take either a fixed paper (`ExamSlot` rows, by idnumber so both
languages share a slot) or `pool_count` questions drawn per attempt from the
published questions carrying the pool tags. Practical exams point at a rubric.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import localized_field
from portal.models import (Attempt, Cohort, Exam, ExamCohort, ExamSlot, Question, QuestionTag,
                           QuestionVersion, Rubric)
from portal.quizzes.specs import ExamSpec, RubricSpec, pool_matches
from portal.permissions import allowed_at_all, answers, permission
from portal.roles import LEARNERS, Actor
from portal.submissions import checked_key, earlier_submission

GRADED_KINDS = ("written", "practical")
GRADING_METHODS = ("highest", "last", "first", "average")
REVIEW_WHEN = ("immediately", "after_close", "never")
CRITICAL_MISS = ("fail_exam", "zero_section")
LEARNER_ROLES = LEARNERS
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,79}$")
MAX_TIME_LIMIT = 600


@dataclass
class ExamSettings:
    """Everything a trainer sets on an exam (the create/edit form)."""

    code: str
    kind: str
    title_en: str
    title_zh: str
    description_en: str = ""
    description_zh: str = ""
    status: str = "published"
    time_limit_minutes: int | None = None
    pass_mark: float = 80.0
    attempts_allowed: int = 1
    grading: str = "highest"
    shuffle_answers: bool = True
    open_at: datetime | None = None
    close_at: datetime | None = None
    review_marks: str = "immediately"
    review_answers: str = "after_close"
    questions: list[str] = field(default_factory=list)  # fixed paper, by idnumber
    question_marks: list[float] = field(default_factory=list)  # same length as questions, or empty (1 each)
    pool_tags: list[str] = field(default_factory=list)
    pool_match: str = "any"
    pool_exclude_tags: list[str] = field(default_factory=list)
    pool_count: int | None = None
    rubric_code: str | None = None
    critical_miss: str = "fail_exam"
    cohort_ids: list[int] = field(default_factory=list)


# ----------------------------------------------------------------- the bank, read-only


def bank_entries(session: Session) -> dict[str, frozenset[str]]:
    """idnumber -> tags (lower case, all languages) of every question that can be served."""
    rows = session.exec(
        select(Question.idnumber, QuestionTag.tag)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .join(QuestionTag, QuestionTag.question_id == Question.id, isouter=True)
        .where(Question.archived.is_(False), QuestionVersion.status == "published")).all()
    tags: dict[str, set[str]] = {}
    for idnumber, tag in rows:
        tags.setdefault(idnumber, set())
        if tag:
            tags[idnumber].add(tag.lower())
    return {k: frozenset(v) for k, v in tags.items()}


def bank_tags(session: Session) -> list[str]:
    return sorted({tag for tags in bank_entries(session).values() for tag in tags})


def pool_idnumbers(session: Session, tags, match: str = "any", exclude_tags=()) -> list[str]:
    """The idnumbers a pool draws from, sorted (the draw itself is random)."""
    return sorted(i for i, t in bank_entries(session).items() if pool_matches(t, tags, match, exclude_tags))


# ----------------------------------------------------------------- reading exams


def get_exam(session: Session, exam_ref) -> Exam:
    """An exam by numeric id or by code (the CLI accepts both)."""
    exam = None
    if isinstance(exam_ref, int) or (isinstance(exam_ref, str) and exam_ref.strip().isdigit()):
        exam = session.get(Exam, int(exam_ref))
    if exam is None and isinstance(exam_ref, str):
        exam = session.exec(select(Exam).where(Exam.code == exam_ref.strip())).first()
    if exam is None or exam.kind not in GRADED_KINDS:
        raise NotFound("exams.error.no_such_exam", exam=exam_ref)
    return exam


def exam_title(exam: Exam, language: str | None) -> str:
    return localized_field(exam, "title", language)


def exam_description(exam: Exam, language: str | None) -> str:
    return localized_field(exam, "description", language)


def exam_slots(session: Session, exam_id: int) -> list[ExamSlot]:
    return list(session.exec(select(ExamSlot).where(ExamSlot.exam_id == exam_id).order_by(ExamSlot.slot)).all())


def exam_cohort_ids(session: Session, exam_id: int) -> list[int]:
    return sorted(session.exec(select(ExamCohort.cohort_id).where(ExamCohort.exam_id == exam_id)).all())


def rubric_for(session: Session, exam: Exam) -> RubricSpec:
    """The exam's rubric, with the exam's own critical-miss rule applied."""
    rubric = session.get(Rubric, exam.rubric_id) if exam.rubric_id else None
    if rubric is None:
        raise ValidationFailed("exams.error.no_rubric", exam=exam.code)
    spec = RubricSpec.model_validate(json.loads(rubric.spec))
    return spec.model_copy(update={"critical_miss": exam.critical_miss})


def rubric_codes(session: Session) -> list[str]:
    return list(session.exec(select(Rubric.code).order_by(Rubric.code)).all())


def settings_of(session: Session, exam: Exam) -> ExamSettings:
    slots = exam_slots(session, exam.id)
    rubric = session.get(Rubric, exam.rubric_id) if exam.rubric_id else None
    return ExamSettings(
        code=exam.code, kind=exam.kind, title_en=exam.title_en, title_zh=exam.title_zh,
        description_en=exam.description_en, description_zh=exam.description_zh, status=exam.status,
        time_limit_minutes=exam.time_limit_minutes, pass_mark=exam.pass_mark,
        attempts_allowed=exam.attempts_allowed, grading=exam.grading, shuffle_answers=exam.shuffle_answers,
        open_at=exam.open_at, close_at=exam.close_at, review_marks=exam.review_marks,
        review_answers=exam.review_answers, questions=[s.idnumber for s in slots],
        question_marks=[s.mark for s in slots], pool_tags=json.loads(exam.pool_tags or "[]"),
        pool_match=exam.pool_match, pool_exclude_tags=json.loads(exam.pool_exclude_tags or "[]"),
        pool_count=exam.pool_count, rubric_code=rubric.code if rubric else None,
        critical_miss=exam.critical_miss, cohort_ids=exam_cohort_ids(session, exam.id))


STATE_ORDER = ("open", "upcoming", "draft", "closed", "archived")  # useful first


def exam_state(status: str, open_at: datetime | None, close_at: datetime | None, now: datetime) -> str:
    """What a trainer needs to know at a glance: open | upcoming | draft | closed | archived."""
    if status != "published":
        return status
    if open_at and now < open_at:
        return "upcoming"
    if close_at and now >= close_at:
        return "closed"
    return "open"


EXAM_COLUMNS = ["id", "code", "kind", "title_en", "title_zh", "status", "time_limit_minutes", "pass_mark",
                "attempts_allowed", "grading", "open_at", "close_at"]


@permission("exams:author")
def list_exams(session: Session, actor: Actor, *, now: datetime | None = None) -> pd.DataFrame:
    """Every graded exam with its setup, counts and `state`, for trainers: open first, archived last."""
    attempts = (select(Attempt.exam_id, func.count(Attempt.id).label("attempts"),
                       func.sum(case((Attempt.status == "needs_marking", 1), else_=0)).label("to_mark"))
                .group_by(Attempt.exam_id).subquery())
    query = (select(*(getattr(Exam, c) for c in EXAM_COLUMNS), func.coalesce(attempts.c.attempts, 0),
                    func.coalesce(attempts.c.to_mark, 0))
             .join(attempts, attempts.c.exam_id == Exam.id, isouter=True))
    return _listing(session, query, [*EXAM_COLUMNS, "attempts", "to_mark"], now or utcnow())


@permission("exams:author")
def exam_choices(session: Session, actor: Actor, *, now: datetime | None = None) -> pd.DataFrame:
    """`list_exams` without the counts (no pass over the attempts): for pickers of an exam."""
    return _listing(session, select(*(getattr(Exam, c) for c in EXAM_COLUMNS)), EXAM_COLUMNS, now or utcnow())


def _listing(session: Session, query, columns: list[str], now: datetime) -> pd.DataFrame:
    """The graded exams `query` selects, with their `state`: open first, archived last, then by code."""
    rows = session.exec(query.where(Exam.kind.in_(GRADED_KINDS)).order_by(Exam.code)).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["state"] = [exam_state(status, open_at, close_at, now) for status, open_at, close_at
                      in zip(frame["status"], frame["open_at"], frame["close_at"])]
    rank = frame["state"].map(STATE_ORDER.index)
    return frame.assign(_rank=rank).sort_values(["_rank", "code"], kind="stable").drop(columns="_rank") \
        .reset_index(drop=True)


@permission("exams:mark")
def open_practicals(session: Session, actor: Actor, *, now: datetime | None = None,
                    choices: pd.DataFrame | None = None) -> pd.DataFrame:
    """The practical exams a trainer can run now (published, inside their dates), for the "Start a practical"
    picker; from `choices` (`exam_choices`) if the caller has them already."""
    listing = exam_choices(session, actor, now=now) if choices is None else choices
    return listing[(listing["kind"] == "practical") & (listing["state"] == "open")].reset_index(drop=True)


def require_sittable(exam: Exam, now: datetime) -> None:
    """Refuse an exam nobody can sit now, naming why: archived, draft, not open yet, or closed."""
    state = exam_state(exam.status, exam.open_at, exam.close_at, now)
    if state != "open":
        raise ValidationFailed(f"exams.error.exam_{state}", exam=exam.title_en)


# ----------------------------------------------------------------- who may sit what


@answers("exams:sit")
def is_learner(actor: Actor) -> bool:
    return allowed_at_all(actor, "exams:sit")


def _assigned(actor: Actor):
    """The SQL rule: a published, graded exam assigned to the actor's cohort, or to no cohort (everyone)."""
    in_some_cohort = select(ExamCohort.exam_id).where(ExamCohort.exam_id == Exam.id)
    in_mine = in_some_cohort.where(ExamCohort.cohort_id == actor.cohort_id)
    return and_(Exam.kind.in_(GRADED_KINDS), Exam.status == "published",
                or_(~in_some_cohort.exists(), in_mine.exists()))


@answers("exams:sit")
def assigned_to(session: Session, actor: Actor, exam: Exam) -> bool:
    """Published, graded, and assigned to the actor's cohort (or to no cohort: everyone)."""
    if not is_learner(actor):
        return False
    return session.exec(select(Exam.id).where(Exam.id == exam.id, _assigned(actor))).first() is not None


@permission("exams:sit")
def exams_for_learner(session: Session, actor: Actor) -> list[Exam]:
    """The learner's exams in one query, however many there are."""
    return list(session.exec(select(Exam).where(_assigned(actor)).order_by(Exam.open_at, Exam.code)))


def window_state(exam: Exam, now: datetime) -> str:
    """upcoming | open | closed."""
    if exam.open_at and now < exam.open_at:
        return "upcoming"
    if exam.close_at and now >= exam.close_at:
        return "closed"
    return "open"


# ----------------------------------------------------------------- creating and editing


@permission("exams:author")
def save_exam(session: Session, actor: Actor, settings: ExamSettings, exam_id: int | None = None, *,
              submission_key: str | None = None) -> Exam:
    """Create (exam_id None) or update an exam, its paper and its cohorts. Trainers only.

    Once an exam has attempts its paper (questions or pool) is locked, so
    marks already given and item statistics keep meaning the same thing.
    A create carrying the `submission_key` of an earlier one (the form's idempotency key: a double
    click, a resend) returns the exam that one created instead of a second one.
    """
    submission_key = checked_key(submission_key) if exam_id is None else None
    if already := earlier_submission(session, Exam, submission_key, owner_id=actor.id, owner="created_by"):
        return already
    exam = session.get(Exam, exam_id) if exam_id else None
    if exam_id and exam is None:
        raise NotFound("exams.error.no_such_exam", exam=exam_id)
    rubric_id = _validate(session, settings, exam)
    has_attempts = exam is not None and session.exec(
        select(Attempt.id).where(Attempt.exam_id == exam.id).limit(1)).first() is not None
    if has_attempts and _paper_changed(session, exam, settings):
        raise ValidationFailed("exams.error.paper_locked")
    creating = exam is None
    exam = exam or Exam(code=settings.code, kind=settings.kind, title_en="", title_zh="",
                        created_by=actor.id, submission_key=submission_key)
    _apply(exam, settings, rubric_id)
    session.add(exam)
    session.flush()
    if not has_attempts:
        _replace_slots(session, exam, settings)
    _replace_cohorts(session, exam, settings.cohort_ids)
    audit.record(session, actor_id=actor.id,
                 action="exam.created" if creating else "exam.updated", target=exam.code, exam_id=exam.id)
    return exam


def _clean_list(values) -> list[str]:
    return [v.strip() for v in values or [] if v and v.strip()]


def _validate(session: Session, s: ExamSettings, exam: Exam | None) -> int | None:
    s.code = (s.code or "").strip().lower()
    s.title_en, s.title_zh = (s.title_en or "").strip(), (s.title_zh or "").strip()
    s.questions, s.pool_tags = _clean_list(s.questions), _clean_list(s.pool_tags)
    s.pool_exclude_tags = _clean_list(s.pool_exclude_tags)
    if not CODE_PATTERN.match(s.code):
        raise ValidationFailed("exams.error.bad_code", code=s.code)
    clash = session.exec(select(Exam.id).where(Exam.code == s.code)).first()
    if clash is not None and (exam is None or clash != exam.id):
        raise ValidationFailed("exams.error.code_taken", code=s.code)
    if s.kind not in GRADED_KINDS or (exam is not None and exam.kind != s.kind):
        raise ValidationFailed("exams.error.bad_kind", kind=s.kind)
    if not s.title_en or not s.title_zh:
        raise ValidationFailed("exams.error.title_required")
    if s.time_limit_minutes is not None and not 1 <= int(s.time_limit_minutes) <= MAX_TIME_LIMIT:
        raise ValidationFailed("exams.error.bad_time_limit", maximum=MAX_TIME_LIMIT)
    if not 0 <= float(s.pass_mark) <= 100:
        raise ValidationFailed("exams.error.bad_pass_mark")
    if int(s.attempts_allowed) < 0:
        raise ValidationFailed("exams.error.bad_attempts")
    if s.grading not in GRADING_METHODS:
        raise ValidationFailed("exams.error.bad_grading", grading=s.grading)
    if s.review_marks not in REVIEW_WHEN or s.review_answers not in REVIEW_WHEN:
        raise ValidationFailed("exams.error.bad_review")
    if s.status not in ("draft", "published", "archived"):
        raise ValidationFailed("exams.error.bad_status")
    if s.open_at and s.close_at and s.open_at >= s.close_at:
        raise ValidationFailed("exams.error.close_before_open")
    if s.critical_miss not in CRITICAL_MISS:
        raise ValidationFailed("exams.error.bad_critical_miss")
    known = set(session.exec(select(Cohort.id)).all())
    if set(s.cohort_ids) - known:
        raise ValidationFailed("exams.error.no_such_cohort")
    if s.kind == "written":
        _validate_paper(session, s)
        return None
    rubric_id = session.exec(select(Rubric.id).where(Rubric.code == (s.rubric_code or ""))).first()
    if rubric_id is None:
        raise ValidationFailed("exams.error.rubric_required")
    return rubric_id


def _validate_paper(session: Session, s: ExamSettings) -> None:
    if bool(s.questions) == bool(s.pool_tags):
        raise ValidationFailed("exams.error.paper_or_pool")
    if s.questions:
        if len(set(s.questions)) != len(s.questions):
            raise ValidationFailed("exams.error.duplicate_question")
        missing = [q for q in s.questions if q not in bank_entries(session)]
        if missing:
            raise ValidationFailed("exams.error.unknown_questions", questions=", ".join(missing))
        if s.question_marks and (len(s.question_marks) != len(s.questions)
                                 or any(float(m) <= 0 for m in s.question_marks)):
            raise ValidationFailed("exams.error.bad_question_marks")
        return
    if s.pool_match not in ("any", "all"):
        raise ValidationFailed("exams.error.bad_pool_match")
    if not s.pool_count or int(s.pool_count) < 1:
        raise ValidationFailed("exams.error.bad_pool_count")
    available = len(pool_idnumbers(session, s.pool_tags, s.pool_match, s.pool_exclude_tags))
    if int(s.pool_count) > available:
        raise ValidationFailed("exams.error.pool_too_small", wanted=int(s.pool_count), available=available)


def _paper_changed(session: Session, exam: Exam, s: ExamSettings) -> bool:
    old = settings_of(session, exam)
    marks = [float(m) for m in s.question_marks] or [1.0] * len(s.questions)
    if old.question_marks != marks:
        return True
    return (old.questions, old.pool_tags, old.pool_match, old.pool_exclude_tags, old.pool_count, old.rubric_code) != (
        s.questions, s.pool_tags, s.pool_match, s.pool_exclude_tags,
        s.pool_count if s.pool_tags else None, s.rubric_code if s.kind == "practical" else None)


def _apply(exam: Exam, s: ExamSettings, rubric_id: int | None) -> None:
    exam.code, exam.kind, exam.status = s.code, s.kind, s.status
    exam.title_en, exam.title_zh = s.title_en, s.title_zh
    exam.description_en, exam.description_zh = (s.description_en or "").strip(), (s.description_zh or "").strip()
    exam.time_limit_minutes = int(s.time_limit_minutes) if s.time_limit_minutes else None
    exam.pass_mark, exam.attempts_allowed, exam.grading = float(s.pass_mark), int(s.attempts_allowed), s.grading
    exam.shuffle_answers = bool(s.shuffle_answers)
    exam.open_at, exam.close_at = s.open_at, s.close_at
    exam.review_marks, exam.review_answers = s.review_marks, s.review_answers
    pool = s.kind == "written" and bool(s.pool_tags)
    exam.pool_tags = json.dumps(s.pool_tags if pool else [])
    exam.pool_match = s.pool_match if pool else "any"
    exam.pool_exclude_tags = json.dumps(s.pool_exclude_tags if pool else [])
    exam.pool_count = int(s.pool_count) if pool else None
    exam.rubric_id = rubric_id
    exam.critical_miss = s.critical_miss


def _replace_slots(session: Session, exam: Exam, s: ExamSettings) -> None:
    for slot in exam_slots(session, exam.id):
        session.delete(slot)
    session.flush()
    if s.kind != "written" or not s.questions:
        return
    marks = s.question_marks or [1.0] * len(s.questions)
    for number, (idnumber, mark) in enumerate(zip(s.questions, marks), start=1):
        session.add(ExamSlot(exam_id=exam.id, slot=number, idnumber=idnumber, mark=float(mark)))


def _replace_cohorts(session: Session, exam: Exam, cohort_ids: list[int]) -> None:
    current = set(exam_cohort_ids(session, exam.id))
    wanted = set(int(c) for c in cohort_ids)
    for cohort_id in current - wanted:
        session.delete(session.get(ExamCohort, (exam.id, cohort_id)))
    for cohort_id in wanted - current:
        session.add(ExamCohort(exam_id=exam.id, cohort_id=cohort_id))


# ----------------------------------------------------------------- loading specs (seed, CLI)


def save_rubric(session: Session, spec: RubricSpec) -> Rubric:
    rubric = session.exec(select(Rubric).where(Rubric.code == spec.id)).first() or Rubric(code=spec.id, spec="{}")
    rubric.spec = spec.model_dump_json(by_alias=True)
    session.add(rubric)
    session.flush()
    return rubric


def settings_from_spec(spec: ExamSpec, rubrics: dict[str, RubricSpec], cohort_ids: list[int]) -> ExamSettings:
    """ExamSettings from an exams.yaml entry."""
    pool = spec.pool
    critical_miss = rubrics[spec.rubric].critical_miss if spec.rubric and spec.rubric in rubrics else "fail_exam"
    return ExamSettings(
        code=spec.id, kind=spec.kind, title_en=spec.title.en, title_zh=spec.title.get("zh-CN"),
        description_en=spec.description.en, description_zh=spec.description.get("zh-CN"),
        time_limit_minutes=spec.time_limit_minutes, pass_mark=float(spec.pass_mark),
        attempts_allowed=spec.attempts_allowed, grading=spec.grading, shuffle_answers=spec.shuffle_answers,
        review_marks=spec.review.show_marks, review_answers=spec.review.show_answers,
        questions=list(spec.questions or []), pool_tags=list(pool.tags) if pool else [],
        pool_match=pool.match if pool else "any", pool_exclude_tags=list(pool.exclude_tags) if pool else [],
        pool_count=pool.count if pool else None, rubric_code=spec.rubric, critical_miss=critical_miss,
        cohort_ids=cohort_ids)


@permission("exams:mark")
def learners_for(session: Session, actor: Actor, exam_id: int) -> list[tuple[int, str]]:
    """(user id, display name) of the active learners an exam is assigned to who can sit it now, for trainers:
    not those with this practical already waiting to be marked, nor those with no attempts left."""
    from portal.models import User, UserRole

    exam = get_exam(session, exam_id)
    cohorts = exam_cohort_ids(session, exam.id)
    query = (select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role.in_([r.value for r in LEARNER_ROLES]), User.active.is_(True), User.id != actor.id)
             .distinct().order_by(User.display_name))
    if cohorts:
        query = query.where(User.cohort_id.in_(cohorts))
    used = dict(session.exec(select(Attempt.user_id, func.count(Attempt.id)).where(Attempt.exam_id == exam.id)
                             .group_by(Attempt.user_id)).all())
    waiting = set(session.exec(select(Attempt.user_id).where(Attempt.exam_id == exam.id,
                                                             Attempt.status == "needs_marking")).all())
    return [(user_id, name) for user_id, name in session.exec(query).all()
            if user_id not in waiting and not (exam.attempts_allowed and used.get(user_id, 0) >= exam.attempts_allowed)]
