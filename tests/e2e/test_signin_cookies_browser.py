"""The sign-in cookies are set by the server, HttpOnly: no script in the page can read them."""
import pytest

from tests.e2e.conftest import screenshot, sign_in, wait_for_session_cookie

pytestmark = pytest.mark.e2e


def test_the_session_cookie_is_httponly_strict_and_survives_a_reload(app_server, page):
    sign_in(page, app_server, "agent")
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()
    cookie = wait_for_session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "academy_session" not in page.evaluate("document.cookie"), "a page script can read the token"
    device = next(c for c in page.context.cookies() if c["name"] == "academy_device")
    assert device["httpOnly"] and device["sameSite"] == "Strict"
    page.reload()
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()
    screenshot(page, "signed-in-after-reload")


def test_signing_out_clears_the_cookie_on_the_server_side(app_server, page):
    sign_in(page, app_server, "agent")
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()
    token = wait_for_session_cookie(page)["value"]
    page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    wait_for_session_cookie(page, present=False)
    # The old token, replayed by hand, no longer signs anyone in.
    page.context.add_cookies([{"name": "academy_session", "value": token, "url": app_server}])
    page.reload()
    page.get_by_role("button", name="Sign in").wait_for()


def test_a_ticket_is_good_once(app_server, page):
    """The route refuses a used or made-up ticket: posting one sets no cookie."""
    page.goto(app_server)
    status = page.evaluate("fetch('/api/session', {method: 'POST', body: 'made-up'}).then(r => r.status)")
    assert status == 403
    assert not any(c["name"] == "academy_session" for c in page.context.cookies())
