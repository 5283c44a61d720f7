"""Calibration: blind scoring, reveal, side-by-side results, alignment and Krippendorff's alpha."""
from datetime import date

import krippendorff
import numpy as np
import pytest
from sqlmodel import select

from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import QaCalibration, QaEvaluation
from portal.qa import calibration as cal
from portal.qa import disputes
from portal.roles import SYSTEM, Role
from portal.users import set_team_leads
from tests.utils.clock import center_noon
from tests.utils.factories import make_team, make_user
from tests.utils.qa_factories import make_call, make_evaluation, make_scorecard, refused

KEY = "c" * 20
NAN = np.nan
#: Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example with missing values.
PAPER = [[NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
         [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
         [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4]]
FACILITATOR = {"greet": 2, "verify": 2, "offer": 4}
LEAD = {"greet": 2, "verify": 0, "offer": 4}
TRAINER = {"greet": 1, "verify": 2, "offer": None}


@pytest.fixture
def world(session):
    team = make_team(session, "Mobile A")
    w = type("World", (), {})()
    w.agent = make_user(session, "agent1", Role.AGENT, team_id=team.id)
    w.qa = make_user(session, "qa1", Role.QA)
    w.lead = make_user(session, "lead1", Role.LEAD)
    set_team_leads(session, SYSTEM, team.id, [w.lead.id])
    w.trainer = make_user(session, "trainer1", Role.TRAINER)
    w.outsider = make_user(session, "qa2", Role.QA)
    w.version = make_scorecard(session)
    w.call = make_call(session, w.agent.id)
    w.id = cal.create_calibration(session, w.qa, "November voice calls", w.version.id, [w.call.id],
                                  [w.lead.id, w.trainer.id], KEY)
    session.commit()
    return w


def _score(session, w, actor, points):
    cal.submit_scores(session, actor, w.id, w.call.id, points)
    session.commit()


def test_creating_needs_the_permission_a_title_calls_and_people_who_may_calibrate(session, world):
    w = world
    with pytest.raises(PermissionDenied):
        cal.create_calibration(session, w.agent, "x", w.version.id, [w.call.id], [w.lead.id])
    refusals = [("  ", [w.call.id], [w.lead.id], "title_required"), ("t", [], [w.lead.id], "calls_required"),
                ("t", [w.call.id], [], "participants_required"),
                ("t", [w.call.id], [w.agent.id], "participant_not_allowed")]
    for title, calls, people, key in refusals:
        with pytest.raises(ValidationFailed) as caught:
            cal.create_calibration(session, w.qa, title, w.version.id, calls, people)
        assert caught.value.key == f"qa.calibration.error.{key}"
    again = cal.create_calibration(session, w.qa, "November voice calls", w.version.id, [w.call.id], [w.lead.id], KEY)
    assert again == w.id and len(session.exec(select(QaCalibration)).all()) == 1
    view = cal.calibration_view(session, w.qa, w.id)
    assert [p.name for p in view.participants] == ["Qa1", "Lead1", "Trainer1"] and view.participants[0].facilitator


def test_non_participants_are_refused_everything(session, world):
    w = world
    for call in (lambda: cal.calibration_view(session, w.outsider, w.id),
                 lambda: cal.submit_scores(session, w.outsider, w.id, w.call.id, FACILITATOR),
                 lambda: cal.results(session, w.outsider, w.id),
                 lambda: cal.calibration_view(session, w.agent, w.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert cal.my_calibrations(session, w.outsider) == []


def test_scoring_is_blind_until_the_facilitator_reveals(session, world):
    w = world
    _score(session, w, w.lead, LEAD)
    # the lead has scored, but nobody has revealed: the service refuses, and the view holds only their own
    for reader in (w.lead, w.trainer, w.qa):
        with pytest.raises(PermissionDenied):
            cal.results(session, reader, w.id)
    assert cal.calibration_view(session, w.qa, w.id).my_scores == {}
    assert cal.calibration_view(session, w.lead, w.id).my_scores == {w.call.id: {"greet": 2, "verify": 0, "offer": 4}}
    with refused("qa.calibration.error.reference_missing"):
        cal.reveal(session, w.qa, w.id)
    _score(session, w, w.qa, FACILITATOR)
    with pytest.raises(PermissionDenied):
        cal.results(session, w.qa, w.id)  # the facilitator too, until revealed
    with pytest.raises(PermissionDenied):
        cal.reveal(session, w.lead, w.id)
    assert [p.done for p in cal.calibration_view(session, w.qa, w.id).participants] == [True, True, False]


def test_reveal_shows_everyone_side_by_side_and_closes_scoring(session, world):
    w = world
    _score(session, w, w.lead, LEAD)
    _score(session, w, w.trainer, TRAINER)
    _score(session, w, w.qa, FACILITATOR)
    cal.reveal(session, w.qa, w.id)
    session.commit()
    shown = cal.results(session, w.trainer, w.id)
    by_item = {i.item_id: i for i in shown.items}
    assert by_item["verify"].points == {w.qa.id: 2, w.lead.id: 0, w.trainer.id: 2}
    assert by_item["verify"].agreement == pytest.approx(2 / 3) and by_item["verify"].spread == 2
    assert by_item["verify"].distance(w.lead.id) == pytest.approx(100.0)
    assert by_item["offer"].points[w.trainer.id] is None and by_item["offer"].distance(w.trainer.id) is None
    assert by_item["greet"].distance(w.trainer.id) == pytest.approx(50.0)
    assert shown.alignment == {w.lead.id: pytest.approx(100 - 100 / 3), w.trainer.id: pytest.approx(75.0)}
    with refused("qa.calibration.error.closed"):
        cal.submit_scores(session, w.lead, w.id, w.call.id, LEAD)
    over_time = cal.alignment_over_time(session, w.lead)
    assert {(p.analyst, round(p.alignment, 1)) for p in over_time} == {("Lead1", 66.7), ("Trainer1", 75.0)}


def test_a_participant_who_did_not_score_never_reads_the_others(session, world):
    w = world
    _score(session, w, w.lead, LEAD)
    _score(session, w, w.qa, FACILITATOR)
    cal.reveal(session, w.qa, w.id)
    session.commit()
    with pytest.raises(PermissionDenied):
        cal.results(session, w.trainer, w.id)
    assert cal.results(session, w.lead, w.id).scorers[0].id == w.qa.id


def test_a_sheet_must_be_complete_and_is_sent_once(session, world):
    w = world
    with pytest.raises(ValidationFailed) as caught:
        cal.submit_scores(session, w.lead, w.id, w.call.id, {"greet": 2})
    assert caught.value.params["items"] == ["verify", "offer"]
    with refused("qa.calibration.error.bad_points"):
        cal.submit_scores(session, w.lead, w.id, w.call.id, {"greet": 2, "verify": None, "offer": 4})
    first = cal.submit_scores(session, w.lead, w.id, w.call.id, LEAD, submission_key=KEY)
    assert cal.submit_scores(session, w.lead, w.id, w.call.id, LEAD, submission_key=KEY) == first
    with refused("qa.calibration.error.already_scored"):
        cal.submit_scores(session, w.lead, w.id, w.call.id, LEAD)
    other_call = make_call(session, w.agent.id)
    with pytest.raises(NotFound):
        cal.submit_scores(session, w.lead, w.id, other_call.id, LEAD)


def test_calibration_scores_never_count_in_an_agents_qa_reads(session, world):
    w = world
    real = make_evaluation(session, w.version, w.agent.id, w.outsider.id, FACILITATOR, center_noon(date(2026, 12, 1)))
    _score(session, w, w.lead, LEAD)
    _score(session, w, w.qa, FACILITATOR)
    assert len(session.exec(select(QaEvaluation).where(QaEvaluation.agent_id == w.agent.id)).all()) == 3
    assert [e.summary.evaluation_id for e in disputes.my_evaluations(session, w.agent)] == [real.id]
    assert [e.summary.evaluation_id for e in disputes.agent_evaluations(session, w.lead, w.agent.id)] == [real.id]


def test_alpha_matches_krippendorff_on_his_own_example_and_is_read_by_his_thresholds():
    assert cal.alpha_of(PAPER) == pytest.approx(0.811, abs=5e-4)
    assert cal.alpha_of(PAPER) == pytest.approx(krippendorff.alpha(reliability_data=PAPER,
                                                                    level_of_measurement="interval"))
    assert cal.interpretation(cal.alpha_of(PAPER)) == "qa.calibration.alpha_reliable"
    assert cal.interpretation(0.8) == "qa.calibration.alpha_reliable"
    assert cal.interpretation(0.7) == "qa.calibration.alpha_tentative"
    assert cal.interpretation(0.5) == "qa.calibration.alpha_unreliable"
    assert cal.interpretation(None) == "qa.calibration.alpha_unknown"
    assert cal.alpha_of([[1, 1], [1, 1]]) is None and cal.alpha_of([[1, NAN], [NAN, 2]]) is None


def test_reliability_over_revealed_sessions_is_krippendorffs_alpha_of_scores_as_fractions(session, world):
    w = world
    assert cal.reliability(session, w.lead).alpha is None
    _score(session, w, w.lead, LEAD)
    _score(session, w, w.trainer, TRAINER)
    _score(session, w, w.qa, FACILITATOR)
    cal.reveal(session, w.qa, w.id)
    session.commit()
    got = cal.reliability(session, w.trainer)
    raters = sorted([w.qa.id, w.lead.id, w.trainer.id])
    rows = {w.qa.id: [1, 1, 1], w.lead.id: [1, 0, 1], w.trainer.id: [0.5, 1, NAN]}
    expected = krippendorff.alpha(reliability_data=[rows[r] for r in raters], level_of_measurement="interval")
    assert got.alpha == pytest.approx(expected) and got.units == 3 and got.raters == 3
    with pytest.raises(PermissionDenied):
        cal.reliability(session, w.agent)
