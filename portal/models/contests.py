"""Contests: knowledge contests between teams (rounds on the exam engine) and scenario contests
(role-play judged by a panel on a rubric). See portal/contests/.

A knowledge contest's round is an `Exam` of kind "contest" (never listed among a learner's exams
nor a trainer's exams): its attempts are ordinary attempts, with the paper drawn per person from
the round's mix (`ContestRound.mix`). The people taking part are fixed when the contest starts
(`ContestMember`), so moving someone between teams mid-contest changes no board.
"""
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.clock import utcnow
from portal.submissions import SUBMISSION_KEY_LENGTH, submission_key_index


class Contest(SQLModel, table=True):
    __tablename__ = "contest"
    __table_args__ = (submission_key_index("contest", owner="created_by"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # knowledge | scenario
    title_en: str = Field(max_length=200)
    title_zh: str = Field(max_length=200)
    status: str = Field(default="draft", max_length=10, index=True)  # draft | running | closed
    starts_at: datetime
    ends_at: datetime
    participation_share: float = 0.6  # a team counts only when at least this share of it took part
    attempts_per_round: int = 1
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id")  # scenario contests
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    submission_key: str | None = Field(default=None, max_length=SUBMISSION_KEY_LENGTH)


class ContestTeam(SQLModel, table=True):
    __tablename__ = "contest_team"

    contest_id: int = Field(foreign_key="contest.id", primary_key=True)
    team_id: int = Field(foreign_key="team.id", primary_key=True)


class ContestMember(SQLModel, table=True):
    """Who takes part, in which team: every learner of a team when a knowledge contest starts; the
    contestants an organiser names for a scenario contest (with the scenario they play)."""

    __tablename__ = "contest_member"
    __table_args__ = (Index("ix_contest_member_user", "user_id", "contest_id"),)

    contest_id: int = Field(foreign_key="contest.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    scenario_id: int | None = Field(default=None, foreign_key="contest_scenario.id")


class ContestRound(SQLModel, table=True):
    """A timed set of questions, drawn per person with the same mix: `mix` is a JSON list of
    {"tags": [...], "count": n} (a question carries every tag of its entry; difficulty is a tag)."""

    __tablename__ = "contest_round"
    __table_args__ = (UniqueConstraint("contest_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    number: int
    exam_id: int = Field(foreign_key="exam.id", unique=True)
    mix: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))


class ContestScenario(SQLModel, table=True):
    """A role-play brief in both languages: the caller, the problem, what a good agent does."""

    __tablename__ = "contest_scenario"
    __table_args__ = (UniqueConstraint("contest_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    number: int
    title_en: str = Field(max_length=200)
    title_zh: str = Field(max_length=200)
    caller_en: str = Field(sa_column=Column(Text, nullable=False))
    caller_zh: str = Field(sa_column=Column(Text, nullable=False))
    problem_en: str = Field(sa_column=Column(Text, nullable=False))
    problem_zh: str = Field(sa_column=Column(Text, nullable=False))
    good_en: str = Field(sa_column=Column(Text, nullable=False))
    good_zh: str = Field(sa_column=Column(Text, nullable=False))


class ContestJudge(SQLModel, table=True):
    __tablename__ = "contest_judge"

    contest_id: int = Field(foreign_key="contest.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)


class ContestMark(SQLModel, table=True):
    """One judge's sheet for one contestant: a draft until `submitted_at`, then final."""

    __tablename__ = "contest_mark"
    __table_args__ = (UniqueConstraint("contest_id", "contestant_id", "judge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    contestant_id: int = Field(foreign_key="user_account.id")
    judge_id: int = Field(foreign_key="user_account.id")
    marks: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # item id -> points
    comments: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    percent: float | None = None  # set when submitted
    submitted_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
