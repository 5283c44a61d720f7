"""A new hire signs in through the form in a real browser, refreshes, switches to Chinese, signs out."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in, submit_login, wait_for_session_cookie

pytestmark = pytest.mark.e2e




def test_newhire_signs_in_refreshes_switches_language_and_signs_out(app_server, page):
    sign_in(page, app_server, "newhire")
    page.get_by_role("heading", name="Welcome, Li Na 李娜").wait_for()
    expect(page.get_by_text("What to do next", exact=True).first).to_be_visible()
    page.get_by_text("Your pages").wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("My onboarding").first).to_be_visible()
    expect(sidebar.get_by_text("Users", exact=True)).to_have_count(0)  # no admin pages for a new hire
    screenshot(page, "newhire-home-en")

    wait_for_session_cookie(page)  # set by the server, HttpOnly (tests/e2e/test_signin_cookies_browser.py)
    page.reload()  # the cookie keeps the session
    page.get_by_role("heading", name="Welcome, Li Na 李娜").wait_for()

    sidebar.get_by_text("My account").click()
    page.get_by_role("heading", name="My account").wait_for()
    page.get_by_text("简体中文").click()
    page.get_by_role("heading", name="我的账户").wait_for()
    sidebar.get_by_text("首页").click()
    page.get_by_role("heading", name="欢迎，Li Na 李娜").wait_for()
    page.get_by_text("你的页面").wait_for()
    screenshot(page, "newhire-home-zh")

    page.wait_for_function("document.cookie.includes('academy_lang=zh-CN')")
    page.reload()  # the language choice is saved for the user
    page.get_by_role("heading", name="欢迎，Li Na 李娜").wait_for()
    sidebar.get_by_text("我的入职培训").wait_for()  # the menu too, not only the page

    sidebar.get_by_role("button").filter(has_text="退出登录").click()
    page.get_by_role("button", name="登录").wait_for()
    wait_for_session_cookie(page, present=False)
    page.reload()  # signed out stays signed out
    page.get_by_role("button", name="登录").wait_for()
    screenshot(page, "signed-out")


def test_wrong_password_is_refused_in_the_browser(app_server, page):
    submit_login(page, app_server, "newhire", "not-the-password")
    page.get_by_text("Wrong username or password.").wait_for()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
