"""Home says what to do next, and each line opens the exact place in one click (also after Back)."""
import re

import pytest

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_each_todo_opens_its_place_in_one_click(app_server, page):
    sign_in(page, app_server, "tang.mei")
    page.get_by_role("heading", name="What to do next").wait_for()
    overdue = page.get_by_role("link", name=re.compile("Acknowledge the coaching session with Zhang Wei"))
    overdue.wait_for()
    page.get_by_text("Overdue since", exact=False).first.wait_for()
    screenshot(page, "home-todo-agent-en")
    overdue.click()
    page.wait_for_url(re.compile(r"training_coaching\?session=\d+"))
    page.get_by_role("button", name="Acknowledge").first.wait_for()
    page.go_back()
    page.get_by_role("heading", name="What to do next").wait_for()

    page.goto(app_server)  # reload Home: the list is still there, once
    again = page.get_by_role("link", name=re.compile("Acknowledge the coaching session"))
    again.first.wait_for()
    page.wait_for_timeout(500)  # the rest of the page has drawn
    assert again.count() == 1


def test_a_mentor_opens_the_mentee_whose_ticket_waits(app_server, page):
    sign_in(page, app_server, "mentor")
    ticket = page.get_by_role("link", name=re.compile(r"Review Zhou Min 周敏's ticket")).first
    ticket.wait_for()
    ticket.click()
    page.wait_for_url(re.compile(r"team_mentees\?person=\d+"))
    page.get_by_text("Zhou Min 周敏").first.wait_for()
    screenshot(page, "home-todo-mentor-opened-en")


def test_home_in_chinese_and_a_kind_empty_state(app_server, page):
    sign_in(page, app_server, "newhire")
    page.get_by_role("heading", name="What to do next").wait_for()
    page.get_by_role("link", name=re.compile("Read Converged services")).wait_for()
    page.get_by_test_id("stSidebar").get_by_text("My account").click()
    page.get_by_text("简体中文").click()
    page.get_by_test_id("stSidebar").get_by_text("首页").click()
    page.get_by_role("heading", name="接下来要做的事").wait_for()
    page.get_by_role("link", name=re.compile("学习融合业务")).wait_for()
    page.wait_for_timeout(800)
    screenshot(page, "home-todo-newhire-zh")
