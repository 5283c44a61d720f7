"""Single sign-on for real: a local OpenID Connect provider (the `oidc-provider-mock` package) on loopback,
`streamlit run` with a secrets.toml pointing at it, and Chromium signing in through it."""
import os
import secrets

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from portal import auth, users
from portal.models import NotificationPreference
from portal.roles import SYSTEM
from tests.conftest import skip_or_fail
from tests.e2e.conftest import (database_url_of, free_port, screenshot, start_streamlit, stop,
                                wait_for_session_cookie)

pytestmark = pytest.mark.e2e

CLIENT_ID = "agent-academy"


@pytest.fixture(scope="module")
def oidc_provider():
    """The provider at http://localhost:<port>; any client id and secret are accepted."""
    try:
        from oidc_provider_mock import run_server_in_thread
    except ImportError:
        skip_or_fail("python package 'oidc-provider-mock' not installed (test extras)")
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


def write_secrets(path, provider: str, app_url: str) -> None:
    """`.streamlit/secrets.toml` [auth] as Streamlit documents it, pointing at `provider`."""
    path.write_text(f'''[auth]
redirect_uri = "{app_url}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "{CLIENT_ID}"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
''', encoding="utf-8")


@pytest.fixture
def sso_app(demo_engine, oidc_provider, tmp_path):
    """The app with single sign-on configured; Chen Jie (`agent`) gave chen.jie@example.com."""
    with Session(demo_engine) as session:
        chen = auth.find_user(session, "agent")
        session.add(NotificationPreference(user_id=chen.id, email="chen.jie@example.com"))
        session.commit()
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    write_secrets(tmp_path / "secrets.toml", oidc_provider, app_url)
    process = start_streamlit(database_url_of(demo_engine), port, tmp_path / "streamlit.log",
                              "--secrets.files", str(tmp_path / "secrets.toml"),
                              env={"AUTHLIB_INSECURE_TRANSPORT": "1"})
    yield app_url
    stop(process)
    assert "Traceback" not in (tmp_path / "streamlit.log").read_text()


def through_provider(page, app_url: str, subject: str) -> None:
    """Press the SSO button, and at the provider sign in as `subject` (its e-mail claim)."""
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()  # not "Authorize as ..." (recent users, 0.4)
    page.wait_for_url(app_url + "/**")


def test_sign_in_through_the_provider_then_refused_once_deactivated(sso_app, page, demo_engine):
    page.goto(sso_app)
    expect(page.get_by_role("button", name="Sign in with your organisation account")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()  # local sign-in still offered
    screenshot(page, "sso-login-page")

    through_provider(page, sso_app, "chen.jie@example.com")
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()
    expect(page.get_by_test_id("stSidebar").get_by_text("(agent)")).to_be_visible()
    wait_for_session_cookie(page)
    screenshot(page, "sso-home")
    page.reload()  # the portal's own session cookie keeps the person in
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()

    page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out: both end
    page.get_by_role("button", name="Sign in with your organisation account").wait_for()
    expect(page.get_by_role("heading", name="Welcome, Chen Jie 陈杰")).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]

    with Session(demo_engine) as session:
        users.set_active(session, SYSTEM, auth.find_user(session, "agent").id, False)
        session.commit()
    through_provider(page, sso_app, "chen.jie@example.com")
    page.get_by_text("The Agent Academy account for chen.jie@example.com is deactivated.").wait_for()
    expect(page.get_by_role("heading", name="Welcome, Chen Jie 陈杰")).to_have_count(0)
    screenshot(page, "sso-deactivated")
    page.reload()  # still refused, and still no way in
    page.get_by_text("is deactivated").wait_for()
    expect(page.get_by_test_id("stSidebar").get_by_text("(agent)")).to_have_count(0)


def test_an_unknown_identity_is_refused_with_a_clear_message(sso_app, page):
    through_provider(page, sso_app, "stranger@example.com")
    page.get_by_text("no Agent Academy account goes with it").wait_for()
    screenshot(page, "sso-unknown")
    page.get_by_role("button", name="Sign out of the organisation account").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in with your organisation account").wait_for()
    expect(page.get_by_text("no Agent Academy account goes with it")).to_have_count(0)
