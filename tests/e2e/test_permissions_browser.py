"""Following a link one may not follow, in a real browser: the lead of Mobile Team A is sent a link to a
Broadband Team B new hire and to the users page; an agent types the coaching page's address."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from portal import auth, onboarding
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def someone_the_lead_may_not_see(engine) -> int:
    with Session(engine) as session:
        lead = auth.actor_for(session, auth.find_user(session, "lead"))
        trainer = auth.actor_for(session, auth.find_user(session, "trainer"))
        visible = {j.user_id for j in onboarding.visible_journeys(session, lead)}
        return next(j.user_id for j in onboarding.visible_journeys(session, trainer) if j.user_id not in visible)


def test_links_to_other_teams_and_other_roles_pages_are_refused(app_server, demo_engine, browser):
    hidden = someone_the_lead_may_not_see(demo_engine)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, app_server, "lead")
    page.goto(f"{app_server}/team_cohort_board?person={hidden}")
    page.get_by_text("You can only see the onboarding of your own mentees, your teams' new hires, or your own.") \
        .wait_for()
    screenshot(page, "permissions-lead-link-to-another-team")
    page.reload()  # a reload refuses it again; nothing of that person shows
    page.get_by_text("You can only see the onboarding of your own mentees").wait_for()

    page.goto(f"{app_server}/admin_users")  # an admin's page, typed in
    page.get_by_role("heading", name=re.compile(r"^Welcome, ")).wait_for()  # the home page instead
    expect(page.get_by_role("heading", name="Users", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("Users", exact=True)).to_have_count(0)
    screenshot(page, "permissions-lead-types-admin-address")
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, app_server, "agent")
    page.goto(f"{app_server}/team_coaching")  # a coach's page, typed in by an agent
    page.get_by_test_id("stSidebar").get_by_text("我的辅导").wait_for()
    expect(page.get_by_test_id("stSidebar").get_by_text("辅导", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="保存辅导记录")).to_have_count(0)
    screenshot(page, "permissions-agent-types-coaching-address-zh")
    context.close()
