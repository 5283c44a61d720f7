"""Who may see and sign off whose onboarding.

- A new hire sees their own journey only.
- A mentor sees their mentees (`User.mentor_id`).
- A team lead sees the new hires of the teams they lead.
- Trainers and admins see every new hire.
- Sign-off: a trainer, for any stage; the new hire's own mentor, for a stage
  whose `signoff_by` names mentors. Nobody signs off their own stage, and an
  admin who is neither trainer nor mentor signs off nothing.
- Ticket reviews: the new hire's mentor, or a trainer; never one's own.
"""
from sqlalchemy import or_
from sqlmodel import Session, select

from portal.courses import StageSpec
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import StageSignoff, User, UserRole
from portal.onboarding.rules import SignoffOutcome
from portal.roles import Actor, Role, require_role
from portal.users import teams_led_by

VIEWER_ROLES = (Role.ADMIN, Role.TRAINER, Role.LEAD, Role.MENTOR)


def subject(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("users.error.no_such_user", user=user_id)
    return user


def can_view(session: Session, actor: Actor, user: User) -> bool:
    if user.id == actor.id or actor.has(Role.ADMIN, Role.TRAINER):
        return True
    if actor.has(Role.MENTOR) and user.mentor_id == actor.id:
        return True
    return actor.has(Role.LEAD) and user.team_id is not None and user.team_id in teams_led_by(session, actor.id)


def require_view(session: Session, actor: Actor, user_id: int) -> User:
    user = subject(session, user_id)
    if not can_view(session, actor, user):
        raise PermissionDenied("onboarding.error.not_your_new_hire")
    return user


def new_hire_query(session: Session, actor: Actor, *columns):
    """A query for the new hires the actor may see: members of a cohort, or holders of the new-hire role.

    It selects `columns` (plain rows) if given, else whole `User`s.
    """
    require_role(actor, *VIEWER_ROLES)
    newhire_ids = select(UserRole.user_id).where(UserRole.role == Role.NEWHIRE.value)
    query = select(*(columns or (User,))).where(or_(User.cohort_id.is_not(None), User.id.in_(newhire_ids)))
    if actor.has(Role.ADMIN, Role.TRAINER):
        return query
    allowed = []
    if actor.has(Role.MENTOR):
        allowed.append(User.mentor_id == actor.id)
    if actor.has(Role.LEAD):
        allowed.append(User.team_id.in_(teams_led_by(session, actor.id)))
    return query.where(or_(*allowed))


def require_active_new_hire(session: Session, actor: Actor) -> User:
    """Only new hires record their own progress, and not once they were withdrawn."""
    require_role(actor, Role.NEWHIRE)
    user = subject(session, actor.id)
    withdrawn = session.exec(select(StageSignoff.id).where(StageSignoff.user_id == actor.id,
                                                           StageSignoff.outcome == SignoffOutcome.WITHDRAWN)).first()
    if withdrawn is not None:
        raise ValidationFailed("onboarding.error.withdrawn")
    return user


def can_sign_off(actor: Actor, user_id: int, mentor_id: int | None, stage: StageSpec) -> bool:
    if user_id == actor.id:
        return False
    if actor.has(Role.TRAINER):
        return True
    return "mentor" in stage.signoff_by and actor.has(Role.MENTOR) and mentor_id == actor.id


def require_sign_off(actor: Actor, user: User, stage: StageSpec) -> None:
    if user.id == actor.id:
        raise PermissionDenied("onboarding.error.own_signoff")
    if not can_sign_off(actor, user.id, user.mentor_id, stage):
        raise PermissionDenied("onboarding.error.signoff_not_allowed")


def can_review(actor: Actor, user_id: int, mentor_id: int | None) -> bool:
    if user_id == actor.id:
        return False
    return actor.has(Role.TRAINER) or (actor.has(Role.MENTOR) and mentor_id == actor.id)


def require_review(actor: Actor, user: User) -> None:
    if user.id == actor.id:
        raise PermissionDenied("onboarding.error.own_review")
    if not can_review(actor, user.id, user.mentor_id):
        raise PermissionDenied("onboarding.error.review_not_allowed")
