"""Coaching sessions, their links, action items, acknowledgements and settings.

A session belongs to one agent and records the team the agent was in when it
was written (`team_id`): the leads of that team may read its private notes.
Editing an acknowledged session first copies the acknowledged version into
`coaching_revision`, then asks the agent to acknowledge again.
"""
from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.clock import utcnow
from portal.submissions import SUBMISSION_KEY_LENGTH, submission_key_index


class CoachingSession(SQLModel, table=True):
    __tablename__ = "coaching_session"
    __table_args__ = (Index("ix_coaching_session_agent_held", "agent_id", "held_on"),
                      submission_key_index("coaching_session", owner="author_id"))

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="user_account.id")
    author_id: int = Field(foreign_key="user_account.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    held_on: date
    focus_area: str = Field(max_length=80)
    shared_notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    private_notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    follow_up_on: date | None = None
    ack_due_on: date
    acknowledged_at: datetime | None = None
    ack_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)  # see portal/submissions.py


class CoachingLink(SQLModel, table=True):
    """What a session is about: an exam attempt, a practical mark or a supervised-call review."""

    __tablename__ = "coaching_link"
    __table_args__ = (UniqueConstraint("session_id", "kind", "ref_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="coaching_session.id", index=True)
    kind: str = Field(max_length=20)  # attempt | practical | supervised_review
    ref_id: int


class ActionItem(SQLModel, table=True):
    __tablename__ = "coaching_action_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="coaching_session.id", index=True)
    description: str = Field(sa_column=Column(Text, nullable=False))
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    due_on: date
    done_at: datetime | None = None


class CoachingRevision(SQLModel, table=True):
    """An acknowledged version of a session, kept when the session is edited later."""

    __tablename__ = "coaching_revision"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="coaching_session.id", index=True)
    version: int
    snapshot: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the session as acknowledged
    acknowledged_at: datetime | None = None
    ack_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    replaced_at: datetime = Field(default_factory=utcnow)
    replaced_by: int | None = Field(default=None, foreign_key="user_account.id")


class CoachingTemplate(SQLModel, table=True):
    """A starting point for recurring sessions (e.g. the monthly exam review)."""

    __tablename__ = "coaching_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    focus_area: str = Field(max_length=80)
    shared_notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    action_items: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON list[str]
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class CoachingSetting(SQLModel, table=True):
    """Admin-set values (at-risk thresholds, deadlines, focus areas) as JSON, by key."""

    __tablename__ = "coaching_setting"

    key: str = Field(max_length=60, primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
