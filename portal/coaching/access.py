"""Who may coach whom, and read or manage which session (see the package docstring)."""

from sqlalchemy import or_
from sqlalchemy.engine import Row
from sqlmodel import Session, select

from portal.coaching.settings import COACHES, LEARNER_ROLES
from portal.errors import NotFound, PermissionDenied
from portal.models import CoachingSession, User, UserRole
from portal.roles import Actor, Role, require_role
from portal.users import teams_led_by


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("coaching.error.no_such_agent", agent=user_id)
    return user


def _is_learner(session: Session, user_id: int) -> bool:
    return session.exec(select(UserRole.user_id).where(UserRole.user_id == user_id,
                                                       UserRole.role.in_(LEARNER_ROLES))).first() is not None


def may_coach(session: Session, actor: Actor, agent: User) -> bool:
    if actor.has(Role.ADMIN, Role.TRAINER):
        return True
    if actor.has(Role.LEAD) and agent.team_id is not None and agent.team_id in teams_led_by(session, actor.id):
        return True
    return actor.has(Role.MENTOR) and agent.mentor_id == actor.id


def _require_coach_of(session: Session, actor: Actor, agent: User) -> None:
    require_role(actor, *COACHES)
    if not may_coach(session, actor, agent):
        raise PermissionDenied("coaching.error.not_your_agent", agent=agent.display_name)


def _may_manage(session: Session, actor: Actor, cs: CoachingSession) -> bool:
    """Author or lead of the session's team: may edit and read private notes."""
    if actor.id == cs.author_id:
        return True
    return actor.has(Role.LEAD) and cs.team_id is not None and cs.team_id in teams_led_by(session, actor.id)


def _may_read(session: Session, actor: Actor, cs: CoachingSession) -> bool:
    if actor.id == cs.agent_id or _may_manage(session, actor, cs) or actor.has(Role.ADMIN, Role.TRAINER):
        return True
    return actor.has(Role.MENTOR) and _user(session, cs.agent_id).mentor_id == actor.id


def _get(session: Session, session_id: int) -> CoachingSession:
    cs = session.get(CoachingSession, session_id)
    if cs is None:
        raise NotFound("coaching.error.no_such_session", session=session_id)
    return cs


def coachable_agents(session: Session, actor: Actor) -> list[Row]:
    """The agents and new hires this coach may write sessions for, by name: rows of
    (id, username, display_name). Plain rows, not users: a trainer sees the whole center."""
    require_role(actor, *COACHES)
    query = (select(User.id, User.username, User.display_name).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role.in_(LEARNER_ROLES), User.active).distinct().order_by(User.display_name))
    if not actor.has(Role.ADMIN, Role.TRAINER):
        conditions = []
        if actor.has(Role.LEAD):
            conditions.append(User.team_id.in_(teams_led_by(session, actor.id) or [-1]))
        if actor.has(Role.MENTOR):
            conditions.append(User.mentor_id == actor.id)
        query = query.where(or_(*conditions))
    return list(session.exec(query))
