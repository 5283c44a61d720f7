"""Slowing password guessing without locking the owner out (OWASP ASVS 2.2.1).

A hard lock after five failures let anyone in the building lock anyone out,
the administrator included, and answered "locked" only for names that exist.
Instead:

- **Per attempted name, known or not.** Failures are counted under a hash of
  the name as typed (`login_throttle`). From the `LOCKOUT_THRESHOLD`-th failure
  on, the name must wait before its next try: 30 s, then twice as long after
  each further failure, at most `LOCKOUT_MINUTES`. A try during the wait is
  refused without a password check, with the time left, for unknown names
  exactly as for real ones. A success clears the count.
- **The right password plus the wait still opens** the account: there is no
  lock, only a pause that grows while someone keeps guessing.
- **A browser someone signed in from before** (`trusted_device`, a random token
  in a long-lived HttpOnly cookie set by portal/ui/web.py) is not held up by failures made elsewhere: an
  attacker's guesses cannot keep the owner out of their own desk's browser.
  Failures made *from* that browser count on the browser, and at the threshold
  it stops being trusted.

Guessing is thus held to a few tries an hour per name, from any number of
machines at once, while the real person signs in as usual.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from portal.models import LoginThrottle, TrustedDevice
from portal.settings import get_settings

FIRST_WAIT = timedelta(seconds=30)
FAILURES_FORGOTTEN_AFTER = timedelta(days=1)  # a name's count starts again after a quiet day
DEVICE_COOKIE = "academy_device"
DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600


def name_hash(username: str) -> str:
    """The key a name's failures are counted under: the name as the login form normalises it."""
    return hashlib.sha256(("academy-login:" + (username or "").strip().lower()).encode("utf-8")).hexdigest()


def device_hash(token: str | None) -> str:
    return hashlib.sha256(("academy-device:" + (token or "")).encode("utf-8")).hexdigest()


def wait_after(failures: int) -> timedelta | None:
    """How long a name waits after its `failures`-th failure in a row (None: no wait yet)."""
    settings = get_settings()
    if failures < settings.lockout_threshold:
        return None
    doubled = FIRST_WAIT * (2 ** min(failures - settings.lockout_threshold, 16))
    return min(doubled, timedelta(minutes=settings.lockout_minutes))


@dataclass(frozen=True)
class Standing:
    """What a sign-in attempt may do, read before the password is checked."""

    trusted_device: bool
    wait_seconds: int  # > 0: refused without a password check, come back then


def _seconds_left(row: LoginThrottle | None, now: datetime) -> int:
    if row is None or row.next_try_at is None or row.next_try_at <= now:
        return 0
    return max(1, int((row.next_try_at - now).total_seconds() + 0.999))


def standing(session: Session, username: str, device_token: str | None, user_id: int | None,
             now: datetime) -> Standing:
    """The same two look-ups for every attempt, whether or not the name exists."""
    device = session.get(TrustedDevice, device_hash(device_token))
    trusted = device is not None and user_id is not None and device.user_id == user_id
    wait = 0 if trusted else _seconds_left(session.get(LoginThrottle, name_hash(username)), now)
    return Standing(trusted_device=trusted, wait_seconds=wait)


def lock_name(session: Session, username: str) -> LoginThrottle:
    """The name's row, created if missing and locked for this transaction.

    Every attempt's outcome is written under this lock, so simultaneous guesses are counted one
    by one: once the threshold is reached, the ones still in flight find the name waiting.
    """
    key = name_hash(username)
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)
    session.execute(insert(LoginThrottle).values(name_hash=key, failures=0).on_conflict_do_nothing())
    return session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)


def seconds_left(row: LoginThrottle, standing_before: Standing, now: datetime) -> int:
    """The wait that applies now, under the lock (a trusted browser has none)."""
    return 0 if standing_before.trusted_device else _seconds_left(row, now)


def record_failure(session: Session, row: LoginThrottle, device_token: str | None, trusted: bool,
                   now: datetime) -> None:
    """Count a failure on the trusted browser it came from, else on the name."""
    if trusted:
        device = session.get(TrustedDevice, device_hash(device_token), with_for_update=True)
        if device is not None:
            device.failures += 1
            if device.failures >= get_settings().lockout_threshold:
                session.delete(device)
            else:
                session.add(device)
            return
    if row.last_failure_at and now - row.last_failure_at > FAILURES_FORGOTTEN_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    wait = wait_after(row.failures)
    row.next_try_at = now + wait if wait else None
    session.add(row)


def record_success(session: Session, row: LoginThrottle, device_token: str | None, user_id: int,
                   now: datetime) -> bool:
    """Clear the name's failures; True when the browser is already trusted for this person."""
    session.delete(row)
    device = session.get(TrustedDevice, device_hash(device_token)) if device_token else None
    if device is None or device.user_id != user_id:
        return False
    device.failures = 0
    device.last_used_at = now
    session.add(device)
    return True


def trust_new_device(session: Session, user_id: int, now: datetime) -> str:
    """A new trusted-device token for the browser someone just signed in from."""
    token = secrets.token_urlsafe(32)
    session.add(TrustedDevice(token_hash=device_hash(token), user_id=user_id, created_at=now, last_used_at=now))
    return token


def clear(session: Session, username: str) -> None:
    """An administrator lets a name try again at once (after confirming who is asking)."""
    throttle = session.get(LoginThrottle, name_hash(username))
    if throttle is not None:
        session.delete(throttle)


def held_now(session: Session, now: datetime) -> set[str]:
    """The name hashes that must wait right now (someone kept guessing them): usually none."""
    return set(session.exec(select(LoginThrottle.name_hash).where(LoginThrottle.next_try_at > now)).all())


def waiting_until(session: Session, usernames: list[str]) -> dict[str, datetime]:
    """For the admin's user list: the names that must wait, and until when."""
    keys = {name_hash(u): u for u in usernames}
    rows = session.exec(select(LoginThrottle.name_hash, LoginThrottle.next_try_at)
                        .where(LoginThrottle.name_hash.in_(list(keys)),
                               LoginThrottle.next_try_at.is_not(None))).all()
    return {keys[key]: until for key, until in rows}
