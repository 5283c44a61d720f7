"""Wellbeing check-ins: scoring, the weekly check-in, resources, aggregates, retention, pages."""
import secrets
from datetime import date, datetime, UTC

import pytest
from sqlmodel import select

from portal import wellbeing
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AuditEntry, TeamLead, WellbeingAggregate, WellbeingParticipation, WellbeingResponse
from portal.roles import Role
from portal.wellbeing import CheckIn, score
from portal.formatting import format_day_month
from tests.utils.apptest import app_as, errors_of
from tests.utils.clock import set_center_day
from tests.utils.factories import make_team, make_user

GOOD = CheckIn(who5=[4, 4, 3, 4, 3], pss4=[1, 3, 3, 1])


# --- scoring, from the published rules ------------------------------------------------

@pytest.mark.parametrize("answers,raw,percentage,band", [
    ([0, 0, 0, 0, 0], 0, 0, "very_low"),
    ([2, 2, 1, 1, 1], 7, 28, "very_low"),   # 28 % is still very low
    ([2, 2, 2, 1, 1], 8, 32, "low"),
    ([3, 3, 2, 2, 2], 12, 48, "low"),        # raw 12: below the WHO-5 cut-off of 13
    ([3, 3, 3, 2, 2], 13, 52, "ok"),         # raw 13: above 50 %
    ([5, 5, 5, 5, 5], 25, 100, "ok"),
])
def test_who5_total_percentage_and_band(answers, raw, percentage, band):
    result = score("who5", answers)
    assert (result.total, result.percentage, result.band, result.maximum) == (raw, percentage, band, 25)


def test_who5_any_item_at_0_or_1_is_a_support_signal_even_with_a_good_total():
    result = score("who5", [5, 5, 5, 5, 1])
    assert result.band == "ok" and result.low_items == (5,) and result.needs_support
    assert not score("who5", [2, 2, 2, 2, 2]).needs_support  # 40 %: low, but no single item at 0-1
    assert score("who5", [2, 2, 1, 1, 1]).needs_support  # very low


@pytest.mark.parametrize("answers,total", [
    ([0, 4, 4, 0], 0),    # items 2 and 3 reverse-scored: 4 - answer
    ([4, 0, 0, 4], 16),
    ([0, 0, 0, 0], 8),
    ([2, 2, 2, 2], 8),
    ([3, 1, 2, 4], 3 + 3 + 2 + 4),
])
def test_pss4_reverses_items_2_and_3(answers, total):
    result = score("pss4", answers)
    assert (result.total, result.maximum, result.percentage, result.band) == (total, 16, None, None)


@pytest.mark.parametrize("instrument,answers", [
    ("who5", [1, 2, 3, 4]), ("who5", [1, 2, 3, 4, 5, 0]), ("who5", [1, 2, 3, 4, 6]), ("who5", [1, 2, 3, 4, -1]),
    ("who5", [1, 2, 3, 4, None]), ("who5", [1, 2, 3, 4, 2.5]), ("who5", [1, 2, 3, 4, True]),
    ("who5", ["1", 2, 3, 4, 5]), ("pss4", [0, 1, 2]), ("pss4", [0, 1, 2, 5]), ("pss4", []), ("phq9", [0] * 9),
])
def test_invalid_answers_raise_value_error(instrument, answers):
    with pytest.raises(ValueError):
        score(instrument, answers)


def test_weeks_and_months():
    assert wellbeing.iso_week(date(2026, 11, 22)) == "2026-W47"
    assert wellbeing.iso_week(date(2027, 1, 1)) == "2026-W53"
    assert wellbeing.month_of_week("2026-W36") == "2026-09"  # 31 Aug - 6 Sep: its Thursday is in September
    assert wellbeing.recent_periods("week", 3, date(2026, 11, 22)) == ["2026-W45", "2026-W46", "2026-W47"]
    assert wellbeing.recent_periods("month", 3, date(2026, 1, 5)) == ["2025-11", "2025-12", "2026-01"]
    assert wellbeing.retention_cutoff_month(date(2026, 11, 22), 12) == "2025-11"


# --- the check-in --------------------------------------------------------------------

@pytest.fixture
def team_world(session):
    team = make_team(session, "Team W")
    agent = make_user(session, "agent.w", Role.AGENT, team_id=team.id)
    lead = make_user(session, "lead.w", Role.LEAD)
    session.add(TeamLead(team_id=team.id, user_id=lead.id))
    session.commit()
    return team, agent, lead


def test_check_in_once_a_week_and_again_next_week(session, team_world, monkeypatch):
    team, agent, _ = team_world
    result = wellbeing.check_in(session, agent, GOOD)
    session.commit()
    assert (result.who5.percentage, result.who5.band, result.pss4.total) == (72, "ok", 4)
    assert wellbeing.has_checked_in(session, agent)
    with pytest.raises(ValidationFailed) as refused:
        wellbeing.check_in(session, agent, GOOD)
    assert refused.value.key == "wellbeing.error.already_checked_in"
    session.rollback()
    stored = session.exec(select(WellbeingResponse)).one()
    assert stored.team_id == team.id and stored.iso_week == wellbeing.current_week()

    next_monday = date.fromordinal(wellbeing.week_start(wellbeing.current_week()).toordinal() + 7)
    set_center_day(monkeypatch, next_monday)
    assert not wellbeing.has_checked_in(session, agent)
    wellbeing.check_in(session, agent, GOOD)
    session.commit()
    assert len(session.exec(select(WellbeingResponse)).all()) == 2


def test_check_in_refuses_incomplete_answers_and_long_comments(session, team_world):
    _, agent, _ = team_world
    for answers in (CheckIn(who5=[4, 4, None, 4, 3], pss4=[1, 3, 3, 1]), CheckIn(who5=[4, 4, 3, 4, 3], pss4=[1, 3])):
        with pytest.raises(ValidationFailed) as refused:
            wellbeing.check_in(session, agent, answers)
        assert refused.value.key == "wellbeing.error.incomplete"
    with pytest.raises(ValidationFailed) as refused:
        wellbeing.check_in(session, agent, CheckIn(GOOD.who5, GOOD.pss4, "x" * 501))
    assert refused.value.key == "wellbeing.error.comment_too_long"
    session.rollback()
    assert session.exec(select(WellbeingResponse)).all() == []
    assert not wellbeing.has_checked_in(session, agent)


def test_low_answers_ask_for_prominent_support(session, team_world):
    _, agent, _ = team_world
    result = wellbeing.check_in(session, agent, CheckIn(who5=[1, 1, 2, 1, 1], pss4=[4, 0, 0, 4]))
    assert result.who5.band == "very_low" and result.needs_support and result.pss4.total == 16


def test_pss4_is_shown_against_the_teams_own_middle_half_of_closed_weeks(session, monkeypatch):
    team = make_team(session, "Team Q")
    people = [make_user(session, f"q{i}", Role.AGENT, team_id=team.id) for i in range(11)]
    set_center_day(monkeypatch, date(2026, 11, 4))
    for i, person in enumerate(people[:10]):
        result = wellbeing.check_in(session, person, CheckIn(who5=[3] * 5, pss4=[i % 5, 2, 2, 1]))
        session.commit()
    assert result.pss4_typical is None  # this week's answers never show, not even as a range
    set_center_day(monkeypatch, date(2026, 11, 11))
    result = wellbeing.check_in(session, people[10], CheckIn(who5=[3] * 5, pss4=[4, 0, 0, 4]))
    assert result.pss4_typical_scope == "team" and result.pss4_typical is not None
    low, high = result.pss4_typical
    assert 0 <= low <= high <= 16


def test_check_in_writes_nothing_to_the_audit_log(session, team_world):
    _, agent, _ = team_world
    before = len(session.exec(select(AuditEntry)).all())
    wellbeing.check_in(session, agent, CheckIn(GOOD.who5, GOOD.pss4, "audit-me-not"))
    session.commit()
    assert len(session.exec(select(AuditEntry)).all()) == before


# --- support resources ------------------------------------------------------------------

def test_everyone_reads_resources_in_their_language_only_admins_edit(session):
    admin = make_user(session, "boss", Role.ADMIN)
    agent = make_user(session, "worker", Role.AGENT)
    hotline = wellbeing.ResourceInput(kind="eap", name="EAP hotline", name_zh="心理援助热线", phone="400-000-0000",
                                      hours="24 hours", hours_zh="全天 24 小时")
    wellbeing.save_resource(session, admin, hotline)
    wellbeing.save_resource(session, admin, wellbeing.ResourceInput(kind="emergency", name="120 / 110", phone="120"))
    assert [r.name for r in wellbeing.support_resources(session, agent, "en")] == ["EAP hotline", "120 / 110"]
    chinese = wellbeing.support_resources(session, agent, "zh-CN")
    assert [r.name for r in chinese] == ["心理援助热线", "120 / 110"]  # no Chinese name: the English one
    assert chinese[0].hours == "全天 24 小时" and chinese[0].texts.name == "EAP hotline"
    with pytest.raises(PermissionDenied):
        wellbeing.save_resource(session, agent, hotline)
    with pytest.raises(PermissionDenied):
        wellbeing.all_resources(session, agent)
    for bad, key in ((wellbeing.ResourceInput(kind="eap", name=" ", phone="1"), "resource_name_required"),
                     (wellbeing.ResourceInput(kind="spa", name="x", phone="1"), "unknown_kind"),
                     (wellbeing.ResourceInput(kind="eap", name="x"), "resource_contact_required"),
                     (wellbeing.ResourceInput(kind="eap", name="x", booking_url="javascript:alert(1)"), "bad_url")):
        with pytest.raises(ValidationFailed) as refused:
            wellbeing.save_resource(session, admin, bad)
        assert refused.value.key == f"wellbeing.error.{key}"


def test_a_second_resource_of_the_same_name_is_refused_and_one_can_be_deleted(session):
    """The admin's case: identical entries were accepted and could not be told apart; nothing could be deleted."""
    admin = make_user(session, "boss", Role.ADMIN)
    first = wellbeing.save_resource(session, admin, wellbeing.ResourceInput(kind="peer", name="Peer circle",
                                                                            name_zh="同伴互助小组", phone="8021"))
    for twin in (wellbeing.ResourceInput(kind="peer", name="peer circle ", phone="8022"),
                 wellbeing.ResourceInput(kind="peer", name="Circle", name_zh="同伴互助小组", phone="8022")):
        with pytest.raises(ValidationFailed) as refused:
            wellbeing.save_resource(session, admin, twin)
        assert refused.value.key == "wellbeing.error.duplicate_resource"
    wellbeing.save_resource(session, admin, wellbeing.ResourceInput(kind="peer", name="Peer circle", phone="8023"),
                            first.id)  # saving itself again is no duplicate
    with pytest.raises(PermissionDenied):
        wellbeing.delete_resource(session, make_user(session, "lead.x", Role.LEAD), first.id)
    wellbeing.delete_resource(session, admin, first.id)
    assert wellbeing.all_resources(session, admin) == []


def test_hidden_resources_are_not_shown_to_staff(session):
    admin = make_user(session, "boss", Role.ADMIN)
    saved = wellbeing.save_resource(session, admin, wellbeing.ResourceInput(kind="peer", name="Circle", phone="8021"))
    wellbeing.save_resource(session, admin, wellbeing.ResourceInput(kind="peer", name="Circle", phone="8021",
                                                                    active=False), saved.id)
    assert wellbeing.support_resources(session, admin, "en") == []
    assert [r.active for r in wellbeing.all_resources(session, admin)] == [False]


# --- aggregates: thresholds, rule of 2, permissions -------------------------------------

def _responses(session, team_id, week, count, who5=(3, 3, 3, 3, 3), comment=None):
    for _ in range(count):
        session.add(WellbeingResponse(id=secrets.token_hex(16), iso_week=week, team_id=team_id,
                                      comment=comment, **{f"who5_{i}": a for i, a in enumerate(who5, 1)},
                                      pss4_1=1, pss4_2=3, pss4_3=3, pss4_4=1))


@pytest.fixture
def four_teams(session):
    """Teams of 4, 5, 9 and 10 responses in the last week of the last closed month; lead runs the team of 9."""
    week = wellbeing.last_week_of_month(wellbeing.periods.last_closed_month())
    teams = {n: make_team(session, f"Team {n}") for n in (4, 5, 9, 10)}
    for n, team in teams.items():
        _responses(session, team.id, week, n, comment=f"note from the team of {n}")
    admin = make_user(session, "boss", Role.ADMIN)
    lead = make_user(session, "lead9", Role.LEAD)
    agent = make_user(session, "worker", Role.AGENT, team_id=teams[9].id)
    session.add(TeamLead(team_id=teams[9].id, user_id=lead.id))
    session.commit()
    return week, teams, admin, lead, agent


def _cell(session, actor, group, period_kind, period):
    trend = wellbeing.wellbeing_trend(session, actor, group, period_kind)
    return trend.set_index("period").loc[period]


def test_groups_under_5_are_hidden_and_the_next_smallest_too(session, four_teams):
    week, teams, admin, _, _ = four_teams
    shown = {n: bool(_cell(session, admin, wellbeing.team_key(t.id), "week", week)["shown"]) for n, t in teams.items()}
    assert shown == {4: False, 5: False, 9: True, 10: True}  # 4 is under 5; 5 goes too (rule of 2)
    center = _cell(session, admin, wellbeing.CENTER, "week", week)
    assert center["shown"] and center["responses"] == 28
    hidden = _cell(session, admin, wellbeing.team_key(teams[4].id), "week", week)
    assert hidden[["responses", "who5_mean_pct", "pss4_mean", "support_share"]].isna().all()


def test_a_hidden_week_cannot_be_worked_out_from_its_month(session):
    """One team: its month minus its shown weeks would give the hidden week, so the month is hidden too."""
    team = make_team(session, "Team M")
    admin = make_user(session, "boss", Role.ADMIN)
    month = wellbeing.closed_periods("month", 2)[0]
    weeks = wellbeing.weeks_of_month(month)
    for week, count in zip(weeks, [3] + [8] * (len(weeks) - 1)):
        _responses(session, team.id, week, count)
    session.commit()
    group = wellbeing.team_key(team.id)
    by_week = wellbeing.wellbeing_trend(session, admin, group, "week").set_index("period")
    by_month = wellbeing.wellbeing_trend(session, admin, group, "month").set_index("period")
    assert not by_week.loc[weeks[0], "shown"] and by_week.loc[list(weeks[1:]), "shown"].all()
    assert not by_month.loc[month, "shown"]
    center = wellbeing.wellbeing_trend(session, admin, wellbeing.CENTER, "month").set_index("period")
    assert not center.loc[month, "shown"]  # the center is this one team: it would give the month away


def test_comments_need_10_responses_and_come_unordered_without_dates(session, four_teams):
    _, teams, admin, lead, _ = four_teams
    comments = wellbeing.wellbeing_comments(session, admin, wellbeing.CENTER)
    texts = [c for month in comments.values() for c in month]
    assert set(texts) == {"note from the team of 10"} and len(texts) == 10
    assert wellbeing.wellbeing_comments(session, lead, wellbeing.team_key(teams[9].id)) == {}
    assert wellbeing.wellbeing_comments(session, admin, wellbeing.team_key(teams[10].id)) == comments


def test_permissions_per_role(session, four_teams):
    _, teams, admin, lead, agent = four_teams
    assert {g.key for g in wellbeing.wellbeing_groups(session, lead)} == {wellbeing.team_key(teams[9].id), "center"}
    assert len(wellbeing.wellbeing_groups(session, admin)) == 4 + 2  # every team, staff without a team, the center
    wellbeing.wellbeing_trend(session, lead, wellbeing.team_key(teams[9].id), "month")
    wellbeing.wellbeing_trend(session, lead, wellbeing.CENTER, "week")
    for group in (wellbeing.team_key(teams[10].id), wellbeing.NO_TEAM):
        with pytest.raises(PermissionDenied):
            wellbeing.wellbeing_trend(session, lead, group, "week")
        with pytest.raises(PermissionDenied):
            wellbeing.wellbeing_comments(session, lead, group)
    for call in (lambda: wellbeing.wellbeing_groups(session, agent),
                 lambda: wellbeing.wellbeing_trend(session, agent, wellbeing.CENTER, "week"),
                 lambda: wellbeing.wellbeing_comments(session, agent, wellbeing.CENTER)):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(ValidationFailed):
        wellbeing.wellbeing_trend(session, admin, wellbeing.CENTER, "day")


def test_thresholds_are_server_settings_that_cannot_go_below_the_minimums(monkeypatch):
    from pydantic import ValidationError

    from portal.settings import Settings

    assert wellbeing.thresholds() == (5, 10)
    monkeypatch.setenv("WELLBEING_MIN_RESPONSES", "3")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("WELLBEING_MIN_RESPONSES", "8")
    monkeypatch.setenv("WELLBEING_MIN_COMMENTS", "9")
    with pytest.raises(ValidationError):
        Settings()


# --- retention ---------------------------------------------------------------------------

def test_purge_publishes_closed_periods_first_and_keeps_published_cells(session):
    big, small = make_team(session, "Big"), make_team(session, "Small")
    old_weeks = ["2025-W02", "2025-W03"]  # January 2025
    for week in old_weeks:
        _responses(session, big.id, week, 7)
        _responses(session, small.id, week, 2)
    _responses(session, big.id, "2026-W40", 6)
    session.add(WellbeingParticipation(token="a" * 64, iso_week="2026-W40"))
    session.add(WellbeingParticipation(token="b" * 64, iso_week="2026-W47"))
    session.commit()

    report = wellbeing.purge_expired_responses(session, datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    session.commit()
    assert report.kept_from_month == "2025-11" and report.deleted_responses == 18
    assert {r.iso_week for r in session.exec(select(WellbeingResponse))} == {"2026-W40"}
    archived = {(a.group_key, a.period): a.responses for a in session.exec(select(WellbeingAggregate))}
    big_key = wellbeing.team_key(big.id)
    # Small (2) is hidden, and Big with it (else the center minus Big gives Small); in January Big's month
    # would give Small's month away; the center's month is the sum of its shown weeks anyway.
    assert archived == {("center", "2025-W02"): 9, ("center", "2025-W03"): 9, ("center", "2025-01"): 18,
                        (big_key, "2026-W40"): 6, ("center", "2026-W40"): 6, (big_key, "2026-10"): 6,
                        ("center", "2026-10"): 6}
    assert report.archived_cells == len(archived)
    assert [p.iso_week for p in session.exec(select(WellbeingParticipation))] == ["2026-W47"]
    again = wellbeing.purge_expired_responses(session, date(2026, 11, 22))
    assert (again.deleted_responses, again.archived_cells) == (0, 0)


def test_cli_purge(engine, capsys):
    from portal.cli import main

    assert main(["wellbeing", "purge"]) == 0
    assert "deleted 0 responses" in capsys.readouterr().out


def test_cli_publish_publishes_closed_periods_once(engine, capsys):
    from sqlmodel import Session

    from portal.cli import main

    last_week = wellbeing.periods.last_closed_week()
    with Session(engine) as session:
        team = make_team(session, "Team CLI")
        _responses(session, team.id, last_week, 6)
        _responses(session, team.id, wellbeing.current_week(), 6)
        session.commit()
    assert main(["wellbeing", "publish"]) == 0
    out = capsys.readouterr().out
    assert f"({last_week}" in out and wellbeing.current_week() not in out and "0 hidden cells left unprotected" in out
    assert main(["wellbeing", "publish"]) == 0
    assert "published 0 periods (none)" in capsys.readouterr().out


# --- pages -------------------------------------------------------------------------------

def _answer_everything(at, who5=4, pss4=1):
    for radio in at.radio:
        if radio.key.startswith("who5_"):
            radio.set_value(who5)
        elif radio.key.startswith("pss4_"):
            radio.set_value(pss4)
    return at


def test_agent_checks_in_sees_result_and_resources_and_cannot_check_in_twice(demo_engine):
    at = app_as(demo_engine, "agent").run()
    at.switch_page("pages/wellbeing_checkin.py").run()
    assert not errors_of(at)
    assert len([r for r in at.radio if r.key.startswith(("who5_", "pss4_"))]) == 9
    _answer_everything(at, who5=1).button[0].click().run()
    assert not errors_of(at) and not at.error
    text = " ".join(m.value for m in at.markdown)
    assert "80 out of 100" not in text
    assert any(m.value == "20 out of 100" for m in at.metric)
    assert "Support is here if you want it" in text and "12356" in text and "tel:120" in text

    again = app_as(demo_engine, "agent").run()
    again.switch_page("pages/wellbeing_checkin.py").run()
    assert [s.value for s in again.success] == [
        "You have already checked in this week. Thank you! The next check-in opens on Monday."]
    assert not [r for r in again.radio if r.key.startswith("who5_")]


def test_unanswered_questions_are_refused_kindly(demo_engine):
    at = app_as(demo_engine, "agent").run()
    at.switch_page("pages/wellbeing_checkin.py").run()
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Please answer all nine questions, or simply skip this week. That is fine too."]


def test_lead_sees_the_trend_with_small_weeks_suppressed_in_both_languages(demo_engine):
    for language, suppressed in (("en", "not enough responses"), ("zh-CN", "填写人数不足")):
        at = app_as(demo_engine, "lead", language=language).run()
        at.switch_page("pages/wellbeing_team.py").run()
        assert not errors_of(at)
        table = at.dataframe[0].value
        assert (table.iloc[:, 1] == suppressed).sum() >= 1
        newest = format_day_month(wellbeing.week_start(wellbeing.periods.last_closed_week()), language)
        assert table.iloc[0, 0] == newest  # this week never shows
        assert at.selectbox[0].options[0] == "Mobile Team A"
