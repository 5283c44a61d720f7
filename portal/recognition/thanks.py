"""Thanks between colleagues: a short message, a wall of the last weeks, and counts per team.

A lead sees how many thanks each of their teams gave and received, never a ranking of people:
a board of who is thanked most keeps the same early people on top and discourages the rest.
"""
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal.paging import Page, fetch_page
from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import Team, Thanks, User
from portal.notifications.inbox import notify
from portal.permissions import permission, teams_within
from portal.recognition.badges import THANKS_10, THANKS_FOR_BADGE, award_badge
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission
from portal.users import pick_people

MAX_MESSAGE = 280
WALL_WEEKS = 4
WALL_PAGE_SIZE = 50
PAGE = "pages/recognition.py"


def checked_message(text: str | None, *, limit: int = MAX_MESSAGE, empty_key: str, long_key: str) -> str:
    """A short text as saved: trimmed, not empty, at most `limit` characters (a Chinese character counts one)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(empty_key)
    if len(text) > limit:
        raise ValidationFailed(long_key, limit=limit, length=len(text))
    return text


@dataclass(frozen=True)
class Colleague:
    id: int
    display_name: str


@permission("recognition:thank")
def colleagues(session: Session, actor: Actor, search: str = "") -> list[Colleague]:
    """Active people the actor may thank (not themselves), by name: those whose name, username or
    employee number contains `search`, or, with no search, the actor's own team; at most PEOPLE_SHOWN."""
    if not search.strip() and actor.team_id is None:
        return []
    mates = [] if search.strip() else [User.team_id == actor.team_id]
    rows = pick_people(session, User.id != actor.id, *mates, search=search)
    return [Colleague(*row) for row in rows]


@permission("recognition:thank", subject="to_user_id", never_own="recognition.error.thank_self")
def thank(session: Session, actor: Actor, to_user_id: int | None, message: str, *, submission_key: str | None = None,
          now: datetime | None = None) -> Thanks:
    """Thank a colleague; the same submission sent twice (a double click, a reload) thanks once."""
    if to_user_id is None:
        raise ValidationFailed("recognition.error.colleague_required")
    key = checked_key(submission_key)
    earlier = earlier_submission(session, Thanks, key, owner_id=actor.id, owner="from_user_id")
    if earlier is not None:
        return earlier
    text = checked_message(message, empty_key="recognition.error.message_required",
                           long_key="recognition.error.message_too_long")
    recipient = session.get(User, to_user_id)
    if recipient is None or not recipient.active:
        raise NotFound("recognition.error.no_such_colleague")
    row = Thanks(from_user_id=actor.id, to_user_id=recipient.id, message=text, created_at=now or utcnow(),
                 submission_key=key)
    session.add(row)
    session.flush()
    notify(session, recipient.id, "recognition_thanks", page=PAGE, dedupe_key=f"thanks:{row.id}",
                 name=actor.display_name, message=text)
    _badge_for_thanks_received(session, recipient.id)
    return row


def _badge_for_thanks_received(session: Session, user_id: int) -> None:
    received = session.exec(select(func.count()).select_from(Thanks).where(Thanks.to_user_id == user_id)).one()
    if received >= THANKS_FOR_BADGE:
        award_badge(session, user_id, THANKS_10, source_key=f"thanks:{THANKS_FOR_BADGE}")


@dataclass(frozen=True)
class WallEntry:
    id: int
    from_name: str
    to_name: str
    message: str
    created_at: datetime


def _since(now: datetime | None, weeks: int) -> datetime:
    return (now or utcnow()) - timedelta(weeks=weeks)


@permission("recognition:wall")
def wall(session: Session, actor: Actor, *, page: int = 0, now: datetime | None = None,
         weeks: int = WALL_WEEKS) -> Page[list[WallEntry]]:
    """The thanks of the last `weeks`, newest first, a page at a time (page 0 is the first)."""
    since = _since(now, weeks)
    giver, receiver = aliased(User), aliased(User)
    found = fetch_page(session, select(Thanks.id, giver.display_name, receiver.display_name, Thanks.message,
                                       Thanks.created_at)
                       .join(giver, giver.id == Thanks.from_user_id).join(receiver, receiver.id == Thanks.to_user_id)
                       .where(Thanks.created_at >= since).order_by(Thanks.created_at.desc(), Thanks.id.desc()),
                       page=page, page_size=WALL_PAGE_SIZE)
    return replace(found, rows=[WallEntry(*row) for row in found.rows])


@dataclass(frozen=True)
class TeamCount:
    team_id: int
    team_name: str
    received: int
    given: int


@permission("recognition:team_counts")
def team_counts(session: Session, actor: Actor, *, now: datetime | None = None,
                weeks: int = WALL_WEEKS) -> list[TeamCount]:
    """Thanks received and given per team over the last `weeks`, for the teams the actor may see: counts only."""
    since = _since(now, weeks)
    teams = teams_within(session, actor, "recognition:team_counts")
    query = select(Team.id, Team.name).order_by(Team.name)
    if teams is not None:
        query = query.where(Team.id.in_(teams))
    rows = session.exec(query).all()
    received = _per_team(session, Thanks.to_user_id, since)
    given = _per_team(session, Thanks.from_user_id, since)
    return [TeamCount(team_id, name, received.get(team_id, 0), given.get(team_id, 0)) for team_id, name in rows]


def _per_team(session: Session, person_column, since: datetime) -> dict[int, int]:
    rows = session.exec(select(User.team_id, func.count()).select_from(Thanks).join(User, User.id == person_column)
                        .where(Thanks.created_at >= since, User.team_id.is_not(None)).group_by(User.team_id)).all()
    return dict(rows)
