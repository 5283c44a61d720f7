"""The administrator's Sign-in page: what is set up, and "create accounts on first sign-in"."""
from sqlmodel import Session

from portal import auth, sso
from tests.utils.apptest import app_as, errors_of


def test_admin_turns_on_account_creation_and_sees_what_is_set_up(demo_engine, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    at = app_as(demo_engine, "admin").run()
    at.switch_page("pages/admin_sign_in.py").run()
    assert not errors_of(at)
    assert any("Single sign-on is not set up" in i.value for i in at.info)
    assert any("E-mail is not set up" in i.value for i in at.info)
    [box] = at.checkbox
    assert box.label == "Create an account on first sign-in" and box.value is False  # off until an admin says so
    box.check()
    at.button[-1].click().run()
    assert not errors_of(at)
    with Session(demo_engine) as session:
        admin = auth.actor_for(session, auth.find_user(session, "admin"))
        assert sso.sign_in_settings(session, admin).create_accounts is True


def test_the_page_in_chinese(demo_engine):
    at = app_as(demo_engine, "admin", language="zh-CN").run()
    at.switch_page("pages/admin_sign_in.py").run()
    assert not errors_of(at) and at.title[0].value == "登录设置"
    assert at.checkbox[0].label == "首次登录时自动创建账号"
