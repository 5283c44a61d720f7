"""The demo's QA story for Mobile Team A, told over the last three months' sampled calls.

The analyst `qa` (Yang Qing 杨青) scores each agent's four base-sample calls a month on the
"Voice call" scorecard. feng.jun keeps missing the critical item "verify before details" in
months 1 and 2 (three calls of four each month: a critical fail), `lead` coaches him early in
month 3 on exactly that, linking those evaluations, and in month 3 he verifies on every call.
tang.mei disputes one item of her latest evaluation (open, for `lead` to decide); `qa`, `lead`
and `trainer` calibrate on one call and disagree on the verification item. This month's
quality focus is "verification before details" (核实身份后再谈业务) and "at most two offers"
(营销不超过两次).

Built on the other QA loaders: the calls and samples of `seed.qa_calls` (`demo_sample`) and
the scorecards of `seed.qa_scorecards` (`demo_scorecards`). Evaluations and the open dispute
are written as rows (their dates are in the past; the services stamp "now"), each revision
through `portal.qa.scoring.record_revision` like every writer of item scores; the calibration
and the focus go through their services. Scores come from a fixed seed: the same demo every time.
"""
import random
from datetime import datetime, timedelta

from sqlmodel import select

from portal.auth import actor_for
from portal.clock import utcnow
from portal.models import (
    ActionItem,
    CoachingLink,
    CoachingSession,
    QaCall,
    QaDispute,
    QaDisputeItem,
    QaEvaluation,
)
from portal.qa import calibration, focus
from portal.qa.sampling import month_bounds, month_of
from portal.qa.scoring import record_revision, scorecard_spec
from portal.quizzes.specs import RubricSpec
from seed.context import SeedContext
from seed.qa_calls import PAST_MONTHS, demo_calls, demo_months, demo_sample
from seed.qa_scorecards import VOICE_CALL, demo_scorecards

TEAM = "Mobile Team A"
ANALYST = "qa"
VERIFY = "verify-before-details"
OFFERS = "at-most-two-offers"
STRUGGLING = "feng.jun"
DISPUTING = "tang.mei"
MISSED_VERIFICATION = (0, 1, 2)  # feng.jun's calls (of four) that miss verification in months 1 and 2
FOCUS = (
    ("Verification before details", "核实身份后再谈业务", (VERIFY,), ("systems-crm",), ("verification", "privacy")),
    ("At most two offers", "营销不超过两次", (OFFERS,), ("product-data-plans",), ("marketing",)),
)


def load(ctx: SeedContext) -> None:
    session = ctx.session
    analyst = ctx.user(ANALYST)
    if session.exec(select(QaEvaluation.id).where(QaEvaluation.evaluator_id == analyst.id)).first() is not None:
        return
    version_id = demo_scorecards(session, analyst)[VOICE_CALL]
    spec = scorecard_spec(session, version_id)
    months = [month_of(day) for day in demo_months(ctx.today)[:PAST_MONTHS]]
    made = evaluate_months(ctx, spec, version_id, months)
    coach_feng_jun(ctx, made, months)
    open_dispute(ctx, spec, version_id)
    calibrate(ctx, spec, version_id, months[-1])
    publish_focus(ctx)


def _points(rng: random.Random, spec: RubricSpec, skill: float, miss_verification: bool) -> dict[str, float | None]:
    """Item points of one call: each item full with chance `skill`, else a point or two short; N/A where allowed
    a third of the time; verification missed (0 to 2 of 5) when asked."""
    points: dict[str, float | None] = {}
    for _, item in spec.items():
        if item.allow_na and rng.random() < 0.3:
            points[item.id] = None
        elif item.id == VERIFY:
            points[item.id] = float(rng.randint(0, 2)) if miss_verification else float(item.max_points)
        elif item.critical:
            points[item.id] = float(item.max_points)  # the story's only critical misses are feng.jun's
        elif rng.random() < skill:
            points[item.id] = float(item.max_points)
        else:
            points[item.id] = float(max(0, item.max_points - rng.randint(1, 2)))
    return points


def _scored_at(call: QaCall, hours: int) -> datetime:
    """A few hours after the call (the same month, as the sample it was drawn for), never in the future."""
    return min(call.started_at + timedelta(hours=hours), utcnow() - timedelta(hours=1))


#: Evaluations of the last week are still waiting for their agent's acknowledgement (Home lists them).
RECENT = timedelta(days=7)


def write_evaluation(ctx: SeedContext, spec: RubricSpec, version_id: int, call: QaCall, points, submitted: datetime,
                     *, seconds: int, acknowledged: bool = True, comments: dict[str, str] | None = None) -> QaEvaluation:
    """One submitted live evaluation by the analyst, revision 0."""
    evaluation = QaEvaluation(call_id=call.id, agent_id=call.agent_id, evaluator_id=ctx.user(ANALYST).id,
                              scorecard_version_id=version_id, status="submitted", seconds_spent=seconds,
                              started_at=submitted - timedelta(seconds=seconds), submitted_at=submitted,
                              acknowledged_at=submitted + timedelta(days=1)
                              if acknowledged and submitted < utcnow() - RECENT else None)
    ctx.session.add(evaluation)
    ctx.session.flush()
    record_revision(ctx.session, evaluation, spec, points, comments)
    ctx.count("qa evaluations")
    return evaluation


def evaluate_months(ctx: SeedContext, spec: RubricSpec, version_id: int,
                    months: list[str]) -> dict[tuple[str, int], list[QaEvaluation]]:
    """The base sample of each month, scored; (username, month number 1..3) -> evaluations."""
    rng = random.Random(20261203)
    names = {ctx.user(name).id: name for name in _team_agents(ctx)}
    made: dict[tuple[str, int], list[QaEvaluation]] = {}
    for number, month in enumerate(months, start=1):
        for call, reason in demo_sample(ctx.session, TEAM, month):
            username = names.get(call.agent_id)
            if reason != "base" or username is None:
                continue
            mine = made.setdefault((username, number), [])
            struggling = username == STRUGGLING and number < 3
            skill = 0.85 if struggling else 0.97
            points = _points(rng, spec, skill, struggling and len(mine) in MISSED_VERIFICATION)
            comments = {VERIFY: "Read out the account balance before verifying the caller. 未核实身份就告知了余额。"} \
                if points[VERIFY] is not None and points[VERIFY] < 5 else None
            mine.append(write_evaluation(ctx, spec, version_id, call, points, _scored_at(call, 1 + len(mine) % 3),
                                         seconds=rng.randint(420, 900), comments=comments))
    return made


def _team_agents(ctx: SeedContext) -> list[str]:
    from seed.qa_calls import TEAMS

    return list(TEAMS[TEAM]["agents"])


def coach_feng_jun(ctx: SeedContext, made: dict, months: list[str]) -> None:
    """`lead` coaches feng.jun on verification early in month 3, linking his evaluations of months 1 and 2."""
    lead, agent = ctx.user("lead"), ctx.user(STRUGGLING)
    start, _ = month_bounds(months[2])
    held = (start + timedelta(days=3)).date()
    cs = CoachingSession(agent_id=agent.id, author_id=lead.id, team_id=agent.team_id, held_on=held,
                         focus_area="verification",
                         shared_notes="质检发现：前两个月有六通电话在核实身份前就谈了账户信息。我们一起听了两段录音，"
                                      "约定每通电话先核实身份再谈业务。QA found six calls in two months where account "
                                      "details came before verification; we listened to two recordings together.",
                         private_notes="Knows the rule; rushes when the queue is long. Check again after two weeks.",
                         follow_up_on=held + timedelta(days=14), ack_due_on=held + timedelta(days=3),
                         acknowledged_at=start + timedelta(days=4, hours=2),
                         ack_comment="明白了，先核实再办理。", created_at=start + timedelta(days=3, hours=8),
                         updated_at=start + timedelta(days=3, hours=8))
    ctx.session.add(cs)
    ctx.session.flush()
    ctx.session.add(ActionItem(session_id=cs.id, description="Verify identity before any account detail on every "
                               "call 每通电话先核实身份", owner_id=agent.id, due_on=held + timedelta(days=14),
                               done_at=start + timedelta(days=17)))
    for number in (1, 2):
        for evaluation in made.get((STRUGGLING, number), []):
            if evaluation.critical_missed:
                ctx.session.add(CoachingLink(session_id=cs.id, kind="qa_evaluation", ref_id=evaluation.id))
    ctx.count("coaching_sessions")


def open_dispute(ctx: SeedContext, spec: RubricSpec, version_id: int) -> None:
    """tang.mei's latest call, evaluated yesterday with the offers item short; she disputes that item (open)."""
    agent = ctx.user(DISPUTING)
    calls = [c for c in demo_calls(ctx.session, team=TEAM) if c.agent_id == agent.id]
    evaluated = set(ctx.session.exec(select(QaEvaluation.call_id).where(QaEvaluation.agent_id == agent.id)))
    call = next(c for c in reversed(calls) if c.id not in evaluated)
    points = {item.id: float(item.max_points) for _, item in spec.items()} | {OFFERS: 1.0}
    submitted = utcnow() - timedelta(days=1)
    evaluation = write_evaluation(ctx, spec, version_id, call, points, submitted, seconds=640, acknowledged=False,
                                  comments={OFFERS: "Offered the data add-on three times. 推荐流量包三次。"})
    dispute = QaDispute(evaluation_id=evaluation.id, round=1, raised_by=agent.id, raised_at=utcnow() - timedelta(hours=3),
                        reason="客户主动问了第三个套餐，不是我推销的。The customer asked about the third plan himself.")
    ctx.session.add(dispute)
    ctx.session.flush()
    ctx.session.add(QaDisputeItem(dispute_id=dispute.id, item_id=OFFERS,
                                  reason="客户主动询问第三个套餐（录音 03:10 处）。The caller asked at 03:10."))
    ctx.count("qa disputes")


def calibrate(ctx: SeedContext, spec: RubricSpec, version_id: int, month: str) -> None:
    """`qa` facilitates a session on one of huang.lei's calls with `lead` and `trainer`; they agree on every item
    but verification (5, 3 and 0 of 5), then `qa` reveals the scores."""
    qa, lead, trainer = (actor_for(ctx.session, ctx.user(name)) for name in (ANALYST, "lead", "trainer"))
    agent_id = ctx.user("huang.lei").id
    call = next(c for c in demo_calls(ctx.session, team=TEAM, month=month) if c.agent_id == agent_id)
    session_id = calibration.create_calibration(
        ctx.session, qa, "Verification on a billing call 账单来电的身份核实", version_id, [call.id], [lead.id, trainer.id])
    agreed = {item.id: (None if item.allow_na else float(item.max_points)) for _, item in spec.items()}
    for actor, verify in ((qa, 5.0), (lead, 3.0), (trainer, 0.0)):
        calibration.submit_scores(ctx.session, actor, session_id, call.id, agreed | {VERIFY: verify},
                                  seconds_spent=600)
    calibration.reveal(ctx.session, qa, session_id)
    ctx.count("qa calibrations")


def publish_focus(ctx: SeedContext) -> None:
    qa = actor_for(ctx.session, ctx.user(ANALYST))
    month = month_of(ctx.today)
    for title_en, title_zh, items, modules, tags in FOCUS:
        focus.save_item(ctx.session, qa, focus.FocusDraft(month, title_en, title_zh, items, modules, tags))
    ctx.count("qa focus items", focus.publish_month(ctx.session, qa, month))

