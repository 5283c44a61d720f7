"""Who may see and sign off whose onboarding.

- A new hire sees their own journey only.
- A mentor sees their mentees (`User.mentor_id`).
- A team lead sees the new hires of the teams they lead.
- Trainers and admins see every new hire.
(All of it read from `portal.permissions.PERMISSIONS`; what stays here are the rules about records.)
- Sign-off: a trainer, for any stage; the new hire's own mentor, for a stage
  whose `signoff_by` names mentors. Nobody signs off their own stage, and an
  admin who is neither trainer nor mentor signs off nothing.
- Ticket reviews: the new hire's mentor, or a trainer; never one's own.
"""
from sqlalchemy import or_
from sqlmodel import Session, select

from portal.courses import StageSpec
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import StageSignoff, User, UserRole
from portal.onboarding.rules import SignoffOutcome
from portal import permissions
from portal.permissions import answers, permission
from portal.roles import Actor, Role
from portal.users import get_user

VIEW, SIGN_OFF, REVIEW = "onboarding:view", "onboarding:sign_off", "onboarding:review_tickets"


def subject(session: Session, user_id: int) -> User:
    """The person onboarded, or NotFound (`users.get_user`)."""
    return get_user(session, user_id)


@permission(VIEW)
def require_view(session: Session, actor: Actor, user_id: int) -> User:
    user = subject(session, user_id)
    if not permissions.may(session, actor, VIEW, user.id):
        raise PermissionDenied("onboarding.error.not_your_new_hire")
    return user


def is_new_hire():
    """SQL on `User`: a member of a cohort, or a holder of the new-hire role (who has a journey)."""
    newhire_ids = select(UserRole.user_id).where(UserRole.role == Role.NEWHIRE.value)
    return or_(User.cohort_id.is_not(None), User.id.in_(newhire_ids))


@permission("onboarding:follow_own")
def require_active_new_hire(session: Session, actor: Actor) -> User:
    """Only new hires record their own progress, and not once they were withdrawn."""
    user = subject(session, actor.id)
    withdrawn = session.exec(select(StageSignoff.id).where(StageSignoff.user_id == actor.id,
                                                           StageSignoff.outcome == SignoffOutcome.WITHDRAWN)).first()
    if withdrawn is not None:
        raise ValidationFailed("onboarding.error.withdrawn")
    return user


@answers(SIGN_OFF)
def can_sign_off(actor: Actor, user_id: int, mentor_id: int | None, stage: StageSpec) -> bool:
    """The table over the new hire (never oneself), and a mentor only where the stage names mentors."""
    if user_id == actor.id:
        return False
    # no session: onboarding:sign_off reaches mentees and everyone, never the teams one leads
    if not permissions.may_over(None, actor, SIGN_OFF, user_id, mentor_id=mentor_id, team_id=None):
        return False
    return permissions.over_everyone(actor, SIGN_OFF) or "mentor" in stage.signoff_by


@permission(SIGN_OFF)
def require_sign_off(actor: Actor, user: User, stage: StageSpec) -> None:
    if user.id == actor.id:
        raise PermissionDenied("onboarding.error.own_signoff")
    if not can_sign_off(actor, user.id, user.mentor_id, stage):
        raise PermissionDenied("onboarding.error.signoff_not_allowed")


@permission(REVIEW)
def require_review(session: Session, actor: Actor, user: User) -> None:
    """The new hire's mentor, or a trainer; never one's own tickets."""
    if user.id == actor.id:
        raise PermissionDenied("onboarding.error.own_review")
    if not permissions.may(session, actor, REVIEW, user.id):
        raise PermissionDenied("onboarding.error.review_not_allowed")
