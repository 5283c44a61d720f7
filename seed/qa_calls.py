"""Demo calls for quality assurance, and the monthly samples drawn from them.

About three months of live calls (the three months before this one, and this month up to
yesterday) for the agents of Mobile Team A and Broadband Team B, on the queues a Chinese
telecom hotline has: 话费查询 (billing), 宽带报障 (broadband fault), 套餐变更 (plan change) and
投诉 (complaints); post-call satisfaction 1–5 (not every caller answers the survey), some
complaints. gao.yan graduated from onboarding a few days ago and has taken calls since the next day.
Each of the three past months has a drawn sample per team (seed `YYYYMM`); this month's is
left for the analyst to draw. Values come from generators with fixed seeds, so the demo is
the same every time for the same day.

For the helpers that add evaluations on top: `demo_calls(session, team=..., month=...)`
returns these calls (their platform ids start with `DEMO_CALL_PREFIX`), and
`demo_sample(session, team, month)` the calls drawn for a team's month.
"""
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from portal.clock import center_zone, local_date
from portal.models import QaCall, QaSample, QaSamplePlan, Team, User
from portal.qa.sampling import PlanSettings, draw_sample, graduation_dates, month_of
from portal.roles import SYSTEM
from seed.context import SeedContext

DEMO_CALL_PREFIX = "DEMO-"
PAST_MONTHS = 3
CALLS_PER_MONTH = 24  # per agent: what the demo shows, not a real agent's few hundred
TEAMS = {
    "Mobile Team A": {"agents": ("agent", "huang.lei", "zheng.xia", "song.yu", "tang.mei", "feng.jun"),
                      "queues": {"话费查询": 10, "套餐变更": 7, "宽带报障": 1, "投诉": 2}},
    "Broadband Team B": {"agents": ("qian.lu", "deng.kai", "cao.ying", "gao.yan"),
                         "queues": {"宽带报障": 10, "话费查询": 4, "套餐变更": 2, "投诉": 2}},
}
NEW_GRADUATE = "gao.yan"  # graduated in seed/demo/onboarding.yaml; takes calls from the next day
LOW_SATISFACTION = {"feng.jun", "tang.mei"}  # fewer happy callers: the story the QA dashboards tell
PLAN = PlanSettings(per_agent=4, extra_new_graduates=2, extra_low_satisfaction=1, low_satisfaction_below=3.0,
                    extra_complaints=1)


def load(ctx: SeedContext) -> None:
    session = ctx.session
    if session.exec(select(QaCall.id).where(QaCall.external_id.startswith(DEMO_CALL_PREFIX))).first() is not None:
        return
    months = demo_months(ctx.today)
    made = _calls(ctx, months)
    session.add_all(made)
    session.flush()
    ctx.count("qa calls", len(made))
    for month in months[:-1]:  # this month's sample is the analyst's to draw
        for team in TEAMS:
            result = draw_sample(session, SYSTEM, ctx.team(team).id, month_of(month), PLAN,
                                 seed=int(f"{month:%Y%m}"))
            ctx.count("qa samples", result.drawn)


def demo_months(today: date) -> list[date]:
    """The first days of the demo's months, oldest first; the last is this month."""
    first = today.replace(day=1)
    months = [first]
    for _ in range(PAST_MONTHS):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months


def _calls(ctx: SeedContext, months: list[date]) -> list[QaCall]:
    yesterday = ctx.day(-1)
    graduate_id = ctx.user(NEW_GRADUATE).id
    graduated = graduation_dates(ctx.session, [graduate_id]).get(graduate_id)
    on_the_floor = local_date(graduated) + timedelta(days=1) if graduated else None
    calls, numbers = [], {}
    for month in months:
        last = min(_month_end(month), yesterday)
        if last < month:
            continue  # the 1st: nothing this month yet
        for plan in TEAMS.values():
            for username in plan["agents"]:
                start = month
                if username == NEW_GRADUATE:
                    if on_the_floor is None:
                        continue
                    start = max(month, on_the_floor)
                if start > last:
                    continue
                rng = random.Random(f"qa-calls:{month:%Y-%m}:{username}")
                count = round(CALLS_PER_MONTH * ((last - start).days + 1) / ((_month_end(month) - month).days + 1))
                agent_id = ctx.user(username).id
                for _ in range(count):
                    calls.append(_call(rng, agent_id, username, plan["queues"], start, last, numbers))
    return calls


def _call(rng: random.Random, agent_id: int, username: str, queues: dict[str, int], first: date, last: date,
          numbers: dict[date, int]) -> QaCall:
    day = first + timedelta(days=rng.randrange((last - first).days + 1))
    local = datetime.combine(day, time(8, 30), center_zone()) + timedelta(minutes=rng.randrange(12 * 60))
    queue = rng.choices(list(queues), weights=list(queues.values()))[0]
    complaint = queue == "投诉" or rng.random() < 0.03
    numbers[day] = numbers.get(day, 0) + 1
    external_id = f"{DEMO_CALL_PREFIX}{day:%Y%m%d}-{numbers[day]:04d}"
    return QaCall(external_id=external_id, agent_id=agent_id, started_at=local.astimezone(UTC),
                  duration_seconds=_duration(rng, queue), queue=queue,
                  direction="outbound" if queue == "套餐变更" and rng.random() < 0.3 else "inbound",
                  satisfaction=_satisfaction(rng, username, complaint), complaint=complaint,
                  recording_url=f"https://recordings.example.cn/{external_id}.mp3",
                  ticket_ref=f"GD{day:%y%m%d}{rng.randrange(10000):04d}" if rng.random() < 0.6 else None,
                  source="import")


def _duration(rng: random.Random, queue: str) -> int:
    typical = {"话费查询": 240, "宽带报障": 420, "套餐变更": 360, "投诉": 600}[queue]
    return max(30, int(rng.gauss(typical, typical / 3)))


def _satisfaction(rng: random.Random, username: str, complaint: bool) -> float | None:
    if rng.random() < 0.3:
        return None  # no survey answer
    weights = [1, 2, 3, 5, 6]
    if username in LOW_SATISFACTION:
        weights = [3, 4, 4, 3, 2]
    if complaint:
        weights = [5, 4, 3, 2, 1]
    return float(rng.choices([1, 2, 3, 4, 5], weights=weights)[0])


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def demo_calls(session: Session, *, team: str | None = None, month: str | None = None) -> list[QaCall]:
    """The demo's calls, oldest first; `team` by name, `month` as YYYY-MM (the center's calendar)."""
    from portal.qa.sampling import month_bounds

    query = select(QaCall).where(QaCall.external_id.startswith(DEMO_CALL_PREFIX))
    if team:
        query = query.join(User, User.id == QaCall.agent_id).join(Team, Team.id == User.team_id) \
            .where(Team.name == team)
    if month:
        start, end = month_bounds(month)
        query = query.where(QaCall.started_at >= start, QaCall.started_at < end)
    return list(session.exec(query.order_by(QaCall.started_at, QaCall.id)).all())


def demo_sample(session: Session, team: str, month: str) -> list[tuple[QaCall, str]]:
    """(call, reason) drawn for a team's month, oldest call first."""
    query = (select(QaCall, QaSample.reason).join(QaSample, QaSample.call_id == QaCall.id)
             .join(QaSamplePlan, QaSamplePlan.id == QaSample.plan_id).join(Team, Team.id == QaSamplePlan.team_id)
             .where(Team.name == team, QaSamplePlan.month == month).order_by(QaCall.started_at, QaCall.id))
    return [tuple(row) for row in session.exec(query).all()]
