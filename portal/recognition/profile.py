"""What a person's profile shows: their badges and their certificates.

One's own profile, a mentee's (their mentor), a team member's (the team's lead), anyone's (an admin):
`recognition:profile` in the permission table. The certificates are listed only to those who may also
download them (`certificates:download`: the holder and admins); the others are told they are not shown.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from portal.certificates.records import CertificateView, certificates_of
from portal.errors import NotFound, PermissionDenied
from portal.models import User
from portal.permissions import allowed_at_all, answers, may, people_filter, permission
from portal.recognition.badges import BadgeView, badges_of
from portal.roles import Actor

ACTION = "recognition:profile"


@dataclass(frozen=True)
class Profile:
    user_id: int
    name: str
    badges: list[BadgeView]
    #: None when the reader may not see them (only the holder and admins download certificates)
    certificates: list[CertificateView] | None
    own: bool  # the reader's own profile: they act on it (reading changed modules again)


@permission(ACTION)
def profile(session: Session, actor: Actor, user_id: int) -> Profile:
    """A person's badges and certificates (their own, a mentee's, a lead's team member's, or anyone's for an admin).

    Someone the reader may not open is refused in the same words whether or not they exist,
    so the URL cannot be used to find out who works here.
    """
    if not may(session, actor, ACTION, user_id):
        raise PermissionDenied("memberprofile.error.not_yours")
    person = session.get(User, user_id)
    if person is None:
        raise NotFound("recognition.error.no_such_colleague")
    shown = certificates_of(session, actor, user_id) if _may_download(session, actor, user_id) else None
    return Profile(person.id, person.display_name, badges_of(session, user_id), shown, own=user_id == actor.id)


@answers(ACTION)
def profiles_open_to(session: Session, actor: Actor, user_ids: Iterable[int]) -> set[int]:
    """Which of these people's profiles the actor may open: the lists of people link only those."""
    wanted = {int(user_id) for user_id in user_ids}
    if not wanted or not allowed_at_all(actor, ACTION):
        return set()
    found = session.exec(select(User.id).where(User.id.in_(wanted), people_filter(session, actor, ACTION)))
    return set(found)


def _may_download(session: Session, actor: Actor, user_id: int) -> bool:
    return may(session, actor, "certificates:download", user_id)
