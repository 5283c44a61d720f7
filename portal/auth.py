"""Signing in and out, login sessions, and one's own password.

Unknown users and wrong passwords get the same error after the same work: the
same look-ups, the same bcrypt check, the same writes. Repeated failures slow
further tries on that name without locking its owner out (portal/throttle.py).
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete, or_, update
from sqlmodel import Session, select

from portal import audit, throttle
from portal.clock import utcnow
from portal.db import read_scope, run_transaction
from portal.errors import AuthenticationFailed, ValidationFailed
from portal.i18n import LANGUAGES
from portal.models import AuthSession, CookieTicket, User, UserRole
from portal.permissions import permission
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
    now = utcnow()
    user = find_user(session, username or "")
    standing = throttle.standing(session, username, None, user and user.id, now)
    matches = not standing.wait_seconds and _password_matches(user, password)
    return _settle(session, username, user, matches, standing, None, now)[0]


def sign_in(username: str, password: str, engine: Engine | None = None) -> Actor:
    """The login form's check, for a browser with no trusted-device cookie (see `sign_in_from_device`)."""
    return sign_in_from_device(username, password, None, engine)[0]


def sign_in_from_device(username: str, password: str, device_token: str | None,
                        engine: Engine | None = None) -> tuple[Actor, bool]:
    """The login form's check: bcrypt runs outside any transaction, then the outcome
    (success, failure count, audit) is written in one short transaction that commits
    even when the sign-in is refused, so that failures count.

    Holding a write transaction open through a 300 ms bcrypt check would make
    simultaneous sign-ins queue on SQLite's single writer lock. `device_token` is the
    browser's trusted-device cookie, if any; returns the actor and whether that browser
    is already trusted for them (if not, `issue_cookie_ticket` can make it so)."""
    now = utcnow()
    with read_scope(engine) as session:
        user = find_user(session, username or "")
        standing = throttle.standing(session, username, device_token, user and user.id, now)
    matches = not standing.wait_seconds and _password_matches(user, password)

    return committing_refusal(lambda session: _settle(session, username, user, matches, standing, device_token, now),
                              engine)


def committing_refusal(work, engine: Engine | None = None):
    """`work(session)` in one transaction whose writes stay even when it refuses the sign-in: the throttle
    row and the audit entry of a refusal commit, then its AuthenticationFailed is raised."""
    def settle(session: Session):
        try:
            return work(session)
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


def _settle(session: Session, username: str, user: User | None, matches: bool, standing: throttle.Standing,
            device_token: str | None, now) -> tuple[Actor, bool]:
    """Record the outcome of a password check; raise AuthenticationFailed when refused.

    A refusal does the same writes whether or not the name exists (a throttle row and an audit
    entry), so neither the answer nor its timing tells which names are real."""
    target = (username or "").strip().lower()[:64]
    row = throttle.lock_name(session, username)
    wait = standing.wait_seconds or throttle.seconds_left(row, standing, now)
    if wait:
        audit.record(session, actor_id=None, action="login.throttled", target=target)
        raise AuthenticationFailed("auth.error.throttled", seconds=wait)
    if user is None or not matches or not user.active:
        throttle.record_failure(session, row, device_token, standing.trusted_device, now)
        audit.record(session, actor_id=None, action="login.failed", target=target)
        raise AuthenticationFailed()
    trusted = throttle.record_success(session, row, device_token, user.id, now)
    audit.record(session, actor_id=user.id, action="login.succeeded", target=user.username)
    return actor_for(session, user), trusted


@permission("account:manage_own")
def open_session(session: Session, actor: Actor) -> str:
    """Start a login session; returns the token for the browser cookie."""
    token = new_session_token()
    session.add(AuthSession(token_hash=token_digest(token), user_id=actor.id))
    return token


COOKIE_TICKET_LIFETIME = timedelta(minutes=1)


@dataclass(frozen=True)
class CookieGrant:
    """What the cookie route sets: a new login session's token, and maybe a trusted-device token."""

    session_token: str
    device_token: str | None


def _by_token(token: str | None):
    """The login session a token names: the page's own token or the browser cookie's."""
    digest = token_digest(token or "")
    return or_(AuthSession.token_hash == digest, AuthSession.cookie_token_hash == digest)


def issue_cookie_ticket(session: Session, session_token: str, *, trust_device: bool) -> str:
    """A one-use pass, good for a minute, that the browser trades for its HttpOnly cookie of the
    login session `session_token` names (and a trusted-device cookie if asked)."""
    now = utcnow()
    session.execute(delete(CookieTicket).where(CookieTicket.expires_at < now))
    record = session.exec(select(AuthSession).where(_by_token(session_token))).one()
    ticket = new_session_token()
    session.add(CookieTicket(ticket_hash=token_digest(ticket), session_id=record.id, trust_device=trust_device,
                             expires_at=now + COOKIE_TICKET_LIFETIME))
    return ticket


def redeem_cookie_ticket(session: Session, ticket: str) -> CookieGrant | None:
    """Trade a live ticket for the cookie token of its login session; None if used, stale or signed out."""
    now = utcnow()
    record = session.get(CookieTicket, token_digest(ticket or ""), with_for_update=True)
    if record is None:
        return None
    session.delete(record)
    login = session.get(AuthSession, record.session_id)
    user = login and session.get(User, login.user_id)
    if record.expires_at < now or login.revoked_at is not None or user is None or not user.active:
        return None
    token = new_session_token()
    login.cookie_token_hash = token_digest(token)
    session.add(login)
    device = throttle.trust_new_device(session, user.id, now) if record.trust_device else None
    return CookieGrant(session_token=token, device_token=device)


@dataclass(frozen=True)
class SessionCheck:
    """What a cookie token is worth, read without writing: the actor, and the write it is due."""

    actor: Actor | None
    touch_due: bool = False  # last seen over SESSION_TOUCH_INTERVAL ago
    expired: bool = False  # idle too long: revoke it

    @property
    def write_due(self) -> bool:
        return self.expired or self.touch_due


def check_session(session: Session, token: str | None, now=None) -> SessionCheck:
    """Read-only: who is behind `token`, and whether its session should be touched or revoked.

    Every page run asks this; it never writes, so a busy database cannot stop a page. The
    write it calls for (`settle_session`) is best-effort and rare."""
    if not token:
        return SessionCheck(None)
    record = session.exec(select(AuthSession).where(_by_token(token))).first()
    if record is None or record.revoked_at is not None:
        return SessionCheck(None)
    now = now or utcnow()
    if now - record.last_seen_at > timedelta(minutes=get_settings().session_idle_minutes):
        return SessionCheck(None, expired=True)
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return SessionCheck(None)
    return SessionCheck(actor_for(session, user), touch_due=now - record.last_seen_at >= SESSION_TOUCH_INTERVAL)


def settle_session(session: Session, token: str, check: SessionCheck, now=None) -> None:
    """The write `check` called for, if any: revoke an idle session, or note that it was used now."""
    if check.expired:
        expire_session(session, token, now)
    elif check.touch_due:
        touch_session(session, token, now)


def touch_session(session: Session, token: str, now=None) -> None:
    """Note that the session was used now (the idle timeout counts from here)."""
    session.execute(update(AuthSession).where(_by_token(token), AuthSession.revoked_at.is_(None))
                    .values(last_seen_at=now or utcnow()))


def expire_session(session: Session, token: str, now=None) -> None:
    session.execute(update(AuthSession).where(_by_token(token), AuthSession.revoked_at.is_(None))
                    .values(revoked_at=now or utcnow()))


def close_session(session: Session, token: str | None) -> None:
    if not token:
        return
    record = session.exec(select(AuthSession).where(_by_token(token))).first()
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


@permission("account:manage_own")
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


@permission("account:manage_own")
def set_own_language(session: Session, actor: Actor, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed("error.unknown_language", language=language)
    user = session.get(User, actor.id)
    user.language = language
    session.add(user)
