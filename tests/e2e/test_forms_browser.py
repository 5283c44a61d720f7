"""Forms that create or change something, used as people use them, in a real browser: a double click,
a reload after sending, a 1,500-character paste, a password of 30 Chinese characters.

One server for the module (each test works as a different demo person)."""
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from portal import auth, wellbeing
from portal.db import make_engine
from portal.models import ShadowingCall, SupervisedCall
from tests.conftest import _seeded
from tests.e2e.conftest import free_port, screenshot, sign_in, start_streamlit, stop, submit_login

pytestmark = pytest.mark.e2e

LONG_CHINESE = "我们的客服中心每天接听很多电话所以密码要足够长才安全又好记住"  # 30 characters, 90 bytes


@dataclass
class Server:
    url: str
    engine: Engine


@pytest.fixture(scope="module")
def server(databases, tmp_path_factory):
    databases.template("demo", _seeded)
    database_url = databases.clone("demo")
    engine = make_engine(database_url)
    process = start_streamlit(database_url, free_port(), tmp_path_factory.mktemp("forms") / "streamlit.log")
    try:
        yield Server(f"http://127.0.0.1:{process.args[process.args.index('--server.port') + 1]}", engine)
    finally:
        stop(process)
        engine.dispose()
        databases.drop(database_url)


def open_page(page, label):
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=label, exact=True).wait_for()


def calls_of(engine, model, username) -> int:
    with Session(engine) as session:
        user = auth.find_user(session, username)
        return session.exec(select(func.count()).select_from(model).where(model.user_id == user.id)).one()


def test_a_double_click_on_log_this_call_logs_one_call_and_clears_the_form(server, page):
    sign_in(page, server.url, "newhire")
    open_page(page, "Shadowing log")
    page.get_by_text("0 of 30 calls logged").wait_for()
    did_well = page.get_by_label("What the agent did well")
    did_well.fill("Suspended the SIM before anything else.")
    page.get_by_label("What I learned").fill("Report the loss first, then verify for the new card.")
    page.get_by_role("button", name="Log this call").dblclick()
    page.get_by_text("Call logged (1 so far).").wait_for()
    page.get_by_text("1 of 30 calls logged").wait_for()
    page.wait_for_timeout(1500)  # anything the second click set off has landed by now
    assert calls_of(server.engine, ShadowingCall, "newhire") == 1
    expect(page.get_by_label("What the agent did well")).to_have_value("")
    expect(page.get_by_label("What I learned")).to_have_value("")
    screenshot(page, "forms-shadowing-after-double-click")

    page.get_by_role("button", name="Log this call").click()  # the cleared form again: refused, not logged twice
    page.get_by_text("Write what the agent did well.").wait_for()
    page.reload()
    page.get_by_role("heading", name="Shadowing log", exact=True).wait_for()
    page.get_by_text("1 of 30 calls logged").wait_for()
    assert calls_of(server.engine, ShadowingCall, "newhire") == 1


def test_a_double_click_on_a_supervised_call_is_one_call_not_a_duplicate_ticket(server, page):
    sign_in(page, server.url, "newhire")
    open_page(page, "Supervised calls")
    page.get_by_label("Ticket number").fill("2611-7001")
    page.get_by_label("My summary of the call").fill("Changed the plan; read the new fee back to the caller.")
    page.get_by_role("button", name="Log this call").dblclick()
    page.get_by_text("Call with ticket 2611-7001 logged").wait_for()
    page.wait_for_timeout(1500)
    expect(page.get_by_text("You already logged a call with ticket")).to_have_count(0)
    assert calls_of(server.engine, SupervisedCall, "newhire") == 1
    expect(page.get_by_label("Ticket number")).to_have_value("")


def answer_all(page):
    radios = page.get_by_test_id("stRadio")
    radios.first.wait_for()
    for index in range(9):
        radios.nth(index).get_by_text("Some of the time" if index < 5 else "Sometimes", exact=True).click()


def test_a_long_check_in_comment_is_refused_beside_it_then_a_double_click_checks_in_once(server, page):
    sign_in(page, server.url, "agent")
    open_page(page, "Wellbeing check-in")
    page.get_by_text("Up to 500 characters.").wait_for()  # the limit is said before anyone types
    answer_all(page)
    comment = page.get_by_role("textbox", name="Anything you would like to add? (optional)")
    comment.fill("今天的来电很多，" * 188)  # a 1,504-character paste
    expect(comment).to_have_value("今天的来电很多，" * 188)  # the box takes it all
    page.get_by_role("button", name="Send my check-in").click()
    page.get_by_text("Your comment has 1504 characters; the limit is 500.").wait_for()
    screenshot(page, "forms-checkin-comment-too-long")
    expect(comment).to_have_value("今天的来电很多，" * 188)  # nothing typed is lost
    checked = page.get_by_test_id("stRadio").locator("input:checked")
    expect(checked).to_have_count(9)

    comment.fill("今天的来电很多，" * 50)  # 400 characters
    page.get_by_role("button", name="Send my check-in").dblclick()
    # The result is kept only in this browser session's memory: should the socket reconnect under load,
    # the page says "already checked in" instead. Either way: no error, and one check-in.
    page.get_by_role("heading", name="Your result").or_(
        page.get_by_text("You have already checked in this week.")).first.wait_for()
    page.wait_for_timeout(1500)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    with Session(server.engine) as session:
        actor = auth.actor_for(session, auth.find_user(session, "agent"))
        assert wellbeing.has_checked_in(session, actor)


def fill_password_form(page, current, new, confirm=None):
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password").fill(new if confirm is None else confirm)


def test_thirty_chinese_characters_as_a_password_with_a_double_click_then_sign_in(server, page):
    sign_in(page, server.url, "lead")
    open_page(page, "My account")
    page.get_by_text("At least 10 characters (up to 128), in any language").wait_for()  # before typing

    fill_password_form(page, "not-my-password", LONG_CHINESE)
    page.get_by_role("button", name="Save password").click()
    page.get_by_text("Your current password is not correct.").wait_for()
    expect(page.get_by_label("Current password")).to_have_value("")  # only the wrong field is emptied
    expect(page.get_by_label("New password", exact=True)).to_have_value(LONG_CHINESE)
    expect(page.get_by_label("Repeat the new password")).to_have_value(LONG_CHINESE)

    page.get_by_label("Current password").fill("academy-demo")
    page.get_by_role("button", name="Save password").dblclick()
    page.get_by_text("Password changed.").wait_for()
    page.wait_for_timeout(1500)
    expect(page.get_by_text("Your current password is not correct.")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    screenshot(page, "forms-password-changed")

    page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    submit_login(page, server.url, "lead", "academy-demo")
    page.get_by_text("Wrong username or password.").wait_for()
    sign_in(page, server.url, "lead", LONG_CHINESE)


def test_a_common_password_is_refused_beside_the_field_in_chinese(server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, server.url, "mentor")
        open_page(page, "我的账户")
        page.get_by_text("至少 10 个字符（最多 128 个）").wait_for()
        page.get_by_label("当前密码").fill("academy-demo")
        page.get_by_label("新密码", exact=True).fill("woaini1314520")
        page.get_by_label("再次输入新密码").fill("woaini1314520")
        page.get_by_role("button", name="保存密码").click()
        page.get_by_text("这个密码在常用密码名单上").wait_for()
        expect(page.get_by_label("当前密码")).to_have_value("academy-demo")
        screenshot(page, "forms-password-common-zh")
    finally:
        context.close()
