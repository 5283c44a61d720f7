"""A lead opens a team member's profile from the team dashboard in a real browser: the badges, a reload
(the same person), Back (the dashboard); then edits the URL to another team's member and is refused
politely, in English and in Chinese, with the way back to their own profile."""
import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_coaching_browser import choose
from tests.e2e.test_learning_record_browser import ids

pytestmark = pytest.mark.e2e


def test_a_lead_opens_a_member_reloads_goes_back_and_is_refused_another_teams(app_server, page, demo_engine):
    people = ids(demo_engine, "agent", "qian.lu")
    sign_in(page, app_server, "lead")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Team dashboard").click()
    page.get_by_text("Flagged:", exact=False).first.wait_for()
    choose(page, page.get_by_label("Agent", exact=True), "Chen Jie")
    page.get_by_role("link", name="Profile of Chen Jie 陈杰").click()

    heading = page.get_by_role("heading", name="Profile of Chen Jie 陈杰")
    heading.wait_for()
    page.get_by_text("Graduated onboarding").wait_for()
    page.get_by_text("Certificates are shown to the person who holds them", exact=False).wait_for()
    assert f"user={people['agent']}" in page.url
    assert page.get_by_role("button", name="Download PDF").count() == 0
    screenshot(page, "member-profile-lead-en")

    page.reload()  # the same person again
    heading.wait_for()
    page.get_by_text("Graduated onboarding").wait_for()

    page.go_back()  # the dashboard the lead came from
    page.get_by_role("heading", name="Team dashboard").wait_for()
    assert "profile" not in page.url

    page.goto(f"{app_server}/profile?user={people['qian.lu']}")  # Broadband Team B: Zhao Lei's, not the lead's
    page.get_by_text("this person is none of them", exact=False).wait_for()
    assert page.get_by_text("Qian Lu").count() == 0 and page.get_by_text("Traceback").count() == 0
    screenshot(page, "member-profile-refused-en")

    sidebar.get_by_text("My account").click()
    page.get_by_text("简体中文").click()
    sidebar.get_by_text("我的账户").wait_for()
    page.goto(f"{app_server}/profile?user={people['qian.lu']}")
    page.get_by_text("此人不在其中", exact=False).wait_for()
    screenshot(page, "member-profile-refused-zh")
    page.get_by_role("link", name="返回我的档案").click()
    page.get_by_role("heading", name="我的档案").wait_for()
