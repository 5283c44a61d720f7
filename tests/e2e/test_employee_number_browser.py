"""The admin gives a new account an employee number (工号): a number someone already has is refused beside
the field, the rest of the form stays as typed, and the corrected form creates the account once."""
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal.models import User
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_a_taken_employee_number_is_refused_beside_it_and_nothing_else_is_lost(app_server, page, demo_engine):
    sign_in(page, app_server, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Users", exact=True).click()
    page.get_by_role("heading", name="Users", exact=True).wait_for()
    page.get_by_role("textbox", name="Username").fill("qin.fang")
    page.get_by_role("textbox", name="Name", exact=True).fill("Qin Fang 秦芳")
    roles = page.get_by_role("combobox", name="Roles").and_(page.get_by_placeholder("Choose one or more"))
    roles.click()
    page.keyboard.type("Agent")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    number = page.get_by_role("textbox", name="Employee number")
    number.fill("gz1006")  # Chen Jie's, in another case
    page.get_by_role("button", name="Create user").click()
    page.get_by_text("The employee number 'gz1006' already belongs to someone else.").wait_for()
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Qin Fang 秦芳")
    screenshot(page, "users-employee-number-taken-en")
    with Session(demo_engine) as session:
        assert session.exec(select(User).where(User.username == "qin.fang")).first() is None

    page.get_by_role("textbox", name="Employee number").fill("GZ1088")
    page.get_by_role("button", name="Create user").dblclick()
    page.get_by_text("qin.fang", exact=False).first.wait_for()
    with Session(demo_engine) as session:
        created = session.exec(select(User).where(User.username == "qin.fang")).all()
    assert [u.employee_number for u in created] == ["GZ1088"]
