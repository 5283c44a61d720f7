"""QA dashboards on a hand-made center: exact figures, what is never counted, and who sees what."""
import math

import pytest

from portal.errors import PermissionDenied
from portal.qa import dashboards
from portal.qa.dashboards import weighted_median
from portal.roles import Role
from tests.utils.factories import make_user
from tests.utils.qa_feed import MONTHS, small_center


@pytest.fixture
def world(session):
    return small_center(session)


def records(frame, *columns):
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


def test_team_trend_is_the_mean_of_final_revisions_of_live_evaluations_by_center_month(session, world):
    frame = dashboards.team_trend(session, world.lead_a, world.team_a, MONTHS)
    # October: 100, 75 and e3's final 87.5 (revision 0 was 62.5); calibration, draft and team B left out.
    # November: e4 (31 Oct 17:00 UTC is 1 November in Shanghai) 75 and e5 100.
    assert records(frame, "month", "evaluations", "mean_score", "critical_fails") == [
        ("2026-10", 3, 87.5, 1), ("2026-11", 2, 87.5, 1)]
    assert frame["critical_fail_rate"].tolist() == [0.3333, 0.5]


def test_agent_trend_per_agent_and_month(session, world):
    frame = dashboards.agent_trend(session, world.trainer, world.team_a, MONTHS)
    assert records(frame, "agent", "month", "evaluations", "mean_score") == [
        ("Agent.One", "2026-10", 2, 87.5), ("Agent.One", "2026-11", 1, 75.0),
        ("Agent.Two", "2026-10", 1, 87.5), ("Agent.Two", "2026-11", 1, 100.0)]


def test_item_failures_leave_na_out_and_read_the_final_revision(session, world):
    frame = dashboards.item_failures(session, world.analyst1, world.team_a, MONTHS)
    assert records(frame, "item_id", "month", "scored", "failed", "failure_rate") == [
        ("verify", "2026-10", 3, 1, 0.3333), ("verify", "2026-11", 2, 1, 0.5),  # fails most: 2 of 5
        ("greet", "2026-10", 3, 1, 0.3333), ("greet", "2026-11", 2, 0, 0.0),
        ("offer", "2026-10", 2, 0, 0.0), ("offer", "2026-11", 2, 0, 0.0)]  # e2's N/A left out; e3 changed to 4
    matrix = dashboards.failure_matrix(frame, "zh-CN")
    assert matrix["item"].tolist() == ["语音通话 · 身份核实", "语音通话 · 问候", "语音通话 · 最多两次营销"]
    assert matrix["2026-11"].tolist() == [0.5, 0.0, 0.0]


def test_dispute_and_overturn_rates(session, world):
    frame = dashboards.dispute_rates(session, world.lead_a, world.team_a, MONTHS)
    october, november = frame.to_dict("records")
    assert (october["evaluations"], october["disputed"], october["dispute_rate"]) == (3, 1, 0.3333)
    assert (october["items_disputed"], october["items_decided"], october["items_changed"]) == (2, 2, 1)
    assert october["overturn_rate"] == 0.5
    assert (november["evaluations"], november["disputed"], november["items_disputed"]) == (2, 1, 1)
    assert math.isnan(november["overturn_rate"])  # the open item is not decided yet


def test_analyst_workload_and_median_time(session, world):
    frame = dashboards.analyst_workload(session, world.trainer, world.team_a, MONTHS)
    assert records(frame, "analyst", "month", "evaluations", "median_seconds") == [
        ("Analyst.One", "2026-10", 2, 400.0), ("Analyst.One", "2026-11", 1, 600.0),
        ("Analyst.Two", "2026-10", 1, 400.0), ("Analyst.Two", "2026-11", 1, 200.0)]  # calibration, draft: not work


def test_weighted_median():
    assert weighted_median([300, 500], [1, 1]) == 400
    assert weighted_median([10, 20, 30], [1, 5, 1]) == 20
    assert weighted_median([10, 20], [3, 1]) == 10
    assert weighted_median([], []) is None


def test_a_month_without_evaluations_shows_as_empty(session, world):
    frame = dashboards.team_trend(session, world.lead_a, world.team_a, ["2026-09", "2026-10"])
    assert records(frame, "month", "evaluations") == [("2026-09", 0), ("2026-10", 3)]
    assert math.isnan(frame["critical_fail_rate"][0])


def test_a_lead_sees_their_teams_only(session, world):
    assert dashboards.dashboard_teams(session, world.lead_b)["team_id"].tolist() == [world.team_b]
    for read in (dashboards.team_trend, dashboards.agent_trend, dashboards.item_failures, dashboards.dispute_rates,
                 dashboards.analyst_workload):
        with pytest.raises(PermissionDenied):
            read(session, world.lead_b, world.team_a, MONTHS)
    frame = dashboards.team_trend(session, world.lead_b, world.team_b, MONTHS)
    assert frame["evaluations"].tolist() == [1, 0]


def test_qa_and_trainers_see_every_team(session, world):
    for actor in (world.analyst1, world.trainer):
        assert set(dashboards.dashboard_teams(session, actor)["team_id"]) == {world.team_a, world.team_b}


def test_an_agent_and_a_mentor_are_refused(session, world):
    mentor = make_user(session, "mentor.m", Role.MENTOR)
    for actor in (world.agent1, mentor):
        with pytest.raises(PermissionDenied):
            dashboards.dashboard_teams(session, actor)
        with pytest.raises(PermissionDenied):
            dashboards.team_trend(session, actor, world.team_a, MONTHS)


def test_recent_months_are_the_centers(session):
    from datetime import UTC, datetime

    # 31 Dec 2026 17:00 UTC is already 1 January 2027 in Shanghai
    assert dashboards.recent_months(3, datetime(2026, 12, 31, 17, tzinfo=UTC)) == ["2026-11", "2026-12", "2027-01"]
