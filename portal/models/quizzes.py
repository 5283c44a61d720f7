"""The question bank, exams, attempts and their answers.

Questions are linked across languages by `idnumber` (Moodle's field): the
English and Chinese rows of one question share it, exam slots point at an
idnumber, and an attempt is served in the taker's language. So statistics
per slot count both languages.

Editing a question makes a new `QuestionVersion`; answers keep pointing at
the version they answered. Drafts are never served.
"""
from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.clock import utcnow
from portal.submissions import SUBMISSION_KEY_LENGTH, submission_key_index


class Question(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("idnumber", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    idnumber: str = Field(max_length=100, index=True)
    language: str = Field(max_length=10)
    qtype: str = Field(max_length=20)
    category: str = Field(default="", max_length=200)
    current_version_id: int | None = Field(default=None)  # newest published version; no FK (cycle)
    archived: bool = False
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class QuestionVersion(SQLModel, table=True):
    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    version: int
    status: str = Field(default="published", max_length=12)  # draft | published | retired
    name: str = Field(default="", max_length=255)
    questiontext: str = Field(sa_column=Column(Text, nullable=False))
    questiontextformat: str = Field(default="moodle", max_length=10)
    generalfeedback: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # answers, subquestions, single: the interchange JSON (see portal/quizzes/interchange.py)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    default_mark: float = 1.0
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class QuestionTag(SQLModel, table=True):
    __tablename__ = "question_tag"

    question_id: int = Field(foreign_key="question.id", primary_key=True)
    tag: str = Field(max_length=60, primary_key=True, index=True)


class QuestionImage(SQLModel, table=True):
    """An image a question version shows as `@@PLUGINFILE@@/name` (Moodle's way), cleaned on the way in.

    The bytes live in the database, not in a data folder: a version and its images are saved in one
    transaction (an import is all or nothing), backups and restores carry them, SQLite and PostgreSQL
    behave alike, and they can only be read through `bank.question_images`, which checks who asks.
    Images are at most 2 MB each (`portal/quizzes/images.py`).
    """

    __tablename__ = "question_image"
    __table_args__ = (UniqueConstraint("question_version_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    question_version_id: int = Field(foreign_key="question_version.id", index=True)
    name: str = Field(max_length=100)
    mime_type: str = Field(max_length=20)
    sha256: str = Field(max_length=64)
    size: int
    width: int
    height: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Rubric(SQLModel, table=True):
    """A practical-exam rubric (sections, weighted items, critical items), as JSON."""

    __tablename__ = "rubric"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    spec: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class Exam(SQLModel, table=True):
    """A practice quiz, a written exam or a practical exam."""

    __tablename__ = "exam"
    __table_args__ = (submission_key_index("exam", owner="created_by"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    kind: str = Field(max_length=12, index=True)  # practice | written | practical
    title_en: str = Field(max_length=200)
    title_zh: str = Field(max_length=200)
    description_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description_zh: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="published", max_length=12)  # draft | published | archived
    time_limit_minutes: int | None = None
    pass_mark: float = 80.0  # percent
    attempts_allowed: int = 0  # 0 = unlimited
    grading: str = Field(default="highest", max_length=10)  # highest | last | first | average
    shuffle_answers: bool = True
    open_at: datetime | None = None
    close_at: datetime | None = None
    review_marks: str = Field(default="immediately", max_length=12)  # immediately | after_close | never
    review_answers: str = Field(default="after_close", max_length=12)
    pool_tags: str = Field(default="[]", max_length=500)  # JSON list; draw `pool_count` questions at random
    pool_match: str = Field(default="any", max_length=4)  # any | all
    pool_exclude_tags: str = Field(default="[]", max_length=500)  # JSON list; never drawn
    pool_count: int | None = None
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id")
    critical_miss: str = Field(default="fail_exam", max_length=12)  # fail_exam | zero_section
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)  # see portal/submissions.py


class ExamSlot(SQLModel, table=True):
    """A fixed question of an exam, by idnumber so both languages share it."""

    __tablename__ = "exam_slot"

    exam_id: int = Field(foreign_key="exam.id", primary_key=True)
    slot: int = Field(primary_key=True)
    idnumber: str = Field(max_length=100)
    mark: float = 1.0


class ExamCohort(SQLModel, table=True):
    __tablename__ = "exam_cohort"

    exam_id: int = Field(foreign_key="exam.id", primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", primary_key=True)


class Attempt(SQLModel, table=True):
    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_exam_user", "exam_id", "user_id"),
                      Index("ix_attempt_user_submitted", "user_id", "submitted_at"),
                      Index("ix_attempt_exam_status", "exam_id", "status"),
                      # center-wide lookups by state (db/migrations/versions/0009_hot_query_indexes.py)
                      Index("ix_attempt_status_deadline", "status", "deadline_at"),
                      Index("ix_attempt_status_submitted", "status", "submitted_at"),
                      # the form that opened a practical attempt (portal/submissions.py), per learner
                      submission_key_index("attempt"))

    id: int | None = Field(default=None, primary_key=True)
    exam_id: int = Field(foreign_key="exam.id")
    user_id: int = Field(foreign_key="user_account.id")
    number: int = 1
    language: str = Field(default="en", max_length=10)
    status: str = Field(default="in_progress", max_length=14)  # in_progress | needs_marking | graded
    started_at: datetime = Field(default_factory=utcnow)
    deadline_at: datetime | None = None  # enforced on the server
    submitted_at: datetime | None = None
    score: float | None = None  # points
    max_score: float | None = None
    percent: float | None = None
    passed: bool | None = None
    overridden: bool = False
    marked_by: int | None = Field(default=None, foreign_key="user_account.id")
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)


class AttemptAnswer(SQLModel, table=True):
    """One slot of one attempt: the question version served, the response, the mark.

    For practical exams there is one row per rubric item (slot = item order).
    """

    __tablename__ = "attempt_answer"
    # the covering index lets the marks matrix (portal/quizzes/analysis.py) skip the table
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),
                      Index("ix_attempt_answer_attempt", "attempt_id", "slot", "mark", "max_mark"))

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id")
    slot: int
    idnumber: str = Field(max_length=100)
    question_version_id: int | None = Field(default=None, foreign_key="question_version.id")
    layout: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # e.g. answer order
    response: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    mark: float | None = None  # None until graded or marked by hand
    max_mark: float = 1.0
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # JSON list: the feedback the response earned, kept when it was graded (pages show it without grading again)
    feedback: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AttemptMarks(SQLModel, table=True):
    """The marks of one attempt's answers as one row, for item analysis (see portal/quizzes/attempt_marks.py).

    `marks` and `max_marks` are little-endian float64 vectors, element i for slot i + 1 (an unmarked answer
    and a slot the attempt lacks are 0). Written when an attempt is graded or marked; database triggers
    delete the row whenever the attempt's answers change, and the marks matrix rebuilds a missing row from
    `attempt_answer`, so a row is never stale.
    """

    __tablename__ = "attempt_marks"

    attempt_id: int = Field(foreign_key="attempt.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    marks: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    max_marks: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class GradeOverride(SQLModel, table=True):
    __tablename__ = "grade_override"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    old_percent: float | None = None
    new_percent: float
    reason: str = Field(sa_column=Column(Text, nullable=False))
    by_user_id: int = Field(foreign_key="user_account.id")
    at: datetime = Field(default_factory=utcnow)


class ReviewCard(SQLModel, table=True):
    """Spaced review (FSRS) of a missed product question, per person."""

    __tablename__ = "review_card"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    idnumber: str = Field(max_length=100, primary_key=True)
    card: str = Field(sa_column=Column(Text, nullable=False))  # fsrs.Card.to_dict() as JSON
    due_at: datetime = Field(index=True)
