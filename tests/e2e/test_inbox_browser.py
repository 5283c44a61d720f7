"""The inbox: an unread count in the menu, one click opens the place and reads it; e-mail settings refused beside the field."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from portal.notifications.reminders import sweep
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def swept(demo_engine, app_server):
    with Session(demo_engine) as session:
        sweep(session)
        session.commit()
    return app_server


def test_unread_count_open_a_message_and_come_back(swept, page):
    sign_in(page, swept, "tang.mei")
    sidebar = page.get_by_test_id("stSidebar")
    inbox = sidebar.get_by_text(re.compile(r"Inbox \(\d+ new\)"))
    inbox.wait_for()
    before = int(re.search(r"\((\d+) new", inbox.inner_text()).group(1))
    inbox.click()
    page.wait_for_url(re.compile(r"/inbox"))
    page.get_by_role("heading", name="Inbox").wait_for()
    page.get_by_role("button", name="Open").first.wait_for()
    screenshot(page, "inbox-en")
    page.get_by_text("Overdue since", exact=False).first.wait_for()
    page.get_by_role("button", name="Open").first.click()  # newest first: the overdue reminder
    page.wait_for_url(re.compile(r"training_coaching\?session=\d+"))
    page.get_by_role("button", name="Acknowledge").first.wait_for()
    after = sidebar.get_by_text(re.compile(r"Inbox")).first.inner_text()
    assert f"({before - 1} new)" in after or (before == 1 and after.strip() == "Inbox")


def test_email_settings_refused_beside_the_field_then_saved(app_server, page):
    sign_in(page, app_server, "agent")
    page.get_by_test_id("stSidebar").get_by_text("My account").click()
    page.get_by_role("heading", name="Notifications").wait_for()
    page.get_by_text("A daily digest").click()
    page.get_by_role("button", name="Save notification settings").click()
    page.get_by_text("Give an e-mail address, or choose 'Never'.").wait_for()
    page.get_by_label("E-mail address").fill("chen.jie@example")
    page.get_by_role("button", name="Save notification settings").click()
    page.get_by_text("That does not look like an e-mail address").wait_for()
    page.get_by_label("E-mail address").fill("chen.jie@example.com")
    page.get_by_role("button", name="Save notification settings").dblclick()
    page.get_by_text("Notification settings saved.").wait_for()
    page.reload()
    page.get_by_role("heading", name="Notifications").wait_for()
    expect(page.get_by_label("E-mail address")).to_have_value("chen.jie@example.com")  # waits for the redraw
    screenshot(page, "notification-settings-en")
