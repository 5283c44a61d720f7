"""Employee numbers (工号): the users import and the create form set them, one rule for both, and a call
export may name its agent by one (issue 16: "agent (username or employee number)")."""
import pytest
from sqlmodel import select

from portal import user_import, users
from portal.errors import ValidationFailed
from portal.models import User
from portal.qa.calls import preview_calls
from portal.roles import Role
from tests.utils.factories import make_team, make_user

USERS = """username,display_name,roles,employee_number
li.na,Li Na 李娜,agent,GZ-1001
wu.hao,Wu Hao,agent,
"""


@pytest.fixture
def admin(session):
    return make_user(session, "root.admin", Role.ADMIN)


def _problems(preview):
    return [(p.row, p.column, p.key) for p in preview.problems]


def test_the_import_saves_employee_numbers_and_leaves_a_blank_one_empty(session, admin):
    user_import.commit_import(session, admin, USERS.encode())
    numbers = dict(session.exec(select(User.username, User.employee_number)).all())
    assert numbers["li.na"] == "GZ-1001" and numbers["wu.hao"] is None


def test_the_import_refuses_a_taken_a_repeated_and_a_malformed_number_by_row(session, admin):
    users.create_user(session, admin, users.NewUser("chen.jie", "Chen Jie", (Role.AGENT,), "a-long-password-1",
                                                    employee_number="gz-1001"))
    text = ("username,display_name,roles,employee_number\n"
            "li.na,Li Na,agent,GZ-1001\n"        # row 2: taken (case does not make it another number)
            "wu.hao,Wu Hao,agent,GZ-2002\n"
            "he.tao,He Tao,agent,gz-2002\n"      # row 4: repeats row 3
            "gao.yan,Gao Yan,agent,工号 7\n")    # row 5: not a number
    preview = user_import.preview_import(session, admin, text.encode())
    assert _problems(preview) == [(2, "employee_number", "users.error.duplicate_employee_number"),
                                  (4, "employee_number", "import.error.duplicate_employee_number_in_file"),
                                  (5, "employee_number", "users.error.bad_employee_number")]
    assert preview.problems[1].params["other_row"] == 3


def test_the_create_form_refuses_a_taken_number_naming_it(session, admin):
    users.create_user(session, admin, users.NewUser("chen.jie", "Chen Jie", (Role.AGENT,), "a-long-password-1",
                                                    employee_number="GZ-1001"))
    with pytest.raises(ValidationFailed) as refused:
        users.create_user(session, admin, users.NewUser("li.na", "Li Na", (Role.AGENT,), "a-long-password-2",
                                                        employee_number=" GZ-1001 "))
    assert refused.value.key == "users.error.duplicate_employee_number" and refused.value.params["number"] == "GZ-1001"


def test_a_call_export_may_name_its_agent_by_employee_number(session):
    team = make_team(session, "Mobile Team A")
    agent = make_user(session, "li.ming", Role.AGENT, team_id=team.id)
    user = session.get(User, agent.id)
    user.employee_number = "GZ1006"
    session.add(user)
    session.flush()
    analyst = make_user(session, "analyst", Role.QA)
    text = ("call id,工号,start time,duration,queue,direction\n"
            "C-1,gz1006,2026-11-03 09:15,60,billing,inbound\n"
            "C-2,li.ming,2026-11-03 09:30,60,billing,inbound\n"
            "C-3,GZ9999,2026-11-03 09:45,60,billing,inbound\n")
    preview = preview_calls(session, analyst, text)
    assert [r.call.agent_id for r in preview.rows[:2]] == [agent.id, agent.id]
    assert [(p.row, p.key) for p in preview.problems] == [(4, "qa.calls.error.unknown_agent")]


def test_the_users_list_shows_and_finds_employee_numbers(session, admin):
    users.create_user(session, admin, users.NewUser("chen.jie", "Chen Jie", (Role.AGENT,), "a-long-password-1",
                                                    employee_number="GZ1006"))
    users.create_user(session, admin, users.NewUser("li.na", "Li Na", (Role.AGENT,), "a-long-password-2"))
    found = users.user_page(session, admin, users.UserFilter(search="gz10"))
    assert found.total == 1 and list(found.rows["employee_number"]) == ["GZ1006"]
