"""Dated team membership: who was in which team from when to when (portal/teams/membership.py)."""
from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.clock import utcnow


class TeamMembership(SQLModel, table=True):
    """One stretch of a person in one team, in the center's calendar days.

    `start_date` is the first day in the team; `end_date` the first day no longer in it (the day the
    next team starts), NULL while it is the current team. A day `d` belongs to the row with
    `start_date <= d < end_date`. A person without any row has been in their current team
    (`user_account.team_id`) all along: history is written from their first move on.
    """

    __tablename__ = "team_membership"
    __table_args__ = (Index("ix_team_membership_team_user_start", "team_id", "user_id", "start_date"),
                      Index("ix_team_membership_user_start", "user_id", "start_date"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    team_id: int = Field(foreign_key="team.id")
    start_date: date
    end_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
