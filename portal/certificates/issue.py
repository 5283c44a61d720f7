"""Issuing certificates: one per achievement (`source_key`), each with a verification code.

`issue_certificate` is the contract other areas call (onboarding graduation, contests). It has no
permission of its own: its callers are services that checked theirs.
"""
import calendar
import secrets
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.models import Certificate

#: No 0/O, 1/I/L: a code read aloud over the phone or typed from paper is not misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_PREFIX = "AA"
CODE_GROUPS = 2
GROUP_LENGTH = 4
#: The kinds issued so far (any short name will do: a new programme needs no change here).
KINDS = ("onboarding", "contest", "recertification")
#: Months a certificate of each programme stays valid (None: it does not lapse); reminders start
#: `REMIND_DAYS` before. The products and systems an onboarding covers change within a year or two.
EXPIRY_MONTHS: dict[str, int | None] = {"onboarding": 24, "contest": None, "recertification": 24}
REMIND_DAYS = 30


def expiry_for(kind: str, achieved_on: date) -> date | None:
    """When a certificate of `kind` achieved on `achieved_on` lapses (the same day, `EXPIRY_MONTHS` later)."""
    months = EXPIRY_MONTHS.get(kind)
    if months is None:
        return None
    month_index = achieved_on.month - 1 + months
    year, month = achieved_on.year + month_index // 12, month_index % 12 + 1
    return achieved_on.replace(year=year, month=month, day=min(achieved_on.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def new_code() -> str:
    """A verification code such as AA-7KQ3-M9XT (about 10^12 possibilities: not guessable)."""
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(CODE_GROUPS))
    return "-".join((CODE_PREFIX, *groups))


def normalized_code(text: str) -> str:
    """What a person typed, as a stored code: upper case, no spaces, dashes where they belong."""
    compact = "".join(c for c in (text or "").upper() if c.isalnum())
    if not compact.startswith(CODE_PREFIX):
        return compact
    body = compact[len(CODE_PREFIX):]
    return "-".join((CODE_PREFIX, *(body[i:i + GROUP_LENGTH] for i in range(0, len(body), GROUP_LENGTH))))


def certificate_for(session: Session, source_key: str) -> Certificate | None:
    return session.exec(select(Certificate).where(Certificate.source_key == source_key)).first()


def issue_certificate(session: Session, user_id: int, kind: str, *, title_en: str, title_zh: str,
                      achieved_on: date, source_key: str, expires_on: date | None = None) -> Certificate:
    """The certificate for `source_key`, issued now if it was not yet (the earlier one otherwise)."""
    if not kind or len(kind) > 40:
        raise ValueError(f"a certificate kind is a short name, not {kind!r}")
    existing = certificate_for(session, source_key)
    if existing is not None:
        return existing
    row = Certificate(user_id=user_id, kind=kind, title_en=title_en[:200], title_zh=title_zh[:200],
                      achieved_on=achieved_on, expires_on=expires_on, source_key=source_key, code=new_code())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # issued at the same moment by another process (or, once in 10^12, a code taken)
        existing = certificate_for(session, source_key)
        if existing is None:
            raise
        return existing
    return row
