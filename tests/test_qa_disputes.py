"""The agent's view of an evaluation: acknowledge, dispute within the window, two rounds, decisions by someone else."""
from datetime import date

import pytest
from sqlmodel import select

from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import AuditEntry, QaCalibration, QaDispute, QaItemScore
from portal.qa import disputes
from portal.qa.disputes import Decision
from portal.qa.working_days import add_working_days, window_closes_on
from portal.roles import SYSTEM, Role
from portal.users import set_team_leads
from tests.utils.clock import center_noon, set_center_day
from tests.utils.factories import make_team, make_user
from tests.utils.qa_factories import make_evaluation, make_scorecard, refused

FRIDAY = date(2026, 12, 4)
KEY = "k" * 20


@pytest.fixture
def world(session, monkeypatch):
    team, other_team = make_team(session, "Mobile A"), make_team(session, "Mobile B")
    w = type("World", (), {})()
    w.agent = make_user(session, "agent1", Role.AGENT, team_id=team.id)
    w.colleague = make_user(session, "agent2", Role.AGENT, team_id=team.id)
    w.lead = make_user(session, "lead1", Role.LEAD)
    w.other_lead = make_user(session, "lead2", Role.LEAD)
    set_team_leads(session, SYSTEM, team.id, [w.lead.id])
    set_team_leads(session, SYSTEM, other_team.id, [w.other_lead.id])
    w.analyst = make_user(session, "qa1", Role.QA)
    w.analyst2 = make_user(session, "qa2", Role.QA)
    w.version = make_scorecard(session)
    w.evaluation = make_evaluation(session, w.version, w.agent.id, w.analyst.id,
                                   {"greet": 2, "verify": 1, "offer": None}, center_noon(FRIDAY),
                                   comments={"verify": "no PIN asked"})
    session.commit()
    set_center_day(monkeypatch, date(2026, 12, 7))  # the Monday after
    return w


def _decide_all(session, actor, dispute_id, **decisions):
    return disputes.decide_dispute(session, actor, dispute_id, decisions)


def test_the_window_counts_working_days_so_a_friday_evaluation_spans_the_weekend():
    assert add_working_days(FRIDAY, 5) == date(2026, 12, 11)
    assert add_working_days(date(2026, 12, 1), 5) == date(2026, 12, 8)  # Tue -> Tue
    assert window_closes_on(center_noon(FRIDAY)) == date(2026, 12, 11)


def test_the_window_length_can_be_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("QA_DISPUTE_WINDOW_DAYS", "2")
    assert window_closes_on(center_noon(FRIDAY)) == date(2026, 12, 8)


def test_agent_disputes_on_the_last_day_of_the_window_but_not_the_day_after(session, world, monkeypatch):
    detail = disputes.evaluation_detail(session, world.agent, world.evaluation.id)
    assert detail.dispute_until == date(2026, 12, 11) and set(detail.disputable) == {"greet", "verify", "offer"}
    set_center_day(monkeypatch, date(2026, 12, 12))
    with pytest.raises(ValidationFailed) as caught:
        disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "I asked for the PIN"})
    assert caught.value.key == "qa.dispute.error.window_closed"
    closed = disputes.evaluation_detail(session, world.agent, world.evaluation.id)
    assert closed.disputable == [] and closed.dispute_refusal == "qa.dispute.error.window_closed"
    set_center_day(monkeypatch, date(2026, 12, 11))
    assert disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "I asked for the PIN"})


def test_an_empty_reason_is_refused_naming_its_item(session, world):
    with pytest.raises(ValidationFailed) as caught:
        disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "  ", "greet": "fine"})
    assert caught.value.key == "qa.dispute.error.reason_required" and caught.value.params["items"] == ["verify"]
    with refused("qa.dispute.error.no_items"):
        disputes.raise_dispute(session, world.agent, world.evaluation.id, {})


def test_the_same_dispute_sent_twice_is_one_dispute(session, world):
    first = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "asked"}, KEY)
    session.commit()
    assert disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "asked"}, KEY) == first
    assert len(session.exec(select(QaDispute)).all()) == 1
    assert disputes.agent_evaluations(session, world.agent, world.agent.id)[0].in_dispute


def test_acknowledging_is_once_and_audited(session, world):
    first = disputes.acknowledge(session, world.agent, world.evaluation.id)
    session.commit()
    assert disputes.acknowledge(session, world.agent, world.evaluation.id) == first
    session.commit()
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "qa_evaluation.acknowledged")).all()
    assert len(entries) == 1


def test_two_rounds_then_never_a_third_and_history_keeps_every_revision(session, world, monkeypatch):
    first = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "I asked for the PIN"})
    with refused("qa.dispute.error.open"):
        disputes.raise_dispute(session, world.agent, world.evaluation.id, {"greet": "again"})
    disputes.decide_dispute(session, world.lead, first, {
        "verify": Decision("changed", "PIN asked at 0:42", new_points=2)})
    session.commit()
    assert world.evaluation.revision == 1 and world.evaluation.percent == pytest.approx(100.0)
    # round 2 disputes only what round 1 decided
    detail = disputes.evaluation_detail(session, world.agent, world.evaluation.id)
    assert detail.disputable == ["verify"]
    with refused("qa.dispute.error.item_not_disputable"):
        disputes.raise_dispute(session, world.agent, world.evaluation.id, {"greet": "also this"})
    second = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "comment is wrong"})
    disputes.decide_dispute(session, world.analyst2, second, {"verify": Decision("upheld", "points stand")})
    session.commit()
    with refused("qa.dispute.error.no_more_rounds"):
        disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "third time"})
    detail = disputes.evaluation_detail(session, world.agent, world.evaluation.id)
    assert [r.revision for r in detail.revisions] == [0, 1]
    assert detail.revisions[0].critical_missed == ["verify"] and detail.revisions[1].critical_missed == []
    assert [line.points for line in detail.revisions[0].items] == [2, 1, None]
    assert [line.points for line in detail.items] == [2, 2, None]
    assert detail.items[1].comment == "no PIN asked"  # undisputed parts copied from the revision before
    assert [(r.round, r.items[0].decision, r.items[0].decision_reason) for r in detail.rounds] == [
        (1, "changed", "PIN asked at 0:42"), (2, "upheld", "points stand")]
    assert detail.summary.percent == pytest.approx(100.0) and not detail.summary.failed_by_critical
    assert len(session.exec(select(QaItemScore)).all()) == 6
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions.count("qa_dispute.raised") == 2 and actions.count("qa_dispute.decided") == 2


def test_decisions_need_a_choice_points_and_a_reason_beside_each_item(session, world):
    dispute = disputes.raise_dispute(session, world.agent, world.evaluation.id,
                                     {"verify": "asked", "greet": "greeted"})
    cases = [({"verify": Decision(None)}, "decision_required", ["greet", "verify"]),
             ({"verify": Decision("changed", "ok"), "greet": Decision("upheld", "ok")}, "points_required",
              ["verify"]),
             ({"verify": Decision("changed", "ok", new_points=5), "greet": Decision("upheld", "ok")},
              "points_required", ["verify"]),
             ({"verify": Decision("upheld", " "), "greet": Decision("upheld", "ok")}, "decision_reason_required",
              ["verify"])]
    for decisions, key, items in cases:
        with pytest.raises(ValidationFailed) as caught:
            disputes.decide_dispute(session, world.lead, dispute, decisions)
        assert caught.value.key == f"qa.dispute.error.{key}" and sorted(caught.value.params["items"]) == items


def test_the_evaluator_cannot_decide_their_own_evaluation(session, world):
    dispute = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "asked"})
    with pytest.raises(PermissionDenied):
        disputes.decide_dispute(session, world.analyst, dispute, {"verify": Decision("upheld", "I was right")})
    assert disputes.open_disputes(session, world.analyst) == []
    assert [d.id for d in disputes.open_disputes(session, world.analyst2)] == [dispute]


def test_a_lead_of_another_team_and_an_agent_are_refused(session, world):
    dispute = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "asked"})
    for outsider in (world.other_lead, world.colleague, world.agent):
        with pytest.raises(PermissionDenied):
            disputes.decide_dispute(session, outsider, dispute, {"verify": Decision("upheld", "no")})
    assert disputes.open_disputes(session, world.other_lead) == []
    assert [d.id for d in disputes.open_disputes(session, world.lead)] == [dispute]


def test_an_agent_cannot_read_acknowledge_or_dispute_a_colleagues_evaluation(session, world):
    with pytest.raises(PermissionDenied):
        disputes.evaluation_detail(session, world.colleague, world.evaluation.id)
    with pytest.raises(PermissionDenied):
        disputes.agent_evaluations(session, world.colleague, world.agent.id)
    with pytest.raises(PermissionDenied):
        disputes.acknowledge(session, world.colleague, world.evaluation.id)
    with pytest.raises(PermissionDenied):
        disputes.raise_dispute(session, world.colleague, world.evaluation.id, {"verify": "not mine"})
    with pytest.raises(PermissionDenied):  # a lead reads but does not dispute for the agent
        disputes.raise_dispute(session, world.lead, world.evaluation.id, {"verify": "on their behalf"})
    assert disputes.my_evaluations(session, world.colleague) == []
    with pytest.raises(PermissionDenied):
        disputes.evaluation_detail(session, world.other_lead, world.evaluation.id)
    assert disputes.evaluation_detail(session, world.lead, world.evaluation.id).summary.evaluation_id == world.evaluation.id


def test_calibration_scores_are_never_an_agents_evaluation(session, world):
    calibration = QaCalibration(title="Nov", facilitator_id=world.analyst.id, scorecard_version_id=world.version.id)
    session.add(calibration)
    session.flush()
    scored = make_evaluation(session, world.version, world.agent.id, world.analyst2.id,
                             {"greet": 0, "verify": 0, "offer": 0}, center_noon(FRIDAY), calibration_id=calibration.id)
    session.commit()
    assert [e.summary.evaluation_id for e in disputes.my_evaluations(session, world.agent)] == [world.evaluation.id]
    assert [e.summary.evaluation_id for e in disputes.agent_evaluations(session, world.lead, world.agent.id)] == [world.evaluation.id]
    for read in (lambda: disputes.evaluation_detail(session, world.agent, scored.id),
                 lambda: disputes.acknowledge(session, world.agent, scored.id),
                 lambda: disputes.raise_dispute(session, world.agent, scored.id, {"verify": "x"})):
        with pytest.raises(NotFound):
            read()


def test_the_reader_sees_items_in_their_language(session, world):
    detail = disputes.evaluation_detail(session, world.agent, world.evaluation.id, "zh-CN")
    assert [line.text for line in detail.items] == ["问候", "身份核实", "最多两次营销"]
    assert detail.summary.scorecard_title("zh-CN") == "语音通话" and detail.critical_missed == ["身份核实"]
    assert detail.summary.evaluator_name == "Qa1"


def test_decided_disputes_are_listed_newest_first_with_what_changed_and_only_to_reviewers_in_scope(session, world):
    first = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "I asked for the PIN",
                                                                               "greet": "I greeted"})
    assert disputes.decided_disputes(session, world.lead).total == 0  # open, not decided
    disputes.decide_dispute(session, world.lead, first, {"verify": Decision("changed", "PIN at 0:42", new_points=2),
                                                         "greet": Decision("upheld", "fine as scored")})
    session.commit()
    second = disputes.raise_dispute(session, world.agent, world.evaluation.id, {"verify": "comment is wrong"})
    disputes.decide_dispute(session, world.analyst2, second, {"verify": Decision("upheld", "points stand")})
    session.commit()
    decided = disputes.decided_disputes(session, world.analyst)
    rows = decided.rows
    assert decided.total == 2 and [(r.round, r.items, r.changed) for r in rows] == [(2, 1, 0), (1, 2, 1)]
    assert rows[1].reviewer_name == world.lead.display_name and rows[0].evaluation_id == world.evaluation.id
    second_page = disputes.decided_disputes(session, world.lead, page=1, page_size=1)
    assert second_page.total == 2 and [r.round for r in second_page.rows] == [1]
    assert disputes.decided_disputes(session, world.other_lead).rows == []
    for outsider in (world.agent, world.colleague):
        with pytest.raises(PermissionDenied):
            disputes.decided_disputes(session, outsider)
