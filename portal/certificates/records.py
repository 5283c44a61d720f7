"""A person's certificates, the admin's look-up by verification code, and expiry."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from portal.certificates.issue import normalized_code
from portal.clock import local_today
from portal.errors import NotFound
from portal.models import Certificate, User
from portal.permissions import ensure, permission
from portal.roles import Actor


@dataclass(frozen=True)
class CertificateView:
    id: int
    user_id: int
    person: str
    username: str
    kind: str
    title_en: str
    title_zh: str
    achieved_on: date
    expires_on: date | None
    code: str

    def expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


def _views(session: Session, *conditions) -> list[CertificateView]:
    rows = session.exec(select(Certificate.id, Certificate.user_id, User.display_name, User.username, Certificate.kind,
                               Certificate.title_en, Certificate.title_zh, Certificate.achieved_on,
                               Certificate.expires_on, Certificate.code)
                        .join(User, User.id == Certificate.user_id).where(*conditions)
                        .order_by(Certificate.achieved_on.desc(), Certificate.id.desc())).all()
    return [CertificateView(*row) for row in rows]


@permission("certificates:download", subject="user_id")
def certificates_of(session: Session, actor: Actor, user_id: int) -> list[CertificateView]:
    """A person's certificates, newest first."""
    return _views(session, Certificate.user_id == user_id)


@permission("certificates:download")
def certificate(session: Session, actor: Actor, certificate_id: int) -> CertificateView:
    """One certificate, for its PDF: its holder's (or an admin's)."""
    found = _views(session, Certificate.id == certificate_id)
    if not found:
        raise NotFound("certificates.error.not_found")
    ensure(session, actor, "certificates:download", found[0].user_id)
    return found[0]


@permission("certificates:verify")
def verify(session: Session, actor: Actor, code: str) -> CertificateView | None:
    """The certificate with this verification code, as typed (case, spaces and dashes do not matter); None if none."""
    found = _views(session, Certificate.code == normalized_code(code))
    return found[0] if found else None


def expiring(session: Session, user_id: int, *, within_days: int, today: date | None = None) -> list[CertificateView]:
    """A person's certificates that lapse within `within_days` (or have lapsed): for reminders."""
    today = today or local_today()
    return _views(session, Certificate.user_id == user_id, Certificate.expires_on.is_not(None),
                  Certificate.expires_on <= today + timedelta(days=within_days))
