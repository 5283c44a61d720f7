"""Dated team membership: moving a person keeps every team's past figures true (#18 item 2)."""
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from portal import analytics, auth, users
from portal.audit.search import AuditQuery, search
from portal.clock import center_zone, today
from portal.errors import PermissionDenied, ValidationFailed
from portal.i18n import Translator
from portal.models import Attempt, Exam, Team, TeamMembership, User
from portal.roles import SYSTEM, Role
from portal.teams import membership
from portal.teams.membership import MAX_DAYS_AHEAD, move_to_team, team_on
from tests.utils.factories import make_team, make_user


def _actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def _team(session, name):
    return session.exec(select(Team).where(Team.name == name)).one()


def _person(session, username, team_id, days_ago=200):
    """An agent whose account dates from `days_ago` days back (so there is history to move away from)."""
    person = make_user(session, username, Role.AGENT, team_id=team_id)
    user = session.get(User, person.id)
    user.created_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    session.add(user)
    session.flush()
    return person


def _rows(session, user_id):
    return [(r.team_id, r.start_date, r.end_date) for r in session.exec(
        select(TeamMembership).where(TeamMembership.user_id == user_id).order_by(TeamMembership.start_date))]


def test_a_move_dates_both_stretches_and_keeps_the_current_team(session):
    a, b = make_team(session, "Mobile Team A"), make_team(session, "Broadband Team B")
    chen = _person(session, "chen.jie", a.id)
    day = today() - timedelta(days=10)
    row = move_to_team(session, SYSTEM, chen.id, b.id, day)
    assert (row.team_id, row.start_date, row.end_date) == (b.id, day, None)
    assert session.get(User, chen.id).team_id == b.id
    first_day = _rows(session, chen.id)[0][1]
    assert _rows(session, chen.id) == [(a.id, first_day, day), (b.id, day, None)]
    assert team_on(session, chen.id, day - timedelta(days=1)) == a.id
    assert team_on(session, chen.id, day) == b.id
    assert team_on(session, chen.id, first_day - timedelta(days=1)) is None


def test_the_same_move_twice_changes_nothing(session):
    a, b = make_team(session, "A"), make_team(session, "B")
    chen = _person(session, "chen.jie", a.id)
    day = today() - timedelta(days=3)
    move_to_team(session, SYSTEM, chen.id, b.id, day)
    again = move_to_team(session, SYSTEM, chen.id, b.id, day)
    assert again.team_id == b.id and len(_rows(session, chen.id)) == 2


def test_a_first_move_dated_before_anything_on_record_only_dates_the_new_team(session):
    a, b = make_team(session, "A"), make_team(session, "B")
    chen = make_user(session, "chen.jie", Role.AGENT, team_id=a.id)  # created today
    day = today() - timedelta(days=10)
    move_to_team(session, SYSTEM, chen.id, b.id, day)
    assert _rows(session, chen.id) == [(b.id, day, None)]


def test_a_person_never_moved_counts_for_the_current_team(session):
    a = make_team(session, "A")
    chen = _person(session, "chen.jie", a.id)
    assert _rows(session, chen.id) == []
    assert team_on(session, chen.id, today() - timedelta(days=400)) == a.id


def test_a_move_dated_the_day_the_stretch_began_corrects_it(session):
    a, b, c = make_team(session, "A"), make_team(session, "B"), make_team(session, "C")
    chen = _person(session, "chen.jie", a.id)
    day = today() - timedelta(days=5)
    move_to_team(session, SYSTEM, chen.id, b.id, day)
    move_to_team(session, SYSTEM, chen.id, c.id, day)  # meant C, not B
    assert [r[0] for r in _rows(session, chen.id)] == [a.id, c.id]
    move_to_team(session, SYSTEM, chen.id, a.id, day)  # no move at all after all: one stretch in A again
    assert [(r[0], r[2]) for r in _rows(session, chen.id)] == [(a.id, None)]


def test_leaving_every_team_and_coming_back(session):
    a, b = make_team(session, "A"), make_team(session, "B")
    chen = _person(session, "chen.jie", a.id)
    left = today() - timedelta(days=20)
    move_to_team(session, SYSTEM, chen.id, None, left)
    assert session.get(User, chen.id).team_id is None and team_on(session, chen.id, left) is None
    with pytest.raises(ValidationFailed) as refused:
        move_to_team(session, SYSTEM, chen.id, b.id, left - timedelta(days=1))
    assert refused.value.params["field"] == "effective"
    move_to_team(session, SYSTEM, chen.id, b.id, today())
    assert team_on(session, chen.id, today() - timedelta(days=1)) is None and team_on(session, chen.id, today()) == b.id


def test_a_date_before_the_current_team_or_too_far_ahead_is_refused_naming_the_field(session):
    a, b, c = make_team(session, "A"), make_team(session, "B"), make_team(session, "C")
    chen = _person(session, "chen.jie", a.id)
    day = today() - timedelta(days=3)
    move_to_team(session, SYSTEM, chen.id, b.id, day)
    with pytest.raises(ValidationFailed) as refused:
        move_to_team(session, SYSTEM, chen.id, c.id, day - timedelta(days=1))
    assert (refused.value.key, refused.value.params["field"]) == ("teams.error.effective_before_start", "effective")
    with pytest.raises(ValidationFailed) as refused:
        move_to_team(session, SYSTEM, chen.id, c.id, today() + timedelta(days=MAX_DAYS_AHEAD + 1))
    assert (refused.value.key, refused.value.params["field"]) == ("teams.error.effective_too_late", "effective")
    move_to_team(session, SYSTEM, chen.id, c.id, today() + timedelta(days=MAX_DAYS_AHEAD))


def test_only_admins_move_people_and_read_the_history(session):
    a, b = make_team(session, "A"), make_team(session, "B")
    chen = _person(session, "chen.jie", a.id)
    lead = make_user(session, "zhang.wei", Role.LEAD, team_id=a.id)
    with pytest.raises(PermissionDenied):
        move_to_team(session, lead, chen.id, b.id, today())
    with pytest.raises(PermissionDenied):
        membership.membership_history(session, lead, chen.id)


def test_the_move_reads_as_a_sentence_in_both_languages(session):
    a, b = make_team(session, "Mobile Team A"), make_team(session, "Broadband Team B")
    chen = _person(session, "chen.jie", a.id)
    admin = make_user(session, "boss", Role.ADMIN)
    move_to_team(session, admin, chen.id, b.id, datetime(2026, 11, 3).date())
    session.commit()
    entry = search(session, admin, AuditQuery(action="user.moved_team"), Translator("en")).entries.iloc[0]
    assert entry["what"] == "Chen.Jie moved from Mobile Team A to Broadband Team B from Nov 3, 2026"
    zh = search(session, admin, AuditQuery(action="user.moved_team"), Translator("zh-CN")).entries.iloc[0]
    assert zh["what"] == "Chen.Jie 自 2026年11月3日 起从 Mobile Team A 调至 Broadband Team B"
    history = membership.membership_history(session, admin, chen.id)
    assert [(name, end) for name, _, end in history] == [("Broadband Team B", None),
                                                         ("Mobile Team A", datetime(2026, 11, 3).date())]


def test_the_users_page_assign_moves_through_the_dated_service(session):
    a, b = make_team(session, "A"), make_team(session, "B")
    chen = _person(session, "chen.jie", a.id)
    users.assign(session, SYSTEM, chen.id, team_id=b.id, cohort_id=None, mentor_id=None)
    assert _rows(session, chen.id)[-1] == (b.id, today(), None)


# --- the story of issue #18: Chen Jie moves from Mobile Team A to Broadband Team B ------------------------

def _stats(session, admin, name):
    team = _team(session, name)
    count, mean = analytics.result_stats(session, admin, analytics.Scope("team", team.id, name))
    return count, None if mean is None else round(mean, 1)


def _add_result(session, user_id, submitted_at, percent):
    exam = session.exec(select(Exam).where(Exam.kind == "written")).first()
    session.add(Attempt(user_id=user_id, exam_id=exam.id, status="graded", percent=percent, passed=True,
                        started_at=submitted_at - timedelta(minutes=30), submitted_at=submitted_at))
    session.flush()


def test_moving_chen_jie_leaves_team_a_all_time_figures_as_they_were(demo_session):
    admin, chen = _actor(demo_session, "admin"), auth.find_user(demo_session, "agent")
    assert _stats(demo_session, admin, "Mobile Team A") == (88, 85.3)
    before_b = _stats(demo_session, admin, "Broadband Team B")
    move_to_team(demo_session, admin, chen.id, _team(demo_session, "Broadband Team B").id, today())
    demo_session.commit()
    assert _stats(demo_session, admin, "Mobile Team A") == (88, 85.3)
    assert _stats(demo_session, admin, "Broadband Team B") == before_b
    _add_result(demo_session, chen.id, datetime.now(UTC).replace(microsecond=0), 70.0)  # after the move: Team B's
    assert _stats(demo_session, admin, "Mobile Team A") == (88, 85.3)
    assert _stats(demo_session, admin, "Broadband Team B")[0] == before_b[0] + 1


def test_a_move_dated_in_the_past_gives_team_b_only_the_results_from_that_day(demo_session):
    admin, chen = _actor(demo_session, "admin"), auth.find_user(demo_session, "agent")
    a, b = _team(demo_session, "Mobile Team A"), _team(demo_session, "Broadband Team B")
    results = analytics.exam_results(demo_session, admin, analytics.Scope("team", a.id), user_id=chen.id)
    days = sorted(results["submitted_on"])
    effective = days[-2]  # his last two results fall on or after the move
    a_before = analytics.exam_results(demo_session, admin, analytics.Scope("team", a.id))
    b_count = _stats(demo_session, admin, "Broadband Team B")[0]
    move_to_team(demo_session, admin, chen.id, b.id, effective)
    demo_session.commit()
    a_after = analytics.exam_results(demo_session, admin, analytics.Scope("team", a.id))
    moved = a_before[(a_before["user_id"] == chen.id) & (a_before["submitted_on"] >= effective)]
    assert len(moved) == 2
    assert sorted(a_after["attempt_id"]) == sorted(set(a_before["attempt_id"]) - set(moved["attempt_id"]))
    b_after = analytics.exam_results(demo_session, admin, analytics.Scope("team", b.id))
    assert len(b_after) == b_count + 2
    assert set(b_after[b_after["user_id"] == chen.id]["attempt_id"]) == set(moved["attempt_id"])


def test_team_on_sql_groups_a_persons_records_by_the_team_of_their_day(demo_session):
    from sqlalchemy import func as sql_func

    from portal.teams.membership import team_on_sql

    admin, chen = _actor(demo_session, "admin"), auth.find_user(demo_session, "agent")
    a, b = _team(demo_session, "Mobile Team A"), _team(demo_session, "Broadband Team B")
    graded = (Attempt.user_id == chen.id, Attempt.status == "graded")
    total = demo_session.exec(select(sql_func.count()).where(*graded)).one()
    effective = today() - timedelta(days=60)
    after = demo_session.exec(select(sql_func.count()).where(
        *graded, Attempt.submitted_at >= datetime.combine(effective, time.min, tzinfo=center_zone()))).one()
    move_to_team(demo_session, admin, chen.id, b.id, effective)
    team = team_on_sql(demo_session, Attempt.user_id, at=Attempt.submitted_at)
    counts = dict(demo_session.exec(select(team, sql_func.count()).where(*graded).group_by(team)).all())
    assert counts == {a.id: total - after, b.id: after} and after > 0


def test_the_move_day_is_the_center_day_not_utc(demo_session):
    """At 07:00 in Beijing on the move day it is still the day before in UTC: the result is the new team's."""
    admin, chen = _actor(demo_session, "admin"), auth.find_user(demo_session, "agent")
    b = _team(demo_session, "Broadband Team B")
    effective = today() - timedelta(days=1)
    move_to_team(demo_session, admin, chen.id, b.id, effective)
    early = datetime.combine(effective, time(7, 0), tzinfo=center_zone()).astimezone(UTC)
    _add_result(demo_session, chen.id, early, 50.0)
    demo_session.commit()
    assert early.date() < effective or center_zone().key == "UTC"
    scope_b = analytics.Scope("team", b.id)
    assert 50.0 in set(analytics.exam_results(demo_session, admin, scope_b, user_id=chen.id)["percent"])


def test_moving_an_agent_leaves_both_teams_qa_figures_as_they_were(demo_session):
    from portal.qa import dashboards

    admin, feng = _actor(demo_session, "admin"), auth.find_user(demo_session, "feng.jun")
    a, b = _team(demo_session, "Mobile Team A"), _team(demo_session, "Broadband Team B")
    months = dashboards.recent_months(4)

    def figures():
        return [dashboards.team_trend(demo_session, admin, team.id, months)[["evaluations", "mean_score"]]
                .fillna(-1).values.tolist() for team in (a, b)]

    before = figures()
    assert sum(row[0] for row in before[0]) > 0
    move_to_team(demo_session, admin, feng.id, b.id, today())
    demo_session.commit()
    assert figures() == before
    lead = _actor(demo_session, "lead")  # Team A's lead still reads the team's past, Feng Jun's calls included
    trend = dashboards.agent_trend(demo_session, lead, a.id, months)
    assert trend["agent"].str.startswith("Feng Jun").any()


def test_a_past_move_gives_team_b_the_qa_evaluations_of_calls_from_that_day(demo_session):
    from portal.models import QaCall, QaEvaluation
    from portal.qa import dashboards

    admin, feng = _actor(demo_session, "admin"), auth.find_user(demo_session, "feng.jun")
    a, b = _team(demo_session, "Mobile Team A"), _team(demo_session, "Broadband Team B")
    months = dashboards.recent_months(4)

    def evaluations(team):
        return int(dashboards.team_trend(demo_session, admin, team.id, months)["evaluations"].sum())

    calls = sorted(demo_session.exec(select(QaCall.started_at).join(QaEvaluation, QaEvaluation.call_id == QaCall.id)
                                     .where(QaEvaluation.agent_id == feng.id, QaEvaluation.status == "submitted",
                                            QaEvaluation.calibration_id.is_(None))).all())
    effective = (calls[len(calls) // 2] + timedelta(days=1)).astimezone(center_zone()).date()
    later = sum(1 for started in calls if started.astimezone(center_zone()).date() >= effective)
    assert 0 < later < len(calls)
    before = evaluations(a), evaluations(b)
    move_to_team(demo_session, admin, feng.id, b.id, effective)
    demo_session.commit()
    assert (evaluations(a), evaluations(b)) == (before[0] - later, before[1] + later)


# --- the 0013 migration's back-fill, on a database a release made ------------------------------------------

from tests.test_migrations import release, release_engine  # noqa: F401  (fixtures)


def test_the_back_fill_writes_each_current_team_from_the_first_day_on_record(release_engine):  # noqa: F811
    from portal.clock import local_date
    from portal.db import migrate

    migrate(release_engine, "0013_teamhist")
    with Session(release_engine) as session:
        people = session.exec(select(User).where(User.team_id.is_not(None))).all()
        rows = session.exec(select(TeamMembership)).all()
        assert len(people) > 10 and len(rows) == len(people)
        by_user = {row.user_id: row for row in rows}
        for user in people:
            row = by_user[user.id]
            assert (row.team_id, row.end_date) == (user.team_id, None)
            started = session.exec(select(Attempt.started_at).where(Attempt.user_id == user.id)).all()
            assert row.start_date == min([local_date(user.created_at)] + [local_date(s) for s in started])
