"""The in-app inbox and e-mail preferences.

A `Notification` is one message to one person: what happened or what is due (`kind`, text
`notify.<kind>` filled with `params`), and where it is dealt with (`page` + `query`, the same link
Home uses). `dedupe_key` makes every event and every reminder arrive once, however often the
sweep runs. `emailed_at` records when it went out by e-mail (digest or immediate).

Wellbeing never appears here except the weekly "the check-in is open", sent alike to everyone
who opted in, whether or not they checked in.
"""
from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.clock import utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_dedupe", "user_id", "dedupe_key", unique=True),
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_unsent", "emailed_at", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    kind: str = Field(max_length=40)
    params: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON
    page: str = Field(max_length=120)
    query: str = Field(default="{}", max_length=500)  # JSON
    dedupe_key: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    emailed_at: datetime | None = None


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    email: str | None = Field(default=None, max_length=254)
    mode: str = Field(default="none", max_length=10)  # none | digest | immediate
    wellbeing_reminder: bool = False  # the weekly "the check-in is open", opted in
    updated_at: datetime = Field(default_factory=utcnow)
