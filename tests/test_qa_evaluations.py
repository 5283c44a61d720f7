"""Evaluating a call on a blank scorecard: start, draft, submit, and who may read the result."""
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import AuditEntry, QaCall, QaEvaluation, QaItemScore
from portal.qa import evaluations, scorecards
from portal.quizzes.specs import NA, RubricSpec
from portal.roles import SYSTEM, Role
from portal.users import set_team_leads
from tests.utils.factories import make_team, make_user

SPEC = {
    "id": "voice", "title": {"en": "Voice call", "zh-CN": "语音通话质检"}, "critical_miss": "fail_exam",
    "sections": [
        {"id": "opening", "title": {"en": "Opening", "zh-CN": "开场"}, "weight": 1, "items": [
            {"id": "greeting", "text": {"en": "Greets", "zh-CN": "问候"}, "max_points": 2},
            {"id": "verify", "text": {"en": "Verifies identity", "zh-CN": "核实身份"}, "max_points": 1,
             "critical": True},
        ]},
        {"id": "closing", "title": {"en": "Closing", "zh-CN": "结束"}, "weight": 1, "items": [
            {"id": "offer", "text": {"en": "At most two offers", "zh-CN": "最多两次推荐"}, "max_points": 2,
             "allow_na": True},
            {"id": "goodbye", "text": {"en": "Says goodbye", "zh-CN": "道别"}, "max_points": 2},
        ]},
    ]}
FULL = {"greeting": 2, "verify": 1, "offer": NA, "goodbye": 1}
KEY = "k" * 20


@pytest.fixture
def world(session):
    team, other_team = make_team(session, "Team A"), make_team(session, "Team B")
    qa = make_user(session, "qa1", Role.QA)
    agent = make_user(session, "agent1", Role.AGENT, team_id=team.id)
    colleague = make_user(session, "agent2", Role.AGENT, team_id=team.id)
    lead = make_user(session, "lead1", Role.LEAD, team_id=team.id)
    other_lead = make_user(session, "lead2", Role.LEAD, team_id=other_team.id)
    trainer = make_user(session, "trainer1", Role.TRAINER)
    set_team_leads(session, SYSTEM, team.id, [lead.id])
    set_team_leads(session, SYSTEM, other_team.id, [other_lead.id])
    scorecards.save_scorecard(session, qa, RubricSpec.model_validate(SPEC))
    call = QaCall(external_id="C-1", agent_id=agent.id, started_at=datetime(2026, 11, 3, 2, 0, tzinfo=UTC),
                  duration_seconds=300, queue="mobile", direction="inbound")
    own = QaCall(external_id="C-2", agent_id=qa.id, started_at=datetime(2026, 11, 3, 3, 0, tzinfo=UTC),
                 duration_seconds=200, queue="mobile", direction="inbound")
    session.add_all([call, own])
    session.flush()
    return dict(qa=qa, agent=agent, colleague=colleague, lead=lead, other_lead=other_lead, trainer=trainer,
                call=call, own=own)


def _submit(session, w, points=FULL, key=KEY, **kw):
    evaluation = evaluations.start_evaluation(session, w["qa"], w["call"].id, "voice")
    return evaluations.submit_evaluation(session, w["qa"], evaluation.id, points, kw.get("comments", {}),
                                         kw.get("overall", "Good call"), kw.get("seconds", 95), key)


def test_start_is_blank_and_opening_again_returns_the_same_draft(session, world):
    first = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    again = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    assert first.id == again.id and first.status == "draft" and first.percent is None
    sheet = evaluations.evaluation_sheet(session, world["qa"], first.id)
    assert sheet.draft.points == {} and sheet.draft.comments == {} and sheet.version == 1
    assert session.exec(select(QaItemScore)).all() == []


def test_untouched_sheet_is_refused_with_every_item_by_number_and_text(session, world):
    evaluation = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    with pytest.raises(ValidationFailed) as refused:
        evaluations.submit_evaluation(session, world["qa"], evaluation.id, {}, {}, "", 10, KEY)
    assert refused.value.key == "qa.evaluation.error.unscored_items"
    assert refused.value.params["count"] == 4 and refused.value.params["numbers"] == "1, 2, 3, 4"
    assert "2. Verifies identity" in refused.value.params["items"]
    partly = {"greeting": 2, "verify": None}
    with pytest.raises(ValidationFailed) as refused:
        evaluations.submit_evaluation(session, world["qa"], evaluation.id, partly, {}, "", 10, KEY)
    assert refused.value.params["numbers"] == "2, 3, 4"
    assert session.get(QaEvaluation, evaluation.id).status == "draft"


def test_na_only_where_the_item_allows_it(session, world):
    evaluation = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    with pytest.raises(ValidationFailed) as refused:
        evaluations.submit_evaluation(session, world["qa"], evaluation.id, {**FULL, "verify": NA}, {}, "", 10, KEY)
    assert refused.value.key == "qa.evaluation.error.na_not_allowed" and "2. Verifies identity" in \
        refused.value.params["items"]
    with pytest.raises(ValidationFailed) as refused:
        evaluations.submit_evaluation(session, world["qa"], evaluation.id, {**FULL, "goodbye": 3}, {}, "", 10, KEY)
    assert refused.value.key == "qa.evaluation.error.points_out_of_range" and refused.value.params["number"] == 4


def test_submit_stores_score_comments_critical_misses_and_time(session, world):
    evaluation = _submit(session, world, {**FULL, "verify": 0}, comments={"verify": "Gave the balance first"})
    assert evaluation.status == "submitted" and evaluation.revision == 0
    assert evaluation.failed_by_critical and evaluation.critical_missed == "verify"
    # opening 2/3 (verify missed), closing 1/2 with the offer N/A: (2/3 + 1/2) / 2
    assert evaluation.percent == pytest.approx(100 * (2 / 3 + 1 / 2) / 2, abs=1e-3)
    assert evaluation.seconds_spent == 95 and evaluation.comment == "Good call" and evaluation.draft == ""
    rows = {r.item_id: r for r in session.exec(select(QaItemScore)).all()}
    assert rows["offer"].points is None and rows["verify"].comment == "Gave the balance first"
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action.like("qa_evaluation.%"))).all()
    assert sorted(actions) == ["qa_evaluation.started", "qa_evaluation.submitted"]


def test_double_submit_makes_one_evaluation(session, world):
    first = _submit(session, world)
    second = evaluations.submit_evaluation(session, world["qa"], first.id, {**FULL, "greeting": 0}, {}, "", 1, KEY)
    assert second.id == first.id and second.percent == first.percent
    assert len(session.exec(select(QaEvaluation)).all()) == 1
    assert len(session.exec(select(QaItemScore)).all()) == 4
    with pytest.raises(ValidationFailed):
        evaluations.submit_evaluation(session, world["qa"], first.id, FULL, {}, "", 1, "z" * 20)


def test_draft_keeps_marks_na_comments_and_time(session, world):
    evaluation = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    evaluations.save_draft(session, world["qa"], evaluation.id, {"greeting": 1, "offer": NA, "verify": None},
                           {"greeting": "rushed", "goodbye": ""}, "half done", 40)
    draft = evaluations.evaluation_sheet(session, world["qa"], evaluation.id).draft
    assert draft.points == {"greeting": 1.0, "offer": NA} and draft.comments == {"greeting": "rushed"}
    assert draft.overall_comment == "half done" and draft.seconds_spent == 40
    with pytest.raises(ValidationFailed):
        evaluations.save_draft(session, world["qa"], evaluation.id, {"verify": NA})


def test_evaluator_cannot_evaluate_own_calls(session, world):
    with pytest.raises(PermissionDenied) as refused:
        evaluations.start_evaluation(session, world["qa"], world["own"].id, "voice")
    assert refused.value.key == "qa.evaluation.error.own_call"


@pytest.mark.parametrize("who", ["agent", "lead", "trainer"])
def test_roles_without_qa_evaluate_are_refused(session, world, who):
    with pytest.raises(PermissionDenied):
        evaluations.start_evaluation(session, world[who], world["call"].id, "voice")


def test_another_analyst_cannot_submit_someone_elses_draft(session, world):
    other = make_user(session, "qa2", Role.QA)
    evaluation = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    with pytest.raises(PermissionDenied):
        evaluations.submit_evaluation(session, other, evaluation.id, FULL, {}, "", 1, KEY)


def test_evaluation_keeps_its_scorecard_version_after_an_edit(session, world):
    evaluation = _submit(session, world)
    edited = SPEC | {"title": {"en": "Voice call v2", "zh-CN": "语音通话质检 v2"}}
    version = scorecards.save_scorecard(session, world["qa"], RubricSpec.model_validate(edited))
    assert version.version == 2
    detail = evaluations.evaluation_detail(session, world["trainer"], evaluation.id)
    assert detail.summary.version == 1 and detail.spec.title.en == "Voice call"


def test_reads_agent_own_lead_own_team_only(session, world):
    evaluation = _submit(session, world)
    agent, colleague = world["agent"], world["colleague"]
    assert [e.evaluation_id for e in evaluations.evaluations_for_agent(session, agent, agent.id)] == [evaluation.id]
    detail = evaluations.evaluation_detail(session, agent, evaluation.id)
    assert [i.points for i in detail.items] == [2.0, 1.0, None, 1.0] and detail.items[2].not_applicable
    assert evaluations.evaluations_for_agent(session, world["lead"], agent.id)[0].percent == evaluation.percent
    for reader, target in ((colleague, agent.id), (world["other_lead"], agent.id)):
        with pytest.raises(PermissionDenied):
            evaluations.evaluations_for_agent(session, reader, target)
    for reader in (colleague, world["other_lead"]):
        with pytest.raises(PermissionDenied):
            evaluations.evaluation_detail(session, reader, evaluation.id)


def test_drafts_are_not_read_as_results(session, world):
    evaluation = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    assert evaluations.evaluations_for_agent(session, world["agent"], world["agent"].id) == []
    with pytest.raises(NotFound):
        evaluations.evaluation_detail(session, world["agent"], evaluation.id)


def test_calibration_participants_score_through_the_same_submit(session, world):
    """A lead without qa:evaluate scores a calibration evaluation (qa:calibrate) with the same rules."""
    from portal.models import QaCalibration, QaScorecard

    version_id = session.exec(select(QaScorecard.current_version_id)).one()
    calibration = QaCalibration(title="November", facilitator_id=world["qa"].id, scorecard_version_id=version_id)
    session.add(calibration)
    session.flush()
    evaluation = QaEvaluation(call_id=world["call"].id, agent_id=world["agent"].id, evaluator_id=world["lead"].id,
                              scorecard_version_id=version_id, calibration_id=calibration.id)
    session.add(evaluation)
    session.flush()
    with pytest.raises(ValidationFailed):
        evaluations.submit_evaluation(session, world["lead"], evaluation.id, {}, {}, "", 1, KEY)
    done = evaluations.submit_evaluation(session, world["lead"], evaluation.id, FULL, {}, "", 1, KEY)
    assert done.status == "submitted" and done.percent is not None
    assert evaluations.evaluations_for_agent(session, world["agent"], world["agent"].id) == []  # never counted


def test_archived_scorecard_is_refused_for_new_evaluations_but_kept_by_old_ones(session, world):
    evaluation = _submit(session, world)
    scorecards.set_archived(session, world["qa"], "voice")
    other_call = QaCall(external_id="C-3", agent_id=world["agent"].id, duration_seconds=60, queue="mobile",
                        direction="inbound", started_at=datetime(2026, 11, 4, 2, 0, tzinfo=UTC))
    session.add(other_call)
    session.flush()
    with pytest.raises(ValidationFailed) as refused:
        evaluations.start_evaluation(session, world["qa"], other_call.id, "voice")
    assert refused.value.key == "qa.evaluation.error.scorecard_archived"
    assert evaluations.evaluation_detail(session, world["agent"], evaluation.id).summary.scorecard_code == "voice"


def test_two_analysts_evaluate_the_same_call_each_their_own(session, world):
    other = make_user(session, "qa2", Role.QA)
    mine = evaluations.start_evaluation(session, world["qa"], world["call"].id, "voice")
    theirs = evaluations.start_evaluation(session, other, world["call"].id, "voice")
    assert mine.id != theirs.id
    assert evaluations.evaluation_for_call(session, other, world["call"].id).evaluation_id == theirs.id
