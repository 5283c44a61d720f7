"""Who may coach whom, and read or manage which session (see the package docstring)."""

from sqlalchemy.engine import Row
from sqlmodel import Session, select

from portal import permissions
from portal.coaching.settings import LEARNER_ROLES
from portal.errors import NotFound, PermissionDenied
from portal.models import CoachingSession, User, UserRole
from portal.permissions import answers, permission
from portal.roles import Actor


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("coaching.error.no_such_agent", agent=user_id)
    return user


def _is_learner(session: Session, user_id: int) -> bool:
    return session.exec(select(UserRole.user_id).where(UserRole.user_id == user_id,
                                                       UserRole.role.in_(LEARNER_ROLES))).first() is not None


WRITE, READ, PRIVATE = "coaching:write", "coaching:read", "coaching:private_notes"


@answers(WRITE)
def may_coach(session: Session, actor: Actor, agent: User) -> bool:
    return permissions.may(session, actor, WRITE, agent.id)


def _require_coach_of(session: Session, actor: Actor, agent: User) -> None:
    if not may_coach(session, actor, agent):
        raise PermissionDenied("coaching.error.not_your_agent", agent=agent.display_name)


def _may_manage(session: Session, actor: Actor, cs: CoachingSession) -> bool:
    """Author or lead of the session's team: may edit and read private notes."""
    return actor.id == cs.author_id or permissions.may_over_team(session, actor, PRIVATE, cs.team_id)


def _may_read(session: Session, actor: Actor, cs: CoachingSession) -> bool:
    """The table over the person coached (a lead: the team the session was held in), or its author."""
    return actor.id == cs.author_id or permissions.may(session, actor, READ, cs.agent_id, record_team=cs.team_id)


def _get(session: Session, session_id: int) -> CoachingSession:
    cs = session.get(CoachingSession, session_id)
    if cs is None:
        raise NotFound("coaching.error.no_such_session", session=session_id)
    return cs


@permission(WRITE)
def coachable_agents(session: Session, actor: Actor) -> list[Row]:
    """The agents and new hires this coach may write sessions for, by name: rows of
    (id, username, display_name). Plain rows, not users: a trainer sees the whole center."""
    query = (select(User.id, User.username, User.display_name).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role.in_(LEARNER_ROLES), User.active, permissions.people_filter(session, actor, WRITE))
             .distinct().order_by(User.display_name))
    return list(session.exec(query))
