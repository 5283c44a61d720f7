"""Two Streamlit replicas behind nginx (sticky sessions) on one PostgreSQL.

Login sessions live in the database, so a login made through one replica is
valid on the other: if nginx moves a user (a replica restarts), they stay
signed in. See README, "Running several replicas".
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.conftest import (database_url_of, free_port, screenshot, start_streamlit, stop, wait_for_session_cookie,
                                wait_healthy)

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("databases", ["postgresql"], indirect=True)]

COOKIE_SECRET = "replica-test-shared-cookie-secret"
NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
{user}
events {{}}
http {{
  access_log {tmp}/nginx-access.log;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  upstream academy {{
    ip_hash;  # sticky: a client keeps its replica (Streamlit sessions live in its memory)
    server 127.0.0.1:{a} max_fails=1 fail_timeout=5s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=5s;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://academy;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 86400;
    }}
    location = /healthz {{ proxy_pass http://academy/_stcore/health; }}
  }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@pytest.fixture
def replicas(demo_engine, tmp_path):
    nginx = nginx_binary()
    if not nginx:
        skip_or_fail("nginx not installed (Debian package 'nginx-light'); the replica test needs it")
    url = database_url_of(demo_engine)
    ports = free_port(), free_port()
    processes = [start_streamlit(url, port, tmp_path / f"replica{i}.log",
                                 env={"STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET})
                 for i, port in enumerate(ports)]
    proxy_port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp_path, a=ports[0], b=ports[1], port=proxy_port,
                                      user="user root;" if os.geteuid() == 0 else ""))
    proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        if not wait_healthy(f"http://127.0.0.1:{proxy_port}/healthz", 20):
            pytest.fail("nginx did not come up: " + (tmp_path / "nginx-error.log").read_text()[-2000:])
        yield f"http://127.0.0.1:{proxy_port}", [f"http://127.0.0.1:{p}" for p in ports]
    finally:
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
