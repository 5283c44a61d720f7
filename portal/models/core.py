"""Accounts, organisation and audit: the tables every feature builds on."""
from datetime import date, datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.clock import utcnow


class Team(SQLModel, table=True):
    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(120), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = None
    """Set when archived: kept in history and reports, hidden from pickers."""


class Cohort(SQLModel, table=True):
    """An intake of new hires who start onboarding together."""

    __tablename__ = "cohort"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(120), unique=True, nullable=False))
    start_date: date
    created_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = None
    """Set when archived: kept in history and reports, hidden from pickers."""


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (Index("ux_user_account_employee_number", "employee_number", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    display_name: str = Field(max_length=120)
    # the HR / telephony system's number (工号); call exports name agents by it
    employee_number: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    password_hash: str = Field(max_length=100)
    active: bool = True
    must_change_password: bool = False
    language: str | None = Field(default=None, max_length=10)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    mentor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    role: str = Field(max_length=20, primary_key=True)


class TeamLead(SQLModel, table=True):
    """Which team leads run which teams (a lead may run several)."""

    __tablename__ = "team_lead"

    team_id: int = Field(foreign_key="team.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)


class AuthSession(SQLModel, table=True):
    """A server-side login session; the browser holds only the random token.

    We store a SHA-256 of the token, so a database reader cannot replay it.
    """

    __tablename__ = "auth_session"
    __table_args__ = (UniqueConstraint("token_hash"), UniqueConstraint("cookie_token_hash"))

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    # The browser's HttpOnly cookie holds a second token for the same login session (set by the
    # cookie route from a one-use ticket), so signing out or expiring the session ends both.
    cookie_token_hash: str | None = Field(default=None, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per attempted username, known or not (see portal/throttle.py).

    Keyed by a hash of the name as typed (normalised), so a name that does not exist is slowed
    exactly like one that does, and the table does not list what people typed.
    """

    __tablename__ = "login_throttle"

    name_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    failures: int = 0
    next_try_at: datetime | None = None  # before this, an untrusted device is not let in
    last_failure_at: datetime | None = None


class TrustedDevice(SQLModel, table=True):
    """A browser that someone signed in from before: their own failures only slow it, no one else's."""

    __tablename__ = "trusted_device"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: int = Field(foreign_key="user_account.id", index=True)
    failures: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime = Field(default_factory=utcnow)


class PasswordResetToken(SQLModel, table=True):
    """A single-use link, good for 30 minutes, that lets someone set a new password (portal/password_reset.py).

    Only a SHA-256 of the token is stored: the link in the e-mail is the only copy of the token."""

    __tablename__ = "password_reset_token"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class SignInSetting(SQLModel, table=True):
    """What an administrator decides about signing in (one row, id 1): today, whether a single
    sign-on identity no one matches gets an account on its first sign-in (portal/sso.py)."""

    __tablename__ = "sign_in_setting"

    id: int = Field(default=1, primary_key=True)
    sso_create_accounts: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")


class CookieTicket(SQLModel, table=True):
    """A one-use pass, good for a minute, that the browser trades for its HttpOnly sign-in cookie.

    Streamlit's script cannot set a cookie; a small server route can (portal/ui/web.py). The page
    hands the browser this ticket, and the route answers with the cookie, so the session token
    itself never passes through the page's JavaScript.
    """

    __tablename__ = "cookie_ticket"

    ticket_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    session_id: int = Field(foreign_key="auth_session.id")
    trust_device: bool = False  # also give this browser a trusted-device cookie
    expires_at: datetime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=60, index=True)
    target: str = Field(default="", max_length=200)
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
