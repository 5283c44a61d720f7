"""An admin in a real browser on the Users page (issue 15): a filter, the next page, a reload that keeps
both, and Back through them, one step at a time."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from portal.models import User, UserRole
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def add_agents(engine, count: int) -> None:
    with Session(engine) as session:
        for n in range(count):
            user = User(username=f"zz.agent{n:03d}", display_name=f"Zz Agent {n:03d}", password_hash="x")
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role="agent"))
        session.commit()


def rows_caption(page):
    return page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"^Rows "))


def test_the_admin_filters_pages_reloads_and_goes_back_through_the_users(app_server, page, demo_engine):
    add_agents(demo_engine, 70)
    sign_in(page, app_server, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Users", exact=True).click()
    page.get_by_role("heading", name="Users", exact=True).wait_for()
    expect(rows_caption(page)).to_have_text(re.compile(r"^Rows 1–50 of \d+$"))
    expect(page.locator(".st-key-users_role").get_by_role("combobox")).to_have_value("All roles")
    expect(page.locator(".st-key-users_team").get_by_role("combobox")).to_have_value("All teams")

    search = page.get_by_role("textbox", name="Find a user")
    search.fill("zz.agent")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=zz.agent"))
    expect(rows_caption(page)).to_have_text("Rows 1–50 of 70")

    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(rows_caption(page)).to_have_text("Rows 51–70 of 70")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    screenshot(page, "users-page-2-en")

    page.reload()  # the filter and the page are in the address
    expect(rows_caption(page)).to_have_text("Rows 51–70 of 70")
    expect(page.get_by_role("textbox", name="Find a user")).to_have_value("zz.agent")

    page.go_back()  # the first page of the same filter
    expect(page).not_to_have_url(re.compile("page="))
    expect(rows_caption(page)).to_have_text("Rows 1–50 of 70")
    expect(page.get_by_role("textbox", name="Find a user")).to_have_value("zz.agent")

    page.go_back()  # before the filter: everyone again
    expect(page).not_to_have_url(re.compile("q="))
    expect(page.get_by_role("textbox", name="Find a user")).to_have_value("")
    expect(rows_caption(page)).to_have_text(re.compile(r"^Rows 1–50 of \d+$"))
