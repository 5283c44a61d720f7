"""Wellbeing check-ins: anonymous responses, participation, aggregates, support resources.

Anonymity is a property of these tables (see portal/wellbeing.py for the rest):

- `WellbeingResponse` holds the answers, the ISO week and the team at the time
  of answering. No user, session, IP or timestamp; a random id, not a
  sequence; no SQLite rowid (WITHOUT ROWID: rows sit in random-id order).
- `WellbeingParticipation` holds only an HMAC of (user, week) under a secret
  kept outside the database, so a database reader cannot tell who checked in,
  and nothing links a participation row to a response row.
- `WellbeingAggregate` holds the published cells: written once when their
  period closes (portal/wellbeing/publication.py), never changed; they
  outlive the raw rows' retention. `WellbeingPublication` lists the periods
  published.
- `WellbeingDataVersion` is one row whose random token database triggers
  replace on every write to responses or aggregates (migration 0006b). It
  keyed an in-memory cache of the aggregates; published cells are now read
  from their table and the token is no longer read. Random, not a counter
  or a time: it says nothing about how many writes or when.
"""
import uuid

from sqlalchemy import Column, Index, SmallInteger, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

NO_ROWID = {"sqlite_with_rowid": False}


def random_id() -> str:
    return uuid.uuid4().hex


class WellbeingResponse(SQLModel, table=True):
    """One anonymous check-in: WHO-5 and PSS-4 answers, an optional comment."""

    __tablename__ = "wellbeing_response"
    __table_args__ = (
        # covering: the per-team-and-week sums are read from this index alone, already in group order
        Index("ix_wellbeing_response_cells", "iso_week", "team_id", *(f"who5_{i}" for i in range(1, 6)),
              *(f"pss4_{i}" for i in range(1, 5))),
        NO_ROWID,
    )

    id: str = Field(default_factory=random_id, sa_column=Column(String(32), primary_key=True))
    iso_week: str = Field(sa_column=Column(String(8), nullable=False, index=True))  # "2026-W47"
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    who5_1: int = Field(sa_column=Column(SmallInteger, nullable=False))
    who5_2: int = Field(sa_column=Column(SmallInteger, nullable=False))
    who5_3: int = Field(sa_column=Column(SmallInteger, nullable=False))
    who5_4: int = Field(sa_column=Column(SmallInteger, nullable=False))
    who5_5: int = Field(sa_column=Column(SmallInteger, nullable=False))
    pss4_1: int = Field(sa_column=Column(SmallInteger, nullable=False))
    pss4_2: int = Field(sa_column=Column(SmallInteger, nullable=False))
    pss4_3: int = Field(sa_column=Column(SmallInteger, nullable=False))
    pss4_4: int = Field(sa_column=Column(SmallInteger, nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class WellbeingParticipation(SQLModel, table=True):
    """"Someone checked in this week": HMAC(secret, user id and week), nothing else."""

    __tablename__ = "wellbeing_participation"
    __table_args__ = NO_ROWID

    token: str = Field(sa_column=Column(String(64), primary_key=True))
    iso_week: str = Field(sa_column=Column(String(8), nullable=False, index=True))


class WellbeingAggregate(SQLModel, table=True):
    """A published cell (group x week or month): written once when its period closed, never changed."""

    __tablename__ = "wellbeing_aggregate"
    __table_args__ = (UniqueConstraint("group_key", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    group_key: str = Field(max_length=20)  # "center", "no_team" or "team:<id>"
    period: str = Field(max_length=8)  # "2026-W47" or "2026-11"
    responses: int
    who5_mean_pct: float
    pss4_mean: float
    very_low: int
    low: int
    ok: int
    support_signal: int


class WellbeingPublication(SQLModel, table=True):
    """A week or month whose cells have been published (the audited ones are in `wellbeing_aggregate`)."""

    __tablename__ = "wellbeing_publication"

    period: str = Field(sa_column=Column(String(8), primary_key=True))  # "2026-W47" or "2026-11"


class WellbeingDataVersion(SQLModel, table=True):
    """One row (id 1): a random token that triggers renew on any change to the response or aggregate tables."""

    __tablename__ = "wellbeing_data_version"

    id: int = Field(primary_key=True)
    token: str = Field(max_length=32)


class SupportResource(SQLModel, table=True):
    """Where to get help: EAP hotline, stress training, peer circle, crisis line, emergency."""

    __tablename__ = "support_resource"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # see portal.wellbeing.RESOURCE_KINDS
    name: str = Field(max_length=120)  # English; each text has its Chinese beside it (one resource, two languages)
    name_zh: str = Field(default="", max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description_zh: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    phone: str = Field(default="", max_length=60)
    hours: str = Field(default="", max_length=120)
    hours_zh: str = Field(default="", max_length=120)
    booking_url: str = Field(default="", max_length=300)
    sort_order: int = 0
    active: bool = True
