"""Signing in and out, login sessions, and one's own password.

Unknown users and wrong passwords get the same error after the same bcrypt
work. Five failures in a row lock an account for 15 minutes (settings).
"""
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.db import read_scope, run_transaction
from portal.errors import AuthenticationFailed, ValidationFailed
from portal.i18n import LANGUAGES
from portal.models import AuthSession, User, UserRole
from portal.roles import Actor, Role
from portal.passwords import check_new_password
from portal.security import dummy_hash, hash_password, new_session_token, token_digest, verify_password
from portal.settings import get_settings


SESSION_TOUCH_INTERVAL = timedelta(minutes=1)
"""How stale `last_seen_at` may get before a rerun writes it: the idle timeout counts in minutes,
and writing on every Streamlit rerun would take the database's write lock on every click."""


def actor_for(session: Session, user: User) -> Actor:
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    return Actor(id=user.id, username=user.username, display_name=user.display_name,
                 roles=frozenset(Role(r) for r in roles), team_id=user.team_id,
                 cohort_id=user.cohort_id, language=user.language,
                 must_change_password=user.must_change_password)


def find_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip().lower())).first()


def authenticate(session: Session, username: str, password: str) -> Actor:
    """Check a username and password in one session; raise AuthenticationFailed otherwise.

    The failure is recorded in `session` before raising: commit it (see `sign_in`)."""
    user = find_user(session, username or "")
    return _settle(session, username, user, _password_matches(user, password))


def sign_in(username: str, password: str, engine: Engine | None = None) -> Actor:
    """The login form's check: bcrypt runs outside any transaction, then the outcome
    (success, failure count, lockout, audit) is written in one short transaction that
    commits even when the sign-in is refused, so failures count towards the lockout.

    Holding a write transaction open through a 300 ms bcrypt check would make
    simultaneous sign-ins queue on SQLite's single writer lock."""
    with read_scope(engine) as session:
        user = find_user(session, username or "")
    matches = _password_matches(user, password)

    def settle(session: Session) -> Actor | AuthenticationFailed:
        current = user and session.get(User, user.id, with_for_update=True)  # counts failures exactly
        try:
            return _settle(session, username, current, matches)
        except AuthenticationFailed as refused:  # returned, not raised, so that the refusal commits
            return refused

    outcome = run_transaction(settle, engine)
    if isinstance(outcome, AuthenticationFailed):
        raise outcome
    return outcome


def _password_matches(user: User | None, password: str) -> bool:
    """bcrypt against the user's hash, or a dummy one: the same work for unknown users."""
    if user is None:
        verify_password(password or "", dummy_hash())
        return False
    return verify_password(password or "", user.password_hash)


def _settle(session: Session, username: str, user: User | None, matches: bool) -> Actor:
    """Record the outcome of a password check; raise AuthenticationFailed when refused."""
    settings = get_settings()
    if user is None:
        audit.record(session, actor_id=None, action="login.failed", target=(username or "")[:64], reason="unknown")
        raise AuthenticationFailed()
    if user.locked_until and user.locked_until > utcnow():
        audit.record(session, actor_id=user.id, action="login.refused_locked", target=user.username)
        raise AuthenticationFailed("auth.error.locked", minutes=settings.lockout_minutes)
    if not matches or not user.active:
        _count_failure(session, user, settings)
        raise AuthenticationFailed()
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, actor_id=user.id, action="login.succeeded", target=user.username)
    return actor_for(session, user)


def _count_failure(session: Session, user: User, settings) -> None:
    user.failed_logins += 1
    reason = "inactive" if not user.active else "password"
    audit.record(session, actor_id=user.id, action="login.failed", target=user.username, reason=reason)
    if user.failed_logins >= settings.lockout_threshold:
        user.locked_until = utcnow() + timedelta(minutes=settings.lockout_minutes)
        user.failed_logins = 0
        audit.record(session, actor_id=user.id, action="login.locked", target=user.username,
                     minutes=settings.lockout_minutes)
    session.add(user)


def open_session(session: Session, actor: Actor) -> str:
    """Start a login session; returns the token for the browser cookie."""
    token = new_session_token()
    session.add(AuthSession(token_hash=token_digest(token), user_id=actor.id))
    return token


def resume_session(session: Session, token: str | None) -> Actor | None:
    """The actor behind a cookie token, if the session is live; touches it."""
    if not token:
        return None
    record = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if record is None or record.revoked_at is not None:
        return None
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if now - record.last_seen_at > idle:
        record.revoked_at = now
        session.add(record)
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    if now - record.last_seen_at >= SESSION_TOUCH_INTERVAL:
        record.last_seen_at = now
        session.add(record)
    return actor_for(session, user)


def close_session(session: Session, token: str | None) -> None:
    if not token:
        return
    record = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if record and record.revoked_at is None:
        record.revoked_at = utcnow()
        session.add(record)
        audit.record(session, actor_id=record.user_id, action="logout")


def revoke_user_sessions(session: Session, user_id: int) -> None:
    now = utcnow()
    for record in session.exec(select(AuthSession).where(AuthSession.user_id == user_id,
                                                         AuthSession.revoked_at.is_(None))):
        record.revoked_at = now
        session.add(record)


def change_own_password(session: Session, actor: Actor, *, current: str, new: str, confirm: str) -> bool:
    """Change one's own password; False when this very change was already made.

    A double click or a resubmitted form sends the same change twice: the second
    finds the new password already in place, and that is not "your current
    password is not correct".
    """
    user = session.get(User, actor.id)
    if user is None:
        raise ValidationFailed("auth.error.current_password_wrong")
    if not verify_password(current or "", user.password_hash):
        if new and new == confirm and new != current and verify_password(new, user.password_hash):
            return False
        raise ValidationFailed("auth.error.current_password_wrong")
    if new != confirm:
        raise ValidationFailed("auth.error.passwords_differ")
    if new == current:
        raise ValidationFailed("auth.error.password_unchanged")
    check_new_password(new, username=user.username, display_name=user.display_name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.add(user)
    audit.record(session, actor_id=actor.id, action="password.changed", target=user.username)
    return True


def set_own_language(session: Session, actor: Actor, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed("error.unknown_language", language=language)
    user = session.get(User, actor.id)
    user.language = language
    session.add(user)
