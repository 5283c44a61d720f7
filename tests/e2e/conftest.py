"""A real `streamlit run` server and a real headless Chromium (no download)."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

try:  # `expect(...)` waits as long as a locator does: on a loaded machine a reload can take 5 s or more
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
except ImportError:  # no Playwright: the browser tests are skipped (or fail under CI) elsewhere
    pass

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    explicit = os.environ.get("PORTAL_CHROMIUM")
    if explicit:
        return explicit
    return next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None) or shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if not executable:
        skip_or_fail("Chromium not installed (Debian package 'chromium'); browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("python package 'playwright' not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def start_streamlit(database_url: str, port: int, log_path: Path, *extra: str,
                    env: dict | None = None) -> subprocess.Popen:
    """`streamlit run portal/ui/web.py` (as `make run`) on `port`; returns once it answers its health check."""
    env = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "portal" / "ui" / "web.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *extra], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if not wait_healthy(f"http://127.0.0.1:{port}/_stcore/health"):
        stop(process)
        pytest.fail("streamlit did not start: " + log_path.read_text()[-2000:])
    return process


def wait_healthy(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=1).status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def database_url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app_server(demo_engine, tmp_path):
    """The app, as `make run` serves it, on a free port, on the test's demo database."""
    port = free_port()
    process = start_streamlit(database_url_of(demo_engine), port, tmp_path / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        screenshot(item.funcargs["page"], f"FAILED-{item.name}")


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def submit_login(page, url: str, username: str, password: str = "academy-demo") -> None:
    """Fill the login form (in whatever language it shows) and submit it."""
    page.goto(url)
    boxes = page.get_by_role("textbox")
    boxes.nth(0).fill(username)
    boxes.nth(1).fill(password)
    page.get_by_test_id("stFormSubmitButton").locator("button").click()


def sign_in(page, url: str, username: str, password: str = "academy-demo") -> None:
    """Sign in through the form and wait until the login cookie is set (so a reload keeps the session).

    A fill that lands while the first script run still renders the form can be
    lost, so a sign-in that does not take is tried again (at most three times).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    signed_in = page.get_by_test_id("stSidebar").get_by_text(re.compile(rf"[(（]{re.escape(username)}[)）]"))
    for _ in range(3):
        submit_login(page, url, username, password)
        try:
            signed_in.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError(f"{username} could not sign in")
    wait_for_session_cookie(page)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def chinese_page(browser, failed: str, height: int = 1400):
    """A page of its own in a Chinese (zh-CN) browser, 20 s timeouts; a screenshot FAILED-<failed> when the
    block fails; the context closed after."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    except Exception:
        screenshot(page, f"FAILED-{failed}")
        raise
    finally:
        context.close()


def session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == "academy_session"), None)


def wait_for_session_cookie(page, present: bool = True, seconds: float = 10) -> dict | None:
    """The sign-in cookie is set (or cleared) by a request the page makes after the click."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cookie = session_cookie(page)
        if (cookie is not None) == present:
            return cookie
        page.wait_for_timeout(100)
    raise AssertionError(f"session cookie still {'missing' if present else 'set'} after {seconds} s")
