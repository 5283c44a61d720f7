from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from portal import auth, users
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AuditEntry, User
from portal.roles import Role
from portal.roles import SYSTEM
from tests.utils.factories import PASSWORD, make_cohort, make_team, make_user


@pytest.fixture
def admin(session):
    return make_user(session, "root.admin", Role.ADMIN)


def test_admin_creates_user_with_several_roles(session, admin):
    team = make_team(session)
    user = users.create_user(session, admin, users.NewUser(
        username="Sun.Li", display_name="Sun Li", roles=(Role.TRAINER, Role.MENTOR), password=PASSWORD,
        team_id=team.id))
    assert user.username == "sun.li"
    assert users.roles_of(session, user.id) == {Role.TRAINER, Role.MENTOR}
    frame = users.list_users(session, admin)
    assert frame.set_index("username").loc["sun.li", "roles"] == "mentor, trainer"


@pytest.mark.parametrize("role", [Role.NEWHIRE, Role.AGENT, Role.TRAINER, Role.MENTOR, Role.LEAD])
def test_only_admins_manage_users(session, role):
    someone = make_user(session, "someone", role)
    with pytest.raises(PermissionDenied):
        users.create_user(session, someone, users.NewUser("x.y", "X", (Role.AGENT,), PASSWORD))
    with pytest.raises(PermissionDenied):
        users.list_users(session, someone)
    with pytest.raises(PermissionDenied):
        users.reset_password(session, someone, someone.id)
    with pytest.raises(PermissionDenied):
        users.create_team(session, someone, "Rogue team")


def test_duplicate_username_and_bad_input_are_refused(session, admin):
    make_user(session, "li.na")
    with pytest.raises(ValidationFailed, match="already taken"):
        users.create_user(session, admin, users.NewUser("LI.NA", "Li", (Role.AGENT,), PASSWORD))
    with pytest.raises(ValidationFailed, match="not a valid username"):
        users.create_user(session, admin, users.NewUser("li na", "Li", (Role.AGENT,), PASSWORD))
    with pytest.raises(ValidationFailed, match="at least one role"):
        users.create_user(session, admin, users.NewUser("li.na2", "Li", (), PASSWORD))
    with pytest.raises(ValidationFailed, match="name is required"):
        users.create_user(session, admin, users.NewUser("li.na3", "  ", (Role.AGENT,), PASSWORD))


def test_role_change_is_audited(session, admin):
    agent = make_user(session, "agent.x", Role.NEWHIRE)
    users.set_roles(session, admin, agent.id, [Role.AGENT])
    assert users.roles_of(session, agent.id) == {Role.AGENT}
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.roles_changed")).one()
    assert '"before": ["newhire"]' in entry.details and '"after": ["agent"]' in entry.details


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(session, admin):
    with pytest.raises(ValidationFailed):
        users.set_roles(session, admin, admin.id, [Role.TRAINER])
    with pytest.raises(ValidationFailed):
        users.set_active(session, admin, admin.id, False)


def test_reset_password_forces_change_and_revokes_sessions(session, admin):
    agent = make_user(session, "agent.x")
    token = auth.open_session(session, agent)
    session.flush()
    temporary = users.reset_password(session, admin, agent.id)
    assert auth.check_session(session, token).actor is None
    actor = auth.authenticate(session, "agent.x", temporary)
    assert actor.must_change_password
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "password.reset")).first()


def test_deactivation_revokes_sessions(session, admin):
    agent = make_user(session, "agent.x")
    token = auth.open_session(session, agent)
    session.flush()
    users.set_active(session, admin, agent.id, False)
    assert auth.check_session(session, token).actor is None


def test_teams_cohorts_and_leads(session, admin):
    team = users.create_team(session, admin, "Mobile Team A")
    with pytest.raises(ValidationFailed, match="already exists"):
        users.create_team(session, admin, "mobile team a")
    cohort = users.create_cohort(session, admin, "Q4", date(2026, 10, 1))
    lead = make_user(session, "lead.x", Role.LEAD)
    not_lead = make_user(session, "agent.x", Role.AGENT)
    with pytest.raises(ValidationFailed):
        users.set_team_leads(session, admin, team.id, [not_lead.id])
    users.set_team_leads(session, admin, team.id, [lead.id])
    assert users.teams_led_by(session, lead.id) == [team.id]
    users.assign(session, admin, not_lead.id, team_id=team.id, cohort_id=cohort.id, mentor_id=None)
    frame = users.teams_frame(session, admin)
    assert frame.set_index("team").loc["Mobile Team A", "members"] == 1
    assert session.get(User, not_lead.id).cohort_id == cohort.id


def test_teams_led_by_is_kept_only_by_read_only_sessions(engine, session, admin):
    from sqlalchemy import event

    from portal.db import read_scope

    first, second = users.create_team(session, admin, "Team One"), users.create_team(session, admin, "Team Two")
    lead = make_user(session, "lead.y", Role.LEAD)
    users.set_team_leads(session, admin, first.id, [lead.id])
    assert users.teams_led_by(session, lead.id) == [first.id]
    users.set_team_leads(session, admin, second.id, [lead.id])  # a writing session always asks again
    assert sorted(users.teams_led_by(session, lead.id)) == sorted([first.id, second.id])
    session.commit()
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with read_scope(engine) as reading:
        answers = [users.teams_led_by(reading, lead.id) for _ in range(3)]
    assert [sorted(a) for a in answers] == [sorted([first.id, second.id])] * 3
    assert sum("team_lead" in s for s in statements) == 1


def test_assign_refuses_unknown_references_and_self_mentoring(session, admin):
    agent = make_user(session, "agent.x")
    with pytest.raises(Exception, match="No such team"):
        users.assign(session, admin, agent.id, team_id=999, cohort_id=None, mentor_id=None)
    with pytest.raises(ValidationFailed):
        users.assign(session, admin, agent.id, team_id=None, cohort_id=None, mentor_id=agent.id)


def test_cohort_with_same_name_refused(session, admin):
    make_cohort(session, "Intake")
    with pytest.raises(ValidationFailed):
        users.create_cohort(session, admin, "INTAKE", date(2026, 1, 1))


LONG_CHINESE = "我们的客服中心每天接听很多电话所以密码要足够长才安全又好记住"  # 30 characters, 90 bytes


def test_a_password_of_thirty_chinese_characters_is_set_by_a_reset_and_signs_in(session, admin):
    agent = make_user(session, "agent.x")
    users.reset_password(session, SYSTEM, agent.id, LONG_CHINESE)  # as `portal user passwd` does
    assert auth.authenticate(session, "agent.x", LONG_CHINESE).id == agent.id


def test_new_users_get_the_same_password_rules(session, admin):
    with pytest.raises(ValidationFailed, match="commonly used"):
        users.create_user(session, admin, users.NewUser(username="wang.wu", display_name="Wang Wu",
                                                        roles=(Role.AGENT,), password="qwertyuiop123"))
    with pytest.raises(ValidationFailed, match="your name"):
        users.create_user(session, admin, users.NewUser(username="w.wu", display_name="Wang Wu",
                                                        roles=(Role.AGENT,), password="WangWu-2026"))


def test_portal_user_passwd_takes_thirty_chinese_characters(engine):
    from tests.test_cli import run_cli

    result = run_cli("user", "add", "wang.wu", "--role", "agent", stdin=LONG_CHINESE + "\n")
    assert result.returncode == 0, result.stderr
    result = run_cli("user", "passwd", "wang.wu", stdin="学" + LONG_CHINESE + "\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    with Session(engine) as session:
        assert auth.authenticate(session, "wang.wu", "学" + LONG_CHINESE).username == "wang.wu"
    result = run_cli("user", "passwd", "wang.wu", stdin="academy-demo\n")
    assert result.returncode == 1 and "portal's name" in result.stderr


def test_admin_creates_a_user_in_the_page_and_sees_the_temporary_password_once(demo_engine):
    from tests.utils.apptest import app_as, errors_of

    at = app_as(demo_engine, "admin").run()
    at.switch_page("pages/admin_users.py").run()

    def field(widgets, name):
        return next(w for w in widgets if (w.key or "").startswith(f"{name}.create_user."))

    field(at.text_input, "username").input("agent")  # taken
    field(at.text_input, "display_name").input("Qian Yu 钱宇")
    field(at.multiselect, "roles").select(Role.AGENT)
    next(b for b in at.button if b.label == "Create user").click().run()
    assert not errors_of(at)
    assert [e.value for e in at.error] == ["The username 'agent' is already taken."]
    assert field(at.text_input, "display_name").value == "Qian Yu 钱宇"  # the rest is kept

    field(at.text_input, "username").input("qian.yu")
    next(b for b in at.button if b.label == "Create user").click().run()
    assert [s.value for s in at.success][0].startswith("Temporary password for qian.yu: ")
    assert field(at.text_input, "username").value == "" and field(at.text_input, "display_name").value == ""


def test_the_leads_form_starts_from_the_current_leads_and_only_admins_read_them(session):
    from portal import users as users_service
    from portal.errors import PermissionDenied
    from portal.roles import Role
    from tests.utils.factories import make_team, make_user

    team = make_team(session, "Mobile Team A")
    zhang, zhu = make_user(session, "zhang.w", Role.LEAD), make_user(session, "zhu.q", Role.LEAD)
    admin = auth.actor_for(session, make_user(session, "boss.a", Role.ADMIN))
    users_service.set_team_leads(session, admin, team.id, [zhang.id])
    assert users_service.team_lead_ids(session, admin, team.id) == [zhang.id]
    users_service.set_team_leads(session, admin, team.id, [*users_service.team_lead_ids(session, admin, team.id),
                                                           zhu.id])
    assert set(users_service.team_lead_ids(session, admin, team.id)) == {zhang.id, zhu.id}
    with pytest.raises(PermissionDenied):
        users_service.team_lead_ids(session, auth.actor_for(session, zhang), team.id)


# --- one page of users at a time (issue 15) -------------------------------------------------------


def add_people(session, count: int, *, prefix: str = "person", role: Role = Role.AGENT, team_id=None) -> list[str]:
    """`count` users straight into the tables (no password hashing: a center's worth in milliseconds)."""
    from portal.models import UserRole

    names = [f"{prefix}{n:03d}" for n in range(count)]
    for name in names:
        user = User(username=name, display_name=name.title(), password_hash="x", team_id=team_id)
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role=role.value))
    session.flush()
    return names


def test_user_page_pages_through_everyone_by_username(session, admin):
    names = sorted([*add_people(session, 120), "root.admin"])
    first = users.user_page(session, admin, page_size=50)
    second = users.user_page(session, admin, page=1, page_size=50)
    last = users.user_page(session, admin, page=2, page_size=50)
    assert (first.total, second.total, last.total) == (121, 121, 121)
    assert first.rows["username"].tolist() == names[:50]
    assert second.rows["username"].tolist() == names[50:100]
    assert last.rows["username"].tolist() == names[100:]
    assert list(first.rows.columns) == users.USER_COLUMNS
    assert second.rows.set_index("username").loc["person050", "roles"] == "agent"


def test_user_page_filters_combine(session, admin):
    north, south = make_team(session, "North"), make_team(session, "South")
    add_people(session, 30, prefix="north.agent", team_id=north.id)
    add_people(session, 5, prefix="north.lead", role=Role.LEAD, team_id=north.id)
    add_people(session, 30, prefix="south.agent", team_id=south.id)
    page = users.user_page(session, admin, users.UserFilter(search="AGENT", team_id=north.id), page_size=50)
    assert page.total == 30 and set(page.rows["username"]) == {f"north.agent{n:03d}" for n in range(30)}
    leads = users.user_page(session, admin, users.UserFilter(role=Role.LEAD), page_size=50)
    assert leads.total == 5 and set(leads.rows["team"]) == {"North"}
    by_name = users.user_page(session, admin, users.UserFilter(search="South.Agent007"), page_size=50)
    assert by_name.rows["display_name"].tolist() == ["South.Agent007"]
    # % and _ are letters here, not wildcards
    assert users.user_page(session, admin, users.UserFilter(search="north_"), page_size=50).total == 0
    assert users.user_page(session, admin, users.UserFilter(search="%"), page_size=50).total == 0
    nobody = users.user_page(session, admin, users.UserFilter(role=Role.TRAINER, team_id=south.id), page_size=50)
    assert nobody.total == 0 and nobody.rows.empty and list(nobody.rows.columns) == users.USER_COLUMNS


@pytest.mark.parametrize("role", [Role.TRAINER, Role.LEAD])
def test_only_admins_read_a_page_of_users(session, role):
    someone = make_user(session, "someone", role)
    with pytest.raises(PermissionDenied):
        users.user_page(session, someone)


def _users_page(demo_engine, **params):
    from tests.utils.apptest import app_as

    at = app_as(demo_engine, "admin").run()
    at.query_params.update(params)
    return at.switch_page("pages/admin_users.py").run()


def _caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Rows "))


def test_the_users_page_shows_fifty_and_pages_through_the_rest(demo_engine):
    from tests.utils.apptest import errors_of

    with Session(demo_engine) as session:
        add_people(session, 70, prefix="zz.agent")
        session.commit()
        total = session.exec(select(func.count()).select_from(User)).one()
    at = _users_page(demo_engine)
    assert not errors_of(at)
    assert len(at.dataframe[0].value) == 50
    assert _caption(at) == f"Rows 1–50 of {total}"
    next(b for b in at.button if b.label == "Next").click().run()
    assert at.query_params["page"] == "2"
    assert _caption(at) == f"Rows 51–{min(100, total)} of {total}"
    assert next(b for b in at.button if b.label == "Previous").disabled is False
    # a filter changed by hand starts again at its first page, and goes into the address
    at.text_input(key="users_search").input("zz.agent06").run()
    assert at.query_params["q"] == "zz.agent06" and "page" not in at.query_params
    assert at.dataframe[0].value["username"].tolist() == [f"zz.agent06{n}" for n in range(10)]
    assert _caption(at) == "Rows 1–10 of 10"


def test_the_users_page_reads_its_filters_and_page_from_the_address(demo_engine):
    with Session(demo_engine) as session:
        add_people(session, 70, prefix="zz.agent")
        session.commit()
    at = _users_page(demo_engine, q="zz.agent", role="agent", page="2")
    assert at.text_input(key="users_search").value == "zz.agent"
    assert at.selectbox(key="users_role").value == Role.AGENT
    assert at.dataframe[0].value["username"].tolist() == [f"zz.agent{n:03d}" for n in range(50, 70)]
    assert _caption(at) == "Rows 51–70 of 70"
    assert next(b for b in at.button if b.label == "Next").disabled
    far = _users_page(demo_engine, q="zz.agent", page="9")  # past the end: the last page
    assert _caption(far) == "Rows 51–70 of 70"
    none = _users_page(demo_engine, q="nobody-by-this-name")
    assert "Nobody matches these filters" in " ".join(i.value for i in none.info)
