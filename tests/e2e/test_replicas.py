"""Two Streamlit replicas behind nginx (sticky sessions) on one PostgreSQL.

Login sessions live in the database, so a login made through one replica is
valid on the other: if nginx moves a user (a replica restarts), they stay
signed in. See README, "Running several replicas".
"""
import pytest

from tests.conftest import skip_or_fail
from tests.e2e.conftest import (database_url_of, free_port, screenshot, start_streamlit, stop,
                                wait_for_session_cookie)
from tests.utils.nginx import nginx_binary, start_nginx

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("databases", ["postgresql"], indirect=True)]

COOKIE_SECRET = "replica-test-shared-cookie-secret"


@pytest.fixture
def replicas(demo_engine, tmp_path):
    nginx = nginx_binary()
    if not nginx:
        skip_or_fail("nginx not installed (Debian package 'nginx-light'); the replica test needs it")
    url = database_url_of(demo_engine)
    ports = [free_port(), free_port()]
    processes = [start_streamlit(url, port, tmp_path / f"replica{i}.log",
                                 env={"STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET})
                 for i, port in enumerate(ports)]
    proxy = None
    try:
        try:
            proxy, proxy_url = start_nginx(nginx, tmp_path, ports)
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield proxy_url, [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        if proxy is not None:
            stop(proxy)
        for process in processes:
            stop(process)


def test_a_login_through_nginx_is_valid_on_both_replicas(replicas, browser):
    proxy_url, replica_urls = replicas
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(proxy_url)
    page.get_by_role("textbox", name="Username").fill("newhire")
    page.get_by_role("textbox", name="Password").fill("academy-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, Li Na 李娜").wait_for()
    cookie = wait_for_session_cookie(page)  # set by a replica's route, through nginx
    screenshot(page, "replicas-through-nginx")
    context.close()

    for replica_url in replica_urls:  # the same cookie, straight to each replica
        other = browser.new_context(locale="en-US")
        other.add_cookies([{"name": "academy_session", "value": cookie["value"], "url": replica_url}])
        replica_page = other.new_page()
        replica_page.set_default_timeout(20_000)
        replica_page.goto(replica_url)
        replica_page.get_by_role("heading", name="Welcome, Li Na 李娜").wait_for()
        other.close()
