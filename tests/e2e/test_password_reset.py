"""Forgot password, for real: the login page asks for a link, a real SMTP server (aiosmtpd) on loopback
receives the e-mail, and the browser opens the link, sets a new password and signs in with it."""
import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from portal import auth
from portal.models import NotificationPreference
from tests.e2e.conftest import database_url_of, free_port, screenshot, sign_in, start_streamlit, stop
from tests.utils.smtp import smtp_server

pytestmark = pytest.mark.e2e

SENT_EN = "If this names an account with an e-mail address, a link to set a new password is on its way there."


@pytest.fixture
def mailbox():
    with smtp_server() as server:
        yield server


@pytest.fixture
def reset_app(demo_engine, mailbox, tmp_path):
    """The app with SMTP configured; Chen Jie (`agent`) and Li Na (`newhire`) gave their addresses."""
    with Session(demo_engine) as session:
        for username in ("agent", "newhire"):
            session.add(NotificationPreference(user_id=auth.find_user(session, username).id,
                                               email=f"{username}@example.com"))
        session.commit()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "streamlit.log"
    process = start_streamlit(database_url_of(demo_engine), port, log, env={
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox[0]), "SMTP_STARTTLS": "0", "PUBLIC_URL": url})
    yield url, mailbox[1], log
    stop(process)


def link_in(message) -> str:
    return re.search(r"http://\S+\?reset=[A-Za-z0-9_-]+", message.get_content()).group(0)


def ask_for_link(page, name: str, forgot: str = "Forgot your password?", send: str = "Send me a link") -> None:
    page.get_by_role("button", name=forgot).click()
    page.get_by_role("button", name=send).wait_for()
    page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=send)).get_by_role("textbox").fill(name)
    page.get_by_role("button", name=send).click()


def test_forgot_password_by_email_end_to_end(reset_app, page):
    url, inbox, log = reset_app
    page.goto(url)
    ask_for_link(page, "")  # untouched form: told what to enter, nothing sent
    page.get_by_text("Enter your username or e-mail address.").wait_for()
    page.reload()
    ask_for_link(page, "nobody-here")  # unknown: the same answer as for a real name
    page.get_by_text(SENT_EN).wait_for()
    page.reload()
    ask_for_link(page, "agent@example.com")
    page.get_by_text(SENT_EN).wait_for()
    page.get_by_role("button", name="Send me a link").dblclick()  # a double click sends no second mail
    screenshot(page, "reset-requested")
    message = inbox.wait_for(1)
    assert message["To"] == "agent@example.com" and message["Subject"] == "Set a new password for Agent Academy"
    time.sleep(1)
    assert len(inbox.messages) == 1

    link = link_in(message)
    assert link.startswith(url + "/?reset=")
    page.goto(link)
    page.get_by_role("heading", name="Set a new password").wait_for()
    page.get_by_text("For the account agent.").wait_for()
    boxes = page.get_by_test_id("stForm").get_by_role("textbox")
    boxes.nth(0).fill("a brand new phrase 42")
    boxes.nth(1).fill("a brand new phrase 43")
    page.get_by_role("button", name="Set the new password").click()
    page.get_by_text("The two new passwords are not the same.").wait_for()
    boxes.nth(0).fill("short")
    boxes.nth(1).fill("short")
    page.get_by_role("button", name="Set the new password").click()
    page.get_by_text("The password needs at least").wait_for()
    boxes.nth(0).fill("a brand new phrase 42")
    boxes.nth(1).fill("a brand new phrase 42")
    page.get_by_role("button", name="Set the new password").dblclick()
    page.get_by_text("Your new password is set. Sign in with it now.").wait_for()
    expect(page).not_to_have_url(re.compile(r"reset="))
    screenshot(page, "reset-done")

    page.go_back()  # the link again: spent
    page.goto(link)
    page.get_by_text("This password link was already used.").wait_for()
    expect(page.get_by_role("button", name="Set the new password")).to_have_count(0)

    sign_in(page, url, "agent", "a brand new phrase 42")
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()
    assert link.split("=")[-1] not in log.read_text()  # the token is in no server log


def test_forgot_password_in_chinese(reset_app, page):
    url, inbox, _ = reset_app
    page.goto(url)
    page.get_by_test_id("stSidebar").get_by_role("combobox").click()
    page.get_by_role("option", name="简体中文").click()
    page.get_by_role("button", name="忘记密码？").wait_for()
    ask_for_link(page, "newhire", forgot="忘记密码？", send="发送链接")
    page.get_by_text("如果该名称对应的账号登记了电子邮箱").wait_for()
    message = inbox.wait_for(1)
    assert message["Subject"] == "设置坐席学院的新密码" and "30 分钟" in message.get_content()

    page.goto(link_in(message))
    page.get_by_role("heading", name="设置新密码").wait_for()
    boxes = page.get_by_test_id("stForm").get_by_role("textbox")
    boxes.nth(0).fill("新的密码短语很长很长")
    boxes.nth(1).fill("新的密码短语很长很长")
    page.get_by_role("button", name="设置新密码").click()
    page.get_by_text("新密码已设置。现在请用新密码登录。").wait_for()
    screenshot(page, "reset-done-zh")
    sign_in(page, url, "newhire", "新的密码短语很长很长")
    page.get_by_role("heading", name="欢迎，Li Na 李娜").wait_for()
