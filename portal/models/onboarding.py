"""Onboarding records: what a new hire read, heard and did, and who signed it off.

The programme itself (stages, modules, requirements) lives in `courses/`;
these tables keep only what happened, pointing at stages by key and modules
by id. Rules and permissions are in `portal.onboarding`.
"""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.clock import utcnow
from portal.submissions import SUBMISSION_KEY_LENGTH, submission_key_index


class ModuleProgress(SQLModel, table=True):
    """One new hire and one module: when it was last opened and when completed, at which version."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),
                      CheckConstraint("minutes_spent IS NULL OR minutes_spent > 0", name="ck_module_progress_minutes"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    module_id: str = Field(max_length=80)
    opened_at: datetime | None = None
    completed_at: datetime | None = None
    version: str | None = Field(default=None, max_length=12)
    """The module's version (`ModuleSpec.version`) when it was completed."""
    minutes_spent: int | None = None


class ShadowingCall(SQLModel, table=True):
    """A call the new hire listened to beside their mentor (week 1 on the floor)."""

    __tablename__ = "shadowing_call"
    __table_args__ = (submission_key_index("shadowing_call"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    call_date: date
    call_type: str = Field(max_length=20)
    did_well: str = Field(sa_column=Column(Text, nullable=False))
    learned: str = Field(sa_column=Column(Text, nullable=False))
    questions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)
    """The logging form's idempotency key (`portal.submissions`)."""


class SupervisedCall(SQLModel, table=True):
    """A call the new hire took while the mentor listened in (week 2), with its ticket."""

    __tablename__ = "supervised_call"
    __table_args__ = (UniqueConstraint("user_id", "ticket_ref"), submission_key_index("supervised_call"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    call_date: date
    call_type: str = Field(max_length=20)
    ticket_ref: str = Field(max_length=40)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)
    """The logging form's idempotency key (`portal.submissions`)."""


class TicketReview(SQLModel, table=True):
    """The mentor's review of one supervised call's ticket: outcome and checklist marks.

    Each checklist area is marked 2 (met), 1 (partly) or 0 (missed); see
    `portal.onboarding.rules` for points, the pass mark and critical areas.
    """

    __tablename__ = "ticket_review"
    __table_args__ = (
        UniqueConstraint("call_id"),
        CheckConstraint("outcome IN ('passed', 'rework')", name="ck_ticket_review_outcome"),
        CheckConstraint("greeting BETWEEN 0 AND 2 AND verification BETWEEN 0 AND 2 AND accuracy BETWEEN 0 AND 2 "
                        "AND resolution BETWEEN 0 AND 2 AND closing BETWEEN 0 AND 2", name="ck_ticket_review_marks"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="supervised_call.id")
    reviewer_id: int = Field(foreign_key="user_account.id", index=True)
    reviewed_at: datetime = Field(default_factory=utcnow)
    outcome: str = Field(max_length=10)
    greeting: int
    verification: int
    accuracy: int
    resolution: int
    closing: int
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class StageSignoff(SQLModel, table=True):
    """A decision at the end of a stage: passed, asked to repeat, or withdrawn. Append-only history."""

    __tablename__ = "stage_signoff"
    __table_args__ = (CheckConstraint("outcome IN ('passed', 'repeat', 'withdrawn')", name="ck_stage_signoff_outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    stage_key: str = Field(max_length=30)
    outcome: str = Field(max_length=12)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    signed_by_id: int = Field(foreign_key="user_account.id")
    signed_at: datetime = Field(default_factory=utcnow)


class StageRequirementOverride(SQLModel, table=True):
    """Requirement values a trainer set in the portal; they win over the stage's `stage.yaml`."""

    __tablename__ = "stage_requirement_override"

    stage_key: str = Field(max_length=30, primary_key=True)
    values: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    """JSON object: only the overridden fields (a null value switches a requirement off)."""
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow)
