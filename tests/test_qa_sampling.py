"""Monthly samples: random but reproducible, stratified by queue, with extras; and the analyst's queue."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from portal.cli import main
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import (
    AuditEntry,
    QaCall,
    QaEvaluation,
    QaSample,
    QaSamplePlan,
    QaScorecard,
    QaScorecardVersion,
    StageSignoff,
)
from portal.qa import queue, sampling
from portal.qa.sampling import PlanSettings, allocate, draw_sample, sample_of
from portal.roles import Role
from tests.utils.factories import make_team, make_user

MONTH = "2026-10"
QUEUES = ("billing", "billing", "billing", "billing", "billing", "billing", "broadband fault", "broadband fault",
          "plan change", "complaints")


@pytest.fixture
def world(session):
    team = make_team(session, "Mobile Team A")
    other = make_team(session, "Broadband Team B")
    agents = [make_user(session, name, Role.AGENT, team_id=team.id) for name in ("li.ming", "wang.fei")]
    make_user(session, "zhou.bo", Role.AGENT, team_id=other.id)
    analyst = make_user(session, "analyst", Role.QA)
    start = datetime(2026, 10, 1, 2, tzinfo=UTC)
    for agent in agents:
        for n in range(20):
            session.add(QaCall(external_id=f"{agent.username}-{n:02d}", agent_id=agent.id,
                               started_at=start + timedelta(days=n, hours=n % 5), duration_seconds=200 + n,
                               queue=QUEUES[n % len(QUEUES)], direction="inbound",
                               satisfaction=float(1 + n % 5), complaint=n % 7 == 0))
    session.add(QaCall(external_id="next-month", agent_id=agents[0].id, started_at=datetime(2026, 11, 5, tzinfo=UTC),
                       duration_seconds=60, queue="billing", direction="inbound"))
    session.flush()
    return {"team": team, "other": other, "agents": agents, "analyst": analyst}


def test_allocation_is_proportional_with_largest_remainders():
    assert allocate(4, {"billing": 12, "broadband fault": 4, "plan change": 2, "complaints": 2}) == \
        {"billing": 3, "broadband fault": 1, "plan change": 0, "complaints": 0}
    assert allocate(4, {"a": 1, "b": 1}) == {"a": 1, "b": 1}  # fewer calls than asked: all of them
    assert sum(allocate(7, {"a": 5, "b": 5, "c": 5}).values()) == 7


def test_the_same_seed_and_calls_give_the_same_sample(session, world):
    team, analyst = world["team"], world["analyst"]
    first = draw_sample(session, analyst, team.id, MONTH, seed=4242)
    assert (first.seed, first.drawn, first.agents) == (4242, 8, 2)
    drawn = sample_of(session, analyst, first.plan_id)
    again = draw_sample(session, analyst, team.id, MONTH, seed=4242, redraw=True)
    assert sample_of(session, analyst, again.plan_id) == drawn
    other = draw_sample(session, analyst, team.id, MONTH, seed=777, redraw=True)
    assert sample_of(session, analyst, other.plan_id) != drawn
    assert "next-month" not in drawn
    assert session.exec(select(QaSamplePlan.seed).where(QaSamplePlan.id == first.plan_id)).one() == 777


def test_a_random_seed_is_chosen_stored_and_audited(session, world):
    result = draw_sample(session, world["analyst"], world["team"].id, MONTH)
    assert 0 < result.seed <= sampling.MAX_SEED
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "qa_sample.drawn")).one()
    assert str(result.seed) in entry.details and entry.target == f"Mobile Team A {MONTH}"


def test_the_base_sample_is_spread_across_each_agents_queues(session, world):
    result = draw_sample(session, world["analyst"], world["team"].id, MONTH, PlanSettings(per_agent=5), seed=1)
    rows = session.exec(select(QaCall.agent_id, QaCall.queue).join(QaSample, QaSample.call_id == QaCall.id)
                        .where(QaSample.plan_id == result.plan_id)).all()
    for agent in world["agents"]:
        queues = sorted(q for a, q in rows if a == agent.id)
        # 12 billing, 4 broadband, 2 plan change, 2 complaints of 20: 3, 1, 1 (largest remainder), 0
        assert queues.count("billing") == 3 and queues.count("broadband fault") == 1, queues
        assert len(queues) == 5


def test_extras_for_complaints_low_satisfaction_and_new_graduates(session, world):
    li, wang = world["agents"]
    graduated = datetime(2026, 10, 12, 3, tzinfo=UTC)
    for stage in ("theory", "product", "systems_skills", "shadowing", "supervised_calls"):
        session.add(StageSignoff(user_id=li.id, stage_key=stage, outcome="passed", signed_by_id=world["analyst"].id,
                                 signed_at=graduated))
    session.flush()
    settings = PlanSettings(per_agent=2, extra_new_graduates=3, extra_complaints=1, extra_low_satisfaction=2,
                            low_satisfaction_below=2.5)
    result = draw_sample(session, world["analyst"], world["team"].id, MONTH, settings, seed=99)
    rows = session.exec(select(QaCall, QaSample.reason).join(QaSample, QaSample.call_id == QaCall.id)
                        .where(QaSample.plan_id == result.plan_id)).all()
    reasons = {agent.id: sorted(r for c, r in rows if c.agent_id == agent.id) for agent in (li, wang)}
    assert reasons[li.id].count("new_graduate") == 3 and reasons[wang.id].count("new_graduate") == 0
    for call, reason in rows:
        if reason == "new_graduate":
            assert call.started_at.replace(tzinfo=UTC) >= graduated
        if reason == "complaint":
            assert call.complaint
        if reason == "low_satisfaction":
            assert call.satisfaction < 2.5
    assert reasons[wang.id] == ["base", "base", "complaint", "low_satisfaction", "low_satisfaction"]
    assert result.by_reason == {"base": 4, "new_graduate": 3, "complaint": 2, "low_satisfaction": 4}


def test_a_drawn_plan_is_only_redrawn_on_purpose_and_keeps_evaluated_calls(session, world):
    analyst, team = world["analyst"], world["team"]
    first = draw_sample(session, analyst, team.id, MONTH, seed=5)
    with pytest.raises(ValidationFailed) as refused:
        draw_sample(session, analyst, team.id, MONTH, seed=6)
    assert refused.value.key == "qa.sampling.error.already_drawn" and refused.value.params["seed"] == 5
    evaluated = sorted(sample_of(session, analyst, first.plan_id))[:3]
    _evaluate(session, analyst, evaluated)
    again = draw_sample(session, analyst, team.id, MONTH, seed=6, redraw=True)
    redrawn = sample_of(session, analyst, again.plan_id)
    assert set(evaluated) <= set(redrawn)
    assert len(redrawn) == first.drawn and again.kept == 3


def _evaluate(session, evaluator, external_ids, status="submitted", calibration_id=None):
    card = QaScorecard(code=f"card-{len(external_ids)}-{status}")
    session.add(card)
    session.flush()
    version = QaScorecardVersion(scorecard_id=card.id, version=1, spec="{}")
    session.add(version)
    session.flush()
    for external_id in external_ids:
        call = session.exec(select(QaCall).where(QaCall.external_id == external_id)).one()
        session.add(QaEvaluation(call_id=call.id, agent_id=call.agent_id, evaluator_id=evaluator.id,
                                 scorecard_version_id=version.id, status=status, calibration_id=calibration_id,
                                 percent=90.0, submitted_at=datetime(2026, 11, 2, tzinfo=UTC)))
    session.flush()


def test_bad_settings_and_months_are_refused(session, world):
    analyst, team = world["analyst"], world["team"]
    for settings, key in ((PlanSettings(per_agent=-1), "qa.sampling.error.per_agent"),
                          (PlanSettings(extra_low_satisfaction=2), "qa.sampling.error.threshold_required")):
        with pytest.raises(ValidationFailed) as refused:
            draw_sample(session, analyst, team.id, MONTH, settings)
        assert refused.value.key == key
    with pytest.raises(ValidationFailed):
        draw_sample(session, analyst, team.id, "2026-13")
    assert session.exec(select(func.count(QaSamplePlan.id))).one() == 0


@pytest.mark.parametrize("role", [Role.AGENT, Role.LEAD, Role.TRAINER, Role.ADMIN])
def test_only_analysts_draw_samples_and_read_the_queue(session, world, role):
    someone = make_user(session, f"someone.{role}", role)
    with pytest.raises(PermissionDenied):
        draw_sample(session, someone, world["team"].id, MONTH)
    with pytest.raises(PermissionDenied):
        sampling.month_plans(session, someone, MONTH)
    with pytest.raises(PermissionDenied):
        queue.analyst_queue(session, someone)
    assert session.exec(select(func.count(QaSample.call_id))).one() == 0


def test_the_queue_lists_sampled_calls_not_evaluated_oldest_first(session, world):
    analyst, team = world["analyst"], world["team"]
    result = draw_sample(session, analyst, team.id, MONTH, seed=11)
    page = queue.analyst_queue(session, analyst, month=MONTH)
    assert page.total == result.drawn == 8
    starts = list(page.rows["started_at"])
    assert starts == sorted(starts)
    oldest = page.rows["external_id"][0]
    _evaluate(session, analyst, [oldest])  # submitted: leaves the queue
    second = page.rows["external_id"][1]
    _evaluate(session, analyst, [second], status="draft")  # a draft stays
    after = queue.analyst_queue(session, analyst, month=MONTH)
    assert after.total == 7 and oldest not in set(after.rows["external_id"])
    assert second in set(after.rows["external_id"])
    assert queue.analyst_queue(session, analyst, month=MONTH, team_id=world["other"].id).total == 0
    assert queue.analyst_queue(session, analyst, month="2026-11").total == 0
    assert queue.analyst_queue(session, analyst, month=MONTH, page_size=5, page=1).rows.shape[0] == 2
    statuses = {s.team: s for s in sampling.month_plans(session, analyst, MONTH)}
    assert (statuses["Mobile Team A"].sampled, statuses["Mobile Team A"].evaluated) == (8, 1)
    assert statuses["Mobile Team A"].seed == 11 and not statuses["Broadband Team B"].drawn


def test_a_calibration_evaluation_does_not_take_a_call_off_the_queue(session, world):
    from portal.models import QaCalibration

    analyst = world["analyst"]
    draw_sample(session, analyst, world["team"].id, MONTH, seed=3)
    oldest = queue.analyst_queue(session, analyst, month=MONTH).rows["external_id"][0]
    _evaluate(session, analyst, [], status="x")  # makes a scorecard version
    version_id = session.exec(select(QaScorecardVersion.id)).first()
    calibration = QaCalibration(title="c", facilitator_id=analyst.id, scorecard_version_id=version_id)
    session.add(calibration)
    session.flush()
    _evaluate(session, analyst, [oldest], calibration_id=calibration.id)
    assert oldest in set(queue.analyst_queue(session, analyst, month=MONTH).rows["external_id"])


def test_without_a_month_the_queue_holds_this_month_and_the_three_before(session, world, monkeypatch):
    analyst = world["analyst"]
    draw_sample(session, analyst, world["team"].id, MONTH, seed=2)
    monkeypatch.setattr(queue, "recent_months", lambda count: ["2026-11", "2026-12", "2027-01", "2027-02"])
    assert queue.analyst_queue(session, analyst).total == 0  # October is older than the last four months
    assert queue.analyst_queue(session, analyst, month=MONTH).total == 8
    monkeypatch.setattr(queue, "recent_months", lambda count: ["2026-08", "2026-09", "2026-10", "2026-11"])
    assert queue.analyst_queue(session, analyst).total == 8


def test_the_evaluate_link_opens_the_evaluation_page_on_the_call():
    assert queue.evaluate_link(42) == ("pages/qa_evaluate.py", {"call": "42"})


def test_month_bounds_are_the_centers_calendar():
    start, end = sampling.month_bounds("2026-10")
    assert start == datetime(2026, 9, 30, 16, tzinfo=UTC) and end == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert sampling.month_bounds("2026-12")[1] == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_cli_sample_prints_the_seed_and_refuses_a_second_draw(engine, capsys):
    from sqlmodel import Session

    with Session(engine) as session:
        team = make_team(session, "Mobile Team A")
        agent = make_user(session, "li.ming", Role.AGENT, team_id=team.id)
        for n in range(6):
            session.add(QaCall(external_id=f"c{n}", agent_id=agent.id, duration_seconds=60, queue="billing",
                               direction="inbound", started_at=datetime(2026, 10, 3 + n, 2, tzinfo=UTC)))
        session.commit()
    assert main(["qa", "sample", "--month", MONTH, "--team", "mobile team a", "--seed", "123"]) == 0
    assert "Mobile Team A 2026-10: 4 calls drawn for 1 agent (seed 123)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["qa", "sample", "--month", MONTH, "--team", "Mobile Team A"])
    assert refused.value.code == 1
    assert "already drawn (seed 123)" in capsys.readouterr().err
    assert main(["qa", "sample", "--month", MONTH, "--team", "Mobile Team A", "--seed", "123", "--redraw"]) == 0
    assert main(["qa", "sample", "--month", "2026-1"]) == 1
