import pytest
from sqlmodel import func, select

from portal import auth, user_import
from portal.errors import PermissionDenied, PortalError
from portal.models import User
from portal.roles import Role
from tests.utils.factories import make_cohort, make_team, make_user

GOOD = """username,display_name,roles,team,cohort,mentor,password,language
li.na,Li Na 李娜,newhire,Team X,Intake X,mentor.x,,zh-CN
wu.hao,Wu Hao,newhire;agent,Team X,,,a-long-password,
"""


@pytest.fixture
def world(session):
    make_team(session)
    make_cohort(session)
    make_user(session, "mentor.x", Role.MENTOR)
    return make_user(session, "root.admin", Role.ADMIN)


def count_users(session):
    return session.exec(select(func.count(User.id))).one()


def test_valid_file_previews_and_imports_all_rows(session, world):
    preview = user_import.preview_import(session, world, GOOD.encode())
    assert preview.valid and len(preview.rows) == 2
    issued = user_import.commit_import(session, world, GOOD.encode())
    assert set(issued) == {"li.na"}
    li = auth.authenticate(session, "li.na", issued["li.na"])
    assert li.roles == {Role.NEWHIRE} and li.language == "zh-CN" and li.must_change_password
    assert auth.authenticate(session, "wu.hao", "a-long-password").roles == {Role.NEWHIRE, Role.AGENT}


def test_every_bad_row_is_listed_and_nothing_is_saved(session, world):
    before = count_users(session)
    bad = ("username,display_name,roles,team\n"
           "ok.user,OK,agent,Team X\n"
           "Bad Name,,boss,Nowhere\n"
           "mentor.x,Dup,agent,\n"
           "ok.user,Again,agent,\n")
    preview = user_import.preview_import(session, world, bad)
    problems = {(p.row, p.column, p.key) for p in preview.problems}
    assert (3, "username", "users.error.bad_username") in problems
    assert (3, "display_name", "users.error.display_name_required") in problems
    assert (3, "roles", "users.error.unknown_role") in problems
    assert (3, "team", "import.error.unknown_team") in problems
    assert (4, "username", "users.error.duplicate_username") in problems
    assert (5, "username", "import.error.duplicate_in_file") in problems
    assert not preview.valid
    with pytest.raises(PortalError):
        user_import.commit_import(session, world, bad)
    assert count_users(session) == before


def test_missing_columns_and_empty_files(session, world):
    preview = user_import.preview_import(session, world, "username,roles\n")
    assert [p.key for p in preview.problems] == ["import.error.missing_column"]
    assert preview.problems[0].params == {"column": "display_name"}
    preview = user_import.preview_import(session, world, "username,display_name,roles\n")
    assert [p.key for p in preview.problems] == ["import.error.empty"]
    preview = user_import.preview_import(session, world, bytes(range(256)) * 3)
    assert [p.key for p in preview.problems] == ["file.error.unknown_encoding"]


def test_only_admins_import(session, world):
    trainer = make_user(session, "trainer.x", Role.TRAINER)
    with pytest.raises(PermissionDenied):
        user_import.preview_import(session, trainer, GOOD)


def test_a_mentor_must_hold_the_mentor_role_in_the_import_as_in_the_form(demo_session):
    """The audit's case: mentor=agent was accepted, and fan.pei's mentor became Chen Jie."""
    from portal import auth as auth_service, user_import, users as users_service
    from portal.errors import ValidationFailed

    admin = auth_service.actor_for(demo_session, auth_service.find_user(demo_session, "admin"))
    text = ("username,display_name,roles,mentor\n"
            "fan.pei,Fan Pei 范佩,newhire,agent\n"
            "new.mentor,New Mentor,mentor,\n"
            "gu.yi,Gu Yi 顾一,newhire,new.mentor\n")
    preview = user_import.preview_import(demo_session, admin, text)
    assert [(p.row, p.column, p.key) for p in preview.problems] == [(2, "mentor", "users.error.mentor_without_role")]
    agent = auth_service.find_user(demo_session, "agent")
    newhire = auth_service.find_user(demo_session, "newhire")
    with pytest.raises(ValidationFailed) as refused:
        users_service.assign(demo_session, admin, newhire.id, team_id=newhire.team_id, cohort_id=newhire.cohort_id,
                             mentor_id=agent.id)
    assert refused.value.key == "users.error.mentor_without_role"


def test_import_passwords_follow_the_one_password_policy(demo_session):
    from portal import auth as auth_service, user_import

    admin = auth_service.actor_for(demo_session, auth_service.find_user(demo_session, "admin"))
    text = "username,display_name,roles,password\nzz.top,ZZ Top,agent,password123\n"
    problems = user_import.preview_import(demo_session, admin, text).problems
    assert [(p.row, p.column) for p in problems] == [(2, "password")]
