"""The one rubric engine with N/A items, and an evaluation's item scores stored by revision."""
import pytest
from datetime import datetime, timezone

from portal.models import QaCall, QaEvaluation, QaScorecard, QaScorecardVersion
from portal.qa.scoring import item_scores, record_revision, scorecard_spec
from portal.quizzes.specs import RubricSpec
from portal.roles import Role
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


def test_na_items_leave_the_denominator_and_an_all_na_section_leaves_the_weighting():
    spec = RubricSpec.model_validate(SPEC)
    assert spec.score({"greet": 1, "verify": None, "offer": None}).percent == pytest.approx(50.0)
    assert spec.score({"greet": 2, "verify": 2, "offer": 0}).percent == pytest.approx(50.0)
    assert spec.score({"greet": 2, "verify": None, "offer": 4}).critical_missed == []


def test_na_is_refused_where_the_item_does_not_allow_it():
    with pytest.raises(ValueError, match="greet"):
        RubricSpec.model_validate(SPEC).score({"greet": None, "verify": 2, "offer": 4})


def test_a_critical_miss_fails_the_evaluation():
    result = RubricSpec.model_validate(SPEC).score({"greet": 2, "verify": 1, "offer": 4})
    assert result.failed_by_critical and result.critical_missed == ["verify"]


def test_revisions_are_kept_and_the_newest_is_the_score(session):
    team = make_team(session)
    agent = make_user(session, "qa.agent", Role.AGENT, team_id=team.id)
    analyst = make_user(session, "qa.analyst", Role.QA)
    card = QaScorecard(code="voice")
    session.add(card)
    session.flush()
    version = QaScorecardVersion(scorecard_id=card.id, version=1, spec=RubricSpec.model_validate(SPEC).model_dump_json())
    call = QaCall(external_id="C-1", agent_id=agent.id, started_at=datetime(2026, 11, 2, 2, tzinfo=timezone.utc),
                  duration_seconds=300, queue="mobile", direction="inbound")
    session.add_all([version, call])
    session.flush()
    evaluation = QaEvaluation(call_id=call.id, agent_id=agent.id, evaluator_id=analyst.id,
                              scorecard_version_id=version.id)
    session.add(evaluation)
    session.flush()
    spec = scorecard_spec(session, version.id)
    record_revision(session, evaluation, spec, {"greet": 2, "verify": 1, "offer": None}, {"verify": "skipped the PIN"})
    session.flush()
    assert evaluation.failed_by_critical and evaluation.critical_missed == "verify"
    record_revision(session, evaluation, spec, {"greet": 2, "verify": 2, "offer": None}, revision=1)
    session.commit()
    assert evaluation.percent == pytest.approx(100.0) and not evaluation.failed_by_critical
    assert item_scores(session, evaluation.id, 0)["verify"].comment == "skipped the PIN"
    assert item_scores(session, evaluation.id)["verify"].points == 2
    assert item_scores(session, evaluation.id)["offer"].points is None
