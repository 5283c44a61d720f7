"""What a person's profile shows: their badges and their certificates."""
from dataclasses import dataclass

from sqlmodel import Session

from portal.certificates.records import CertificateView, certificates_of
from portal.errors import NotFound
from portal.models import User
from portal.permissions import may, permission
from portal.recognition.badges import BadgeView, badges_of
from portal.roles import Actor


@dataclass(frozen=True)
class Profile:
    user_id: int
    name: str
    badges: list[BadgeView]
    certificates: list[CertificateView]


@permission("recognition:profile", subject="user_id")
def profile(session: Session, actor: Actor, user_id: int) -> Profile:
    """A person's badges and certificates (their own, a lead's team member's, or anyone's for an admin)."""
    person = session.get(User, user_id)
    if person is None:
        raise NotFound("recognition.error.no_such_colleague")
    shown = certificates_of(session, actor, user_id) if _may_download(session, actor, user_id) else []
    return Profile(person.id, person.display_name, badges_of(session, user_id), shown)


def _may_download(session: Session, actor: Actor, user_id: int) -> bool:
    return may(session, actor, "certificates:download", user_id)
