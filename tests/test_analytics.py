"""Team analytics on the demo center: scope per role, trends, at-risk reasons, effect, proficiency."""
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import pytest
from sqlalchemy import event, func
from sqlmodel import select

from portal import analytics, auth, coaching
from portal.clock import center_zone, local_date, utcnow
from portal.errors import PermissionDenied
from portal.i18n import Translator
from portal.models import Attempt, Cohort, Exam, StageSignoff, Team, User
from portal.roles import Role
from portal.settings import get_settings
from tests.utils.factories import make_cohort, make_user


def actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def team_scope(session, name):
    team = session.exec(select(Team).where(Team.name == name)).one()
    return analytics.Scope("team", team.id, name)


def test_lead_sees_only_own_team_trainer_and_admin_see_all(demo_session):
    lead = actor(demo_session, "lead")
    assert [s.name for s in analytics.available_scopes(demo_session, lead)] == ["Mobile Team A"]
    with pytest.raises(PermissionDenied):
        analytics.exam_results(demo_session, lead, team_scope(demo_session, "Broadband Team B"))
    with pytest.raises(PermissionDenied):
        analytics.at_risk(demo_session, actor(demo_session, "zhao.lei"), team_scope(demo_session, "Mobile Team A"))
    for username in ("trainer", "admin"):
        kinds = {s.kind for s in analytics.available_scopes(demo_session, actor(demo_session, username))}
        assert kinds == {"team", "cohort"}
    for username in ("agent", "newhire", "mentor"):
        with pytest.raises(PermissionDenied):
            analytics.available_scopes(demo_session, actor(demo_session, username))


def test_demo_team_has_two_at_risk_agents_with_different_reasons(demo_session):
    lead = actor(demo_session, "lead")
    risk = analytics.at_risk(demo_session, lead, team_scope(demo_session, "Mobile Team A"))
    flagged = {row.agent.split()[0] + " " + row.agent.split()[1]: {r.key for r in row.reasons}
               for row in risk.itertuples() if row.at_risk}
    # the two agents of the demo, each for different reasons, and the team's new hires for onboarding reasons
    assert flagged == {"Feng Jun": {"low_scores"}, "Tang Mei": {"falling_trend", "overdue_ack"},
                       "Li Na": {"behind_schedule"}, "Xu Jing": {"asked_to_repeat"}, "He Tao": {"low_scores"}}
    text = analytics.reasons_text(Translator("en"), risk[risk["agent"].str.startswith("Feng")]["reasons"].iloc[0])
    assert text == "3 of the last 5 results below 70"
    zh = analytics.reasons_text(Translator("zh-CN"), risk[risk["agent"].str.startswith("Tang")]["reasons"].iloc[0])
    assert "成绩下滑" in zh and "未按时确认" in zh


def test_thresholds_come_from_admin_settings(demo_session):
    admin, lead = actor(demo_session, "admin"), actor(demo_session, "lead")
    coaching.update_settings(demo_session, admin, coaching.CoachingSettings(low_score=60, amber_score=85))
    risk = analytics.at_risk(demo_session, lead, team_scope(demo_session, "Mobile Team A"))
    assert not any("low_scores" in {r.key for r in reasons} for reasons in risk["reasons"])


def test_onboarding_seam_reasons_are_shown(demo_session, monkeypatch):
    lead = actor(demo_session, "lead")
    agent = auth.find_user(demo_session, "agent")
    monkeypatch.setattr(analytics, "onboarding_flags", lambda session, ids: {agent.id: ["behind_schedule"]})
    risk = analytics.at_risk(demo_session, lead, team_scope(demo_session, "Mobile Team A"))
    row = risk[risk["user_id"] == agent.id].iloc[0]
    assert row["at_risk"] and analytics.reasons_text(Translator("en"), row["reasons"]) == \
        "onboarding stage behind schedule"


def test_trend_means_and_distribution(demo_session):
    lead = actor(demo_session, "lead")
    scope = team_scope(demo_session, "Mobile Team A")
    monthly = lambda frame: frame[frame["exam_code"].str.startswith("monthly-")]  # noqa: E731  the agents' history
    results = analytics.exam_results(demo_session, lead, scope)
    assert len(monthly(results)) == 6 * 12 and set(results["kind"]) == {"written", "practical"}
    means = monthly(analytics.team_means(demo_session, lead, scope))
    assert len(means) == 12 and means["mean"].between(80, 95).all()
    written = analytics.exam_results(demo_session, lead, scope, analytics.ResultFilter(kind="written"))
    assert set(written["kind"]) == {"written"} and len(monthly(written)) == 36
    dist = monthly(analytics.score_distribution(demo_session, lead, scope))
    assert dist.groupby("exam_code")["results"].sum().eq(6).all()
    assert set(dist["band"]) <= {b for _, b in analytics.BANDS}
    bottom = analytics.bottom(analytics.agent_summary(demo_session, lead, scope), 2)
    assert set(bottom["agent"].str.split().str[:2].str.join(" ")) == {"Feng Jun", "He Tao"}


def test_coaching_effect_per_session_coach_and_focus(demo_session):
    lead = actor(demo_session, "lead")
    effects = analytics.coaching_effects(demo_session, lead, team_scope(demo_session, "Mobile Team A"))
    song = effects[effects["agent"].str.startswith("Song")].iloc[0]
    assert song["before_avg"] < 81 and song["after_avg"] > 88 and song["change"] > 8
    by_focus = analytics.effect_by(effects, "focus_area").set_index("focus_area")
    assert by_focus.loc["product_knowledge", "mean_change"] == song["change"]
    by_coach = analytics.effect_by(effects, "coach")
    assert by_coach["sessions"].sum() == len(effects)


def test_speed_to_proficiency_with_and_without_stage_data(demo_session, monkeypatch):
    trainer = actor(demo_session, "trainer")
    cohort = [s for s in analytics.available_scopes(demo_session, trainer) if s.kind == "cohort"][0]
    newhire = auth.find_user(demo_session, "newhire")
    exam = demo_session.exec(select(Exam).where(Exam.code.like("monthly-written-%"))).first()
    start = demo_session.get(Cohort, cohort.id)
    passed_at = utcnow() - timedelta(days=2)
    demo_session.add(Attempt(exam_id=exam.id, user_id=newhire.id, status="graded", submitted_at=passed_at,
                             percent=85, passed=True))
    demo_session.flush()
    frame = analytics.proficiency(demo_session, trainer, cohort)
    row = frame.set_index("user_id").loc[newhire.id]
    first_pass = min([passed_at] + list(demo_session.exec(
        select(Attempt.submitted_at).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id == newhire.id, Attempt.passed.is_(True), Exam.kind != "practice"))))
    assert row["days_to_pass"] == (local_date(first_pass) - start.start_date).days
    theory = demo_session.exec(select(StageSignoff.signed_at).where(
        StageSignoff.user_id == newhire.id, StageSignoff.stage_key == "theory", StageSignoff.outcome == "passed")).one()
    assert row["days_to_theory"] == (theory.date() - start.start_date).days  # from the onboarding sign-offs
    curve = analytics.proficiency_curve(frame, "mentor")
    assert curve.groupby("group")["share"].max().round(2).to_dict() == {"Liu Yang 刘洋": 1.0, "Sun Li 孙丽": 0.75}
    graduates = demo_session.exec(select(StageSignoff.user_id).where(StageSignoff.outcome == "passed")
                                  .group_by(StageSignoff.user_id).having(func.count() == 5)).all()
    outcomes = analytics.mentor_outcomes(frame).set_index("mentor")
    assert outcomes["graduated"].sum() == len(graduates) == 1

    stages = pd.DataFrame({"user_id": [newhire.id], "stage": ["theory"],
                           "signed_off_on": [start.start_date + timedelta(days=6)]})
    monkeypatch.setattr(analytics, "stage_signoff_dates", lambda session, ids: stages)
    frame = analytics.proficiency(demo_session, trainer, cohort)
    assert frame.set_index("user_id").loc[newhire.id, "days_to_theory"] == 6


def test_lead_queries_touch_no_answer_rows_and_stay_few(demo_session, demo_engine):
    """The dashboard reads attempts (aggregated in SQL), never attempt_answer, in a handful of queries."""
    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(demo_engine, "before_cursor_execute", listener)
    try:
        lead = actor(demo_session, "lead")
        scope = team_scope(demo_session, "Mobile Team A")
        analytics.at_risk(demo_session, lead, scope)
        analytics.team_means(demo_session, lead, scope)
        analytics.score_distribution(demo_session, lead, scope)
        analytics.coaching_effects(demo_session, lead, scope)
    finally:
        event.remove(demo_engine, "before_cursor_execute", listener)
    assert not any("attempt_answer" in s for s in statements)
    assert len(statements) < 40
    assert demo_session.exec(select(User).where(User.username == "feng.jun")).one()


def test_results_and_proficiency_fall_on_the_centers_day_not_utcs(session, monkeypatch):
    """07:30 in Beijing is 23:30 the day before in UTC: the day a result shows, where "since <day>"
    starts and the days to a first pass are the center's."""
    monkeypatch.setattr(get_settings(), "center_timezone", "Asia/Shanghai")
    cohort = make_cohort(session, "Intake Z", start=date(2026, 10, 1))
    trainer = make_user(session, "trainer.z", Role.TRAINER)
    newhire = make_user(session, "newhire.z", Role.NEWHIRE, cohort_id=cohort.id)
    exam = Exam(code="zone-exam", kind="written", title_en="Zone", title_zh="时区", pass_mark=80)
    session.add(exam)
    session.flush()
    day = date(2026, 10, 11)
    at = datetime.combine(day, time(7, 30), tzinfo=center_zone())
    assert at.astimezone(UTC).date() == day - timedelta(days=1)
    session.add(Attempt(exam_id=exam.id, user_id=newhire.id, status="graded", started_at=at, submitted_at=at,
                        percent=90, passed=True))
    session.flush()
    scope = analytics.Scope("cohort", cohort.id, "Intake Z")
    assert list(analytics.exam_results(session, trainer, scope, analytics.ResultFilter(since=day))["submitted_on"]) \
        == [day]
    assert analytics.exam_results(session, trainer, scope, analytics.ResultFilter(since=day + timedelta(days=1))).empty
    assert list(analytics.team_means(session, trainer, scope)["taken_on"]) == [day]
    assert analytics.proficiency(session, trainer, scope).set_index("user_id").loc[newhire.id, "days_to_pass"] == 10
