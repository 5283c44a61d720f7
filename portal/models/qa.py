"""Quality assurance (质检): calls, monthly samples, scorecards, evaluations, disputes, calibration.

How the tables fit together:

- `QaCall` is one live call, imported from the telephony/CRM export (or typed in);
  the portal keeps a link to the recording, never the audio.
- `QaSamplePlan` is a team's plan for a month (N calls per agent plus extras) with
  the random seed it was drawn with, so the draw can be repeated and audited;
  `QaSample` lists the calls it drew and why.
- `QaScorecard` is named once; each edit makes a new `QaScorecardVersion` whose
  `spec` is a rubric (`portal.quizzes.specs.RubricSpec` JSON: the one rubric engine).
- `QaEvaluation` is one analyst scoring one call on one scorecard version. Its item
  scores live in `QaItemScore`, one row per item per **revision**: revision 0 is the
  analyst's, each dispute decision writes the next revision; the evaluation's
  `percent`, `failed_by_critical` and `critical_missed` are those of the newest
  revision. `points` NULL means N/A (left out of the denominator).
- `QaDispute` is one round of an agent's dispute (at most two), `QaDisputeItem`
  the items disputed in it and each one's decision.
- `QaCalibration` is a blind scoring session: its participants score the same calls
  as evaluations with `calibration_id` set, which never count in an agent's QA score.
- `QaFocusItem` is one item of a month's published quality focus.

Times are stored in UTC (portal.clock.utcnow); months are 'YYYY-MM' in the center's zone.
"""
from datetime import datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal.clock import utcnow


class QaCall(SQLModel, table=True):
    __tablename__ = "qa_call"
    __table_args__ = (Index("ix_qa_call_agent_started", "agent_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(sa_column=Column(String(80), unique=True, nullable=False))  # the platform's call id
    agent_id: int = Field(foreign_key="user_account.id")
    started_at: datetime = Field(index=True)  # UTC
    duration_seconds: int
    queue: str = Field(max_length=80)  # queue / skill
    direction: str = Field(max_length=10)  # inbound | outbound
    satisfaction: float | None = None  # post-call survey score, as exported
    complaint: bool = False
    recording_url: str | None = Field(default=None, max_length=500)
    ticket_ref: str | None = Field(default=None, max_length=80)
    source: str = Field(default="import", max_length=10)  # import | manual
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class QaSamplePlan(SQLModel, table=True):
    __tablename__ = "qa_sample_plan"
    __table_args__ = (UniqueConstraint("team_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    month: str = Field(max_length=7)  # YYYY-MM, center's zone
    per_agent: int = 4
    extra_new_graduates: int = 0  # more calls for agents in their first 30 days after graduation
    extra_low_satisfaction: int = 0
    low_satisfaction_below: float | None = None
    extra_complaints: int = 0
    seed: int | None = None  # set when drawn; shown so the draw can be repeated
    drawn_at: datetime | None = None
    drawn_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class QaSample(SQLModel, table=True):
    __tablename__ = "qa_sample"
    __table_args__ = (UniqueConstraint("plan_id", "call_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="qa_sample_plan.id", index=True)
    call_id: int = Field(foreign_key="qa_call.id", index=True)
    reason: str = Field(max_length=20)  # base | new_graduate | low_satisfaction | complaint


class QaScorecard(SQLModel, table=True):
    __tablename__ = "qa_scorecard"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    current_version_id: int | None = None  # newest version; no FK (cycle)
    archived: bool = False
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class QaScorecardVersion(SQLModel, table=True):
    __tablename__ = "qa_scorecard_version"
    __table_args__ = (UniqueConstraint("scorecard_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(foreign_key="qa_scorecard.id", index=True)
    version: int
    spec: str = Field(sa_column=Column(Text, nullable=False))  # RubricSpec JSON (titles in en and zh-CN)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class QaCalibration(SQLModel, table=True):
    __tablename__ = "qa_calibration"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    facilitator_id: int = Field(foreign_key="user_account.id", index=True)
    scorecard_version_id: int = Field(foreign_key="qa_scorecard_version.id")
    status: str = Field(default="open", max_length=10)  # open | revealed
    revealed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    submission_key: str | None = Field(default=None, max_length=64)


class QaCalibrationCall(SQLModel, table=True):
    __tablename__ = "qa_calibration_call"

    calibration_id: int = Field(foreign_key="qa_calibration.id", primary_key=True)
    call_id: int = Field(foreign_key="qa_call.id", primary_key=True)


class QaCalibrationParticipant(SQLModel, table=True):
    __tablename__ = "qa_calibration_participant"

    calibration_id: int = Field(foreign_key="qa_calibration.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)


class QaEvaluation(SQLModel, table=True):
    __tablename__ = "qa_evaluation"
    __table_args__ = (
        Index("ix_qa_evaluation_agent_submitted", "agent_id", "submitted_at"),
        Index("ix_qa_evaluation_call", "call_id"),
        Index("ix_qa_evaluation_submission", "evaluator_id", "submission_key", unique=True),
        Index("ix_qa_evaluation_evaluator_call", "evaluator_id", "call_id", unique=True,
              sqlite_where=text("calibration_id IS NULL"), postgresql_where=text("calibration_id IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="qa_call.id")
    agent_id: int = Field(foreign_key="user_account.id")  # the call's agent, kept here for per-agent reads
    evaluator_id: int = Field(foreign_key="user_account.id", index=True)
    scorecard_version_id: int = Field(foreign_key="qa_scorecard_version.id", index=True)
    calibration_id: int | None = Field(default=None, foreign_key="qa_calibration.id", index=True)
    status: str = Field(default="draft", max_length=10)  # draft | submitted
    revision: int = 0  # newest revision of the item scores
    percent: float | None = None  # of the newest revision; None while a draft
    failed_by_critical: bool = False
    critical_missed: str = Field(default="", max_length=500)  # item ids, comma-separated
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    seconds_spent: int = 0
    started_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    acknowledged_at: datetime | None = None
    submission_key: str | None = Field(default=None, max_length=64)
    draft: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    """While a draft: what the analyst has marked so far, as JSON (points with "na", comments,
    overall comment), so a reload loses nothing; emptied on submit (the item scores then hold it)."""


class QaItemScore(SQLModel, table=True):
    __tablename__ = "qa_item_score"

    evaluation_id: int = Field(foreign_key="qa_evaluation.id", primary_key=True)
    revision: int = Field(default=0, primary_key=True)
    item_id: str = Field(max_length=80, primary_key=True)
    points: float | None = None  # None: N/A
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class QaDispute(SQLModel, table=True):
    __tablename__ = "qa_dispute"
    __table_args__ = (UniqueConstraint("evaluation_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="qa_evaluation.id", index=True)
    round: int = 1  # 1 or 2
    raised_by: int = Field(foreign_key="user_account.id")
    raised_at: datetime = Field(default_factory=utcnow)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="open", max_length=10, index=True)  # open | resolved
    reviewer_id: int | None = Field(default=None, foreign_key="user_account.id")
    resolved_at: datetime | None = None
    submission_key: str | None = Field(default=None, max_length=64)


class QaDisputeItem(SQLModel, table=True):
    __tablename__ = "qa_dispute_item"

    dispute_id: int = Field(foreign_key="qa_dispute.id", primary_key=True)
    item_id: str = Field(max_length=80, primary_key=True)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision: str | None = Field(default=None, max_length=10)  # upheld | changed; None while open
    new_points: float | None = None
    decision_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class QaFocusItem(SQLModel, table=True):
    """One item of a month's quality focus, linked to scorecard items, course modules and quiz tags."""

    __tablename__ = "qa_focus_item"

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)  # YYYY-MM
    title_en: str = Field(max_length=200)
    title_zh: str = Field(max_length=200)
    scorecard_item_ids: str = Field(default="", max_length=500)  # comma-separated rubric item ids
    module_codes: str = Field(default="", max_length=500)  # comma-separated course module codes
    quiz_tags: str = Field(default="", max_length=500)  # comma-separated question tags
    published_at: datetime | None = None
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
