"""A new hire's journey through the programme, assembled from the records and the course files.

`journey(session, actor, user_id)` is the public entry point for one person;
`journeys(...)` loads many at once (a fixed number of queries, not per person).
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Row
from sqlmodel import Session, func, select

from portal.clock import local_date, local_today
from portal.courses import LocalizedText, ModuleSpec, StageRequirements, StageSpec
from portal.models import (Cohort, ModuleProgress, ShadowingCall, StageSignoff, SupervisedCall, Team, TicketReview,
                           User)
from portal.onboarding.access import require_view
from portal.onboarding.programme import current_programme, requirements_in_force
from portal.onboarding.rules import (CHECKLIST, ReviewFact, ReviewOutcome, SignoffOutcome,
                                     StageEvaluation, StageEvaluator, StageFacts, StageStatus, critical_misses,
                                     is_stalled, stage_schedule, stage_standing)
from portal.permissions import permission
from portal.roles import Actor
from portal.settings import get_settings

QUIZ_RESULTS_WIRED = True
"""`quiz_scores_for` returns real results: a linked quiz not yet taken blocks sign-off."""


def quiz_scores_for(session: Session, user_id: int) -> dict[str, float]:
    """Best score (0-100) per practice quiz id that this user reached."""
    return quiz_scores_of(session, [user_id]).get(user_id, {})


def quiz_scores_of(session: Session, user_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """`quiz_scores_for` for many people in one query (the board builds many journeys at once)."""
    from portal.quizzes.practice import best_practice_scores_of

    return best_practice_scores_of(session, list(user_ids))


class JourneyStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class ModuleState:
    spec: ModuleSpec
    opened_at: datetime | None = None
    completed_at: datetime | None = None
    completed_version: str | None = None
    minutes_spent: int | None = None

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    @property
    def outdated(self) -> bool:
        """Completed, but the module's text changed since."""
        return self.done and self.completed_version != self.spec.version


@dataclass(frozen=True)
class SignoffRecord:
    stage_key: str
    outcome: SignoffOutcome
    reason: str
    signed_by_id: int
    signed_by: str
    signed_at: datetime

    @property
    def signed_on(self) -> date:
        return local_date(self.signed_at)


@dataclass(frozen=True)
class StageState:
    """One stage of one new hire's journey."""

    spec: StageSpec
    requirements: StageRequirements
    """The requirements in force (file values with the portal's overrides)."""
    evaluation: StageEvaluation
    status: StageStatus
    progress: float
    """0..1, agreeing with `status`: see `portal.onboarding.rules.stage_standing`."""
    planned_start: date | None
    due_date: date | None
    behind_schedule: bool
    modules: tuple[ModuleState, ...]
    signoffs: tuple[SignoffRecord, ...]
    """This stage's sign-off history, oldest first."""

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def title(self) -> LocalizedText:
        return self.spec.title

    @property
    def last_signoff(self) -> SignoffRecord | None:
        return self.signoffs[-1] if self.signoffs else None

    @property
    def passed_on(self) -> date | None:
        return self.last_signoff.signed_on if self.status is StageStatus.PASSED else None

    @property
    def asked_to_repeat(self) -> bool:
        """The latest decision on this stage was 'repeat' (it is open again)."""
        return self.last_signoff is not None and self.last_signoff.outcome is SignoffOutcome.REPEAT


@dataclass(frozen=True)
class Journey:
    """Where one new hire stands in the programme. Built by `journey()` / `journeys()`.

    Flags: `behind_schedule` (a stage not passed is past its due date),
    `stalled` (no activity of their own for N working days), and
    `asked_to_repeat` (a stage was reopened with a reason).
    """

    user_id: int
    username: str
    display_name: str
    team_id: int | None
    team: str | None
    cohort_id: int | None
    cohort: str | None
    cohort_start: date | None
    mentor_id: int | None
    mentor: str | None
    stages: tuple[StageState, ...]
    status: JourneyStatus
    last_activity: date | None
    stalled: bool
    shadowing_calls: int
    reviewed_calls: int
    pending_reviews: int
    today: date

    def stage(self, key: str) -> StageState | None:
        return next((s for s in self.stages if s.key == key), None)

    @property
    def current(self) -> StageState | None:
        """The first stage not passed, while the journey is in progress."""
        if self.status is not JourneyStatus.IN_PROGRESS:
            return None
        return next((s for s in self.stages if s.status is not StageStatus.PASSED), None)

    @property
    def overall_progress(self) -> float:
        """Progress of all stages, each weighted by its planned working days."""
        total = sum(s.spec.duration_days for s in self.stages)
        return sum(s.progress * s.spec.duration_days for s in self.stages) / total if total else 0.0

    @property
    def behind_schedule(self) -> bool:
        return any(s.behind_schedule for s in self.stages)

    @property
    def asked_to_repeat(self) -> bool:
        return any(s.asked_to_repeat for s in self.stages)

    @property
    def withdrawal(self) -> SignoffRecord | None:
        return next((r for s in self.stages for r in s.signoffs if r.outcome is SignoffOutcome.WITHDRAWN), None)


@permission("onboarding:view")
def journey(session: Session, actor: Actor, user_id: int, *, today: date | None = None,
            stalled_days: int | None = None) -> Journey:
    """One person's journey, if `actor` may see it (see `portal.onboarding.access`)."""
    user = require_view(session, actor, user_id)
    return build_journeys(session, [user], today=today, stalled_days=stalled_days)[0]


NEW_HIRE_COLUMNS = (User.id, User.username, User.display_name, User.team_id, User.cohort_id, User.mentor_id)
"""What `build_journeys` reads of a person. Select these rather than whole `User`s when loading many."""


class NewHire(Protocol):
    """A person as `build_journeys` needs them: a `User`, or a row of `NEW_HIRE_COLUMNS`."""

    id: int
    username: str
    display_name: str
    team_id: int | None
    cohort_id: int | None
    mentor_id: int | None


def build_journeys(session: Session, users: Sequence[NewHire], *, today: date | None = None,
                   stalled_days: int | None = None) -> list[Journey]:
    """Journeys of `users`, in their order. No permission check: callers filter first."""
    if not users:
        return []
    today = today or local_today()
    stalled_days = stalled_days or get_settings().onboarding_stalled_days
    loaded = _Records(session, [u.id for u in users])
    programme = current_programme()
    teams = dict(session.exec(select(Team.id, Team.name)).all())
    cohorts = {c.id: c for c in session.exec(select(Cohort.id, Cohort.name, Cohort.start_date))}
    plan = _Plan(programme.stages, requirements_in_force(session, programme), cohorts.values())
    mentor_ids = {u.mentor_id for u in users if u.mentor_id}
    mentors = dict(session.exec(select(User.id, User.display_name).where(User.id.in_(mentor_ids))).all())
    result = []
    for user in users:
        cohort = cohorts.get(user.cohort_id)
        stages = _stage_states(plan, loaded, user.id, user.cohort_id, today)
        status = _journey_status(stages)
        last_activity = loaded.last_activity.get(user.id)
        result.append(Journey(
            user_id=user.id, username=user.username, display_name=user.display_name, team_id=user.team_id,
            team=teams.get(user.team_id), cohort_id=user.cohort_id, cohort=cohort.name if cohort else None,
            cohort_start=cohort.start_date if cohort else None, mentor_id=user.mentor_id,
            mentor=mentors.get(user.mentor_id), stages=stages, status=status, last_activity=last_activity,
            stalled=status is JourneyStatus.IN_PROGRESS and is_stalled(
                last_activity, cohort.start_date if cohort else None, today, stalled_days),
            shadowing_calls=loaded.shadowing.get(user.id, 0), reviewed_calls=len(loaded.reviews.get(user.id, ())),
            pending_reviews=loaded.pending.get(user.id, 0), today=today))
    return result


class _Plan:
    """The programme as every journey of one `build_journeys` call shares it, worked out once, not per person."""

    def __init__(self, stages: Sequence[StageSpec], requirements: dict[str, StageRequirements],
                 cohorts: Iterable[Row]):
        self.stages = stages
        self.requirements = requirements
        self.schedules = {c.id: stage_schedule(c.start_date, stages) for c in cohorts}
        """Per cohort id: the same dates for everyone who started together."""
        self.evaluators = {stage.key: StageEvaluator(stage, requirements[stage.key],
                                                     quiz_results_wired=QUIZ_RESULTS_WIRED) for stage in stages}
        self.untouched = {stage.key: tuple(ModuleState(m) for m in stage.modules) for stage in stages}
        """Module states of someone who opened none of the stage's modules (most people, most stages)."""


def _journey_status(stages: Sequence[StageState]) -> JourneyStatus:
    if any(s.status is StageStatus.WITHDRAWN for s in stages):
        return JourneyStatus.WITHDRAWN
    if stages and all(s.status is StageStatus.PASSED for s in stages):
        return JourneyStatus.GRADUATED
    return JourneyStatus.IN_PROGRESS


def _stage_states(plan: _Plan, loaded: "_Records", user_id: int, cohort_id: int | None,
                  today: date) -> tuple[StageState, ...]:
    schedule = plan.schedules.get(cohort_id, {})
    signoffs = loaded.signoffs.get(user_id, ())
    withdrawn = any(r.outcome is SignoffOutcome.WITHDRAWN for r in signoffs)
    histories: dict[str, tuple[SignoffRecord, ...]] = {}
    for record in signoffs:
        histories[record.stage_key] = histories.get(record.stage_key, ()) + (record,)
    progress = loaded.progress.get(user_id, {})
    facts = StageFacts(
        modules_done=frozenset(m for m, row in progress.items() if row.completed_at is not None),
        quiz_scores=loaded.quiz_scores[user_id], shadowing_calls=loaded.shadowing.get(user_id, 0),
        reviews=tuple(loaded.reviews.get(user_id, ())), pending_reviews=loaded.pending.get(user_id, 0))
    states, current_seen = [], False
    for stage in plan.stages:
        requirements = plan.requirements[stage.key]
        history = histories.get(stage.key, ())
        evaluation = plan.evaluators[stage.key](facts)
        signed_off = bool(history) and history[-1].outcome is SignoffOutcome.PASSED
        current = not (signed_off or withdrawn or current_seen)
        current_seen = current_seen or current
        standing = stage_standing(evaluation, signed_off=signed_off, withdrawn=withdrawn, current=current)
        status = standing.status
        planned_start, due = schedule.get(stage.key, (None, None))
        open_stage = status in (StageStatus.NOT_STARTED, StageStatus.IN_PROGRESS, StageStatus.AWAITING_SIGNOFF)
        states.append(StageState(
            spec=stage, requirements=requirements, evaluation=evaluation, status=status,
            progress=standing.progress,
            planned_start=planned_start,
            due_date=due, behind_schedule=open_stage and due is not None and today > due,
            modules=_module_states(stage, progress, plan.untouched[stage.key]), signoffs=history))
    return tuple(states)


def _module_states(stage: StageSpec, progress: dict[str, Row],
                   untouched: tuple[ModuleState, ...]) -> tuple[ModuleState, ...]:
    if not progress:
        return untouched
    return tuple(blank if (row := progress.get(blank.spec.id)) is None else _module_state(blank.spec, row)
                 for blank in untouched)


def _module_state(spec: ModuleSpec, row: Row) -> ModuleState:
    return ModuleState(spec, row.opened_at, row.completed_at, row.version, row.minutes_spent)


class _Records:
    """Everything recorded for a set of new hires, loaded in one query per table.

    Plain rows and SQL aggregates, not ORM objects: a cohort board over a whole center reads thousands.
    """

    def __init__(self, session: Session, user_ids: list[int]):
        self.progress: dict[int, dict[str, Row]] = defaultdict(dict)
        for row in session.exec(select(ModuleProgress.user_id, ModuleProgress.module_id, ModuleProgress.opened_at,
                                       ModuleProgress.completed_at, ModuleProgress.version,
                                       ModuleProgress.minutes_spent).where(ModuleProgress.user_id.in_(user_ids))):
            self.progress[row.user_id][row.module_id] = row
        opened = ((row.user_id, row.opened_at, row.completed_at)
                  for modules in self.progress.values() for row in modules.values())

        self.shadowing: dict[int, int] = {}
        shadowed = []
        for user_id, count, latest in session.exec(
                select(ShadowingCall.user_id, func.count(ShadowingCall.id), func.max(ShadowingCall.created_at))
                .where(ShadowingCall.user_id.in_(user_ids)).group_by(ShadowingCall.user_id)):
            self.shadowing[user_id] = count
            shadowed.append((user_id, latest))

        self.reviews: dict[int, list[ReviewFact]] = defaultdict(list)
        self.pending: dict[int, int] = defaultdict(int)
        supervised = []
        marks = [getattr(TicketReview, area) for area in CHECKLIST]
        for user_id, call_date, created_at, outcome, *scores in session.exec(
                select(SupervisedCall.user_id, SupervisedCall.call_date, SupervisedCall.created_at,
                       TicketReview.outcome, *marks)
                .join(TicketReview, TicketReview.call_id == SupervisedCall.id, isouter=True)
                .where(SupervisedCall.user_id.in_(user_ids))
                .order_by(SupervisedCall.call_date, SupervisedCall.id)):
            supervised.append((user_id, created_at))
            if outcome is None:
                self.pending[user_id] += 1
            else:
                self.reviews[user_id].append(ReviewFact(
                    call_date, outcome == ReviewOutcome.PASSED,
                    bool(critical_misses(dict(zip(CHECKLIST, scores))))))

        self.signoffs: dict[int, list[SignoffRecord]] = defaultdict(list)
        for user_id, stage_key, outcome, reason, signed_by_id, signed_at, signer in session.exec(
                select(StageSignoff.user_id, StageSignoff.stage_key, StageSignoff.outcome, StageSignoff.reason,
                       StageSignoff.signed_by_id, StageSignoff.signed_at, User.display_name)
                .join(User, User.id == StageSignoff.signed_by_id)
                .where(StageSignoff.user_id.in_(user_ids)).order_by(StageSignoff.signed_at, StageSignoff.id)):
            self.signoffs[user_id].append(SignoffRecord(stage_key, SignoffOutcome(outcome), reason, signed_by_id,
                                                        signer, signed_at))

        self.last_activity = _latest_days(opened, shadowed, supervised)
        scores = quiz_scores_of(session, user_ids)
        self.quiz_scores = {user_id: scores.get(user_id, {}) for user_id in user_ids}


def _latest_days(*sources: Iterable[tuple]) -> dict[int, date]:
    """Per user, the day of the latest time among rows of (user_id, time, ...); None times are skipped."""
    latest: dict[int, datetime] = {}
    for rows in sources:
        for user_id, *times in rows:
            for time in times:
                if time is not None and (user_id not in latest or time > latest[user_id]):
                    latest[user_id] = time
    return {user_id: local_date(time) for user_id, time in latest.items()}
