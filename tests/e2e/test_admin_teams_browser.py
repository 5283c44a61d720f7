"""An admin changes a team's leads without losing one: the current leads are shown, a removal is confirmed."""
import pytest
from sqlmodel import Session, select

from portal.models import Team, TeamLead, User
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def leads_of(engine, team: str) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(User.username).join(TeamLead, TeamLead.user_id == User.id)
                                .join(Team, Team.id == TeamLead.team_id).where(Team.name == team)).all())


def test_adding_a_lead_keeps_the_others_and_a_removal_asks_first(demo_engine, app_server, page):
    sign_in(page, app_server, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Teams and cohorts").click()
    page.get_by_text("Leads now:", exact=False).wait_for()
    team = page.get_by_label("Team", exact=True)
    team.click()
    page.keyboard.type("Mobile Team A")
    page.keyboard.press("Enter")
    page.get_by_text("Leads now: Zhang Wei 张伟").wait_for()
    box = page.get_by_label("Team leads", exact=True)
    box.click()
    page.keyboard.type("Zhao Lei")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Set team leads").click()
    page.get_by_text("Leads saved: Zhang Wei 张伟, Zhao Lei 赵磊").wait_for()
    assert leads_of(demo_engine, "Mobile Team A") == {"lead", "zhao.lei"}

    page.get_by_role("button", name="Remove Zhang Wei 张伟").click()  # the chip's remove button
    page.get_by_role("button", name="Set team leads").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Zhang Wei 张伟 will no longer lead Mobile Team A").wait_for()
    screenshot(page, "admin-leads-confirm-en")
    dialog.get_by_role("button", name="Keep them").click()
    assert leads_of(demo_engine, "Mobile Team A") == {"lead", "zhao.lei"}


def test_deactivating_asks_first_and_says_what_happened(demo_engine, app_server, page):
    sign_in(page, app_server, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Users", exact=True).click()
    search = page.get_by_role("textbox", name="Find a user")
    search.fill("Chen Jie")
    search.press("Enter")
    page.get_by_text("Rows 1–1 of 1").wait_for()
    page.get_by_role("tab", name="Edit a user").click()
    page.get_by_role("button", name="Deactivate").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("will be signed out everywhere", exact=False).wait_for()
    dialog.get_by_role("button", name="Cancel").click()
    page.get_by_role("dialog").wait_for(state="detached")
    with Session(demo_engine) as session:
        assert session.exec(select(User.active).where(User.username == "agent")).one()
    page.get_by_test_id("stTabs").get_by_role("button", name="Deactivate").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    page.get_by_text("Chen Jie 陈杰 is deactivated and signed out.").wait_for()
    with Session(demo_engine) as session:
        assert not session.exec(select(User.active).where(User.username == "agent")).one()
