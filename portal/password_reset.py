"""Self-service password reset by e-mail, offered when SMTP is configured (portal/notifications/mail.py).

- "Forgot password?" takes a username or an e-mail address and always gives the same answer,
  whether or not it names anyone: whom it names, if anyone, learns it by e-mail. The mail goes
  out after the answer (see `request_reset`'s caller), so the answer's timing tells nothing either.
- The link carries a random token (`?reset=<token>`); only its SHA-256 is stored. It is good for
  `RESET_LIFETIME` and once; asking again spends the links sent before.
- Requests are throttled per name as typed, known or not, like sign-ins (portal/throttle.py).
- Request, success, and every refused use (unknown, spent or expired link) are audited, without
  the token.

Like signing in, these run before anyone is signed in, so they take no actor: the token or the
person's own mailbox is the permission.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, func, update
from sqlmodel import Session, select

from portal import audit, throttle
from portal.auth import find_user, revoke_user_sessions
from portal.clock import utcnow
from portal.db import run_transaction
from portal.errors import ValidationFailed
from portal.i18n import LANGUAGES, Translator
from portal.models import NotificationPreference, PasswordResetToken, User
from portal.notifications.mail import SmtpSettings, connect, page_url
from portal.passwords import check_new_password
from portal.security import hash_password, new_session_token, token_digest, verify_password

RESET_LIFETIME = timedelta(minutes=30)
THROTTLE_PREFIX = "password-reset:"
"""Requests are counted apart from sign-in failures: asking for a link never slows anyone's sign-in."""

log = logging.getLogger(__name__)


def lifetime_minutes() -> int:
    return int(RESET_LIFETIME.total_seconds() // 60)


@dataclass(frozen=True)
class ResetMail:
    """What the e-mail needs; it holds the token, so it is never logged or stored."""

    address: str
    display_name: str
    language: str
    token: str = ""

    def __repr__(self) -> str:
        return f"ResetMail(address={self.address!r})"


def request_reset(identifier: str, language: str, engine: Engine | None = None) -> ResetMail | None:
    """Note a "forgot password" request; the mail to send, or None when there is none to send.

    The caller answers the same in both cases. Raises ValidationFailed("reset.error.throttled")
    when the name asked too often (for unknown names exactly as for real ones); the request and
    the throttle's count are committed either way."""
    outcome = run_transaction(lambda session: _request(session, identifier, language, utcnow()), engine)
    if isinstance(outcome, ValidationFailed):
        raise outcome
    return outcome


def _request(session: Session, identifier: str, language: str, now: datetime) -> ResetMail | None | ValidationFailed:
    typed = (identifier or "").strip().lower()[:254]
    row = throttle.lock_name(session, THROTTLE_PREFIX + typed)
    wait = throttle.seconds_left(row, throttle.Standing(trusted_device=False, wait_seconds=0), now)
    if wait:
        audit.record(session, actor_id=None, action="password.reset_throttled", target=typed[:64])
        return ValidationFailed("reset.error.throttled", seconds=wait)
    throttle.record_failure(session, row, None, False, now)  # each request counts towards the wait
    user, address = _addressee(session, typed)
    if user is None:
        audit.record(session, actor_id=None, action="password.reset_requested", target=typed[:64], sent=False)
        return None
    session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                     PasswordResetToken.used_at.is_(None)).values(used_at=now))
    token = new_session_token()
    session.add(PasswordResetToken(token_hash=token_digest(token), user_id=user.id, created_at=now,
                                   expires_at=now + RESET_LIFETIME))
    audit.record(session, actor_id=None, action="password.reset_requested", target=user.username, sent=True)
    return ResetMail(address=address, display_name=user.display_name,
                     language=user.language if user.language in LANGUAGES else language, token=token)


def _addressee(session: Session, typed: str) -> tuple[User | None, str | None]:
    """The active person a username or e-mail address names, and the address to write to."""
    if "@" in typed:
        rows = session.exec(select(User, NotificationPreference.email)
                            .join(NotificationPreference, NotificationPreference.user_id == User.id)
                            .where(func.lower(NotificationPreference.email) == typed)).all()
        found = rows[0] if len(rows) == 1 else (None, None)  # an address two people gave names no one
    else:
        user = find_user(session, typed)
        preference = user and session.get(NotificationPreference, user.id)
        found = (user, preference and preference.email)
    user, address = found
    if user is None or not user.active or not address:
        return None, None
    return user, address


def compose(mail: ResetMail, settings: SmtpSettings) -> EmailMessage:
    t = Translator(mail.language)
    link = page_url(settings.public_url, "pages/home.py", {"reset": mail.token})
    minutes = lifetime_minutes()
    message = EmailMessage()
    message["Subject"] = t("reset.email.subject")
    message["From"] = settings.sender
    message["To"] = mail.address
    message.set_content(t("reset.email.body", name=mail.display_name, link=link, minutes=minutes))
    return message


def send(mail: ResetMail, settings: SmtpSettings) -> bool:
    """E-mail the link; False (and a log line without the token) when the SMTP server refuses."""
    try:
        with connect(settings) as smtp:
            smtp.send_message(compose(mail, settings))
        return True
    except Exception as exc:  # noqa: BLE001 - the person already has their answer; say why in the log
        log.warning("password reset e-mail not sent: %s", type(exc).__name__)
        return False


def _live_token(session: Session, token: str, now: datetime) -> tuple[PasswordResetToken | None, str | None]:
    """The token's row and why it cannot be used (None: it can)."""
    record = session.get(PasswordResetToken, token_digest(token or ""), with_for_update=True)
    if record is None:
        return None, "reset.error.invalid"
    if record.used_at is not None:
        return record, "reset.error.used"
    if record.expires_at < now:
        return record, "reset.error.expired"
    user = session.get(User, record.user_id)
    return record, None if user is not None and user.active else "reset.error.invalid"


def open_link(token: str, engine: Engine | None = None) -> str:
    """When the link opens: the username to show beside the form; ValidationFailed (audited) when the
    link is unknown, spent or expired."""
    def look(session: Session) -> str | ValidationFailed:
        record, problem = _live_token(session, token, utcnow())
        user = record and session.get(User, record.user_id)
        if problem:
            return _refused(session, user, problem)
        return user.username

    outcome = run_transaction(look, engine)
    if isinstance(outcome, ValidationFailed):
        raise outcome
    return outcome


def _refused(session: Session, user: User | None, problem: str) -> ValidationFailed:
    audit.record(session, actor_id=None, action="password.reset_link_refused", target=user.username if user else "",
                 reason=problem.removeprefix("reset.error."))
    return ValidationFailed(problem)


def complete_reset(token: str, new: str, confirm: str, engine: Engine | None = None) -> bool:
    """Set the new password the link allows and spend the link; False when this very change was
    already made (a double click); ValidationFailed otherwise, with refused uses audited."""
    outcome = run_transaction(lambda session: _complete(session, token, new, confirm, utcnow()), engine)
    if isinstance(outcome, ValidationFailed):
        raise outcome
    return outcome


def _complete(session: Session, token: str, new: str, confirm: str, now: datetime) -> bool | ValidationFailed:
    record, problem = _live_token(session, token, now)
    user = record and session.get(User, record.user_id)
    if problem == "reset.error.used" and new and new == confirm and verify_password(new, user.password_hash):
        return False
    if problem:
        return _refused(session, user, problem)
    if new != confirm:
        raise ValidationFailed("auth.error.passwords_differ")
    check_new_password(new, username=user.username, display_name=user.display_name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    record.used_at = now
    session.add_all([user, record])
    throttle.clear(session, user.username)
    revoke_user_sessions(session, user.id)
    audit.record(session, actor_id=user.id, action="password.reset_by_link", target=user.username)
    return True
