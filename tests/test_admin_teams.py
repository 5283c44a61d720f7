"""Teams and cohorts renamed and archived (issue 18): archived ones stay in history and reports and leave
every picker; and the settings in force, read-only."""
from datetime import date

import pytest
from sqlmodel import Session, select

from portal import users
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AuditEntry, Cohort, Team
from portal.roles import Role
from portal.settings_in_force import settings_in_force
from portal.user_import import preview_import
from tests.utils.factories import make_cohort, make_team, make_user


@pytest.fixture
def admin(session):
    return make_user(session, "root.admin", Role.ADMIN)


def key_of(call) -> str:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.key


def test_rename_a_team_to_a_unique_name_whatever_the_case(session, admin):
    a, b = make_team(session, "Mobile Team A"), make_team(session, "Broadband Team B")
    assert key_of(lambda: users.rename_team(session, admin, a.id, "broadband team b")) == "users.error.duplicate_team"
    assert key_of(lambda: users.rename_team(session, admin, a.id, "  ")) == "users.error.team_name_required"
    users.rename_team(session, admin, a.id, "mobile team a")  # its own name in another case is fine
    users.rename_team(session, admin, a.id, " Mobile Team Alpha ")
    assert session.get(Team, a.id).name == "Mobile Team Alpha" and session.get(Team, b.id).name == "Broadband Team B"
    renames = session.exec(select(AuditEntry.details).where(AuditEntry.action == "team.renamed")).all()
    assert [r for r in renames if "Alpha" in r]


def test_rename_a_cohort_refuses_a_duplicate(session, admin):
    a = make_cohort(session, "Intake A")
    make_cohort(session, "Intake B", date(2026, 11, 1))
    assert key_of(lambda: users.rename_cohort(session, admin, a.id, "INTAKE B")) == "users.error.duplicate_cohort"
    users.rename_cohort(session, admin, a.id, "Intake October")
    assert session.get(Cohort, a.id).name == "Intake October"


def test_an_archived_team_and_cohort_leave_the_pickers_and_stay_in_reports(session, admin):
    team = make_team(session, "Old Team")
    make_team(session, "Kept Team")
    cohort = make_cohort(session, "Old Intake")
    member = make_user(session, "still.here", Role.AGENT, team_id=team.id, cohort_id=cohort.id)
    users.set_team_archived(session, admin, team.id, True)
    users.set_cohort_archived(session, admin, cohort.id, True)
    assert [t.name for t in users.active_teams(session)] == ["Kept Team"]
    assert users.active_cohorts(session) == []
    assert {t.name for t in users.list_teams(session)} == {"Old Team", "Kept Team"}  # history and reports
    frame = users.teams_frame(session, admin).set_index("team")
    assert bool(frame.loc["Old Team", "archived"]) and frame.loc["Old Team", "members"] == 1
    assert bool(users.cohorts_frame(session, admin).set_index("cohort").loc["Old Intake", "archived"])
    assert users.user_page(session, admin, users.UserFilter(team_id=team.id)).rows["username"].tolist() == [
        member.username]
    users.set_team_archived(session, admin, team.id, False)
    assert [t.name for t in users.active_teams(session)] == ["Kept Team", "Old Team"]
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action.like("%archived"))).all()
    assert sorted(actions) == ["cohort.archived", "team.archived", "team.unarchived"]


def test_archiving_twice_writes_one_entry(session, admin):
    team = make_team(session)
    users.set_team_archived(session, admin, team.id, True)
    users.set_team_archived(session, admin, team.id, True)
    assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "team.archived")).all()) == 1


def test_the_import_refuses_an_archived_team(session, admin):
    team = make_team(session, "Old Team")
    users.set_team_archived(session, admin, team.id, True)
    preview = preview_import(session, admin, "username,display_name,roles,team\nnew.one,New One,agent,Old Team\n")
    assert not preview.valid


def test_qa_sampling_offers_no_archived_team_for_a_new_month(session, admin):
    from portal.qa.sampling import month_plans

    make_team(session, "Kept Team")
    gone = make_team(session, "Old Team")
    users.set_team_archived(session, admin, gone.id, True)
    analyst = make_user(session, "qa.analyst", Role.QA)
    assert [p.team for p in month_plans(session, analyst, "2026-12")] == ["Kept Team"]


@pytest.mark.parametrize("role", [Role.LEAD, Role.TRAINER, Role.AGENT])
def test_only_admins_rename_archive_and_read_the_settings(session, role):
    someone = make_user(session, "someone", role)
    team, cohort = make_team(session), make_cohort(session)
    for call in (lambda: users.rename_team(session, someone, team.id, "X"),
                 lambda: users.rename_cohort(session, someone, cohort.id, "X"),
                 lambda: users.set_team_archived(session, someone, team.id, True),
                 lambda: users.set_cohort_archived(session, someone, cohort.id, True),
                 lambda: settings_in_force(session, someone)):
        with pytest.raises(PermissionDenied):
            call()
    assert session.get(Team, team.id).archived_at is None


def test_the_settings_in_force_say_the_values_and_their_floors(session, admin):
    from portal.i18n import translate

    lines = {line.label: line for line in settings_in_force(session, admin, environ={})}
    responses = lines["admin.settings.min_responses"]
    assert responses.params["floor"] == 5 and responses.params["count"] >= 5
    assert lines["admin.settings.min_comments"].params["floor"] == 10
    assert lines["admin.settings.smtp"].value == "admin.settings.smtp.no"
    assert translate(lines["admin.settings.wellbeing_retention"].value, "en", count=12).startswith("12 months")
    assert translate(lines["admin.settings.wellbeing_retention"].value, "zh-CN", count=12).startswith("12 个月")
    mailed = {line.label: line for line in settings_in_force(
        session, admin, environ={"SMTP_HOST": "mail.example.com", "PUBLIC_URL": "https://academy.example.com/"})}
    assert mailed["admin.settings.smtp"].params == {"host": "mail.example.com"}
    assert mailed["admin.settings.public_url"].params == {"url": "https://academy.example.com"}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_settings_page_renders_in_words(demo_engine, language):
    from tests.utils.apptest import app_as, errors_of, raw_values_shown

    at = app_as(demo_engine, "admin", language=language).run()
    at = at.switch_page("pages/admin_settings.py").run()
    assert not errors_of(at) and not raw_values_shown(at)
    values = at.dataframe[0].value.iloc[:, 1].tolist()
    assert any(("months" if language == "en" else "个月") in v for v in values)


def test_the_create_user_picker_offers_no_archived_cohort(demo_engine):
    from tests.utils.apptest import app_as

    def cohort_options() -> list[str]:
        at = app_as(demo_engine, "admin").run().switch_page("pages/admin_users.py").run()
        return next(s for s in at.selectbox if s.key and s.key.startswith("cohort.create_user")).options

    with Session(demo_engine) as session:
        cohort = session.exec(select(Cohort).order_by(Cohort.id)).first()
    assert cohort.name in cohort_options()
    with Session(demo_engine) as session:
        users.set_cohort_archived(session, users.SYSTEM, cohort.id, True)
        session.commit()
    assert cohort.name not in cohort_options()
