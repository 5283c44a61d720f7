"""Monthly sampling plans: which calls of each agent a quality analyst listens to.

A team's plan for a month (`QaSamplePlan`) asks for `per_agent` calls of every agent of the
team who took calls that month, spread across the queues they took calls in (proportionally,
largest remainders first), drawn at random within each queue. Extras come on top, from the
agent's calls not already drawn: for agents in their first 30 days after graduation (calls of
those days), for calls under the low-satisfaction threshold, and for complaint calls.

The draw is random but **reproducible**: it is made from a seed (chosen at random or given),
stored with the plan and shown, and from the calls sorted by their platform id; each agent's
draw has its own generator seeded with the plan's seed and the agent's username, so drawing
again with the same seed and the same calls gives the same sample (and one agent's new call
does not change another agent's sample). A plan already drawn is only drawn again when asked
explicitly, and that redraw keeps every call already evaluated.

An agent belongs to the team they are in when the plan is drawn.
"""
import random
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, exists, func
from sqlmodel import Session, select

from portal import audit, permissions
from portal.clock import center_zone, local_today, utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import QaCall, QaEvaluation, QaSample, QaSamplePlan, StageSignoff, Team, User
from portal.roles import Actor

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NEW_GRADUATE_DAYS = 30
MAX_SEED = 999_999_999
MAX_PER_AGENT = 100
REASONS = ("base", "new_graduate", "complaint", "low_satisfaction")
ACTION = "qa:sample"  # monthly sampling plans and draws


@dataclass(frozen=True)
class PlanSettings:
    per_agent: int = 4
    extra_new_graduates: int = 0
    extra_low_satisfaction: int = 0
    low_satisfaction_below: float | None = None
    extra_complaints: int = 0

    def checked(self) -> "PlanSettings":
        for name in ("per_agent", "extra_new_graduates", "extra_low_satisfaction", "extra_complaints"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= MAX_PER_AGENT:
                raise ValidationFailed(f"qa.sampling.error.{name}", maximum=MAX_PER_AGENT)
        if self.extra_low_satisfaction and self.low_satisfaction_below is None:
            raise ValidationFailed("qa.sampling.error.threshold_required")
        return self


@dataclass(frozen=True)
class Candidate:
    """A call as the draw sees it."""

    id: int
    external_id: str
    agent_id: int
    username: str
    started_at: datetime
    queue: str
    satisfaction: float | None
    complaint: bool


@dataclass(frozen=True)
class DrawResult:
    plan_id: int
    team: str
    month: str
    seed: int
    drawn: int  # calls in the sample now
    agents: int
    kept: int  # calls kept from the previous draw because they were evaluated
    by_reason: dict[str, int]


# --------------------------------------------------------------------------- months


def checked_month(month: str) -> str:
    if not isinstance(month, str) or not MONTH.match(month):
        raise ValidationFailed("qa.sampling.error.bad_month", month=str(month))
    return month


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def current_month() -> str:
    return month_of(local_today())


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month on the center's calendar, as [start, end) instants in UTC."""
    year, number = (int(p) for p in checked_month(month).split("-"))
    first = datetime(year, number, 1, tzinfo=center_zone())
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=center_zone())
    return first.astimezone(UTC), following.astimezone(UTC)


def recent_months(count: int = 12) -> list[str]:
    """This month and the ones before it, newest first."""
    day = local_today().replace(day=1)
    months = []
    for _ in range(count):
        months.append(month_of(day))
        day = (day - timedelta(days=1)).replace(day=1)
    return months


# --------------------------------------------------------------------------- graduation


def graduation_dates(session: Session, user_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of these people completed the onboarding journey (UTC), for those who did.

    A journey is complete when the latest decision on every stage of the programme is
    "passed"; it completed at the newest of those sign-offs (as `portal.onboarding.journey`
    reads a journey as graduated)."""
    from portal.onboarding.programme import current_programme

    stage_keys = {stage.key for stage in current_programme().stages}
    if not user_ids or not stage_keys:
        return {}
    rows = session.exec(select(StageSignoff.user_id, StageSignoff.stage_key, StageSignoff.outcome,
                               StageSignoff.signed_at)
                        .where(StageSignoff.user_id.in_(list(user_ids)))
                        .order_by(StageSignoff.signed_at, StageSignoff.id)).all()
    latest: dict[int, dict[str, tuple[str, datetime]]] = defaultdict(dict)
    withdrawn = set()
    for user_id, stage_key, outcome, signed_at in rows:
        latest[user_id][stage_key] = (outcome, signed_at)
        if outcome == "withdrawn":
            withdrawn.add(user_id)
    graduated = {}
    for user_id, stages in latest.items():
        if user_id in withdrawn or set(stages) < stage_keys:
            continue
        if all(stages[key][0] == "passed" for key in stage_keys):
            moment = max(stages[key][1] for key in stage_keys)
            graduated[user_id] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return graduated


# --------------------------------------------------------------------------- the draw


def allocate(total: int, counts: dict[str, int]) -> dict[str, int]:
    """`total` picks spread over groups in proportion to their sizes (largest remainders; ties: bigger group, name).

    Never more picks in a group than it has; when `total` is at least the sum, every member."""
    available = sum(counts.values())
    if total >= available:
        return dict(counts)
    picks = {group: total * size // available for group, size in counts.items()}
    left = total - sum(picks.values())
    remainders = {group: total * size % available for group, size in counts.items()}  # exact: no float ties
    for group in sorted(counts, key=lambda g: (-remainders[g], -counts[g], g))[:left]:
        picks[group] += 1
    return picks


def draw_for_agent(calls: Sequence[Candidate], settings: PlanSettings, seed: int,
                   graduated_at: datetime | None) -> dict[int, str]:
    """One agent's sample: call id -> reason. Same calls and seed, same sample."""
    calls = sorted(calls, key=lambda c: c.external_id)
    if not calls:
        return {}
    rng = random.Random(f"{seed}:{calls[0].username}")
    by_queue: dict[str, list[Candidate]] = defaultdict(list)
    for call in calls:
        by_queue[call.queue].append(call)
    chosen: dict[int, str] = {}
    for queue, picks in sorted(allocate(settings.per_agent, {q: len(c) for q, c in by_queue.items()}).items()):
        for call in rng.sample(by_queue[queue], picks):
            chosen[call.id] = "base"
    extras = (
        ("new_graduate", settings.extra_new_graduates, lambda c: _in_first_days(c, graduated_at)),
        ("complaint", settings.extra_complaints, lambda c: c.complaint),
        ("low_satisfaction", settings.extra_low_satisfaction,
         lambda c: c.satisfaction is not None and settings.low_satisfaction_below is not None
         and c.satisfaction < settings.low_satisfaction_below),
    )
    for reason, wanted, applies in extras:
        pool = [c for c in calls if c.id not in chosen and applies(c)]
        for call in rng.sample(pool, min(wanted, len(pool))):
            chosen[call.id] = reason
    return chosen


def _in_first_days(call: Candidate, graduated_at: datetime | None) -> bool:
    if graduated_at is None:
        return False
    started = call.started_at if call.started_at.tzinfo else call.started_at.replace(tzinfo=UTC)
    return graduated_at <= started < graduated_at + timedelta(days=NEW_GRADUATE_DAYS)


def team_calls(session: Session, team_id: int, month: str) -> list[Candidate]:
    start, end = month_bounds(month)
    query = (select(QaCall.id, QaCall.external_id, QaCall.agent_id, User.username, QaCall.started_at, QaCall.queue,
                    QaCall.satisfaction, QaCall.complaint)
             .join(User, User.id == QaCall.agent_id)
             .where(User.team_id == team_id, QaCall.started_at >= start, QaCall.started_at < end))
    return [Candidate(*row) for row in session.exec(query).all()]


def evaluated_call_ids(session: Session, call_ids: Sequence[int]) -> set[int]:
    """Calls with an evaluation of their own (draft or submitted; calibration aside)."""
    if not call_ids:
        return set()
    query = select(QaEvaluation.call_id).where(QaEvaluation.call_id.in_(list(call_ids)),
                                               QaEvaluation.calibration_id.is_(None)).distinct()
    return set(session.exec(query).all())


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED) + 1


@permissions.permission(ACTION)
def draw_sample(session: Session, actor: Actor, team_id: int, month: str, settings: PlanSettings | None = None, *,
                seed: int | None = None, redraw: bool = False) -> DrawResult:
    """Draw (or, with `redraw`, draw again) a team's sample for a month; the plan is made if missing.

    `settings` (None: the plan's, or the defaults) are saved with the plan. A redraw keeps the
    calls already evaluated and draws the rest of each agent's quota anew."""
    checked_month(month)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound()
    if seed is not None and (not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise ValidationFailed("qa.sampling.error.bad_seed", maximum=MAX_SEED)
    plan = _plan(session, team_id, month)
    if plan.drawn_at is not None and not redraw:
        raise ValidationFailed("qa.sampling.error.already_drawn", team=team.name, month=month, seed=plan.seed)
    if settings is not None:
        _apply(plan, settings.checked())
    plan.seed = new_seed() if seed is None else seed
    plan.drawn_at, plan.drawn_by = utcnow(), actor.id
    session.add(plan)
    session.flush()
    kept = _keep_evaluated(session, plan)
    chosen = _draw(session, plan, team_id, month, kept)
    session.add_all(QaSample(plan_id=plan.id, call_id=call_id, reason=reason)
                    for call_id, reason in chosen.items() if call_id not in kept)
    session.flush()
    by_reason = {reason: sum(1 for r in chosen.values() if r == reason) for reason in REASONS}
    result = DrawResult(plan.id, team.name, month, plan.seed, len(chosen), len(_agents_of(session, chosen)),
                        len(kept), by_reason)
    audit.record(session, actor_id=actor.id, action="qa_sample.redrawn" if redraw else "qa_sample.drawn",
                 target=f"{team.name} {month}", plan_id=plan.id, seed=plan.seed, drawn=result.drawn,
                 kept=result.kept, per_agent=plan.per_agent, extra_new_graduates=plan.extra_new_graduates,
                 extra_low_satisfaction=plan.extra_low_satisfaction,
                 low_satisfaction_below=plan.low_satisfaction_below, extra_complaints=plan.extra_complaints)
    return result


def _agents_of(session: Session, chosen: dict[int, str]) -> set[int]:
    if not chosen:
        return set()
    return set(session.exec(select(QaCall.agent_id).where(QaCall.id.in_(list(chosen)))).all())


def _plan(session: Session, team_id: int, month: str) -> QaSamplePlan:
    plan = session.exec(select(QaSamplePlan).where(QaSamplePlan.team_id == team_id,
                                                   QaSamplePlan.month == month)).first()
    return plan or QaSamplePlan(team_id=team_id, month=month)


def _apply(plan: QaSamplePlan, settings: PlanSettings) -> None:
    plan.per_agent = settings.per_agent
    plan.extra_new_graduates = settings.extra_new_graduates
    plan.extra_low_satisfaction = settings.extra_low_satisfaction
    plan.low_satisfaction_below = settings.low_satisfaction_below
    plan.extra_complaints = settings.extra_complaints


def settings_of(plan: QaSamplePlan | None) -> PlanSettings:
    if plan is None:
        return PlanSettings()
    return PlanSettings(plan.per_agent, plan.extra_new_graduates, plan.extra_low_satisfaction,
                        plan.low_satisfaction_below, plan.extra_complaints)


def _keep_evaluated(session: Session, plan: QaSamplePlan) -> dict[int, str]:
    """Drop the plan's samples not evaluated yet; return the evaluated ones (call id -> reason)."""
    samples = session.exec(select(QaSample.call_id, QaSample.reason).where(QaSample.plan_id == plan.id)).all()
    evaluated = evaluated_call_ids(session, [call_id for call_id, _ in samples])
    session.exec(delete(QaSample).where(QaSample.plan_id == plan.id,
                                        QaSample.call_id.not_in(evaluated or {-1})))
    return {call_id: reason for call_id, reason in samples if call_id in evaluated}


def _draw(session: Session, plan: QaSamplePlan, team_id: int, month: str, kept: dict[int, str]) -> dict[int, str]:
    """The whole team's sample: call id -> reason, the kept calls counted in their agent's quota."""
    calls = team_calls(session, team_id, month)
    by_agent: dict[int, list[Candidate]] = defaultdict(list)
    for call in calls:
        by_agent[call.agent_id].append(call)
    graduated = graduation_dates(session, list(by_agent))
    settings = settings_of(plan)
    chosen: dict[int, str] = {}
    for agent_id, agent_calls in by_agent.items():
        drawn = draw_for_agent(agent_calls, settings, plan.seed, graduated.get(agent_id))
        chosen.update(_with_kept(drawn, {c.id: kept[c.id] for c in agent_calls if c.id in kept}))
    return chosen


def _with_kept(drawn: dict[int, str], kept: dict[int, str]) -> dict[int, str]:
    """Per reason: the kept calls first, then drawn ones up to the drawn count (never fewer than kept)."""
    result = dict(kept)
    for reason in REASONS:
        wanted = sum(1 for r in drawn.values() if r == reason)
        room = wanted - sum(1 for r in kept.values() if r == reason)
        for call_id in [c for c, r in drawn.items() if r == reason and c not in result][:max(room, 0)]:
            result[call_id] = reason
    return result


# --------------------------------------------------------------------------- plans of a month


@dataclass(frozen=True)
class PlanStatus:
    team_id: int
    team: str
    month: str
    settings: PlanSettings
    seed: int | None
    drawn_at: datetime | None
    calls: int  # calls of the team's agents that month
    agents: int  # agents who took them
    sampled: int
    evaluated: int

    @property
    def drawn(self) -> bool:
        return self.drawn_at is not None


@permissions.permission(ACTION)
def month_plans(session: Session, actor: Actor, month: str) -> list[PlanStatus]:
    """Every team's plan for a month (defaults where none is saved yet), with its calls and counts."""
    start, end = month_bounds(month)
    plans = {p.team_id: p for p in session.exec(select(QaSamplePlan).where(QaSamplePlan.month == month))}
    teams = session.exec(select(Team.id, Team.name)  # an archived team only where it already has this month's plan
                         .where(Team.archived_at.is_(None) | Team.id.in_(list(plans) or [-1]))
                         .order_by(Team.name)).all()
    call_counts = {team_id: (n, agents) for team_id, n, agents in session.exec(
        select(User.team_id, func.count(QaCall.id), func.count(func.distinct(QaCall.agent_id)))
        .join(User, User.id == QaCall.agent_id)
        .where(QaCall.started_at >= start, QaCall.started_at < end).group_by(User.team_id)).all()}
    sampled = dict(session.exec(select(QaSample.plan_id, func.count()).join(
        QaSamplePlan, QaSamplePlan.id == QaSample.plan_id).where(QaSamplePlan.month == month)
        .group_by(QaSample.plan_id)).all())
    evaluated = dict(session.exec(
        select(QaSample.plan_id, func.count(func.distinct(QaSample.call_id)))
        .join(QaSamplePlan, QaSamplePlan.id == QaSample.plan_id)
        .where(QaSamplePlan.month == month, evaluated_condition(QaSample.call_id)).group_by(QaSample.plan_id)).all())
    statuses = []
    for team_id, name in teams:
        plan = plans.get(team_id)
        calls, agents = call_counts.get(team_id, (0, 0))
        statuses.append(PlanStatus(team_id, name, month, settings_of(plan), plan.seed if plan else None,
                                   plan.drawn_at if plan else None, calls, agents,
                                   sampled.get(plan.id, 0) if plan else 0, evaluated.get(plan.id, 0) if plan else 0))
    return statuses


def evaluated_condition(call_id_column):
    """SQL: the call has a submitted evaluation of its own (not a calibration's)."""
    return exists().where(QaEvaluation.call_id == call_id_column, QaEvaluation.status == "submitted",
                          QaEvaluation.calibration_id.is_(None))


def team_id_by_name(session: Session, name: str) -> int:
    team_id = session.exec(select(Team.id).where(func.lower(Team.name) == name.strip().lower())).first()
    if team_id is None:
        raise ValidationFailed("users.error.no_such_team", team=name)
    return team_id


@permissions.permission(ACTION)
def sample_of(session: Session, actor: Actor, plan_id: int) -> dict[str, str]:
    """A plan's sample as {platform call id: reason} (what an audit compares between two draws)."""
    rows = session.exec(select(QaCall.external_id, QaSample.reason).join(QaCall, QaCall.id == QaSample.call_id)
                        .where(QaSample.plan_id == plan_id)).all()
    return dict(sorted(rows))
