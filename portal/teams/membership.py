"""Dated team membership: which team a person was in on a given day, and the one service that moves people.

Team figures (exam results, coaching, onboarding sign-offs, QA) count a record for the team its
person was in **on the day it happened**, on the center's calendar: moving Chen Jie from Mobile
Team A to Broadband Team B leaves Team A's past figures as they were, and Team B gains only what
Chen Jie does from the move on. `was_in_team` and `team_on_sql` are the SQL for that join.

Who a lead may see (permission scopes) stays by the **current** team, `user_account.team_id`,
which `move_to_team` keeps equal to the open membership. A person without any membership row has
been in their current team all along (accounts created, imported or seeded in bulk get no row:
history is written from the first move on, see `_history_start`).
"""
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from portal import audit
from portal.clock import center_day_sql, local_date, today
from portal.errors import ValidationFailed
from portal.models import Attempt, CoachingSession, QaCall, StageSignoff, Team, TeamMembership, User
from portal.permissions import permission
from portal.roles import Actor
from portal.users import get_team, get_user

#: How far ahead a move may be dated (a planned move at the start of next month, not next year's).
MAX_DAYS_AHEAD = 31
FIELD = "effective"


# --- reading -------------------------------------------------------------------------

def open_membership(session: Session, user_id: int) -> TeamMembership | None:
    return session.exec(select(TeamMembership).where(TeamMembership.user_id == user_id,
                                                     TeamMembership.end_date.is_(None))).first()


def _memberships(session: Session, user_id: int) -> list[TeamMembership]:
    return list(session.exec(select(TeamMembership).where(TeamMembership.user_id == user_id)
                             .order_by(TeamMembership.start_date, TeamMembership.id)))


def team_on(session: Session, user_id: int, day: date) -> int | None:
    """The team `user_id` was in on the center's day `day` (None: in no team that day)."""
    rows = _memberships(session, user_id)
    if not rows:
        user = session.get(User, user_id)
        return user.team_id if user is not None else None
    return next((row.team_id for row in rows if _covers(row, day)), None)


def _covers(row: TeamMembership, day: date) -> bool:
    return row.start_date <= day and (row.end_date is None or day < row.end_date)


@permission("users:manage", subject="user_id")
def membership_history(session: Session, actor: Actor, user_id: int) -> list[tuple[str, date, date | None]]:
    """(team name, first day, first day no longer in it or None) for each stretch, newest first."""
    get_user(session, user_id)
    rows = session.exec(select(Team.name, TeamMembership.start_date, TeamMembership.end_date)
                        .join(Team, Team.id == TeamMembership.team_id)
                        .where(TeamMembership.user_id == user_id)
                        .order_by(TeamMembership.start_date.desc(), TeamMembership.id.desc())).all()
    return [tuple(row) for row in rows]


# --- the SQL join --------------------------------------------------------------------

def event_day(session: Session, *, at=None, on=None):
    """SQL for the center's calendar day of an event: `at` a stored UTC time column, or `on` a date column."""
    if (at is None) == (on is None):
        raise TypeError("give exactly one of at= (a UTC time column) or on= (a date column)")
    return on if on is not None else center_day_sql(session.get_bind().dialect.name, at)


def _covering(person, day):
    return and_(TeamMembership.user_id == person, TeamMembership.start_date <= day,
                or_(TeamMembership.end_date.is_(None), TeamMembership.end_date > day))


def _never_moved(person):
    return ~exists().where(TeamMembership.user_id == person)


def was_in_team(session: Session, team_ids: int | Iterable[int], person, *, at=None, on=None):
    """SQL condition: `person` (a user id column) was in one of `team_ids` on the center's day of the event
    (`at`: a stored UTC time such as `Attempt.submitted_at`; `on`: a date such as `CoachingSession.held_on`).

    A person never moved counts for their current team. The people ever in the team come first, as a
    list the planner can drive the event's (person, time) index with, so the day of an event is only
    worked out for the team's own records, not for the whole center's."""
    ids = [team_ids] if isinstance(team_ids, int) else list(team_ids)
    day = event_day(session, at=at, on=on)
    now = User.__table__.alias("member_now")
    never_moved_members = sa_select(now.c.id).where(now.c.team_id.in_(ids), _never_moved(now.c.id))
    ever_members = sa_select(TeamMembership.user_id).where(TeamMembership.team_id.in_(ids))
    dated = exists().where(TeamMembership.team_id.in_(ids), _covering(person, day))
    return and_(person.in_(never_moved_members.union(ever_members)),
                or_(person.in_(never_moved_members), dated))


def team_on_sql(session: Session, person, *, at=None, on=None):
    """SQL value: the team id `person` was in on the center's day of the event (NULL: none), for grouping
    figures by team."""
    day = event_day(session, at=at, on=on)
    dated = sa_select(TeamMembership.team_id).where(_covering(person, day)).limit(1).scalar_subquery()
    now = User.__table__.alias("member_now")
    current = sa_select(now.c.team_id).where(now.c.id == person, _never_moved(now.c.id)).scalar_subquery()
    return func.coalesce(dated, current)


def record_current_teams(session: Session) -> int:
    """Write down, for everyone in a team without any membership row, their current team as an open
    stretch from their first day on record (what the 0013 migration's back-fill did to existing data);
    the demo loader calls it once its records are in. Returns how many stretches it wrote."""
    people = session.exec(select(User).where(User.team_id.is_not(None), _never_moved(User.id))).all()
    for user in people:
        session.add(TeamMembership(user_id=user.id, team_id=user.team_id, start_date=_history_start(session, user)))
    session.flush()
    return len(people)


# --- moving ------------------------------------------------------------------------------

@permission("users:manage", subject="user_id")
def move_to_team(session: Session, actor: Actor, user_id: int, team_id: int | None,
                 effective: date) -> TeamMembership:
    """Move `user_id` into `team_id` (None: out of any team) from the center's day `effective` on.

    Refuses a day before the current membership began or more than `MAX_DAYS_AHEAD` days ahead
    (`ValidationFailed` with `field="effective"`). Moving someone into the team they are already in
    changes nothing (a double click or a second run of a bulk move). Keeps `user_account.team_id`
    equal to the open membership and writes one audit entry. Returns the open membership, or the one
    just closed when the person leaves every team.
    """
    user = get_user(session, user_id)
    new_team = _team(session, team_id)
    if user.team_id == team_id:
        return open_membership(session, user_id) or _first_membership(session, user, None)
    current = open_membership(session, user_id) or _first_membership(session, user, effective)
    _check_effective(_earliest_allowed(session, user_id, current), effective)
    before = current.team_id if current is not None else None
    if current is not None and current.start_date == effective:
        result = _replace_team(session, current, team_id)
    else:
        result = _close_and_open(session, current, user_id, team_id, effective)
    user.team_id = team_id
    session.add(user)
    session.flush()
    audit.record(session, actor_id=actor.id, action="user.moved_team", target=user.username,
                 before_team_id=before, after_team_id=team_id, effective=effective.isoformat(),
                 after_team=new_team.name if new_team else None)
    return result


def _team(session: Session, team_id: int | None) -> Team | None:
    """The team moved to (None: no team)."""
    return None if team_id is None else get_team(session, team_id)


def _first_membership(session: Session, user: User, effective: date | None) -> TeamMembership | None:
    """A person never moved has been in their current team all along: write that down before the first
    move, from their first day on record (or the move's day, if that is earlier: then nothing happened
    in the old team and the move simply dates the new one). Someone who left every team has nothing to write."""
    if user.team_id is None or _memberships(session, user.id):
        return None
    start = min(_history_start(session, user), effective) if isinstance(effective, date) else None
    row = TeamMembership(user_id=user.id, team_id=user.team_id, start_date=start or _history_start(session, user))
    session.add(row)
    session.flush()
    return row


def _history_start(session: Session, user: User) -> date:
    """The earliest day the person has anything on record: account created, an exam started, a coaching
    session, a QA call, a stage sign-off (the same rule as the 0013 migration's back-fill)."""
    moments = [session.exec(sa_select(func.min(column)).where(person == user.id)).one()[0]
               for column, person in ((Attempt.started_at, Attempt.user_id), (QaCall.started_at, QaCall.agent_id),
                                      (StageSignoff.signed_at, StageSignoff.user_id))]
    days = [local_date(user.created_at)] + [local_date(m) for m in moments if m is not None]
    held = session.exec(sa_select(func.min(CoachingSession.held_on))
                        .where(CoachingSession.agent_id == user.id)).one()[0]
    return min(days + ([held] if held is not None else []))


def _earliest_allowed(session: Session, user_id: int, current: TeamMembership | None) -> date | None:
    """A move may not reach back before the current stretch began (or, out of every team, before the last
    one ended): history already written stays as it is."""
    if current is not None:
        return current.start_date
    return session.exec(sa_select(func.max(TeamMembership.end_date))
                        .where(TeamMembership.user_id == user_id)).one()[0]


def _check_effective(earliest: date | None, effective: date) -> None:
    if not isinstance(effective, date):
        raise ValidationFailed("teams.error.effective_required", field=FIELD)
    if earliest is not None and effective < earliest:
        raise ValidationFailed("teams.error.effective_before_start", field=FIELD, start=earliest.isoformat())
    latest = today() + timedelta(days=MAX_DAYS_AHEAD)
    if effective > latest:
        raise ValidationFailed("teams.error.effective_too_late", field=FIELD, count=MAX_DAYS_AHEAD)


def _replace_team(session: Session, current: TeamMembership, team_id: int | None) -> TeamMembership:
    """A move dated the day the current stretch began corrects that stretch instead of leaving a day-less one;
    it rejoins the stretch before when that was already in the new team."""
    previous = session.exec(select(TeamMembership).where(TeamMembership.user_id == current.user_id,
                                                         TeamMembership.end_date == current.start_date)).first()
    session.delete(current)
    if previous is not None and previous.team_id == team_id:
        previous.end_date = None
        session.add(previous)
        return previous
    if previous is not None and team_id is None:
        return previous
    if team_id is None:
        return current
    row = TeamMembership(user_id=current.user_id, team_id=team_id, start_date=current.start_date)
    session.add(row)
    return row


def _close_and_open(session: Session, current: TeamMembership | None, user_id: int, team_id: int | None,
                    effective: date) -> TeamMembership:
    if current is not None:
        current.end_date = effective
        session.add(current)
    if team_id is None:
        return current
    row = TeamMembership(user_id=user_id, team_id=team_id, start_date=effective)
    session.add(row)
    return row


