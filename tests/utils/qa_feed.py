"""A small QA world for the dashboard, focus and coaching tests: two teams, a scorecard, a few evaluations.

Built over the models and `portal.qa.scoring.record_revision` (the one writer of item scores),
so these tests do not depend on the evaluation service's own forms.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count

from sqlmodel import Session

from portal.models import (
    QaCalibration,
    QaCall,
    QaDispute,
    QaDisputeItem,
    QaEvaluation,
    QaScorecard,
    QaScorecardVersion,
    TeamLead,
)
from portal.qa.scoring import record_revision, scorecard_spec
from portal.quizzes.specs import RubricSpec
from portal.roles import Actor, Role
from tests.utils.factories import make_team, make_user

SPEC = {
    "id": "voice", "title": {"en": "Voice call", "zh-CN": "语音通话"},
    "sections": [
        {"id": "open", "title": {"en": "Opening", "zh-CN": "开场"}, "weight": 1, "items": [
            {"id": "greet", "text": {"en": "Greeting", "zh-CN": "问候"}, "max_points": 2},
            {"id": "verify", "text": {"en": "Verification", "zh-CN": "身份核实"}, "max_points": 2, "critical": True,
             "allow_na": True}]},
        {"id": "offer", "title": {"en": "Offers", "zh-CN": "营销"}, "weight": 1, "items": [
            {"id": "offer", "text": {"en": "At most two offers", "zh-CN": "最多两次营销"}, "max_points": 4,
             "allow_na": True}]},
    ],
}

_calls = count(1)


def at(year: int, month: int, day: int, hour: int = 4) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def add_scorecard(session: Session, spec: dict = SPEC, code: str = "voice") -> int:
    """A scorecard with one version; returns the version id."""
    card = QaScorecard(code=code)
    session.add(card)
    session.flush()
    version = QaScorecardVersion(scorecard_id=card.id, version=1,
                                 spec=RubricSpec.model_validate(spec).model_dump_json(by_alias=True))
    session.add(version)
    session.flush()
    card.current_version_id = version.id
    session.add(card)
    return version.id


def evaluate(session: Session, version_id: int, agent_id: int, analyst_id: int, points: dict, submitted: datetime,
             *, seconds: int = 300, status: str = "submitted", calibration_id: int | None = None) -> QaEvaluation:
    """A live (or calibration, or draft) evaluation of a new call of `agent_id`, revision 0."""
    call = QaCall(external_id=f"T-{next(_calls)}-{agent_id}-{submitted:%Y%m%d%H%M%S}", agent_id=agent_id,
                  started_at=submitted, duration_seconds=240, queue="mobile", direction="inbound")
    session.add(call)
    session.flush()
    evaluation = QaEvaluation(call_id=call.id, agent_id=agent_id, evaluator_id=analyst_id,
                              scorecard_version_id=version_id, status=status, seconds_spent=seconds,
                              submitted_at=submitted if status == "submitted" else None, calibration_id=calibration_id)
    session.add(evaluation)
    session.flush()
    record_revision(session, evaluation, scorecard_spec(session, version_id), points)
    session.flush()
    return evaluation


def dispute(session: Session, evaluation: QaEvaluation, decisions: dict[str, float | None | str],
            reviewer_id: int | None = None) -> QaDispute:
    """One round disputing items; a value "upheld" keeps the item, a number changes it (a new revision),
    None leaves it open."""
    resolved = all(value is not None for value in decisions.values())
    row = QaDispute(evaluation_id=evaluation.id, raised_by=evaluation.agent_id, reason="Please listen again.",
                    status="resolved" if resolved else "open", reviewer_id=reviewer_id if resolved else None)
    session.add(row)
    session.flush()
    changed = {item: value for item, value in decisions.items() if isinstance(value, (int, float))}
    for item, value in decisions.items():
        decision = None if value is None else ("upheld" if value == "upheld" else "changed")
        session.add(QaDisputeItem(dispute_id=row.id, item_id=item, reason="I did.", decision=decision,
                                  new_points=value if decision == "changed" else None))
    if changed:
        from portal.qa.scoring import item_scores

        points = {item: score.points for item, score in item_scores(session, evaluation.id).items()} | changed
        record_revision(session, evaluation, scorecard_spec(session, evaluation.scorecard_version_id), points,
                        revision=evaluation.revision + 1)
    session.flush()
    return row


@dataclass
class QaWorld:
    version_id: int
    team_a: int
    team_b: int
    lead_a: Actor
    lead_b: Actor
    agent1: Actor
    agent2: Actor
    agent_b: Actor
    analyst1: Actor
    analyst2: Actor
    trainer: Actor
    evaluations: dict[str, QaEvaluation] = field(default_factory=dict)


def small_center(session: Session) -> QaWorld:
    """Team A (agent1, agent2; lead_a) and team B (agent_b; lead_b), scored in October and November 2026.

    October: e1 agent1 100; e2 agent1 75 (offer N/A); e3 agent2 62.5 with a critical miss, disputed: the offer
    changed to full (87.5, still a critical fail), the greeting upheld. November: e4 agent1 75 with a critical
    miss, submitted 31 Oct 17:00 UTC (1 November in Shanghai); e5 agent2 100, disputed (open). Never counted:
    a calibration score and a draft of agent1, and team B's evaluation.
    """
    team_a, team_b = make_team(session, "Team A"), make_team(session, "Team B")
    world = QaWorld(
        version_id=add_scorecard(session), team_a=team_a.id, team_b=team_b.id,
        lead_a=make_user(session, "lead.a", Role.LEAD), lead_b=make_user(session, "lead.b", Role.LEAD),
        agent1=make_user(session, "agent.one", Role.AGENT, team_id=team_a.id),
        agent2=make_user(session, "agent.two", Role.AGENT, team_id=team_a.id),
        agent_b=make_user(session, "agent.b", Role.AGENT, team_id=team_b.id),
        analyst1=make_user(session, "analyst.one", Role.QA), analyst2=make_user(session, "analyst.two", Role.QA),
        trainer=make_user(session, "trainer.t", Role.TRAINER))
    session.add_all([TeamLead(team_id=team_a.id, user_id=world.lead_a.id),
                     TeamLead(team_id=team_b.id, user_id=world.lead_b.id)])
    v, a1, a2, q1, q2 = world.version_id, world.agent1.id, world.agent2.id, world.analyst1.id, world.analyst2.id
    e = world.evaluations
    e["e1"] = evaluate(session, v, a1, q1, {"greet": 2, "verify": 2, "offer": 4}, at(2026, 10, 5), seconds=300)
    e["e2"] = evaluate(session, v, a1, q1, {"greet": 1, "verify": 2, "offer": None}, at(2026, 10, 12), seconds=500)
    e["e3"] = evaluate(session, v, a2, q2, {"greet": 2, "verify": 1, "offer": 2}, at(2026, 10, 20), seconds=400)
    e["e4"] = evaluate(session, v, a1, q1, {"greet": 2, "verify": 0, "offer": 4}, at(2026, 10, 31, 17), seconds=600)
    e["e5"] = evaluate(session, v, a2, q2, {"greet": 2, "verify": 2, "offer": 4}, at(2026, 11, 15), seconds=200)
    calibration = QaCalibration(title="Calibration", facilitator_id=q1, scorecard_version_id=v)
    session.add(calibration)
    session.flush()
    evaluate(session, v, a1, q2, {"greet": 0, "verify": 0, "offer": 0}, at(2026, 10, 8), calibration_id=calibration.id)
    evaluate(session, v, a1, q2, {"greet": 0, "verify": 0, "offer": 0}, at(2026, 11, 8), status="draft")
    evaluate(session, v, world.agent_b.id, q1, {"greet": 0, "verify": 0, "offer": 0}, at(2026, 10, 9))
    dispute(session, e["e3"], {"offer": 4.0, "greet": "upheld"}, reviewer_id=q1)
    dispute(session, e["e5"], {"verify": None})
    session.flush()
    return world


MONTHS = ["2026-10", "2026-11"]
