"""Many journeys at once: the cohort board, a mentor's mentees, and what awaits an actor's sign-off."""
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from portal.courses import STAGE_KEYS
from portal.models import Team, User
from portal.paging import PAGE_SIZE, Page, slice_page, within
from portal import permissions
from portal.onboarding.access import SIGN_OFF, can_sign_off, is_new_hire
from portal.onboarding.journey import NEW_HIRE_COLUMNS, Journey, StageState, build_journeys
from portal.onboarding.rules import StageStatus
from portal.permissions import answers, permission
from portal.roles import Actor

JOURNEYS = "onboarding:journeys"


@permission(JOURNEYS)
def visible_journeys(session: Session, actor: Actor, *, cohort_id: int | None = None, team_id: int | None = None,
                     today: date | None = None, stalled_days: int | None = None, offset: int = 0,
                     limit: int | None = None) -> list[Journey]:
    """Journeys of the new hires the actor may see, by name; optionally of one cohort and/or one team, and
    only the `limit` from `offset` on (a page of the board: only those journeys are built)."""
    # plain rows, not `User`s: a trainer's board covers a whole center
    query = _narrowed(_new_hires(session, actor, *NEW_HIRE_COLUMNS), cohort_id, team_id)
    query = query.order_by(User.display_name, User.id).offset(max(0, offset)).limit(limit)
    return build_journeys(session, session.exec(query).all(), today=today, stalled_days=stalled_days)


@permission(JOURNEYS)
def count_new_hires(session: Session, actor: Actor, *, cohort_id: int | None = None,
                    team_id: int | None = None) -> int:
    """How many new hires `visible_journeys` has for these filters, counted in SQL."""
    query = _narrowed(_new_hires(session, actor, User.id), cohort_id, team_id)
    return session.exec(select(func.count()).select_from(query.subquery())).one()


@dataclass(frozen=True)
class BoardPage(Page[list[Journey]]):
    """`rows`: the page shown, by name; `total`: new hires matching the filters (with `only_flagged`:
    those flagged), on every page."""

    counted: list[Journey] = field(default_factory=list)
    """The journeys the flag counts are taken from: the page, or with `only_flagged` every flagged one."""


@permission(JOURNEYS)
def board_page(session: Session, actor: Actor, *, cohort_id: int | None = None, team_id: int | None = None,
               today: date | None = None, stalled_days: int | None = None, only_flagged: bool = False,
               page: int = 0, page_size: int = PAGE_SIZE) -> BoardPage:
    """One page of the cohort board. Only that page's journeys are built, so the board costs the same
    however large the cohort; "only flagged" needs every journey's flags, and builds them all."""
    if not only_flagged:
        total = count_new_hires(session, actor, cohort_id=cohort_id, team_id=team_id)
        page = within(page, total, page_size)
        journeys = visible_journeys(session, actor, cohort_id=cohort_id, team_id=team_id, today=today,
                                    stalled_days=stalled_days, offset=page * page_size, limit=page_size)
        return BoardPage(journeys, total, page, page_size, counted=journeys)
    flagged = [j for j in visible_journeys(session, actor, cohort_id=cohort_id, team_id=team_id, today=today,
                                           stalled_days=stalled_days) if is_flagged(j)]
    shown = slice_page(flagged, page, page_size)
    return BoardPage(shown.rows, shown.total, shown.page, page_size, counted=flagged)


def is_flagged(journey: Journey) -> bool:
    """Behind schedule, stalled, or asked to repeat a stage: what "only flagged" keeps."""
    return journey.behind_schedule or journey.stalled or any(s.asked_to_repeat for s in journey.stages)


@permission(JOURNEYS)
def board_teams(session: Session, actor: Actor) -> dict[int, str]:
    """The teams the board's team filter offers, by name: for trainers and admins every team; for a lead
    or a mentor the teams of the new hires they may see (not the center's hundreds)."""
    query = select(Team.id, Team.name).order_by(Team.name)
    if not permissions.over_everyone(actor, JOURNEYS):
        visible = _new_hires(session, actor, User.team_id)
        query = query.where(Team.id.in_(visible.where(User.team_id.is_not(None))))
    return dict(session.exec(query).all())


def _new_hires(session: Session, actor: Actor, *columns):
    """The new hires `actor` may see (`onboarding:journeys`), selecting `columns`."""
    return select(*columns).where(is_new_hire(), permissions.people_filter(session, actor, JOURNEYS))


def _narrowed(query, cohort_id: int | None, team_id: int | None):
    if cohort_id is not None:
        query = query.where(User.cohort_id == cohort_id)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return query


@permission("onboarding:mentees")
def mentee_journeys(session: Session, actor: Actor, *, today: date | None = None) -> list[Journey]:
    """The journeys of the actor's own mentees."""
    mentees = permissions.people_filter(session, actor, "onboarding:mentees")
    users = session.exec(select(*NEW_HIRE_COLUMNS).where(mentees)
                         .order_by(User.display_name, User.id)).all()
    return build_journeys(session, users, today=today)


@answers(SIGN_OFF)
def awaiting_signoff(actor: Actor, journeys: list[Journey]) -> list[tuple[Journey, StageState]]:
    """Current stages whose requirements are met and which the actor may sign off."""
    return [(j, j.current) for j in journeys
            if j.current is not None and j.current.status is StageStatus.AWAITING_SIGNOFF
            and can_sign_off(actor, j.user_id, j.mentor_id, j.current.spec)]


BOARD_COLUMNS: list[str] = [
    "user_id", "username", "name", "team", "cohort", "mentor", "status", "current_stage", "overall_progress",
    *[f"{key}_{part}" for key in STAGE_KEYS for part in ("status", "due", "signed_off")],
    "behind_schedule", "stalled", "asked_to_repeat", "repeat_stage", "repeat_reason", "last_activity",
    "shadowing_calls", "reviewed_calls", "pending_reviews",
]


@permission(JOURNEYS)
def cohort_board(session: Session, actor: Actor, cohort_id: int | None = None, team_id: int | None = None, *,
                 today: date | None = None, stalled_days: int | None = None) -> pd.DataFrame:
    """One row per new hire the actor may see (trainers and admins: all; leads: their teams; mentors: mentees).

    Columns (`BOARD_COLUMNS`), stable for other areas to build on:

    - `user_id`, `username`, `name`, `team`, `cohort`, `mentor`
    - `status`: `in_progress`, `graduated` or `withdrawn`; `current_stage`: a stage key or None;
      `overall_progress`: 0..1, stages weighted by their working days
    - per stage key (`theory`, `product`, `systems_skills`, `shadowing`, `supervised_calls`):
      `<key>_status` (`not_started`, `in_progress`, `awaiting_signoff`, `passed`, `withdrawn`),
      `<key>_due` (planned due date from the cohort start, or None), `<key>_signed_off` (date passed, or None)
    - flags: `behind_schedule` (a stage not passed is past its due date), `stalled` (no activity of
      the new hire's own for `stalled_days` working days, default `settings.onboarding_stalled_days`),
      `asked_to_repeat` (with `repeat_stage` and `repeat_reason`)
    - `last_activity` (date or None), `shadowing_calls`, `reviewed_calls`, `pending_reviews`

    Dates are `datetime.date` in the call center's time zone.
    """
    return board_frame(visible_journeys(session, actor, cohort_id=cohort_id, team_id=team_id, today=today,
                                       stalled_days=stalled_days))


def board_frame(journeys: list[Journey]) -> pd.DataFrame:
    """The cohort board of journeys already loaded (see `cohort_board` for the columns)."""
    return pd.DataFrame([board_row(j) for j in journeys], columns=BOARD_COLUMNS)


def board_row(journey: Journey) -> dict:
    repeat = next((s for s in journey.stages if s.asked_to_repeat), None)
    current = journey.current
    row = {
        "user_id": journey.user_id, "username": journey.username, "name": journey.display_name,
        "team": journey.team, "cohort": journey.cohort, "mentor": journey.mentor, "status": journey.status.value,
        "current_stage": current.key if current else None,
        "overall_progress": round(journey.overall_progress, 4),
        "behind_schedule": journey.behind_schedule, "stalled": journey.stalled,
        "asked_to_repeat": repeat is not None, "repeat_stage": repeat.key if repeat else None,
        "repeat_reason": repeat.last_signoff.reason if repeat else None, "last_activity": journey.last_activity,
        "shadowing_calls": journey.shadowing_calls, "reviewed_calls": journey.reviewed_calls,
        "pending_reviews": journey.pending_reviews,
    }
    stages = {s.key: s for s in journey.stages}
    for key in STAGE_KEYS:
        stage = stages.get(key)
        row[f"{key}_status"] = stage.status.value if stage else None
        row[f"{key}_due"] = stage.due_date if stage else None
        row[f"{key}_signed_off"] = stage.passed_on if stage else None
    return row
