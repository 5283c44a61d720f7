"""Recognition and certificates: thanks between colleagues, the service star of the month,
customer compliments, badges, certificates with a verification code, and recertification.

Rules and permissions are in `portal.recognition` and `portal.certificates`; these tables keep
what happened. Every record a form creates carries an idempotency key (`portal.submissions`) or
a natural unique key, so a double click or a reload never writes it twice.
"""
from datetime import date, datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.clock import utcnow
from portal.submissions import SUBMISSION_KEY_LENGTH, submission_key_index


class Thanks(SQLModel, table=True):
    """One colleague thanking another, in a short message shown on the recognition wall."""

    __tablename__ = "recog_thanks"
    __table_args__ = (submission_key_index("recog_thanks", owner="from_user_id"),
                      Index("ix_recog_thanks_created", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    from_user_id: int = Field(foreign_key="user_account.id", index=True)
    to_user_id: int = Field(foreign_key="user_account.id", index=True)
    message: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)


class Compliment(SQLModel, table=True):
    """A customer's compliment, recorded against an agent (and the QA call it came from, if any)."""

    __tablename__ = "recog_compliment"
    __table_args__ = (submission_key_index("recog_compliment", owner="recorded_by_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    call_id: int | None = Field(default=None, foreign_key="qa_call.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    received_on: date
    created_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)


class StarNomination(SQLModel, table=True):
    """A lead puts a member of their team forward as service star of a month (one per lead, person, month)."""

    __tablename__ = "recog_star_nomination"
    __table_args__ = (UniqueConstraint("month", "user_id", "nominated_by_id"),)

    id: int | None = Field(default=None, primary_key=True)
    month: date  # the first day of the month
    user_id: int = Field(foreign_key="user_account.id", index=True)
    nominated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    qa_percent: float | None = None  # the evidence when nominated
    exam_percent: float | None = None
    compliments: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class ServiceStar(SQLModel, table=True):
    """The confirmed service star of one month (服务之星): one per month."""

    __tablename__ = "recog_service_star"

    month: date = Field(primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    nomination_id: int | None = Field(default=None, foreign_key="recog_star_nomination.id")
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime = Field(default_factory=utcnow)


class Badge(SQLModel, table=True):
    """A milestone reached; `source_key` says what earned it (one badge per person, code and source)."""

    __tablename__ = "recog_badge"
    __table_args__ = (UniqueConstraint("user_id", "code", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code: str = Field(max_length=40)
    source_key: str = Field(max_length=120)
    awarded_at: datetime = Field(default_factory=utcnow)


class Certificate(SQLModel, table=True):
    """A certificate issued to a person, looked up by its verification code; one per `source_key`."""

    __tablename__ = "certificate"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=40)
    title_en: str = Field(max_length=200)
    title_zh: str = Field(max_length=200)
    achieved_on: date
    expires_on: date | None = None
    source_key: str = Field(sa_column=Column(String(120), unique=True, nullable=False))
    code: str = Field(sa_column=Column(String(20), unique=True, nullable=False))
    issued_at: datetime = Field(default_factory=utcnow)
    reminded_at: datetime | None = None


class RecertPolicy(SQLModel, table=True):
    """How a module's readers are asked to read it again when its text changes (no row: the defaults)."""

    __tablename__ = "recert_policy"

    module_id: str = Field(sa_column=Column(String(80), primary_key=True))
    mode: str = Field(default="required", max_length=10)  # required | optional | off
    due_days: int = 30
    updated_at: datetime = Field(default_factory=utcnow)


class ModuleVersionSeen(SQLModel, table=True):
    """When the portal first saw a module at a version: the recertification due date counts from it."""

    __tablename__ = "module_version_seen"

    module_id: str = Field(sa_column=Column(String(80), primary_key=True))
    version: str = Field(sa_column=Column(String(12), primary_key=True))
    first_seen_on: date


class RecertReread(SQLModel, table=True):
    """A person read a changed module again (from an older version): the quiz may still be due."""

    __tablename__ = "recert_reread"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    module_id: str = Field(sa_column=Column(String(80), primary_key=True))
    version: str = Field(sa_column=Column(String(12), primary_key=True))
    previous_version: str | None = Field(default=None, max_length=12)
    read_at: datetime = Field(default_factory=utcnow)
